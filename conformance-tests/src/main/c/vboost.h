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
};

/* §5.2: validates the host header, then publishes the guest header ATTACHED. */
int vboost_guest_attach(struct vboost_guest *g, uint8_t *base, uint64_t size, uint64_t features);
/* §5.3 G1..G3: publishes a BOOST request; *request_id receives its id. Invalid values write nothing. */
int vboost_guest_request_boost(struct vboost_guest *g, uint32_t slot, uint8_t policy, uint8_t priority, int8_t nice,
			       uint32_t reasons, uint64_t *request_id);
/* §5.4: publishes an UNBOOST request. */
int vboost_guest_release(struct vboost_guest *g, uint32_t slot, uint64_t *request_id);
/* §5.5: acknowledges host-initiated boost host_boost_id. */
int vboost_guest_ack_host_boost(struct vboost_guest *g, uint32_t slot, uint64_t host_boost_id);
/* §4.3: bounded seqlock read of the slot's host line, then the §3.5 checks. */
int vboost_guest_read_host_state(const struct vboost_guest *g, uint32_t slot, struct vboost_host_line_copy *out);
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
/* §4.3 read of the guest header. */
int vboost_host_read_guest_header(const struct vboost_host *h, struct vboost_guest_header_copy *out);
/* §4.2 W1..W4 publication of the slot's host line. */
void vboost_host_publish_state(struct vboost_host *h, uint32_t slot, const struct vboost_host_line_copy *state);
/* §5.5: starts a host-initiated boost; returns its id. */
uint64_t vboost_host_start_host_boost(struct vboost_host *h, uint32_t slot, uint32_t flags, uint8_t policy,
				      uint8_t priority);
/* §5.7: region_state DISABLED. */
void vboost_host_disable(struct vboost_host *h);
/* §5.6: advances the host clock by elapsed_us and ends every boost that reached max_boost_us. */
void vboost_host_tick(struct vboost_host *h, uint64_t elapsed_us);

#endif /* VBOOST_H */
