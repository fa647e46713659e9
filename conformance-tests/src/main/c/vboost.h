/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vboost.h - C11 reference implementation of the vboost v1.0 guest and host roles.
 *
 * Written from spec/include/vboost_abi.h and spec/protocol.md alone; no Java involved. The region is any
 * memory both sides map (a file mapped MAP_SHARED in the conformance suite). Every counter and
 * region_state access is a C11 atomic with the ordering of spec §4; the data fields are accessed with
 * relaxed atomics, which is how C11 spells "plain, racy by design" without undefined behaviour.
 *
 * Return values: VBOOST_OK or one of the VBOOST_E_* codes of the ABI header.
 * Not thread-safe per endpoint, except that different slots may be driven from different threads.
 */
#ifndef VBOOST_H
#define VBOOST_H

#include <stdbool.h>
#include <stdint.h>

#include "vboost_abi.h"

/* A consistent copy of a host header (spec §3.2). */
struct vboost_host_header_copy {
	uint32_t magic;
	uint16_t abi_major, abi_minor, header_size, slot_size;
	uint32_t slot_count;
	uint64_t host_features;
	uint32_t host_generation, region_state, prio_ceiling, max_boost_us;
	uint64_t region_size;
};

/* A consistent copy of the guest header (spec §3.3). */
struct vboost_guest_header_copy {
	uint32_t seq, attach_state;
	uint16_t guest_abi_major, guest_abi_minor;
	uint32_t attached_generation;
	uint64_t accepted_features;
};

/* A consistent copy of a slot's guest line (spec §3.4); raw wire values. */
struct vboost_guest_line_copy {
	uint32_t seq;
	uint8_t request, policy, priority;
	int8_t nice;
	uint32_t reasons;
	uint64_t request_id, host_boost_ack;
};

/* A consistent copy of a slot's host line (spec §3.5); raw wire values. seq is ignored when publishing. */
struct vboost_host_line_copy {
	uint32_t seq;
	uint8_t status, policy, priority, denial;
	uint32_t host_boost_flags, budget_remaining_us;
	uint64_t acted_request_id, host_boost_id;
};

/* Writer step control for the conformance suite (testee protocol "stop_after"): 0 runs W1..W4; these stop after
 * the named step and leave the line odd, as a writer killed there would (§4.1 rule 4). */
#define VBOOST_STOP_AFTER_W1 1
#define VBOOST_STOP_AFTER_W2 2

/* Called once, on a read's first attempt, between R3 (the copy) and R4/R5 (the re-check): lets the suite change
 * the line in the middle of a read across a process boundary (testee protocol "pause"). */
struct vboost_read_hook {
	void (*between_r3_r4)(void *ctx);
	void *ctx;
};

/* Name of a VBOOST_OK / VBOOST_E_* code as the spec writes it ("E_BUSY"). */
const char *vboost_error_name(int code);

/* Reads and validates the host header of a region of map_size bytes (spec §4.4 reader, §6). */
int vboost_read_host_header(const uint8_t *base, uint64_t map_size, struct vboost_host_header_copy *out);

/* ---- guest role -------------------------------------------------------------------------------- */

struct vboost_guest {
	uint8_t *base;
	uint64_t size;
	uint32_t slot_count;
	uint32_t generation;
	uint64_t accepted_features;
	uint16_t abi_minor;
	bool attached;
	/* §12: rings the host's doorbell (one store, e.g. vboost_ring()); set only while DOORBELL is accepted */
	void (*ring)(void *ctx);
	void *ring_ctx;
};

/* §5.2: validates the host header, then publishes the guest header ATTACHED. A guest attached this way cannot
 * ring: it never accepts DOORBELL (§12.2), whatever `features` says. */
int vboost_guest_attach(struct vboost_guest *g, uint8_t *base, uint64_t size, uint64_t features);
/* The same for a guest that can ring (ring != NULL): it accepts DOORBELL when `features` has it, the host offers it
 * and the negotiated minor is at least 1, and only then rings after every publication (attach, request, release,
 * acknowledgement, detach) with a full fence after the line's W4 (§12.4 RG1) and then ring(ring_ctx) (RG2). */
int vboost_guest_attach_ringing(struct vboost_guest *g, uint8_t *base, uint64_t size, uint64_t features,
				void (*ring)(void *ctx), void *ring_ctx);
/* §5.3 G1..G3: publishes a BOOST request; *request_id receives its id. Invalid values write nothing. */
int vboost_guest_request_boost(struct vboost_guest *g, uint32_t slot, uint8_t policy, uint8_t priority, int8_t nice,
			       uint32_t reasons, uint64_t *request_id);
/* The same, stopping after W1 or W2 when stop_after is VBOOST_STOP_AFTER_W1/W2. Requests need an attachment at a
 * generation that is still current (E_STALE_GENERATION otherwise) and a next id below 2^63 (E_INVALID_VALUE). */
int vboost_guest_request_boost_steps(struct vboost_guest *g, uint32_t slot, uint8_t policy, uint8_t priority,
				     int8_t nice, uint32_t reasons, uint64_t *request_id, int stop_after);
/* §5.4: publishes an UNBOOST request. */
int vboost_guest_release(struct vboost_guest *g, uint32_t slot, uint64_t *request_id);
/* §5.5: acknowledges host-initiated boost host_boost_id. */
int vboost_guest_ack_host_boost(struct vboost_guest *g, uint32_t slot, uint64_t host_boost_id);
/* §4.3: bounded seqlock read of the slot's host line, then the §3.5 checks. */
int vboost_guest_read_host_state(const struct vboost_guest *g, uint32_t slot, struct vboost_host_line_copy *out);
int vboost_guest_read_host_state_hooked(const struct vboost_guest *g, uint32_t slot, struct vboost_host_line_copy *out,
					const struct vboost_read_hook *hook);
/* Waits up to timeout_ms for acted_request_id >= request_id; true if seen. */
bool vboost_guest_await_acted(const struct vboost_guest *g, uint32_t slot, uint64_t request_id, uint32_t timeout_ms,
			      struct vboost_host_line_copy *last);
/* §5.9: true once the host generation moved on or the region is no longer READY. */
bool vboost_guest_host_restarted(const struct vboost_guest *g);
/* §5.8: publishes the guest header DETACHED. Idempotent. */
void vboost_guest_detach(struct vboost_guest *g);

/* ---- host role --------------------------------------------------------------------------------- */

struct vboost_host {
	uint8_t *base;
	uint64_t size;
	uint32_t slot_count;
	uint32_t generation;
	uint32_t max_boost_us;
	uint32_t prio_ceiling;
	uint64_t features;
	uint32_t *last_seen_seq;   /* per slot, for poll */
	uint64_t *boosted_for_us;  /* per slot, time spent BOOSTED by the host clock (for tick) */
};

/* §4.4 H1..H4: (re)initialises the region; generation = previous + 1, skipping 0. */
int vboost_host_init(struct vboost_host *h, uint8_t *base, uint64_t size, uint32_t slot_count, uint64_t features,
		     uint32_t prio_ceiling, uint32_t max_boost_us);
void vboost_host_free(struct vboost_host *h);
/* Slots whose guest counter moved since the last poll; returns how many were written to dst. */
uint32_t vboost_host_poll(struct vboost_host *h, uint32_t *dst, uint32_t cap);
/* §4.3 read of the slot's guest line, then the §3.4 checks (the guest is untrusted). */
int vboost_host_read_request(const struct vboost_host *h, uint32_t slot, struct vboost_guest_line_copy *out);
int vboost_host_read_request_hooked(const struct vboost_host *h, uint32_t slot, struct vboost_guest_line_copy *out,
				    const struct vboost_read_hook *hook);
/* §4.3 read of the guest header. */
int vboost_host_read_guest_header(const struct vboost_host *h, struct vboost_guest_header_copy *out);
/* §4.2 W1..W4 publication of the slot's host line. */
void vboost_host_publish_state(struct vboost_host *h, uint32_t slot, const struct vboost_host_line_copy *state);
void vboost_host_publish_state_steps(struct vboost_host *h, uint32_t slot, const struct vboost_host_line_copy *state,
				     int stop_after);
/* §5.5: starts a host-initiated boost; returns its id. */
uint64_t vboost_host_start_host_boost(struct vboost_host *h, uint32_t slot, uint32_t flags, uint8_t policy,
				      uint8_t priority);
/* §5.7: region_state DISABLED. */
void vboost_host_disable(struct vboost_host *h);
/* §5.6: advances the host clock by elapsed_us and ends every boost that reached max_boost_us since it was applied
 * (a republication of the same boost does not restart the bound): NORMAL, denial EXPIRED, no flags. */
void vboost_host_tick(struct vboost_host *h, uint64_t elapsed_us);

/* ---- host behaviour under a policy (§5.3 HA1..HA5, §5.5 HB1..HB3, §5.6, §8) ------------------------------ */

/* The per-VM policy the host enforces besides the header's limits. */
struct vboost_policy {
	uint32_t max_priority;           /* RT priority cap of this VM (applied together with prio_ceiling) */
	uint32_t allowed_policies;       /* bit (1 << sched_policy code) per policy the VM may have */
	uint32_t allowed_reasons;        /* boost_reason bits the VM may boost for */
	uint64_t max_boost_us;           /* the host's bound (the header's max_boost_us caps it too) */
	uint64_t host_boost_timeout_us;  /* HB3 timeout of host-initiated boosts (the bound caps it too) */
	uint64_t budget_us;              /* boosted time per slot per budget window (§8.3) */
	uint64_t budget_window_us;
	uint32_t rate_limit;             /* granted attribute changes per slot per rate window (§8.4) */
	uint64_t rate_window_us;
};

/* A vCPU thread's scheduling attributes, as the host applies them. */
struct vboost_attr {
	uint8_t policy, priority;
	int8_t nice;
};

struct vboost_served_slot {
	struct vboost_attr original, current; /* §8.6: original recorded before the first boost */
	uint64_t acted;                       /* HA2 a: the host's own last acted id (private, §8.10) */
	uint64_t host_boost_id;
	bool guest_boost, host_boost, throttled;
	uint64_t guest_start, host_start;
	struct vboost_attr guest_attr, host_attr;
	uint32_t host_flags;
	uint64_t budget_used, window_start, rate_start;
	uint32_t rate_count;
	uint64_t n_busy, n_ignored, n_invalid, n_acks_out_of_range, n_id_jumps;
};

struct vboost_policy_host {
	struct vboost_host *h;
	struct vboost_policy policy;
	uint64_t now_us;                      /* the host clock, advanced by vboost_policy_tick only */
	uint64_t accepted;                    /* accepted_features of the last valid guest header */
	bool guest_attached;
	struct vboost_served_slot *slots;
	char actions[4096];                   /* "apply@0,publish@0": what the last call did, in order */
	size_t actions_len;
};

enum vboost_serve_outcome {
	VBOOST_SERVE_BUSY, VBOOST_SERVE_IGNORED, VBOOST_SERVE_UNCHANGED, VBOOST_SERVE_ACTED, VBOOST_SERVE_DETACHED
};

int vboost_policy_host_init(struct vboost_policy_host *p, struct vboost_host *h, const struct vboost_policy *policy);
void vboost_policy_host_free(struct vboost_policy_host *p);
/* Sets a slot's thread attributes before any boost: what every restore returns to. */
void vboost_policy_set_thread(struct vboost_policy_host *p, uint32_t slot, struct vboost_attr original);
/* Looks at slot: the guest header (CG1..CG7), then HA1..HA5 and HB3. */
enum vboost_serve_outcome vboost_policy_serve(struct vboost_policy_host *p, uint32_t slot);
/* §5.5 HB1..HB2 under the policy; returns the new host boost id, or 0 when the host may not boost. */
uint64_t vboost_policy_host_boost(struct vboost_policy_host *p, uint32_t slot, uint32_t flags, uint8_t policy,
				  uint8_t priority);
/* Advances the host clock: budget accounting, expiry (§5.6), host boost timeouts (HB3), window refills (§8.3). */
void vboost_policy_tick(struct vboost_policy_host *p, uint64_t elapsed_us);

/* ---- images at rest (§6.7) --------------------------------------------------------------------------- */

/* Appends "key":"value" pairs describing the decoded image (testee protocol codec.decode_image). */
typedef void (*vboost_emit)(const char *key, const char *value);
void vboost_decode_image(const uint8_t *image, uint64_t length, vboost_emit emit);

#endif /* VBOOST_H */
