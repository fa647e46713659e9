/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vboost-guest - a small, static guest client for Linux guests without a JVM.
 *
 * Finds the region carried by an ivshmem-plain PCI device (spec §3.8), maps its BAR2 through sysfs and drives
 * the guest role of the project's C implementation (conformance-tests/src/main/c/vboost.c) with a list of steps
 * given on the command line, run in order:
 *
 *   attach                    find the device, check the header (C1..C13), attach (§5.2)
 *   pin:CPU                   pin the calling thread to guest CPU CPU (the vCPU whose slot it then uses)
 *   boost:SLOT:POLICY:PRIO    request a boost (POLICY fifo|rr), wait for the acknowledgement (§5.3)
 *   release:SLOT              request an unboost, wait for the acknowledgement (§5.4)
 *   expect:SLOT:STATUS        wait until the slot's host line shows STATUS (normal|boosted|throttled) (§5.6)
 *   reattach                  wait until the host restarted (§5.9), then attach at the new generation
 *   online:CPU                bring guest CPU CPU online (after a hot-plug; there is no udev in a tiny guest)
 *   lockdown                  raise the guest kernel's lockdown to integrity (one-way), then check that a new
 *                             mapping of the region's BAR is refused and reported as lockdown (spec §3.8);
 *                             mappings made before stay valid
 *   go:N                      wait until the test mailbox's go counter reaches N (test harness only)
 *   sleep:MS                  sleep
 *   bench:SLOT:N:PRIO         N round trips of boost(fifo, PRIO) -> acknowledgement -> release -> acknowledgement;
 *                             prints the request -> acknowledgement latencies (p50, p99, max, microseconds)
 *   detach                    detach (§5.8); prints how often the client rang the host
 *
 * Doorbell (spec §12): if the device's BAR0 can be mapped (resource0, as root), the client accepts feature
 * DOORBELL when the host offers it (only an ivshmem-doorbell device served by the agent does) and then rings
 * BAR0 Doorbell after every publication; otherwise, and with ivshmem-plain, it stays in lazy mode.
 *
 * Options before the steps: --pci BDF (the device to use; default: the first 1af4:1110 device whose BAR2 holds
 * the vboost magic), --sysfs DIR (default /sys, for tests), --timeout-ms MS (per wait, default 10000).
 *
 * Test mailbox: when a second ivshmem device holds the bytes "VBCT" at offset 0, the client uses it to step
 * with a test driver outside the guest: the driver writes a go counter (u32 at offset 4), the client writes the
 * number of steps done (u32 at 8) and the number of the step that failed (u32 at 12). It is not part of the
 * protocol.
 *
 * Prints one line per step ("vboost-guest: step N NAME: ok ..."). Exit 0 when every step passed, 1 when one
 * failed, 2 for bad arguments.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "vboost.h"
#include "vboost_doorbell.h"

#define IVSHMEM_VENDOR 0x1af4
#define IVSHMEM_DEVICE 0x1110
#define MAILBOX_MAGIC 0x54434256u /* "VBCT" in memory order */
#define MAX_DEVICES 256

static const char *sysfs = "/sys";
static const char *want_bdf;
static uint32_t timeout_ms = 10000;

struct bar {
	char dev[600];
	char bdf[64];
	uint8_t *base;
	uint64_t size;
	uint64_t gpa;
};

static struct bar region_bar, mailbox_bar;
static struct vboost_guest guest;

/* §12: the device's BAR0 Doorbell register, if it could be mapped; rung only while DOORBELL is accepted */
static struct vboost_doorbell bell;
static bool bell_tried, bell_ok;
static const char *bell_why = "";
static uint64_t rings;

static void ring_host(void *ctx)
{
	rings++;
	vboost_ring(ctx); /* RG1 again (harmless) and RG2 */
}

/* Accepts DOORBELL (bit 4) whenever it can ring; the library masks it out unless the host offers it (§12.2). */
static int attach_once(void)
{
	if (!bell_tried) {
		bell_tried = true;
		bell_ok = vboost_doorbell_open_pci(&bell, region_bar.dev, &bell_why) == 0;
	}
	if (bell_ok)
		return vboost_guest_attach_ringing(&guest, region_bar.base, region_bar.size, VBOOST_FEATURE_DOORBELL,
						   ring_host, &bell);
	return vboost_guest_attach(&guest, region_bar.base, region_bar.size, 0);
}

static const char *doorbell_state(void)
{
	if (guest.accepted_features & VBOOST_FEATURE_DOORBELL)
		return "doorbell accepted";
	return bell_ok ? "doorbell not offered (lazy)" : "no doorbell (lazy)";
}
static bool have_region, have_mailbox;

static uint64_t now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static void sleep_ms(uint32_t ms)
{
	struct timespec t = {ms / 1000, (long)(ms % 1000) * 1000000L};
	while (nanosleep(&t, &t) != 0 && errno == EINTR)
		;
}

static bool read_hex_file(const char *path, unsigned long *out)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return false;
	bool ok = fscanf(f, "%lx", out) == 1;
	fclose(f);
	return ok;
}

/* Base address of BAR2: the first number of the third line of <dev>/resource. */
static bool read_bar2_gpa(const char *dev, uint64_t *gpa)
{
	char path[512];
	snprintf(path, sizeof path, "%s/resource", dev);
	FILE *f = fopen(path, "r");
	if (!f)
		return false;
	unsigned long long start = 0, end = 0, flags = 0;
	bool ok = false;
	for (int line = 0; line < 3; line++)
		ok = fscanf(f, "%llx %llx %llx", &start, &end, &flags) == 3;
	fclose(f);
	*gpa = start;
	return ok;
}

static bool locked_down(void)
{
	char path[512], buf[256] = {0};
	snprintf(path, sizeof path, "%s/kernel/security/lockdown", sysfs);
	FILE *f = fopen(path, "r");
	if (!f)
		return false;
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = 0;
	/* the active mode is in brackets: "none [integrity] confidentiality" */
	return strstr(buf, "[integrity]") || strstr(buf, "[confidentiality]");
}

/* Maps <dev>/resource2 shared; the BAR size is the file's size. Returns 0 or an errno. */
static int map_bar2(const char *dev, struct bar *out)
{
	char path[512];
	snprintf(path, sizeof path, "%s/resource2", dev);
	int fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return errno;
	struct stat st;
	if (fstat(fd, &st) != 0 || st.st_size < 4096) {
		int e = errno ? errno : EINVAL;
		close(fd);
		return e;
	}
	/* resource2, never resource2_wc: write-combining reorders stores (spec §3.8) */
	void *p = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	int e = errno;
	close(fd);
	if (p == MAP_FAILED)
		return e;
	out->base = p;
	out->size = (uint64_t)st.st_size;
	return 0;
}

/* Scans <sysfs>/bus/pci/devices for ivshmem devices; maps the region's BAR and the test mailbox's. */
static int locate(bool quiet)
{
	char dir[512];
	snprintf(dir, sizeof dir, "%s/bus/pci/devices", sysfs);
	DIR *d = opendir(dir);
	if (!d) {
		fprintf(stderr, "vboost-guest: %s: %s (is sysfs mounted?)\n", dir, strerror(errno));
		return 1;
	}
	int seen = 0;
	int refused = 0;
	char refused_path[600] = "";
	struct dirent *e;
	for (int n = 0; n < MAX_DEVICES && (e = readdir(d)) != NULL; n++) {
		if (e->d_name[0] == '.')
			continue;
		char dev[600], path[700];
		snprintf(dev, sizeof dev, "%s/%s", dir, e->d_name);
		unsigned long vendor = 0, device = 0;
		snprintf(path, sizeof path, "%s/vendor", dev);
		if (!read_hex_file(path, &vendor) || vendor != IVSHMEM_VENDOR)
			continue;
		snprintf(path, sizeof path, "%s/device", dev);
		if (!read_hex_file(path, &device) || device != IVSHMEM_DEVICE)
			continue;
		seen++;
		struct bar b = {0};
		snprintf(b.bdf, sizeof b.bdf, "%s", e->d_name);
		snprintf(b.dev, sizeof b.dev, "%s", dev);
		int err = map_bar2(dev, &b);
		if (err != 0) {
			refused = err;
			snprintf(refused_path, sizeof refused_path, "%s/resource2", dev);
			continue;
		}
		uint32_t magic = atomic_load_explicit((_Atomic uint32_t *)b.base, memory_order_acquire);
		if (magic == VBOOST_MAGIC && !have_region && (!want_bdf || strcmp(want_bdf, b.bdf) == 0)) {
			if (!read_bar2_gpa(dev, &b.gpa)) {
				fprintf(stderr, "vboost-guest: %s/resource: cannot read BAR2's address\n", dev);
				return 1;
			}
			region_bar = b;
			have_region = true;
		} else if (magic == MAILBOX_MAGIC && !have_mailbox) {
			mailbox_bar = b;
			have_mailbox = true;
		} else {
			munmap(b.base, (size_t)b.size);
		}
	}
	closedir(d);
	if (have_region)
		return 0;
	if (quiet)
		return 1;
	if (refused != 0)
		fprintf(stderr, "vboost-guest: %s: %s%s\n", refused_path, strerror(refused),
			locked_down() ? " (the kernel is locked down: user space may not map PCI resources; spec §3.8)" : "");
	else if (seen == 0)
		fprintf(stderr, "vboost-guest: no ivshmem device (PCI 1af4:1110) under %s\n", dir);
	else
		fprintf(stderr, "vboost-guest: %d ivshmem device(s) under %s, none %s holds the vboost magic\n", seen,
			dir, want_bdf ? want_bdf : "");
	return 1;
}

static _Atomic uint32_t *mailbox_word(int offset)
{
	return (_Atomic uint32_t *)(mailbox_bar.base + offset);
}

static void mailbox_report(uint32_t steps_done, uint32_t failed_step)
{
	if (!have_mailbox)
		return;
	if (failed_step)
		atomic_store_explicit(mailbox_word(12), failed_step, memory_order_release);
	atomic_store_explicit(mailbox_word(8), steps_done, memory_order_release);
}

static int parse_policy(const char *s)
{
	if (strcmp(s, "fifo") == 0)
		return VBOOST_POLICY_FIFO;
	if (strcmp(s, "rr") == 0)
		return VBOOST_POLICY_RR;
	return -1;
}

static int parse_status(const char *s)
{
	if (strcmp(s, "normal") == 0)
		return VBOOST_SLOT_STATUS_NORMAL;
	if (strcmp(s, "boosted") == 0)
		return VBOOST_SLOT_STATUS_BOOSTED;
	if (strcmp(s, "throttled") == 0)
		return VBOOST_SLOT_STATUS_THROTTLED;
	return -1;
}

static const char *policy_name(uint8_t p)
{
	return p == VBOOST_POLICY_FIFO ? "fifo" : p == VBOOST_POLICY_RR ? "rr" : p == VBOOST_POLICY_NORMAL ? "normal" : "?";
}

static const char *status_name(uint8_t s)
{
	static const char *names[] = {"disabled", "normal", "boosted", "throttled"};
	return s < 4 ? names[s] : "?";
}

static int do_attach(char *msg, size_t cap)
{
	if (!have_region && locate(false) != 0)
		return 1;
	/* a region nobody serves yet is NOT_READY (or still carries a dead agent's generation): wait, bounded */
	uint64_t deadline = now_ns() + (uint64_t)timeout_ms * 1000000u;
	int rc;
	while ((rc = attach_once()) == VBOOST_E_NOT_READY
	       && now_ns() < deadline)
		sleep_ms(5);
	if (rc != VBOOST_OK) {
		snprintf(msg, cap, "attach to %s: %s", region_bar.bdf, vboost_error_name(rc));
		return 1;
	}
	snprintf(msg, cap, "device %s, BAR2 0x%" PRIx64 " (%" PRIu64 " bytes), generation %" PRIu32 ", %" PRIu32
		 " slot(s), minor %u, %s", region_bar.bdf, region_bar.gpa, region_bar.size, guest.generation,
		 guest.slot_count, (unsigned)guest.abi_minor, doorbell_state());
	return 0;
}

static int await(uint32_t slot, uint64_t id, struct vboost_host_line_copy *line, char *msg, size_t cap)
{
	if (!vboost_guest_await_acted(&guest, slot, id, timeout_ms, line)) {
		snprintf(msg, cap, "no acknowledgement of request %" PRIu64 " within %" PRIu32 " ms (acted %" PRIu64 ")", id,
			 timeout_ms, line->acted_request_id);
		return 1;
	}
	return 0;
}

static int do_boost(uint32_t slot, int policy, int prio, char *msg, size_t cap)
{
	uint64_t id = 0;
	int rc = vboost_guest_request_boost(&guest, slot, (uint8_t)policy, (uint8_t)prio, 0, VBOOST_REASON_RT_TASK, &id);
	if (rc != VBOOST_OK) {
		snprintf(msg, cap, "request: %s", vboost_error_name(rc));
		return 1;
	}
	struct vboost_host_line_copy line = {0};
	if (await(slot, id, &line, msg, cap))
		return 1;
	snprintf(msg, cap, "request %" PRIu64 " acknowledged: %s %s %u denial %u (cpu %d)", id, status_name(line.status),
		 policy_name(line.policy), line.priority, line.denial, sched_getcpu());
	return line.status == VBOOST_SLOT_STATUS_BOOSTED ? 0 : 1;
}

static int do_release(uint32_t slot, char *msg, size_t cap)
{
	uint64_t id = 0;
	int rc = vboost_guest_release(&guest, slot, &id);
	if (rc != VBOOST_OK) {
		snprintf(msg, cap, "release: %s", vboost_error_name(rc));
		return 1;
	}
	struct vboost_host_line_copy line = {0};
	if (await(slot, id, &line, msg, cap))
		return 1;
	snprintf(msg, cap, "release %" PRIu64 " acknowledged: %s", id, status_name(line.status));
	return line.status == VBOOST_SLOT_STATUS_NORMAL ? 0 : 1;
}

static int do_expect(uint32_t slot, int status, char *msg, size_t cap)
{
	uint64_t deadline = now_ns() + (uint64_t)timeout_ms * 1000000u;
	struct vboost_host_line_copy line = {0};
	for (;;) {
		if (vboost_guest_read_host_state(&guest, slot, &line) == VBOOST_OK && line.status == status) {
			snprintf(msg, cap, "slot %" PRIu32 " %s, denial %u", slot, status_name(line.status), line.denial);
			return 0;
		}
		if (now_ns() >= deadline) {
			snprintf(msg, cap, "slot %" PRIu32 " still %s after %" PRIu32 " ms", slot, status_name(line.status),
				 timeout_ms);
			return 1;
		}
		sleep_ms(1);
	}
}

static int do_reattach(char *msg, size_t cap)
{
	uint32_t old = guest.generation;
	uint64_t deadline = now_ns() + (uint64_t)timeout_ms * 1000000u * 6;
	for (;;) {
		if (vboost_guest_host_restarted(&guest)) {
			int rc = attach_once();
			if (rc == VBOOST_OK && guest.generation != old) {
				snprintf(msg, cap, "generation %" PRIu32 " -> %" PRIu32 ", %s", old, guest.generation,
					 doorbell_state());
				return 0;
			}
		}
		if (now_ns() >= deadline) {
			snprintf(msg, cap, "the host did not restart (generation %" PRIu32 ")", old);
			return 1;
		}
		sleep_ms(5);
	}
}

static int do_go(uint32_t n, char *msg, size_t cap)
{
	if (!have_mailbox) {
		snprintf(msg, cap, "no test mailbox device");
		return 1;
	}
	uint64_t deadline = now_ns() + 600ull * 1000000000u; /* a slow driver under TCG; still bounded */
	while (atomic_load_explicit(mailbox_word(4), memory_order_acquire) < n) {
		if (now_ns() >= deadline) {
			snprintf(msg, cap, "go %" PRIu32 " never came", n);
			return 1;
		}
		sleep_ms(2);
	}
	snprintf(msg, cap, "go %" PRIu32, n);
	return 0;
}

static int do_online(int cpu, char *msg, size_t cap)
{
	char path[256];
	snprintf(path, sizeof path, "%s/devices/system/cpu/cpu%d/online", sysfs, cpu);
	uint64_t deadline = now_ns() + (uint64_t)timeout_ms * 1000000u;
	for (;;) {
		int fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd >= 0) {
			ssize_t w = write(fd, "1", 1);
			int e = errno;
			close(fd);
			if (w == 1 || e == EINVAL) { /* EINVAL: already online */
				snprintf(msg, cap, "cpu %d online", cpu);
				return 0;
			}
		}
		if (now_ns() >= deadline) {
			snprintf(msg, cap, "%s: %s", path, strerror(errno));
			return 1;
		}
		sleep_ms(20);
	}
}

static int do_lockdown(char *msg, size_t cap)
{
	char path[512];
	snprintf(path, sizeof path, "%s/kernel/security/lockdown", sysfs);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, "integrity", 9) != 9) {
		snprintf(msg, cap, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return 1;
	}
	close(fd);
	struct bar again = {0};
	int err = map_bar2(region_bar.dev, &again);
	if (err == 0) {
		munmap(again.base, (size_t)again.size);
		snprintf(msg, cap, "%s/resource2 still mapped under lockdown", region_bar.dev);
		return 1;
	}
	snprintf(msg, cap, "%s/resource2: %s%s", region_bar.dev, strerror(err),
		 locked_down() ? " (the kernel is locked down: user space may not map PCI resources; spec §3.8)" : "");
	return err == EPERM && locked_down() ? 0 : 1;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static int do_bench(uint32_t slot, uint32_t n, int prio, char *msg, size_t cap)
{
	uint64_t *lat = calloc(n, sizeof *lat);
	if (!lat) {
		snprintf(msg, cap, "out of memory");
		return 1;
	}
	for (uint32_t i = 0; i < n; i++) {
		uint64_t id = 0;
		uint64_t t0 = now_ns();
		int rc = vboost_guest_request_boost(&guest, slot, VBOOST_POLICY_FIFO, (uint8_t)prio, 0, VBOOST_REASON_RT_TASK, &id);
		struct vboost_host_line_copy line = {0};
		if (rc != VBOOST_OK || await(slot, id, &line, msg, cap) || line.status != VBOOST_SLOT_STATUS_BOOSTED) {
			snprintf(msg, cap, "round trip %" PRIu32 ": request %s, status %s", i, vboost_error_name(rc),
				 status_name(line.status));
			free(lat);
			return 1;
		}
		lat[i] = now_ns() - t0;
		if (vboost_guest_release(&guest, slot, &id) != VBOOST_OK || await(slot, id, &line, msg, cap)) {
			free(lat);
			return 1;
		}
	}
	qsort(lat, n, sizeof *lat, cmp_u64);
	uint64_t p50 = lat[n / 2], p99 = lat[(uint64_t)n * 99 / 100 < n ? (uint64_t)n * 99 / 100 : n - 1];
	snprintf(msg, cap, "%" PRIu32 " round trips, request -> acknowledgement p50 %" PRIu64 " us, p99 %" PRIu64
		 " us, max %" PRIu64 " us", n, p50 / 1000, p99 / 1000, lat[n - 1] / 1000);
	free(lat);
	return 0;
}

static int pin(int cpu, char *msg, size_t cap)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof set, &set) != 0) {
		snprintf(msg, cap, "sched_setaffinity(cpu %d): %s", cpu, strerror(errno));
		return 1;
	}
	sched_yield();
	snprintf(msg, cap, "on cpu %d", sched_getcpu());
	return sched_getcpu() == cpu ? 0 : 1;
}

/* Splits "a:b:c" into at most 5 fields in place; returns the count. */
static int fields(char *s, char **f)
{
	int n = 0;
	f[n++] = s;
	for (char *p = s; *p && n < 5; p++)
		if (*p == ':') {
			*p = 0;
			f[n++] = p + 1;
		}
	return n;
}

static bool number(const char *s, long lo, long hi, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

static int usage(const char *why)
{
	fprintf(stderr, "vboost-guest: %s\nusage: vboost-guest [--pci BDF] [--sysfs DIR] [--timeout-ms MS] STEP...\n"
			"(steps: attach, pin:CPU, boost:SLOT:fifo|rr:PRIO, release:SLOT, expect:SLOT:STATUS, reattach, "
			"online:CPU, lockdown, go:N, sleep:MS, bench:SLOT:N:PRIO, detach)\n", why);
	return 2;
}

/* Runs one step; returns 0 ok, 1 failed, 2 bad step. */
static int step(char *arg, char *msg, size_t cap)
{
	char *f[5];
	int n = fields(arg, f);
	long a = 0, b = 0, c = 0;
	if (strcmp(f[0], "attach") == 0 && n == 1)
		return do_attach(msg, cap);
	if (strcmp(f[0], "detach") == 0 && n == 1) {
		vboost_guest_detach(&guest);
		snprintf(msg, cap, "detached, rang the host %" PRIu64 " time(s)", rings);
		return 0;
	}
	if (strcmp(f[0], "lockdown") == 0 && n == 1) {
		if (!have_region) {
			snprintf(msg, cap, "no region mapped yet (attach first)");
			return 1;
		}
		return do_lockdown(msg, cap);
	}
	if (strcmp(f[0], "reattach") == 0 && n == 1)
		return do_reattach(msg, cap);
	if (strcmp(f[0], "pin") == 0 && n == 2 && number(f[1], 0, CPU_SETSIZE - 1, &a))
		return pin((int)a, msg, cap);
	if (strcmp(f[0], "online") == 0 && n == 2 && number(f[1], 1, CPU_SETSIZE - 1, &a))
		return do_online((int)a, msg, cap);
	if (strcmp(f[0], "go") == 0 && n == 2 && number(f[1], 0, 1000000, &a))
		return do_go((uint32_t)a, msg, cap);
	if (strcmp(f[0], "sleep") == 0 && n == 2 && number(f[1], 0, 600000, &a)) {
		sleep_ms((uint32_t)a);
		snprintf(msg, cap, "%ld ms", a);
		return 0;
	}
	bool needs_attach = strcmp(f[0], "boost") == 0 || strcmp(f[0], "release") == 0 || strcmp(f[0], "expect") == 0
			    || strcmp(f[0], "bench") == 0;
	if (needs_attach && !guest.attached) {
		snprintf(msg, cap, "not attached");
		return 1;
	}
	if (strcmp(f[0], "boost") == 0 && n == 4 && number(f[1], 0, VBOOST_MAX_SLOTS - 1, &a)
	    && parse_policy(f[2]) >= 0 && number(f[3], 1, 99, &c))
		return do_boost((uint32_t)a, parse_policy(f[2]), (int)c, msg, cap);
	if (strcmp(f[0], "release") == 0 && n == 2 && number(f[1], 0, VBOOST_MAX_SLOTS - 1, &a))
		return do_release((uint32_t)a, msg, cap);
	if (strcmp(f[0], "expect") == 0 && n == 3 && number(f[1], 0, VBOOST_MAX_SLOTS - 1, &a) && parse_status(f[2]) >= 0)
		return do_expect((uint32_t)a, parse_status(f[2]), msg, cap);
	if (strcmp(f[0], "bench") == 0 && n == 4 && number(f[1], 0, VBOOST_MAX_SLOTS - 1, &a)
	    && number(f[2], 1, 10000000, &b) && number(f[3], 1, 99, &c))
		return do_bench((uint32_t)a, (uint32_t)b, (int)c, msg, cap);
	return 2;
}

int main(int argc, char **argv)
{
	int i = 1;
	for (; i < argc && strncmp(argv[i], "--", 2) == 0; i += 2) {
		if (i + 1 >= argc)
			return usage("option without a value");
		long v;
		if (strcmp(argv[i], "--pci") == 0)
			want_bdf = argv[i + 1];
		else if (strcmp(argv[i], "--sysfs") == 0)
			sysfs = argv[i + 1];
		else if (strcmp(argv[i], "--timeout-ms") == 0 && number(argv[i + 1], 1, 3600000, &v))
			timeout_ms = (uint32_t)v;
		else
			return usage("bad option");
	}
	if (i >= argc)
		return usage("no steps");
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* the mailbox, if any, is found before the first step so that go: works before attach */
	locate(true);
	for (uint32_t k = 1; i < argc; i++, k++) {
		char arg[128], msg[256] = "";
		snprintf(arg, sizeof arg, "%s", argv[i]);
		int rc = step(arg, msg, sizeof msg);
		if (rc == 2) {
			mailbox_report(k - 1, k);
			return usage(argv[i]);
		}
		printf("vboost-guest: step %" PRIu32 " %s: %s %s\n", k, argv[i], rc == 0 ? "ok" : "FAILED", msg);
		if (rc != 0) {
			mailbox_report(k - 1, k);
			return 1;
		}
		mailbox_report(k, 0);
	}
	return 0;
}
