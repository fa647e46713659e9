/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vboost_image.c - the reader of an image at rest (spec §6.7): C1..C13, then CG1..CG7 and, per slot in index order,
 * CS1..CS5 and CK1..CK3, an odd counter being E_BUSY at once. It reports, through emit(), what the golden vectors'
 * JSON pins: kind, the first error (code, struct, slot, offset), the attach outcome and every decoded field
 * (enum codes by name, UNKNOWN when undefined). Never reads past `length`.
 */
#include "vboost.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static uint64_t le(const uint8_t *p, int n)
{
	uint64_t v = 0;
	for (int i = n - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static const char *name(const char *const *names, size_t count, uint64_t code)
{
	return code < count ? names[code] : "UNKNOWN";
}

#define NAME(table, code) name(table, sizeof(table) / sizeof(table[0]), code)

static const char *const REGION_STATES[] = {"NOT_READY", "READY", "DISABLED"};
static const char *const ATTACH_STATES[] = {"DETACHED", "ATTACHED"};
static const char *const REQUESTS[] = {"NONE", "BOOST", "UNBOOST"};
static const char *const POLICIES[] = {"NORMAL", "FIFO", "RR"};
static const char *const STATUSES[] = {"DISABLED", "NORMAL", "BOOSTED", "THROTTLED"};
static const char *const DENIALS[] = {"NONE", "REASON_NOT_ALLOWED", "BUDGET_EXHAUSTED", "RATE_LIMITED", "DISABLED",
				      "INVALID_REQUEST", "ACTUATOR_FAILED", "EXPIRED"};

struct decoder {
	vboost_emit emit;
	char prefix[48];
	int first_code; /* VBOOST_OK until the first error */
	const char *first_struct;
	int64_t first_slot;
	uint64_t first_offset;
};

static void put(struct decoder *d, const char *key, const char *value)
{
	char k[96];
	snprintf(k, sizeof(k), "%s%s", d->prefix, key);
	d->emit(k, value);
}

static void put_u(struct decoder *d, const char *key, uint64_t v)
{
	char b[32];
	snprintf(b, sizeof(b), "%" PRIu64, v);
	put(d, key, b);
}

static void fail(struct decoder *d, int code, const char *st, int64_t slot, uint64_t offset)
{
	if (d->first_code != VBOOST_OK)
		return;
	d->first_code = code;
	d->first_struct = st;
	d->first_slot = slot;
	d->first_offset = offset;
}

/* C2..C13 in order; returns the error and its offset within the host header, or VBOOST_OK. */
static int host_checks(const uint8_t *h, uint64_t length, uint64_t *offset, int *region_level)
{
	*region_level = 0;
	uint32_t state = (uint32_t)le(h + 0x1C, 4);
	uint32_t slots = (uint32_t)le(h + 0x0C, 4);
	if (le(h + 0x00, 4) != VBOOST_MAGIC)
		return *offset = 0x00, VBOOST_E_BAD_MAGIC; /* C2 */
	if (le(h + 0x04, 2) != VBOOST_ABI_MAJOR)
		return *offset = 0x04, VBOOST_E_UNSUPPORTED_MAJOR; /* C3 */
	if (state > VBOOST_REGION_STATE_DISABLED)
		return *offset = 0x1C, VBOOST_E_BAD_STATE; /* C4 */
	if (state == VBOOST_REGION_STATE_NOT_READY)
		return VBOOST_OK; /* C5: stop, accepted */
	if (le(h + 0x08, 2) != VBOOST_HEADER_SIZE)
		return *offset = 0x08, VBOOST_E_BAD_GEOMETRY; /* C6 */
	if (le(h + 0x0A, 2) != VBOOST_SLOT_SIZE)
		return *offset = 0x0A, VBOOST_E_BAD_GEOMETRY;
	if (slots == 0 || slots > VBOOST_MAX_SLOTS)
		return *offset = 0x0C, VBOOST_E_BAD_SLOT_COUNT; /* C7 */
	if (le(h + 0x28, 8) != VBOOST_REGION_SIZE(slots))
		return *offset = 0x28, VBOOST_E_TRUNCATED; /* C8 */
	if (length < VBOOST_REGION_SIZE(slots))
		return *region_level = 1, *offset = length, VBOOST_E_TRUNCATED; /* C9 */
	if (state == VBOOST_REGION_STATE_READY && le(h + 0x18, 4) == 0)
		return *offset = 0x18, VBOOST_E_NOT_READY; /* C10 */
	if (le(h + 0x06, 2) <= VBOOST_ABI_MINOR
	    && (le(h + 0x10, 8) & ~VBOOST_FEATURE_DEFINED_MASK_AT(le(h + 0x06, 2))) != 0)
		return *offset = 0x10, VBOOST_E_RESERVED_BITS; /* C11 */
	uint64_t ceiling = le(h + 0x20, 4);
	if (ceiling < 1 || ceiling > VBOOST_PRIO_MAX)
		return *offset = 0x20, VBOOST_E_INVALID_VALUE; /* C12 */
	if (le(h + 0x24, 4) == 0)
		return *offset = 0x24, VBOOST_E_INVALID_VALUE; /* C13 */
	return VBOOST_OK;
}

static void emit_host_header(struct decoder *d, const uint8_t *h)
{
	strcpy(d->prefix, "host_header.");
	put_u(d, "magic", le(h + 0x00, 4));
	put_u(d, "abi_major", le(h + 0x04, 2));
	put_u(d, "abi_minor", le(h + 0x06, 2));
	put_u(d, "header_size", le(h + 0x08, 2));
	put_u(d, "slot_size", le(h + 0x0A, 2));
	put_u(d, "slot_count", le(h + 0x0C, 4));
	put_u(d, "host_features", le(h + 0x10, 8));
	put_u(d, "host_generation", le(h + 0x18, 4));
	put(d, "region_state", NAME(REGION_STATES, le(h + 0x1C, 4)));
	put_u(d, "prio_ceiling", le(h + 0x20, 4));
	put_u(d, "max_boost_us", le(h + 0x24, 4));
	put_u(d, "region_size", le(h + 0x28, 8));
}

/* CG1..CG7 (§6.3); returns the guest header's negotiated minor for the slot checks (§6.4). */
static uint64_t guest_header(struct decoder *d, const uint8_t *img)
{
	const uint8_t *h = img, *g = img + VBOOST_GUEST_HEADER_OFFSET;
	strcpy(d->prefix, "guest_header.");
	uint32_t seq = (uint32_t)le(g, 4);
	put_u(d, "guest_seq", seq);
	if (seq & 1u) { /* CG1 at rest: nothing else may be used */
		put(d, "result", "E_BUSY");
		fail(d, VBOOST_E_BUSY, "guest_header", -1, 0x40);
		return VBOOST_ABI_MINOR;
	}
	uint32_t state = (uint32_t)le(g + 0x04, 4);
	uint64_t major = le(g + 0x08, 2), minor = le(g + 0x0A, 2), gen = le(g + 0x0C, 4), acc = le(g + 0x10, 8);
	put(d, "attach_state", NAME(ATTACH_STATES, state));
	put_u(d, "guest_abi_major", major);
	put_u(d, "guest_abi_minor", minor);
	put_u(d, "attached_generation", gen);
	put_u(d, "accepted_features", acc);
	int err = VBOOST_OK;
	uint64_t off = 0;
	if (state > VBOOST_ATTACH_STATE_ATTACHED)
		err = VBOOST_E_INVALID_VALUE, off = 0x44; /* CG2 */
	else if (minor <= VBOOST_ABI_MINOR && (acc & ~VBOOST_FEATURE_DEFINED_MASK_AT(minor)) != 0)
		err = VBOOST_E_RESERVED_BITS, off = 0x50; /* CG3: judged by the minor the header claims */
	else if (state == VBOOST_ATTACH_STATE_DETACHED)
		err = VBOOST_OK;
	else if (gen != le(h + 0x18, 4))
		err = VBOOST_E_STALE_GENERATION, off = 0x4C; /* CG4 */
	else if (major != le(h + 0x04, 2))
		err = VBOOST_E_UNSUPPORTED_MAJOR, off = 0x48; /* CG5 */
	else if (minor > le(h + 0x06, 2))
		err = VBOOST_E_INVALID_VALUE, off = 0x4A; /* CG6 */
	else if ((acc & ~le(h + 0x10, 8)) != 0)
		err = VBOOST_E_INVALID_VALUE, off = 0x50; /* CG7 */
	put(d, "result", vboost_error_name(err));
	if (err != VBOOST_OK)
		fail(d, err, "guest_header", -1, off);
	uint64_t host_minor = le(h + 0x06, 2);
	return minor < host_minor ? minor : host_minor; /* §6.4: a consistent header's negotiated minor */
}

static void slot_guest(struct decoder *d, const uint8_t *img, uint32_t i, uint64_t minor)
{
	uint64_t base = VBOOST_SLOT_GUEST_LINE(i);
	const uint8_t *l = img + base;
	snprintf(d->prefix, sizeof(d->prefix), "slot.%u.guest.", i);
	uint32_t seq = (uint32_t)le(l, 4);
	put_u(d, "guest_seq", seq);
	if (seq & 1u) {
		put(d, "result", "E_BUSY");
		fail(d, VBOOST_E_BUSY, "slot_guest_line", i, base);
		return;
	}
	uint64_t req = l[4], pol = l[5], prio = l[6], reasons = le(l + 8, 4), id = le(l + 0x10, 8), ack = le(l + 0x18, 8);
	int8_t nice = (int8_t)l[7];
	char b[8];
	put(d, "request", NAME(REQUESTS, req));
	put(d, "policy", NAME(POLICIES, pol));
	put_u(d, "priority", prio);
	snprintf(b, sizeof(b), "%d", nice);
	put(d, "nice", b);
	put_u(d, "reasons", reasons);
	put_u(d, "request_id", id);
	put_u(d, "host_boost_ack", ack);
	int err = VBOOST_OK;
	uint64_t off = 0;
	if (minor <= VBOOST_ABI_MINOR && (reasons & ~(uint64_t)VBOOST_REASON_DEFINED_MASK) != 0)
		err = VBOOST_E_RESERVED_BITS, off = 0x08; /* CS2 */
	else if (id >= VBOOST_ID_LIMIT)
		err = VBOOST_E_INVALID_VALUE, off = 0x10; /* CS3 */
	else if (ack >= VBOOST_ID_LIMIT)
		err = VBOOST_E_INVALID_VALUE, off = 0x18;
	else if (req > VBOOST_REQUEST_UNBOOST)
		err = VBOOST_E_INVALID_VALUE, off = 0x04; /* CS4 */
	else if (req == VBOOST_REQUEST_BOOST) { /* CS5 */
		if (pol == VBOOST_POLICY_FIFO || pol == VBOOST_POLICY_RR) {
			if (prio < 1 || prio > VBOOST_PRIO_MAX)
				err = VBOOST_E_INVALID_VALUE, off = 0x06;
		} else if (pol == VBOOST_POLICY_NORMAL) {
			if (prio != 0)
				err = VBOOST_E_INVALID_VALUE, off = 0x06;
			else if (nice < VBOOST_NICE_MIN || nice > VBOOST_NICE_MAX)
				err = VBOOST_E_INVALID_VALUE, off = 0x07;
		} else {
			err = VBOOST_E_INVALID_VALUE, off = 0x05;
		}
	}
	put(d, "result", vboost_error_name(err));
	if (err != VBOOST_OK)
		fail(d, err, "slot_guest_line", i, base + off);
}

static void slot_host(struct decoder *d, const uint8_t *img, uint32_t i, uint64_t minor)
{
	uint64_t base = VBOOST_SLOT_HOST_LINE(i);
	const uint8_t *l = img + base;
	snprintf(d->prefix, sizeof(d->prefix), "slot.%u.host.", i);
	uint32_t seq = (uint32_t)le(l, 4);
	put_u(d, "host_seq", seq);
	if (seq & 1u) {
		put(d, "result", "E_BUSY");
		fail(d, VBOOST_E_BUSY, "slot_host_line", i, base);
		return;
	}
	uint64_t flags = le(l + 8, 4), acted = le(l + 0x10, 8), hb = le(l + 0x18, 8);
	put(d, "status", NAME(STATUSES, l[4]));
	put(d, "policy", NAME(POLICIES, l[5]));
	put_u(d, "priority", l[6]);
	put(d, "denial", NAME(DENIALS, l[7]));
	put_u(d, "host_boost_flags", flags);
	put_u(d, "budget_remaining_us", le(l + 0x0C, 4));
	put_u(d, "acted_request_id", acted);
	put_u(d, "host_boost_id", hb);
	int err = VBOOST_OK;
	uint64_t off = 0;
	if (minor <= VBOOST_ABI_MINOR && (flags & ~(uint64_t)VBOOST_HOST_BOOST_DEFINED_MASK) != 0)
		err = VBOOST_E_RESERVED_BITS, off = 0x08; /* CK2 */
	else if (acted >= VBOOST_ID_LIMIT)
		err = VBOOST_E_INVALID_VALUE, off = 0x10; /* CK3 */
	else if (hb >= VBOOST_ID_LIMIT)
		err = VBOOST_E_INVALID_VALUE, off = 0x18;
	put(d, "result", vboost_error_name(err));
	if (err != VBOOST_OK)
		fail(d, err, "slot_host_line", i, base + off);
}

void vboost_decode_image(const uint8_t *image, uint64_t length, vboost_emit emit)
{
	struct decoder d;
	memset(&d, 0, sizeof(d));
	d.emit = emit;
	d.first_code = VBOOST_OK;
	const char *attach = "OK";
	if (length < VBOOST_LINE_SIZE) { /* C1 */
		fail(&d, VBOOST_E_TRUNCATED, "region", -1, length);
		attach = "E_TRUNCATED";
	} else {
		emit_host_header(&d, image);
		uint64_t off;
		int region_level;
		int err = host_checks(image, length, &off, &region_level);
		uint32_t state = (uint32_t)le(image + 0x1C, 4);
		if (err != VBOOST_OK) {
			fail(&d, err, region_level ? "region" : "host_header", -1, off);
			attach = vboost_error_name(err);
		} else if (state == VBOOST_REGION_STATE_NOT_READY) {
			attach = "E_NOT_READY";
		} else {
			attach = state == VBOOST_REGION_STATE_DISABLED ? "E_DISABLED" : "OK";
			uint64_t minor = guest_header(&d, image);
			uint32_t slots = (uint32_t)le(image + 0x0C, 4);
			d.prefix[0] = '\0';
			put_u(&d, "slot_count", slots);
			for (uint32_t i = 0; i < slots; i++) {
				slot_guest(&d, image, i, minor);
				slot_host(&d, image, i, minor);
			}
		}
	}
	d.prefix[0] = '\0';
	put(&d, "attach", attach);
	put(&d, "kind", d.first_code == VBOOST_OK ? "accept" : "reject");
	if (d.first_code != VBOOST_OK) {
		char b[32];
		put(&d, "error.code", vboost_error_name(d.first_code));
		put(&d, "error.struct", d.first_struct);
		if (d.first_slot >= 0) {
			snprintf(b, sizeof(b), "%" PRId64, d.first_slot);
			put(&d, "error.slot", b);
		}
		snprintf(b, sizeof(b), "0x%" PRIX64, d.first_offset);
		put(&d, "error.offset", b);
	}
}
