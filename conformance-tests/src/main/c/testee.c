/* SPDX-License-Identifier: Apache-2.0 */
/*
 * testee.c - speaks spec/testee-protocol.md on stdin/stdout and drives the C reference implementation
 * (vboost.c). Logs go to stderr only: stdout carries frames.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "vboost.h"

#define MAX_PAYLOAD (1u << 20)
#define MAX_PAIRS 32
#define MAX_TEXT 512

/* ---- a flat JSON object of string values (testee protocol §3) ------------------------------------ */

struct pair {
	char key[64];
	char value[MAX_TEXT];
};

struct message {
	struct pair pairs[MAX_PAIRS];
	int count;
};

static const char *skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

/* Parses a JSON string at p into out (capacity cap); returns the char after the closing quote or NULL. */
static const char *parse_string(const char *p, char *out, size_t cap)
{
	if (*p != '"')
		return NULL;
	p++;
	size_t n = 0;
	while (*p != '"') {
		char c = *p++;
		if (c == '\0')
			return NULL;
		if (c == '\\') {
			char e = *p++;
			switch (e) {
			case '"': c = '"'; break;
			case '\\': c = '\\'; break;
			case '/': c = '/'; break;
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case 'r': c = '\r'; break;
			case 'u': {
				unsigned v = 0;
				for (int i = 0; i < 4; i++) {
					char h = *p++;
					v <<= 4;
					if (h >= '0' && h <= '9') v |= (unsigned)(h - '0');
					else if (h >= 'a' && h <= 'f') v |= (unsigned)(h - 'a' + 10);
					else if (h >= 'A' && h <= 'F') v |= (unsigned)(h - 'A' + 10);
					else return NULL;
				}
				if (v >= 0x80)
					return NULL; /* the runner never sends non-ASCII escapes */
				c = (char)v;
				break;
			}
			default:
				return NULL;
			}
		}
		if (n + 1 >= cap)
			return NULL;
		out[n++] = c;
	}
	out[n] = '\0';
	return p + 1;
}

static int parse_message(const char *text, struct message *m)
{
	m->count = 0;
	const char *p = skip_ws(text);
	if (*p++ != '{')
		return -1;
	p = skip_ws(p);
	if (*p == '}')
		return 0;
	for (;;) {
		if (m->count == MAX_PAIRS)
			return -1;
		struct pair *kv = &m->pairs[m->count];
		p = parse_string(skip_ws(p), kv->key, sizeof(kv->key));
		if (p == NULL)
			return -1;
		p = skip_ws(p);
		if (*p++ != ':')
			return -1;
		p = parse_string(skip_ws(p), kv->value, sizeof(kv->value));
		if (p == NULL)
			return -1;
		m->count++;
		p = skip_ws(p);
		if (*p == ',') {
			p++;
			continue;
		}
		if (*p == '}')
			return 0;
		return -1;
	}
}

static const char *get(const struct message *m, const char *key)
{
	for (int i = 0; i < m->count; i++)
		if (strcmp(m->pairs[i].key, key) == 0)
			return m->pairs[i].value;
	return NULL;
}

/* ---- replies ------------------------------------------------------------------------------------ */

static char reply[MAX_PAYLOAD];
static size_t reply_len;

static void reply_begin(const char *status)
{
	reply_len = (size_t)snprintf(reply, sizeof(reply), "{\"status\":\"%s\"", status);
}

static void reply_str(const char *key, const char *value)
{
	reply_len += (size_t)snprintf(reply + reply_len, sizeof(reply) - reply_len, ",\"%s\":\"", key);
	for (const char *c = value; *c && reply_len + 8 < sizeof(reply); c++) {
		if (*c == '"' || *c == '\\')
			reply[reply_len++] = '\\';
		reply[reply_len++] = (*c >= 0x20) ? *c : ' ';
	}
	reply_len += (size_t)snprintf(reply + reply_len, sizeof(reply) - reply_len, "\"");
}

static void reply_u64(const char *key, uint64_t v)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	reply_str(key, buf);
}

static void reply_i64(const char *key, int64_t v)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "%" PRId64, v);
	reply_str(key, buf);
}

static void reply_end(void)
{
	reply_len += (size_t)snprintf(reply + reply_len, sizeof(reply) - reply_len, "}");
}

static void reply_error(int code)
{
	reply_begin("error");
	reply_str("code", vboost_error_name(code));
}

static void reply_internal(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	reply_begin("internal");
	reply_str("message", buf);
}

/* ---- arguments ---------------------------------------------------------------------------------- */

struct args_error {
	const char *key;
};

static int arg_u64(const struct message *m, const char *key, uint64_t max, uint64_t *out)
{
	const char *v = get(m, key);
	if (v == NULL || *v == '\0' || *v == '-')
		return -1;
	errno = 0;
	char *end;
	unsigned long long x = strtoull(v, &end, 10);
	if (errno != 0 || *end != '\0' || x > max)
		return -1;
	*out = (uint64_t)x;
	return 0;
}

static int arg_i64(const struct message *m, const char *key, int64_t min, int64_t max, int64_t *out)
{
	const char *v = get(m, key);
	if (v == NULL || *v == '\0')
		return -1;
	errno = 0;
	char *end;
	long long x = strtoll(v, &end, 10);
	if (errno != 0 || *end != '\0' || x < min || x > max)
		return -1;
	*out = (int64_t)x;
	return 0;
}

#define NEED_U64_R(key, max, var)                                                 \
	uint64_t var;                                                             \
	if (arg_u64(m, key, max, &var) != 0) {                                    \
		reply_internal("argument %s missing or out of range", key);       \
		return 1;                                                         \
	}

#define NEED_U64(key, max, var)                                                   \
	uint64_t var;                                                             \
	if (arg_u64(m, key, max, &var) != 0) {                                    \
		reply_internal("argument %s missing or out of range", key);       \
		return;                                                           \
	}

/* ---- testee state ------------------------------------------------------------------------------- */

static uint8_t *map_base;
static uint64_t map_size;
static char role[16];
static struct vboost_guest guest;
static struct vboost_host host;
static struct vboost_policy_host served;
static int guest_ready, host_ready, served_ready;

static void drop_served(void)
{
	if (served_ready)
		vboost_policy_host_free(&served);
	served_ready = 0;
}

static void drop_state(void)
{
	drop_served();
	if (host_ready)
		vboost_host_free(&host);
	guest_ready = host_ready = 0;
	if (map_base != NULL)
		munmap(map_base, map_size);
	map_base = NULL;
	map_size = 0;
}

static void cmd_hello(const struct message *m)
{
	const char *protocol = get(m, "protocol");
	if (protocol == NULL || strcmp(protocol, "1") != 0) {
		reply_begin("error");
		reply_str("code", "E_PROTOCOL");
		reply_str("message", "this testee speaks testee protocol 1");
		return;
	}
	reply_begin("ok");
	reply_str("protocol", "1");
	reply_str("name", "vboost-c-reference");
	reply_str("version", "0.1.0");
	reply_str("language", "c");
	reply_str("spec", "1.0");
	reply_str("roles", "guest,host,codec");
	reply_str("features", "stress,expiry,host-policy,step-control");
}

static void cmd_attach(const struct message *m)
{
	drop_state();
	const char *path = get(m, "path");
	const char *r = get(m, "role");
	NEED_U64("size", UINT64_MAX, size);
	if (path == NULL || r == NULL || strlen(r) >= sizeof(role)) {
		reply_internal("attach needs role, path and size");
		return;
	}
	int fd = open(path, O_RDWR);
	if (fd < 0) {
		reply_internal("open %s: %s", path, strerror(errno));
		return;
	}
	void *p = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED) {
		reply_internal("mmap %s: %s", path, strerror(errno));
		return;
	}
	map_base = p;
	map_size = size;
	strcpy(role, r);
	reply_begin("ok");
}

/* "stop_after": absent or "W4" runs the whole writer; "W1" / "W2" stop after that step (testee protocol §5.5). */
static int stop_after(const struct message *m, int *out)
{
	const char *v = get(m, "stop_after");
	*out = 0;
	if (v == NULL || strcmp(v, "W4") == 0)
		return 0;
	if (strcmp(v, "W1") == 0)
		*out = VBOOST_STOP_AFTER_W1;
	else if (strcmp(v, "W2") == 0)
		*out = VBOOST_STOP_AFTER_W2;
	else
		return -1;
	return 0;
}

/* "pause_file": between R3 and R4 of the first attempt, create the file, then wait (at most 10 s) until the
 * runner has removed it (testee protocol §5.5). */
static void pause_between_r3_r4(void *ctx)
{
	const char *path = ctx;
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd < 0) {
		fprintf(stderr, "testee: cannot create pause file %s: %s\n", path, strerror(errno));
		return;
	}
	close(fd);
	struct timespec step = {0, 100000};
	for (int i = 0; i < 100000; i++) { /* 100000 x 100 us = 10 s at most */
		if (access(path, F_OK) != 0)
			return;
		nanosleep(&step, NULL);
	}
	fprintf(stderr, "testee: pause file %s was not removed within 10 s; reading on\n", path);
}

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void put_host_line(const struct vboost_host_line_copy *s)
{
	reply_u64("seq", s->seq);
	reply_u64("slot_status", s->status);
	reply_u64("policy", s->policy);
	reply_u64("priority", s->priority);
	reply_u64("denial", s->denial);
	reply_u64("host_boost_flags", s->host_boost_flags);
	reply_u64("budget_remaining_us", s->budget_remaining_us);
	reply_u64("acted_request_id", s->acted_request_id);
	reply_u64("host_boost_id", s->host_boost_id);
}

static void put_guest_line(const struct vboost_guest_line_copy *s)
{
	reply_u64("seq", s->seq);
	reply_u64("request", s->request);
	reply_u64("policy", s->policy);
	reply_u64("priority", s->priority);
	reply_i64("nice", s->nice);
	reply_u64("reasons", s->reasons);
	reply_u64("request_id", s->request_id);
	reply_u64("host_boost_ack", s->host_boost_ack);
}

/* The 32-byte observation record of testee protocol §5.4: the line's first 32 bytes in wire layout. */
static int write_record(FILE *out, uint32_t seq, const uint8_t b[4], uint32_t w1, uint32_t w2, uint64_t q1,
			uint64_t q2)
{
	uint8_t r[32];
	memcpy(r, &seq, 4); /* little-endian CPU, checked in vboost.c */
	memcpy(r + 4, b, 4);
	memcpy(r + 8, &w1, 4);
	memcpy(r + 12, &w2, 4);
	memcpy(r + 16, &q1, 8);
	memcpy(r + 24, &q2, 8);
	return fwrite(r, 1, sizeof(r), out) == sizeof(r) ? 0 : -1;
}

/* One read of a stress loop: on VBOOST_OK the consistent copy's record is written to out. */
typedef int (*stress_reader)(uint32_t slot, FILE *out);

static int stress_read_host_line(uint32_t slot, FILE *out)
{
	struct vboost_host_line_copy s;
	int err = vboost_guest_read_host_state(&guest, slot, &s);
	if (err == VBOOST_OK) {
		uint8_t b[4] = {s.status, s.policy, s.priority, s.denial};
		write_record(out, s.seq, b, s.host_boost_flags, s.budget_remaining_us, s.acted_request_id,
			     s.host_boost_id);
	}
	return err;
}

static int stress_read_guest_line(uint32_t slot, FILE *out)
{
	struct vboost_guest_line_copy s;
	int err = vboost_host_read_request(&host, slot, &s);
	if (err == VBOOST_OK) {
		uint8_t b[4] = {s.request, s.policy, s.priority, (uint8_t)s.nice};
		write_record(out, s.seq, b, s.reasons, 0, s.request_id, s.host_boost_ack);
	}
	return err;
}

/* stress.guest_read, stress.host_read: "iterations" reads of line "slot", every consistent copy recorded in the
 * file "out" for the runner to check; replies how many were consistent, busy or invalid. */
static void stress_read(const struct message *m, stress_reader read_line)
{
	NEED_U64("slot", UINT32_MAX, slot);
	NEED_U64("iterations", 100000000, iterations);
	const char *path = get(m, "out");
	FILE *out = path ? fopen(path, "wb") : NULL;
	if (out == NULL) {
		reply_internal("cannot open out file");
		return;
	}
	uint64_t ok = 0, busy = 0, invalid = 0;
	for (uint64_t i = 0; i < iterations; i++) {
		int err = read_line((uint32_t)slot, out);
		if (err == VBOOST_OK) {
			ok++;
		} else if (err == VBOOST_E_BUSY) {
			busy++;
		} else {
			invalid++;
		}
	}
	fclose(out);
	reply_begin("ok");
	reply_u64("ok", ok);
	reply_u64("busy", busy);
	reply_u64("invalid", invalid);
}

static void op_guest(const char *op, const struct message *m)
{
	if (strcmp(op, "guest.attach") == 0) {
		NEED_U64("features", UINT64_MAX, features);
		uint64_t timeout = 0;
		if (get(m, "timeout_ms") != NULL && arg_u64(m, "timeout_ms", 3600000, &timeout) != 0) {
			reply_internal("argument timeout_ms out of range");
			return;
		}
		/* §4.4, A1: "not there yet" (E_BAD_MAGIC, E_NOT_READY, C2..C4 while NOT_READY) is retried until the
		 * guest's own timeout; every other outcome is final */
		uint64_t deadline = now_ms() + timeout;
		int err;
		for (;;) {
			err = vboost_guest_attach(&guest, map_base, map_size, features);
			uint32_t state = map_size >= VBOOST_HEADER_SIZE
						 ? *(volatile uint32_t *)(map_base + VBOOST_HOST_HEADER_REGION_STATE_OFFSET) : 0;
			int not_yet = err == VBOOST_E_BAD_MAGIC || err == VBOOST_E_NOT_READY
				      || ((err == VBOOST_E_UNSUPPORTED_MAJOR || err == VBOOST_E_BAD_STATE)
					  && state == VBOOST_REGION_STATE_NOT_READY);
			if (!not_yet || now_ms() >= deadline)
				break;
			struct timespec step = {0, 1000000};
			nanosleep(&step, NULL);
		}
		if (err != VBOOST_OK) {
			reply_error(err);
			return;
		}
		guest_ready = 1;
		reply_begin("ok");
		reply_u64("slot_count", guest.slot_count);
		reply_u64("host_generation", guest.generation);
		reply_u64("accepted_features", guest.accepted_features);
		reply_u64("guest_abi_minor", guest.abi_minor);
		return;
	}
	if (!guest_ready) {
		reply_internal("%s before a successful guest.attach", op);
		return;
	}
	if (strcmp(op, "guest.request_boost") == 0) {
		NEED_U64("slot", UINT32_MAX, slot);
		NEED_U64("policy", 255, policy);
		NEED_U64("priority", 255, priority);
		NEED_U64("reasons", UINT32_MAX, reasons);
		int64_t nice;
		if (arg_i64(m, "nice", -128, 127, &nice) != 0) {
			reply_internal("argument nice missing or out of range");
			return;
		}
		int stop;
		if (stop_after(m, &stop) != 0) {
			reply_internal("stop_after must be W1, W2 or W4");
			return;
		}
		uint64_t id;
		int err = vboost_guest_request_boost_steps(&guest, (uint32_t)slot, (uint8_t)policy, (uint8_t)priority,
							   (int8_t)nice, (uint32_t)reasons, &id, stop);
		if (err != VBOOST_OK) {
			reply_error(err);
			return;
		}
		reply_begin("ok");
		reply_u64("request_id", id);
	} else if (strcmp(op, "guest.release") == 0) {
		NEED_U64("slot", UINT32_MAX, slot);
		uint64_t id;
		int err = vboost_guest_release(&guest, (uint32_t)slot, &id);
		if (err != VBOOST_OK) {
			reply_error(err);
			return;
		}
		reply_begin("ok");
		reply_u64("request_id", id);
	} else if (strcmp(op, "guest.ack_host_boost") == 0) {
		NEED_U64("slot", UINT32_MAX, slot);
		NEED_U64("host_boost_id", UINT64_MAX, id);
		int err = vboost_guest_ack_host_boost(&guest, (uint32_t)slot, id);
		if (err != VBOOST_OK) {
			reply_error(err);
			return;
		}
		reply_begin("ok");
	} else if (strcmp(op, "guest.read_host_state") == 0) {
		NEED_U64("slot", UINT32_MAX, slot);
		struct vboost_host_line_copy s;
		const char *pause = get(m, "pause_file");
		struct vboost_read_hook hook = {pause_between_r3_r4, (void *)pause};
		int err = vboost_guest_read_host_state_hooked(&guest, (uint32_t)slot, &s, pause ? &hook : NULL);
		if (err != VBOOST_OK) {
			reply_error(err);
			return;
		}
		reply_begin("ok");
		put_host_line(&s);
	} else if (strcmp(op, "guest.await_acted") == 0) {
		NEED_U64("slot", UINT32_MAX, slot);
		NEED_U64("request_id", UINT64_MAX, id);
		NEED_U64("timeout_ms", 60000, timeout);
		struct vboost_host_line_copy s;
		memset(&s, 0, sizeof(s));
		bool acted = vboost_guest_await_acted(&guest, (uint32_t)slot, id, (uint32_t)timeout, &s);
		reply_begin("ok");
		reply_str("acted", acted ? "1" : "0");
	} else if (strcmp(op, "guest.host_restarted") == 0) {
		reply_begin("ok");
		reply_str("restarted", vboost_guest_host_restarted(&guest) ? "1" : "0");
	} else if (strcmp(op, "guest.detach") == 0) {
		vboost_guest_detach(&guest);
		reply_begin("ok");
	} else if (strcmp(op, "stress.guest_read") == 0) {
		stress_read(m, stress_read_host_line);
	} else if (strcmp(op, "stress.guest_request") == 0) {
		NEED_U64("slot", UINT32_MAX, slot);
		NEED_U64("iterations", 100000000, iterations);
		uint64_t id = 0;
		for (uint64_t i = 0; i < iterations; i++) {
			uint8_t policy = (uint8_t)(i % 3);
			uint8_t priority = policy == 0 ? 0 : (uint8_t)(1 + i % 99);
			int8_t nice = policy == 0 ? (int8_t)((int)(i % 40) - 20) : 0;
			int err = vboost_guest_request_boost(&guest, (uint32_t)slot, policy, priority, nice,
							     (uint32_t)((37 * i) % 128), &id);
			if (err != VBOOST_OK) {
				reply_error(err);
				return;
			}
		}
		reply_begin("ok");
		reply_u64("last_request_id", id);
	} else {
		reply_begin("unsupported");
		reply_str("message", op);
	}
}

static const char *const OUTCOMES[] = {"busy", "ignored", "unchanged", "acted", "detached"};

/* The host-policy operations (testee protocol §5.3); returns 0 if op is none of them. */
static int op_served(const char *op, const struct message *m)
{
	if (strcmp(op, "host.set_policy") == 0) {
		NEED_U64_R("max_priority", VBOOST_PRIO_MAX, max_priority);
		NEED_U64_R("allowed_policies", 7, allowed_policies);
		NEED_U64_R("allowed_reasons", UINT32_MAX, allowed_reasons);
		NEED_U64_R("max_boost_us", UINT32_MAX, max_boost);
		NEED_U64_R("host_boost_timeout_us", UINT32_MAX, hb_timeout);
		NEED_U64_R("budget_us", UINT32_MAX, budget);
		NEED_U64_R("budget_window_us", UINT32_MAX, window);
		NEED_U64_R("rate_limit", UINT32_MAX, rate);
		NEED_U64_R("rate_window_us", UINT32_MAX, rate_window);
		struct vboost_policy pol = {(uint32_t)max_priority, (uint32_t)allowed_policies, (uint32_t)allowed_reasons,
					    max_boost, hb_timeout, budget, window, (uint32_t)rate, rate_window};
		drop_served();
		int err = vboost_policy_host_init(&served, &host, &pol);
		if (err != VBOOST_OK) {
			reply_error(err);
			return 1;
		}
		served_ready = 1;
		reply_begin("ok");
		return 1;
	}
	if (strcmp(op, "host.set_thread") != 0 && strcmp(op, "host.serve") != 0 && strcmp(op, "host.boost") != 0
	    && strcmp(op, "host.thread") != 0 && strcmp(op, "host.counters") != 0)
		return 0;
	if (!served_ready) {
		reply_internal("%s before host.set_policy", op);
		return 1;
	}
	NEED_U64_R("slot", UINT32_MAX, slot);
	if (slot >= host.slot_count) {
		reply_internal("slot %" PRIu64 " out of range", slot);
		return 1;
	}
	struct vboost_served_slot *st = &served.slots[slot];
	if (strcmp(op, "host.set_thread") == 0) {
		NEED_U64_R("policy", VBOOST_POLICY_RR, policy);
		NEED_U64_R("priority", VBOOST_PRIO_MAX, priority);
		int64_t nice;
		if (arg_i64(m, "nice", VBOOST_NICE_MIN, VBOOST_NICE_MAX, &nice) != 0) {
			reply_internal("argument nice missing or out of range");
			return 1;
		}
		struct vboost_attr a = {(uint8_t)policy, (uint8_t)priority, (int8_t)nice};
		vboost_policy_set_thread(&served, (uint32_t)slot, a);
		reply_begin("ok");
	} else if (strcmp(op, "host.serve") == 0) {
		enum vboost_serve_outcome o = vboost_policy_serve(&served, (uint32_t)slot);
		reply_begin("ok");
		reply_str("outcome", OUTCOMES[o]);
		reply_str("actions", served.actions);
	} else if (strcmp(op, "host.boost") == 0) {
		NEED_U64_R("host_boost_flags", UINT32_MAX, flags);
		NEED_U64_R("policy", 255, policy);
		NEED_U64_R("priority", 255, priority);
		uint64_t id = vboost_policy_host_boost(&served, (uint32_t)slot, (uint32_t)flags, (uint8_t)policy,
						       (uint8_t)priority);
		reply_begin("ok");
		reply_str("started", id != 0 ? "1" : "0");
		reply_u64("host_boost_id", st->host_boost_id);
		reply_str("actions", served.actions);
	} else if (strcmp(op, "host.thread") == 0) {
		reply_begin("ok");
		reply_u64("policy", st->current.policy);
		reply_u64("priority", st->current.priority);
		reply_i64("nice", st->current.nice);
	} else {
		reply_begin("ok");
		reply_u64("busy", st->n_busy);
		reply_u64("ignored", st->n_ignored);
		reply_u64("invalid", st->n_invalid);
		reply_u64("acks_out_of_range", st->n_acks_out_of_range);
		reply_u64("id_jumps", st->n_id_jumps);
	}
	return 1;
}

static void op_host(const char *op, const struct message *m)
{
	if (strcmp(op, "host.init_region") == 0) {
		NEED_U64("slot_count", UINT32_MAX, slots);
		NEED_U64("host_features", UINT64_MAX, features);
		NEED_U64("prio_ceiling", UINT32_MAX, ceiling);
		NEED_U64("max_boost_us", UINT32_MAX, max_boost);
		drop_served();
		if (host_ready)
			vboost_host_free(&host);
		host_ready = 0;
		int err = vboost_host_init(&host, map_base, map_size, (uint32_t)slots, features, (uint32_t)ceiling,
					   (uint32_t)max_boost);
		if (err != VBOOST_OK) {
			reply_error(err);
			return;
		}
		host_ready = 1;
		reply_begin("ok");
		reply_u64("host_generation", host.generation);
		return;
	}
	if (!host_ready) {
		reply_internal("%s before a successful host.init_region", op);
		return;
	}
	if (strcmp(op, "host.poll") == 0) {
		static uint32_t changed[VBOOST_MAX_SLOTS];
		uint32_t n = vboost_host_poll(&host, changed, VBOOST_MAX_SLOTS);
		char list[VBOOST_MAX_SLOTS * 6 < MAX_TEXT ? VBOOST_MAX_SLOTS * 6 : MAX_TEXT];
		size_t len = 0;
		list[0] = '\0';
		for (uint32_t i = 0; i < n && len + 12 < sizeof(list); i++)
			len += (size_t)snprintf(list + len, sizeof(list) - len, i ? ",%u" : "%u", changed[i]);
		reply_begin("ok");
		reply_str("slots", list);
	} else if (strcmp(op, "host.read_request") == 0) {
		NEED_U64("slot", UINT32_MAX, slot);
		struct vboost_guest_line_copy s;
		const char *pause = get(m, "pause_file");
		struct vboost_read_hook hook = {pause_between_r3_r4, (void *)pause};
		int err = vboost_host_read_request_hooked(&host, (uint32_t)slot, &s, pause ? &hook : NULL);
		if (err != VBOOST_OK) {
			reply_error(err);
			return;
		}
		reply_begin("ok");
		put_guest_line(&s);
	} else if (strcmp(op, "host.read_guest_header") == 0) {
		struct vboost_guest_header_copy s;
		int err = vboost_host_read_guest_header(&host, &s);
		if (err != VBOOST_OK) {
			reply_error(err);
			return;
		}
		reply_begin("ok");
		reply_u64("attach_state", s.attach_state);
		reply_u64("guest_abi_major", s.guest_abi_major);
		reply_u64("guest_abi_minor", s.guest_abi_minor);
		reply_u64("attached_generation", s.attached_generation);
		reply_u64("accepted_features", s.accepted_features);
	} else if (strcmp(op, "host.publish_state") == 0) {
		NEED_U64("slot", UINT32_MAX, slot);
		NEED_U64("slot_status", 255, status);
		NEED_U64("policy", 255, policy);
		NEED_U64("priority", 255, priority);
		NEED_U64("denial", 255, denial);
		NEED_U64("host_boost_flags", UINT32_MAX, flags);
		NEED_U64("budget_remaining_us", UINT32_MAX, budget);
		NEED_U64("acted_request_id", UINT64_MAX, acted);
		NEED_U64("host_boost_id", UINT64_MAX, hbid);
		int stop;
		if (stop_after(m, &stop) != 0) {
			reply_internal("stop_after must be W1, W2 or W4");
			return;
		}
		struct vboost_host_line_copy s = {0, (uint8_t)status, (uint8_t)policy, (uint8_t)priority, (uint8_t)denial,
						  (uint32_t)flags, (uint32_t)budget, acted, hbid};
		vboost_host_publish_state_steps(&host, (uint32_t)slot, &s, stop);
		reply_begin("ok");
	} else if (strcmp(op, "host.start_host_boost") == 0) {
		NEED_U64("slot", UINT32_MAX, slot);
		NEED_U64("host_boost_flags", UINT32_MAX, flags);
		NEED_U64("policy", 255, policy);
		NEED_U64("priority", 255, priority);
		uint64_t id = vboost_host_start_host_boost(&host, (uint32_t)slot, (uint32_t)flags, (uint8_t)policy,
							   (uint8_t)priority);
		reply_begin("ok");
		reply_u64("host_boost_id", id);
	} else if (strcmp(op, "host.disable") == 0) {
		vboost_host_disable(&host);
		reply_begin("ok");
	} else if (strcmp(op, "host.tick") == 0) {
		NEED_U64("elapsed_us", UINT64_MAX, elapsed);
		if (served_ready) {
			vboost_policy_tick(&served, elapsed);
			reply_begin("ok");
			reply_str("actions", served.actions);
		} else {
			vboost_host_tick(&host, elapsed);
			reply_begin("ok");
		}
	} else if (strncmp(op, "host.", 5) == 0 && op_served(op, m)) {
		/* a host-policy operation, answered by op_served */
	} else if (strcmp(op, "stress.host_read") == 0) {
		stress_read(m, stress_read_guest_line);
	} else if (strcmp(op, "stress.host_publish") == 0) {
		NEED_U64("slot", UINT32_MAX, slot);
		NEED_U64("iterations", 100000000, iterations);
		for (uint64_t i = 1; i <= iterations; i++) {
			uint8_t policy = (uint8_t)(i % 3);
			struct vboost_host_line_copy s = {
				0, (uint8_t)(i % 4), policy, policy == 0 ? 0 : (uint8_t)(1 + i % 99), (uint8_t)(i % 8),
				(uint32_t)(i % 32), (uint32_t)(i * 2654435761u), i, 3 * i};
			vboost_host_publish_state(&host, (uint32_t)slot, &s);
		}
		reply_begin("ok");
	} else {
		reply_begin("unsupported");
		reply_str("message", op);
	}
}

static void emit_pair(const char *key, const char *value)
{
	reply_str(key, value);
}

/* codec.decode_image: reads the image file read-only and reports §6.7 (testee protocol §5.4). */
static void op_codec(const char *op, const struct message *m)
{
	if (strcmp(op, "codec.decode_image") != 0) {
		reply_begin("unsupported");
		reply_str("message", op);
		return;
	}
	const char *path = get(m, "path");
	if (path == NULL) {
		reply_internal("codec.decode_image needs path");
		return;
	}
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		reply_internal("open %s: %s", path, strerror(errno));
		return;
	}
	static uint8_t image[VBOOST_REGION_SIZE(VBOOST_MAX_SLOTS) + 4096];
	size_t n = fread(image, 1, sizeof(image), f);
	fclose(f);
	reply_begin("ok");
	vboost_decode_image(image, n, emit_pair);
}

static void cmd_op(const struct message *m)
{
	const char *op = get(m, "op");
	if (op == NULL) {
		reply_internal("op without a name");
		return;
	}
	if (strncmp(op, "codec.", 6) == 0 && strcmp(role, "codec") == 0) {
		op_codec(op, m);
		return;
	}
	if (map_base == NULL) {
		reply_internal("%s before attach", op);
		return;
	}
	int guest_op = strncmp(op, "guest.", 6) == 0 || strcmp(op, "stress.guest_read") == 0
		       || strcmp(op, "stress.guest_request") == 0;
	int host_op = strncmp(op, "host.", 5) == 0 || strcmp(op, "stress.host_read") == 0
		      || strcmp(op, "stress.host_publish") == 0;
	if (guest_op && strcmp(role, "guest") == 0) {
		op_guest(op, m);
	} else if (host_op && strcmp(role, "host") == 0) {
		op_host(op, m);
	} else {
		reply_begin("unsupported");
		reply_str("message", op);
	}
}

/* ---- frames (testee protocol §2) ---------------------------------------------------------------- */

static int read_full(void *buf, size_t n)
{
	uint8_t *p = buf;
	while (n > 0) {
		ssize_t r = read(STDIN_FILENO, p, n);
		if (r == 0)
			return 1; /* EOF */
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

static int write_full(const void *buf, size_t n)
{
	const uint8_t *p = buf;
	while (n > 0) {
		ssize_t w = write(STDOUT_FILENO, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

int main(void)
{
	static char payload[MAX_PAYLOAD + 1];
	static struct message msg;
	for (;;) {
		uint8_t hdr[16];
		int r = read_full(hdr, sizeof(hdr));
		if (r == 1)
			break;
		if (r < 0 || memcmp(hdr, "VBT1", 4) != 0) {
			fprintf(stderr, "testee: bad frame header\n");
			return 2;
		}
		uint32_t len = le32(hdr + 4), id = le32(hdr + 8), kind = le32(hdr + 12);
		if (len > MAX_PAYLOAD || kind != 1 || read_full(payload, len) != 0) {
			fprintf(stderr, "testee: bad frame (length %u, kind %u)\n", len, kind);
			return 2;
		}
		payload[len] = '\0';
		int bye = 0;
		if (parse_message(payload, &msg) != 0) {
			reply_internal("payload is not a flat JSON object of strings");
		} else {
			const char *cmd = get(&msg, "cmd");
			if (cmd == NULL)
				reply_internal("request without cmd");
			else if (strcmp(cmd, "hello") == 0)
				cmd_hello(&msg);
			else if (strcmp(cmd, "attach") == 0)
				cmd_attach(&msg);
			else if (strcmp(cmd, "op") == 0)
				cmd_op(&msg);
			else if (strcmp(cmd, "sync") == 0)
				reply_begin("ok");
			else if (strcmp(cmd, "bye") == 0) {
				reply_begin("ok");
				bye = 1;
			} else {
				reply_begin("unsupported");
				reply_str("message", cmd);
			}
		}
		reply_end();
		uint8_t out[16];
		memcpy(out, "VBT1", 4);
		put_le32(out + 4, (uint32_t)reply_len);
		put_le32(out + 8, id);
		put_le32(out + 12, 2);
		if (write_full(out, sizeof(out)) != 0 || write_full(reply, reply_len) != 0)
			return 3;
		if (bye)
			break;
	}
	drop_state();
	return 0;
}
