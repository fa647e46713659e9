/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vboost.c - C11 reference implementation of the vboost v1.0 roles (see vboost.h).
 *
 * Memory-ordering vocabulary (spec §4):
 *   writer W1  seq+1 (odd), relaxed store, then atomic_thread_fence(release): the odd value is ordered
 *              before every data store (the C11 form of VarHandle.storeStoreFence)
 *          W2  data stores (relaxed)
 *          W4  seq+2 (even), store-release: data ordered before the even value
 *   reader R1  s1 = load-acquire(seq); R2 odd -> retry; R3 data loads (relaxed);
 *          R4  atomic_thread_fence(acquire); R5 s2 = relaxed load(seq); s1 == s2 -> consistent
 *   at most VBOOST_MAX_READ_ATTEMPTS attempts, then VBOOST_E_BUSY. Counters are u32 and wrap.
 *
 * Build switches VBOOST_MUTANT_* break one rule each; the conformance suite's own tests compile them to
 * prove the suite catches the break. A normal build defines none of them.
 */
#define _POSIX_C_SOURCE 200809L
#include "vboost.h"

#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "u32 atomics must be lock-free to work across processes");
_Static_assert(ATOMIC_LLONG_LOCK_FREE == 2, "u64 atomics must be lock-free to work across processes");
_Static_assert(sizeof(_Atomic uint32_t) == 4 && sizeof(_Atomic uint64_t) == 8, "atomic sizes");
#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "this reference implementation assumes a little-endian CPU (the region is little-endian, spec §3.1)"
#endif

/* ---- typed atomic views of region memory --------------------------------------------------------- */

#define A8(p)  ((_Atomic uint8_t *)(void *)(p))
#define A16(p) ((_Atomic uint16_t *)(void *)(p))
#define A32(p) ((_Atomic uint32_t *)(void *)(p))
#define A64(p) ((_Atomic uint64_t *)(void *)(p))

static inline uint8_t ld8(const uint8_t *p) { return atomic_load_explicit(A8(p), memory_order_relaxed); }
static inline uint16_t ld16(const uint8_t *p) { return atomic_load_explicit(A16(p), memory_order_relaxed); }
static inline uint32_t ld32(const uint8_t *p) { return atomic_load_explicit(A32(p), memory_order_relaxed); }
static inline uint64_t ld64(const uint8_t *p) { return atomic_load_explicit(A64(p), memory_order_relaxed); }
static inline void st8(uint8_t *p, uint8_t v) { atomic_store_explicit(A8(p), v, memory_order_relaxed); }
static inline void st16(uint8_t *p, uint16_t v) { atomic_store_explicit(A16(p), v, memory_order_relaxed); }
static inline void st32(uint8_t *p, uint32_t v) { atomic_store_explicit(A32(p), v, memory_order_relaxed); }
static inline void st64(uint8_t *p, uint64_t v) { atomic_store_explicit(A64(p), v, memory_order_relaxed); }

static uint16_t min_u16(uint16_t a, uint16_t b)
{
	return a < b ? a : b;
}

static void zero_bytes(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		st8(p + i, 0);
}

const char *vboost_error_name(int code)
{
	static const char *const names[] = {
		"OK", "E_BAD_MAGIC", "E_UNSUPPORTED_MAJOR", "E_BAD_GEOMETRY", "E_BAD_SLOT_COUNT", "E_TRUNCATED",
		"E_NOT_READY", "E_DISABLED", "E_BAD_STATE", "E_STALE_GENERATION", "E_BUSY", "E_RESERVED_BITS",
		"E_INVALID_VALUE",
	};
	if (code < 0 || (size_t)code >= sizeof(names) / sizeof(names[0]))
		return "E_UNKNOWN";
	return names[code];
}

/* ---- seqlock writer (§4.2) ------------------------------------------------------------------------ */

/* W1: make the counter odd and order that before the data stores. Returns the value to finish with. */
static uint32_t seq_begin(uint8_t *seq)
{
	uint32_t s = atomic_load_explicit(A32(seq), memory_order_relaxed); /* own line: only we store here */
	if (s & 1u)
		s++; /* a previous writer died mid-write: finish on an even value above it */
#ifndef VBOOST_MUTANT_COUNTER_NEVER_ODD
	atomic_store_explicit(A32(seq), s + 1u, memory_order_relaxed); /* W1 */
	atomic_thread_fence(memory_order_release); /* W1: pairs with reader R4/R5 (spec §4.2) */
#endif
	return s + 2u;
}

/* W4: publish the even counter with release; pairs with reader R1's acquire (spec §4.2). */
static void seq_end(uint8_t *seq, uint32_t even)
{
	atomic_store_explicit(A32(seq), even, memory_order_release);
}

/* ---- seqlock reader (§4.3) ------------------------------------------------------------------------ */

/* R1/R2: an even counter value, or false if odd. */
static inline bool seq_read_begin(const uint8_t *seq, uint32_t *s1)
{
	*s1 = atomic_load_explicit(A32(seq), memory_order_acquire); /* R1: pairs with writer W4 */
	return (*s1 & 1u) == 0; /* R2 */
}

/* R4/R5: true if the copy taken since seq_read_begin is consistent. */
static inline bool seq_read_end(const uint8_t *seq, uint32_t s1)
{
	atomic_thread_fence(memory_order_acquire); /* R4: data loads ordered before the re-check */
	return atomic_load_explicit(A32(seq), memory_order_relaxed) == s1; /* R5: equality only (wraps) */
}

/* ---- host header (§3.2, §4.4) --------------------------------------------------------------------- */

static void copy_host_header(const uint8_t *h, struct vboost_host_header_copy *o)
{
	o->magic = ld32(h + VBOOST_HOST_HEADER_MAGIC_OFFSET);
	o->abi_major = ld16(h + VBOOST_HOST_HEADER_ABI_MAJOR_OFFSET);
	o->abi_minor = ld16(h + VBOOST_HOST_HEADER_ABI_MINOR_OFFSET);
	o->header_size = ld16(h + VBOOST_HOST_HEADER_HEADER_SIZE_OFFSET);
	o->slot_size = ld16(h + VBOOST_HOST_HEADER_SLOT_SIZE_OFFSET);
	o->slot_count = ld32(h + VBOOST_HOST_HEADER_SLOT_COUNT_OFFSET);
	o->host_features = ld64(h + VBOOST_HOST_HEADER_HOST_FEATURES_OFFSET);
	o->host_generation = ld32(h + VBOOST_HOST_HEADER_HOST_GENERATION_OFFSET);
	o->prio_ceiling = ld32(h + VBOOST_HOST_HEADER_PRIO_CEILING_OFFSET);
	o->max_boost_us = ld32(h + VBOOST_HOST_HEADER_MAX_BOOST_US_OFFSET);
	o->region_size = ld64(h + VBOOST_HOST_HEADER_REGION_SIZE_OFFSET);
}

/* The checks C2..C13 of spec §6.2, in that order, on a consistent copy; the first failure decides. */
static int check_host_header(const struct vboost_host_header_copy *o, uint64_t map_size)
{
	if (o->magic != VBOOST_MAGIC)
		return VBOOST_E_BAD_MAGIC; /* C2 */
#ifndef VBOOST_MUTANT_UNKNOWN_MAJOR_ACCEPTED
	if (o->abi_major != VBOOST_ABI_MAJOR)
		return VBOOST_E_UNSUPPORTED_MAJOR; /* C3 */
#endif
	switch (o->region_state) { /* C4 */
	case VBOOST_REGION_STATE_NOT_READY:
		return VBOOST_E_NOT_READY; /* C5: stop; the other fields may be half-written */
	case VBOOST_REGION_STATE_READY:
	case VBOOST_REGION_STATE_DISABLED:
		break;
	default:
		return VBOOST_E_BAD_STATE;
	}
	if (o->header_size != VBOOST_HEADER_SIZE || o->slot_size != VBOOST_SLOT_SIZE)
		return VBOOST_E_BAD_GEOMETRY; /* C6 */
	if (o->slot_count == 0 || o->slot_count > VBOOST_MAX_SLOTS)
		return VBOOST_E_BAD_SLOT_COUNT; /* C7 */
	if (o->region_size != VBOOST_REGION_SIZE(o->slot_count) || o->region_size > map_size)
		return VBOOST_E_TRUNCATED; /* C8, C9 */
	if (o->region_state == VBOOST_REGION_STATE_READY && o->host_generation == 0)
		return VBOOST_E_NOT_READY; /* C10 */
	if (o->abi_minor <= VBOOST_ABI_MINOR && (o->host_features & ~VBOOST_FEATURE_DEFINED_MASK_AT(o->abi_minor)) != 0)
		return VBOOST_E_RESERVED_BITS; /* C11 */
	if (o->prio_ceiling < 1 || o->prio_ceiling > VBOOST_PRIO_MAX)
		return VBOOST_E_INVALID_VALUE; /* C12 */
	if (o->max_boost_us == 0)
		return VBOOST_E_INVALID_VALUE; /* C13 */
	return o->region_state == VBOOST_REGION_STATE_DISABLED ? VBOOST_E_DISABLED : VBOOST_OK;
}

int vboost_read_host_header(const uint8_t *base, uint64_t map_size, struct vboost_host_header_copy *out)
{
	if (map_size < VBOOST_HEADER_SIZE)
		return VBOOST_E_TRUNCATED;
	const uint8_t *h = base + VBOOST_HOST_HEADER_OFFSET;
	const uint8_t *state_p = h + VBOOST_HOST_HEADER_REGION_STATE_OFFSET;
	for (int attempt = 0; attempt < VBOOST_MAX_READ_ATTEMPTS; attempt++) {
		/* acquire: pairs with the host's release store of READY (§4.4 H4) */
		uint32_t state = atomic_load_explicit(A32(state_p), memory_order_acquire);
		copy_host_header(h, out);
		out->region_state = state;
		atomic_thread_fence(memory_order_acquire); /* fields ordered before the re-check */
		uint32_t state2 = atomic_load_explicit(A32(state_p), memory_order_relaxed);
		uint32_t gen2 = ld32(h + VBOOST_HOST_HEADER_HOST_GENERATION_OFFSET);
		if (state2 == state && gen2 == out->host_generation)
			return check_host_header(out, map_size);
	}
	return VBOOST_E_BUSY;
}

/* ---- guest role ---------------------------------------------------------------------------------- */

static uint8_t *guest_line(const struct vboost_guest *g, uint32_t slot)
{
	return g->base + VBOOST_SLOT_GUEST_LINE(slot);
}

static const uint8_t *host_line(uint8_t *base, uint32_t slot)
{
	return base + VBOOST_SLOT_HOST_LINE(slot);
}

static void write_guest_header_major(struct vboost_guest *g, uint32_t attach_state, uint16_t major)
{
	uint8_t *gh = g->base + VBOOST_GUEST_HEADER_OFFSET;
	uint8_t *seq = gh + VBOOST_GUEST_HEADER_GUEST_SEQ_OFFSET;
	uint32_t even = seq_begin(seq);
	st32(gh + VBOOST_GUEST_HEADER_ATTACH_STATE_OFFSET, attach_state);
	st16(gh + VBOOST_GUEST_HEADER_GUEST_ABI_MAJOR_OFFSET, major);
	st16(gh + VBOOST_GUEST_HEADER_GUEST_ABI_MINOR_OFFSET, g->abi_minor);
	st32(gh + VBOOST_GUEST_HEADER_ATTACHED_GENERATION_OFFSET, g->generation);
	st64(gh + VBOOST_GUEST_HEADER_ACCEPTED_FEATURES_OFFSET, g->accepted_features);
	zero_bytes(gh + VBOOST_GUEST_HEADER_RESERVED0_OFFSET, VBOOST_GUEST_HEADER_RESERVED0_LENGTH);
	seq_end(seq, even);
}

static void write_guest_header(struct vboost_guest *g, uint32_t attach_state)
{
	write_guest_header_major(g, attach_state, VBOOST_ABI_MAJOR);
}

/* §12.4: after the W4 of a publication, RG1 (full fence) then RG2 (the ring); nothing unless DOORBELL is accepted. */
static void announce(const struct vboost_guest *g)
{
	if (g->ring == NULL)
		return;
	atomic_thread_fence(memory_order_seq_cst); /* RG1 */
	g->ring(g->ring_ctx);                      /* RG2 */
}

int vboost_guest_attach(struct vboost_guest *g, uint8_t *base, uint64_t size, uint64_t features)
{
	return vboost_guest_attach_ringing(g, base, size, features, NULL, NULL);
}

int vboost_guest_attach_ringing(struct vboost_guest *g, uint8_t *base, uint64_t size, uint64_t features,
				void (*ring)(void *ctx), void *ring_ctx)
{
	struct vboost_host_header_copy hh;
	memset(g, 0, sizeof(*g));
	int err = vboost_read_host_header(base, size, &hh);
	if (err != VBOOST_OK)
		return err;
	g->base = base;
	g->size = size;
	g->slot_count = hh.slot_count;
	g->generation = hh.host_generation;
	g->abi_minor = min_u16(hh.abi_minor, VBOOST_ABI_MINOR); /* the minor both sides speak (§5.2) */
	uint64_t can = ring != NULL ? ~0ull : ~VBOOST_FEATURE_DOORBELL; /* §12.2: accepted only by a guest that rings */
	g->accepted_features = features & hh.host_features & VBOOST_FEATURE_DEFINED_MASK_AT(g->abi_minor) & can;
	if (g->accepted_features & VBOOST_FEATURE_DOORBELL) {
		g->ring = ring;
		g->ring_ctx = ring_ctx;
	}
	g->attached = true;
	write_guest_header(g, VBOOST_ATTACH_STATE_ATTACHED);
	announce(g);
	return VBOOST_OK;
}

static int check_boost_args(uint8_t policy, uint8_t priority, int8_t nice, uint32_t reasons)
{
	if (reasons & ~VBOOST_REASON_DEFINED_MASK)
		return VBOOST_E_RESERVED_BITS;
	switch (policy) {
	case VBOOST_POLICY_FIFO:
	case VBOOST_POLICY_RR:
		return priority >= 1 && priority <= VBOOST_PRIO_MAX && nice == 0 ? VBOOST_OK : VBOOST_E_INVALID_VALUE;
	case VBOOST_POLICY_NORMAL:
		return priority == 0 && nice >= VBOOST_NICE_MIN && nice <= VBOOST_NICE_MAX ? VBOOST_OK
											  : VBOOST_E_INVALID_VALUE;
	default:
		return VBOOST_E_INVALID_VALUE;
	}
}

/* G1..G3 (§5.3): one seqlock publication of the whole request; the id is +1 per request (G1: the first is 1,
 * and after a re-attach the guest continues from the id in its own line, never reusing one). */
static uint64_t publish_request(struct vboost_guest *g, uint32_t slot, uint8_t request, uint8_t policy,
				uint8_t priority, int8_t nice, uint32_t reasons, int stop_after)
{
	uint8_t *l = guest_line(g, slot);
	uint64_t id = ld64(l + VBOOST_GUEST_SLOT_REQUEST_ID_OFFSET) + 1; /* own line */
	uint8_t *seq = l + VBOOST_GUEST_SLOT_GUEST_SEQ_OFFSET;
	uint32_t even = seq_begin(seq);
	if (stop_after == VBOOST_STOP_AFTER_W1)
		return id;
	st8(l + VBOOST_GUEST_SLOT_REQUEST_OFFSET, request);
	st8(l + VBOOST_GUEST_SLOT_POLICY_OFFSET, policy);
	st8(l + VBOOST_GUEST_SLOT_PRIORITY_OFFSET, priority);
	st8(l + VBOOST_GUEST_SLOT_NICE_OFFSET, (uint8_t)nice);
	st32(l + VBOOST_GUEST_SLOT_REASONS_OFFSET, reasons);
	st64(l + VBOOST_GUEST_SLOT_REQUEST_ID_OFFSET, id);
	if (stop_after == VBOOST_STOP_AFTER_W2)
		return id;
	seq_end(seq, even);
	return id;
}

/* The guest's request preconditions: attached at a generation still current (§5.3), the slot in range, and an id
 * that stays valid (§5.3 G1). E_STALE_GENERATION when the host restarted or left READY; E_INVALID_VALUE else. */
static int request_allowed(const struct vboost_guest *g, uint32_t slot)
{
	if (!g->attached || slot >= g->slot_count)
		return VBOOST_E_INVALID_VALUE;
	if (vboost_guest_host_restarted(g))
		return VBOOST_E_STALE_GENERATION;
	if (ld64(g->base + VBOOST_SLOT_GUEST_LINE(slot) + VBOOST_GUEST_SLOT_REQUEST_ID_OFFSET) >= VBOOST_ID_LIMIT - 1)
		return VBOOST_E_INVALID_VALUE; /* ids exhausted: no valid next id */
	return VBOOST_OK;
}

int vboost_guest_request_boost(struct vboost_guest *g, uint32_t slot, uint8_t policy, uint8_t priority, int8_t nice,
			       uint32_t reasons, uint64_t *request_id)
{
	return vboost_guest_request_boost_steps(g, slot, policy, priority, nice, reasons, request_id, 0);
}

int vboost_guest_request_boost_steps(struct vboost_guest *g, uint32_t slot, uint8_t policy, uint8_t priority,
				     int8_t nice, uint32_t reasons, uint64_t *request_id, int stop_after)
{
	int err = request_allowed(g, slot);
	if (err != VBOOST_OK)
		return err;
	err = check_boost_args(policy, priority, nice, reasons);
	if (err != VBOOST_OK)
		return err;
	*request_id = publish_request(g, slot, VBOOST_REQUEST_BOOST, policy, priority, nice, reasons, stop_after);
	if (stop_after == 0)
		announce(g); /* a line left odd announces nothing */
	return VBOOST_OK;
}

int vboost_guest_release(struct vboost_guest *g, uint32_t slot, uint64_t *request_id)
{
	int err = request_allowed(g, slot);
	if (err != VBOOST_OK)
		return err;
	*request_id = publish_request(g, slot, VBOOST_REQUEST_UNBOOST, VBOOST_POLICY_NORMAL, 0, 0, 0, 0);
	announce(g);
	return VBOOST_OK;
}

int vboost_guest_ack_host_boost(struct vboost_guest *g, uint32_t slot, uint64_t host_boost_id)
{
	if (!g->attached || slot >= g->slot_count || host_boost_id >= VBOOST_ID_LIMIT)
		return VBOOST_E_INVALID_VALUE;
	uint8_t *l = guest_line(g, slot);
	uint8_t *seq = l + VBOOST_GUEST_SLOT_GUEST_SEQ_OFFSET;
	uint32_t even = seq_begin(seq);
	st64(l + VBOOST_GUEST_SLOT_HOST_BOOST_ACK_OFFSET, host_boost_id);
	seq_end(seq, even);
	announce(g);
	return VBOOST_OK;
}

static void copy_host_line(const uint8_t *l, struct vboost_host_line_copy *o)
{
	o->status = ld8(l + VBOOST_HOST_SLOT_STATUS_OFFSET);
	o->policy = ld8(l + VBOOST_HOST_SLOT_POLICY_OFFSET);
	o->priority = ld8(l + VBOOST_HOST_SLOT_PRIORITY_OFFSET);
	o->denial = ld8(l + VBOOST_HOST_SLOT_DENIAL_OFFSET);
	o->host_boost_flags = ld32(l + VBOOST_HOST_SLOT_HOST_BOOST_FLAGS_OFFSET);
	o->budget_remaining_us = ld32(l + VBOOST_HOST_SLOT_BUDGET_REMAINING_US_OFFSET);
	o->acted_request_id = ld64(l + VBOOST_HOST_SLOT_ACTED_REQUEST_ID_OFFSET);
	o->host_boost_id = ld64(l + VBOOST_HOST_SLOT_HOST_BOOST_ID_OFFSET);
}

int vboost_guest_read_host_state(const struct vboost_guest *g, uint32_t slot, struct vboost_host_line_copy *out)
{
	return vboost_guest_read_host_state_hooked(g, slot, out, NULL);
}

int vboost_guest_read_host_state_hooked(const struct vboost_guest *g, uint32_t slot, struct vboost_host_line_copy *out,
					const struct vboost_read_hook *hook)
{
	if (!g->attached || slot >= g->slot_count)
		return VBOOST_E_INVALID_VALUE;
	const uint8_t *l = host_line(g->base, slot);
	const uint8_t *seq = l + VBOOST_HOST_SLOT_HOST_SEQ_OFFSET;
	for (int attempt = 0; attempt < VBOOST_MAX_READ_ATTEMPTS; attempt++) {
		uint32_t s1;
		if (!seq_read_begin(seq, &s1))
			continue; /* R2: writer active */
		copy_host_line(l, out); /* R3 */
		if (hook != NULL && attempt == 0)
			hook->between_r3_r4(hook->ctx);
		if (!seq_read_end(seq, s1))
			continue;
		out->seq = s1;
#ifdef VBOOST_MUTANT_UNKNOWN_ENUM_ABORTS
		if (out->status > VBOOST_SLOT_STATUS_THROTTLED)
			abort();
#endif
#ifndef VBOOST_MUTANT_RESERVED_BITS_ACCEPTED
		if (out->host_boost_flags & ~VBOOST_HOST_BOOST_DEFINED_MASK)
			return VBOOST_E_RESERVED_BITS;
#endif
		if (out->acted_request_id >= VBOOST_ID_LIMIT || out->host_boost_id >= VBOOST_ID_LIMIT)
			return VBOOST_E_INVALID_VALUE;
		return VBOOST_OK; /* unknown status/policy/denial codes are passed on raw (§3.6) */
	}
	return VBOOST_E_BUSY;
}

static uint64_t monotonic_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

bool vboost_guest_await_acted(const struct vboost_guest *g, uint32_t slot, uint64_t request_id, uint32_t timeout_ms,
			      struct vboost_host_line_copy *last)
{
	uint64_t deadline = monotonic_ms() + timeout_ms;
	for (;;) {
		if (vboost_guest_read_host_state(g, slot, last) == VBOOST_OK) {
#ifdef VBOOST_MUTANT_ACK_OUT_OF_ORDER
			if (last->acted_request_id != 0 && request_id != 0)
				return true; /* the bug: any acknowledgement counts, even of an older request */
#else
			if (last->acted_request_id >= request_id)
				/* §5.9: a restarted host takes the guest's id over without acting on it */
				return !vboost_guest_host_restarted(g);
#endif
		}
		if (monotonic_ms() >= deadline || vboost_guest_host_restarted(g))
			return false;
		sched_yield();
	}
}

bool vboost_guest_host_restarted(const struct vboost_guest *g)
{
	if (!g->attached)
		return true;
	const uint8_t *h = g->base + VBOOST_HOST_HEADER_OFFSET;
	uint32_t state = atomic_load_explicit(A32(h + VBOOST_HOST_HEADER_REGION_STATE_OFFSET), memory_order_acquire);
	if (state != VBOOST_REGION_STATE_READY)
		return true;
#ifdef VBOOST_MUTANT_STALE_GENERATION_ACCEPTED
	return false;
#else
	return ld32(h + VBOOST_HOST_HEADER_HOST_GENERATION_OFFSET) != g->generation;
#endif
}

void vboost_guest_detach(struct vboost_guest *g)
{
	if (!g->attached)
		return;
	/* §5.8 D1: DETACHED with the other fields zero (§3.3) */
	g->abi_minor = 0;
	g->generation = 0;
	g->accepted_features = 0;
	write_guest_header_major(g, VBOOST_ATTACH_STATE_DETACHED, 0);
	announce(g);
	g->attached = false;
	g->ring = NULL;
}

/* ---- host role ----------------------------------------------------------------------------------- */

static uint8_t *host_line_w(struct vboost_host *h, uint32_t slot)
{
	return h->base + VBOOST_SLOT_HOST_LINE(slot);
}

/* W1..W4 of the slot's host line; stop_after 1 or 2 returns after W1 or W2 (the line stays odd, as a writer
 * killed there would leave it; the next publication continues from it, §4.1 rule 4). */
static void write_host_line(uint8_t *l, const struct vboost_host_line_copy *s, int stop_after)
{
	uint8_t *seq = l + VBOOST_HOST_SLOT_HOST_SEQ_OFFSET;
#ifdef VBOOST_MUTANT_DATA_BEFORE_COUNTER
	uint32_t even = (atomic_load_explicit(A32(seq), memory_order_relaxed) | 1u) + 1u;
#else
	uint32_t even = seq_begin(seq);
#endif
	if (stop_after == VBOOST_STOP_AFTER_W1)
		return;
	st8(l + VBOOST_HOST_SLOT_STATUS_OFFSET, s->status);
	st8(l + VBOOST_HOST_SLOT_POLICY_OFFSET, s->policy);
	st8(l + VBOOST_HOST_SLOT_PRIORITY_OFFSET, s->priority);
	st8(l + VBOOST_HOST_SLOT_DENIAL_OFFSET, s->denial);
	st32(l + VBOOST_HOST_SLOT_HOST_BOOST_FLAGS_OFFSET, s->host_boost_flags);
	st32(l + VBOOST_HOST_SLOT_BUDGET_REMAINING_US_OFFSET, s->budget_remaining_us);
#ifdef VBOOST_MUTANT_BYTE_ORDER
	st64(l + VBOOST_HOST_SLOT_ACTED_REQUEST_ID_OFFSET, __builtin_bswap64(s->acted_request_id));
#else
	st64(l + VBOOST_HOST_SLOT_ACTED_REQUEST_ID_OFFSET, s->acted_request_id);
#endif
	st64(l + VBOOST_HOST_SLOT_HOST_BOOST_ID_OFFSET, s->host_boost_id);
	zero_bytes(l + VBOOST_HOST_SLOT_RESERVED0_OFFSET, VBOOST_HOST_SLOT_RESERVED0_LENGTH);
#ifdef VBOOST_MUTANT_DATA_BEFORE_COUNTER
	(void)seq_begin(seq); /* the odd value comes only after the data: the bug */
#endif
	if (stop_after == VBOOST_STOP_AFTER_W2)
		return;
	seq_end(seq, even);
}

int vboost_host_init(struct vboost_host *h, uint8_t *base, uint64_t size, uint32_t slot_count, uint64_t features,
		     uint32_t prio_ceiling, uint32_t max_boost_us)
{
	memset(h, 0, sizeof(*h));
	if (slot_count == 0 || slot_count > VBOOST_MAX_SLOTS)
		return VBOOST_E_BAD_SLOT_COUNT;
	if (size < VBOOST_REGION_SIZE(slot_count))
		return VBOOST_E_TRUNCATED;
	if (features & ~VBOOST_FEATURE_DEFINED_MASK)
		return VBOOST_E_RESERVED_BITS; /* DOORBELL only from a host that waits on a doorbell (§12.2) */
	if (prio_ceiling < 1 || prio_ceiling > VBOOST_PRIO_MAX || max_boost_us == 0)
		return VBOOST_E_INVALID_VALUE;
	h->last_seen_seq = calloc(slot_count, sizeof(uint32_t));
	h->boosted_for_us = calloc(slot_count, sizeof(uint64_t));
	if (h->last_seen_seq == NULL || h->boosted_for_us == NULL) {
		vboost_host_free(h);
		return VBOOST_E_INVALID_VALUE;
	}
	uint8_t *hh = base + VBOOST_HOST_HEADER_OFFSET;
	uint8_t *state = hh + VBOOST_HOST_HEADER_REGION_STATE_OFFSET;
	/* H1: NOT_READY first, ordered before every field store */
	atomic_store_explicit(A32(state), VBOOST_REGION_STATE_NOT_READY, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
	uint32_t previous = ld32(hh + VBOOST_HOST_HEADER_MAGIC_OFFSET) == VBOOST_MAGIC
				    ? ld32(hh + VBOOST_HOST_HEADER_HOST_GENERATION_OFFSET) : 0;
	/* §5.9: only a region of this ABI with the same geometry carries lines over; other memory starts from zero */
	bool carry = previous != 0 && ld32(hh + VBOOST_HOST_HEADER_SLOT_COUNT_OFFSET) == slot_count;
	uint32_t generation = previous + 1u;
	if (generation == 0)
		generation = 1; /* 0 means "not ready" (§3.2) */
	/* H2: the fields */
	st32(hh + VBOOST_HOST_HEADER_MAGIC_OFFSET, VBOOST_MAGIC);
	st16(hh + VBOOST_HOST_HEADER_ABI_MAJOR_OFFSET, VBOOST_ABI_MAJOR);
	st16(hh + VBOOST_HOST_HEADER_ABI_MINOR_OFFSET, VBOOST_ABI_MINOR);
	st16(hh + VBOOST_HOST_HEADER_HEADER_SIZE_OFFSET, VBOOST_HEADER_SIZE);
	st16(hh + VBOOST_HOST_HEADER_SLOT_SIZE_OFFSET, VBOOST_SLOT_SIZE);
	st32(hh + VBOOST_HOST_HEADER_SLOT_COUNT_OFFSET, slot_count);
	st64(hh + VBOOST_HOST_HEADER_HOST_FEATURES_OFFSET, features);
	st32(hh + VBOOST_HOST_HEADER_PRIO_CEILING_OFFSET, prio_ceiling);
	st32(hh + VBOOST_HOST_HEADER_MAX_BOOST_US_OFFSET, max_boost_us);
	st64(hh + VBOOST_HOST_HEADER_REGION_SIZE_OFFSET, VBOOST_REGION_SIZE(slot_count));
	zero_bytes(hh + VBOOST_HOST_HEADER_RESERVED0_OFFSET, VBOOST_HOST_HEADER_RESERVED0_LENGTH);
	h->base = base;
	h->size = size;
	h->slot_count = slot_count;
	h->max_boost_us = max_boost_us;
	h->prio_ceiling = prio_ceiling;
	h->features = features;
	for (uint32_t i = 0; i < slot_count; i++) {
		/* §5.9 step 3 (H2): NORMAL, denial NONE, no flags; host_boost_id kept if valid; acted = the guest's
		 * current id when its line reads consistent with a valid id (any other value in it does not matter),
		 * so a request pending from before the restart is void */
		struct vboost_host_line_copy line, own;
		struct vboost_guest_line_copy g;
		memset(&line, 0, sizeof(line));
		line.status = VBOOST_SLOT_STATUS_NORMAL;
		if (carry) {
			copy_host_line(host_line_w(h, i), &own); /* own line: what an earlier host published */
			line.host_boost_id = own.host_boost_id < VBOOST_ID_LIMIT ? own.host_boost_id : 0;
			int read = vboost_host_read_request(h, i, &g);
			line.acted_request_id = read != VBOOST_E_BUSY && g.request_id < VBOOST_ID_LIMIT ? g.request_id : 0;
		}
		write_host_line(host_line_w(h, i), &line, 0);
		h->last_seen_seq[i] = atomic_load_explicit(
			A32(base + VBOOST_SLOT_GUEST_LINE(i) + VBOOST_GUEST_SLOT_GUEST_SEQ_OFFSET), memory_order_acquire);
	}
	/* H3: the new generation */
	st32(hh + VBOOST_HOST_HEADER_HOST_GENERATION_OFFSET, generation);
	h->generation = generation;
	/* H4: READY last, with release: pairs with the reader's acquire of region_state (§4.4) */
	atomic_store_explicit(A32(state), VBOOST_REGION_STATE_READY, memory_order_release);
	return VBOOST_OK;
}

void vboost_host_free(struct vboost_host *h)
{
	free(h->last_seen_seq);
	free(h->boosted_for_us);
	h->last_seen_seq = NULL;
	h->boosted_for_us = NULL;
}

uint32_t vboost_host_poll(struct vboost_host *h, uint32_t *dst, uint32_t cap)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < h->slot_count && n < cap; i++) {
		/* acquire: pairs with the guest's W4 release (§5.2: compare counters only) */
		uint32_t s = atomic_load_explicit(A32(h->base + VBOOST_SLOT_GUEST_LINE(i)), memory_order_acquire);
		if (s != h->last_seen_seq[i]) {
			h->last_seen_seq[i] = s;
			dst[n++] = i;
		}
	}
	return n;
}

static void copy_guest_line(const uint8_t *l, struct vboost_guest_line_copy *o)
{
	o->request = ld8(l + VBOOST_GUEST_SLOT_REQUEST_OFFSET);
	o->policy = ld8(l + VBOOST_GUEST_SLOT_POLICY_OFFSET);
	o->priority = ld8(l + VBOOST_GUEST_SLOT_PRIORITY_OFFSET);
	o->nice = (int8_t)ld8(l + VBOOST_GUEST_SLOT_NICE_OFFSET);
	o->reasons = ld32(l + VBOOST_GUEST_SLOT_REASONS_OFFSET);
	o->request_id = ld64(l + VBOOST_GUEST_SLOT_REQUEST_ID_OFFSET);
	o->host_boost_ack = ld64(l + VBOOST_GUEST_SLOT_HOST_BOOST_ACK_OFFSET);
}

/* §3.4: what the host requires of a guest line before acting on it. */
static int check_guest_line(const struct vboost_guest_line_copy *o)
{
#ifndef VBOOST_MUTANT_RESERVED_BITS_ACCEPTED
	if (o->reasons & ~VBOOST_REASON_DEFINED_MASK)
		return VBOOST_E_RESERVED_BITS;
#endif
	if (o->request_id >= VBOOST_ID_LIMIT || o->host_boost_ack >= VBOOST_ID_LIMIT)
		return VBOOST_E_INVALID_VALUE;
	if (o->request > VBOOST_REQUEST_UNBOOST)
		return VBOOST_E_INVALID_VALUE;
	if (o->request != VBOOST_REQUEST_BOOST)
		return VBOOST_OK;
	switch (o->policy) {
	case VBOOST_POLICY_FIFO:
	case VBOOST_POLICY_RR:
		return o->priority >= 1 && o->priority <= VBOOST_PRIO_MAX ? VBOOST_OK : VBOOST_E_INVALID_VALUE;
	case VBOOST_POLICY_NORMAL:
		return o->priority == 0 && o->nice >= VBOOST_NICE_MIN && o->nice <= VBOOST_NICE_MAX
			       ? VBOOST_OK : VBOOST_E_INVALID_VALUE;
	default:
		return VBOOST_E_INVALID_VALUE;
	}
}

int vboost_host_read_request(const struct vboost_host *h, uint32_t slot, struct vboost_guest_line_copy *out)
{
	return vboost_host_read_request_hooked(h, slot, out, NULL);
}

int vboost_host_read_request_hooked(const struct vboost_host *h, uint32_t slot, struct vboost_guest_line_copy *out,
				    const struct vboost_read_hook *hook)
{
	if (slot >= h->slot_count)
		return VBOOST_E_INVALID_VALUE;
	const uint8_t *l = h->base + VBOOST_SLOT_GUEST_LINE(slot);
	const uint8_t *seq = l + VBOOST_GUEST_SLOT_GUEST_SEQ_OFFSET;
	for (int attempt = 0; attempt < VBOOST_MAX_READ_ATTEMPTS; attempt++) {
		uint32_t s1;
		if (!seq_read_begin(seq, &s1))
			continue;
		copy_guest_line(l, out); /* R3 */
		if (hook != NULL && attempt == 0)
			hook->between_r3_r4(hook->ctx);
		if (!seq_read_end(seq, s1))
			continue;
		out->seq = s1;
		return check_guest_line(out);
	}
	return VBOOST_E_BUSY;
}

int vboost_host_read_guest_header(const struct vboost_host *h, struct vboost_guest_header_copy *out)
{
	const uint8_t *gh = h->base + VBOOST_GUEST_HEADER_OFFSET;
	const uint8_t *seq = gh + VBOOST_GUEST_HEADER_GUEST_SEQ_OFFSET;
	for (int attempt = 0; attempt < VBOOST_MAX_READ_ATTEMPTS; attempt++) {
		uint32_t s1;
		if (!seq_read_begin(seq, &s1))
			continue;
		out->attach_state = ld32(gh + VBOOST_GUEST_HEADER_ATTACH_STATE_OFFSET);
		out->guest_abi_major = ld16(gh + VBOOST_GUEST_HEADER_GUEST_ABI_MAJOR_OFFSET);
		out->guest_abi_minor = ld16(gh + VBOOST_GUEST_HEADER_GUEST_ABI_MINOR_OFFSET);
		out->attached_generation = ld32(gh + VBOOST_GUEST_HEADER_ATTACHED_GENERATION_OFFSET);
		out->accepted_features = ld64(gh + VBOOST_GUEST_HEADER_ACCEPTED_FEATURES_OFFSET);
		if (!seq_read_end(seq, s1))
			continue;
		out->seq = s1;
		return VBOOST_OK;
	}
	return VBOOST_E_BUSY;
}

void vboost_host_publish_state(struct vboost_host *h, uint32_t slot, const struct vboost_host_line_copy *state)
{
	vboost_host_publish_state_steps(h, slot, state, 0);
}

void vboost_host_publish_state_steps(struct vboost_host *h, uint32_t slot, const struct vboost_host_line_copy *state,
				     int stop_after)
{
	if (slot >= h->slot_count)
		return;
	uint8_t *l = host_line_w(h, slot);
	if (stop_after == 0 && state->status == VBOOST_SLOT_STATUS_BOOSTED) {
		struct vboost_host_line_copy before;
		copy_host_line(l, &before); /* own line: what we published last */
		/* §5.6: the bound runs from the moment a boost is applied; republishing the same boost (same acted
		 * request, same host boost) does not restart it */
		if (before.status != VBOOST_SLOT_STATUS_BOOSTED || before.acted_request_id != state->acted_request_id
		    || before.host_boost_id != state->host_boost_id)
			h->boosted_for_us[slot] = 0;
	}
	write_host_line(l, state, stop_after);
}

uint64_t vboost_host_start_host_boost(struct vboost_host *h, uint32_t slot, uint32_t flags, uint8_t policy,
				      uint8_t priority)
{
	if (slot >= h->slot_count)
		return 0;
	uint8_t *l = host_line_w(h, slot);
	struct vboost_host_line_copy s;
	copy_host_line(l, &s); /* own line: the last values we published */
	s.status = VBOOST_SLOT_STATUS_BOOSTED;
	s.policy = policy;
	s.priority = priority;
	s.denial = VBOOST_DENIAL_NONE;
	s.host_boost_flags = flags & VBOOST_HOST_BOOST_DEFINED_MASK;
	s.host_boost_id++; /* HB1; budget_remaining_us stays what it was (§3.5: 0 unless BUDGET_REPORT) */
	vboost_host_publish_state(h, slot, &s);
	return s.host_boost_id;
}

void vboost_host_disable(struct vboost_host *h)
{
	/* release: pairs with the reader's acquire of region_state (§5.7) */
	atomic_store_explicit(A32(h->base + VBOOST_HOST_HEADER_REGION_STATE_OFFSET), VBOOST_REGION_STATE_DISABLED,
			      memory_order_release);
}

void vboost_host_tick(struct vboost_host *h, uint64_t elapsed_us)
{
#ifdef VBOOST_MUTANT_BOOST_UNBOUNDED
	(void)h;
	(void)elapsed_us;
#else
	for (uint32_t i = 0; i < h->slot_count; i++) {
		uint8_t *l = host_line_w(h, i);
		struct vboost_host_line_copy s;
		copy_host_line(l, &s);
		if (s.status != VBOOST_SLOT_STATUS_BOOSTED)
			continue;
		uint64_t spent = h->boosted_for_us[i] + elapsed_us;
		if (spent < h->max_boost_us) {
			h->boosted_for_us[i] = spent;
			continue;
		}
		/* §5.6: the bound passed; end the boost whatever the guest says */
		s.status = VBOOST_SLOT_STATUS_NORMAL;
		s.policy = VBOOST_POLICY_NORMAL;
		s.priority = 0;
		s.denial = VBOOST_DENIAL_EXPIRED;
		s.host_boost_flags = 0; /* a host-initiated boost ends too; acted_request_id and budget unchanged */
		vboost_host_publish_state(h, i, &s);
	}
#endif
}
