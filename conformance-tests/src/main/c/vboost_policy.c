/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vboost_policy.c - the host's behaviour (spec §5.3 HA1..HA5, §5.5 HB1..HB3, §5.6, §5.8, §8) over the host role
 * of vboost.c: it looks at a slot, decides under a per-VM policy, "applies" scheduling attributes to a simulated
 * vCPU thread, and publishes what it did. Time comes only from vboost_policy_tick (the injectable host clock of
 * the conformance suite, §8.8). The host decides from private state only (§8.10): it never reads its host lines.
 *
 * Build switches VBOOST_MUTANT_* break one rule each (NO_CLAMP, STALE_ID_ACTED, NEVER_EXPIRES, BUDGET_IGNORED);
 * the suite's own tests prove a named required test catches each.
 */
#include "vboost.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void log_action(struct vboost_policy_host *p, const char *verb, uint32_t slot)
{
	size_t room = sizeof(p->actions) - p->actions_len;
	int n = snprintf(p->actions + p->actions_len, room, "%s%s@%u", p->actions_len ? "," : "", verb, slot);
	if (n > 0 && (size_t)n < room)
		p->actions_len += (size_t)n;
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* The bound of every boost: the policy's, never above the header's max_boost_us (§8.2). */
static uint64_t bound(const struct vboost_policy_host *p)
{
	return min_u64(p->policy.max_boost_us, p->h->max_boost_us);
}

static bool same_attr(struct vboost_attr a, struct vboost_attr b)
{
	return a.policy == b.policy && a.priority == b.priority && a.nice == b.nice;
}

/* §8.1: the guest's policy and priority are upper wishes; the host applies at most its own limits. */
static struct vboost_attr clamp(const struct vboost_policy_host *p, uint8_t policy, uint8_t priority, int8_t nice)
{
	struct vboost_attr a = {policy, 0, 0};
	if (policy == VBOOST_POLICY_NORMAL) {
		a.nice = nice;
		return a;
	}
	uint32_t cap = p->h->prio_ceiling < p->policy.max_priority ? p->h->prio_ceiling : p->policy.max_priority;
#ifdef VBOOST_MUTANT_NO_CLAMP
	cap = VBOOST_PRIO_MAX;
#endif
	a.priority = priority > cap ? (uint8_t)cap : priority;
	return a;
}

/* Applies what the slot's boosts call for (restoring the original when none is in force), then publishes the
 * host line (W1..W4): the change to the thread always comes before its publication (HA5, HB2, HB3, §5.6). */
static void settle(struct vboost_policy_host *p, uint32_t slot, uint8_t denial)
{
	struct vboost_served_slot *s = &p->slots[slot];
	struct vboost_attr want = s->host_boost ? s->host_attr : s->guest_boost ? s->guest_attr : s->original;
	if (!same_attr(want, s->current)) {
		log_action(p, same_attr(want, s->original) ? "restore" : "apply", slot);
		s->current = want;
	}
	struct vboost_host_line_copy line;
	memset(&line, 0, sizeof(line));
	line.status = s->guest_boost || s->host_boost ? VBOOST_SLOT_STATUS_BOOSTED
		      : s->throttled		      ? VBOOST_SLOT_STATUS_THROTTLED
						      : VBOOST_SLOT_STATUS_NORMAL;
	line.policy = s->current.policy;
	line.priority = s->current.priority;
	line.denial = denial;
	line.host_boost_flags = s->host_boost ? s->host_flags : 0;
	if (p->accepted & VBOOST_FEATURE_BUDGET_REPORT) /* §3.5: 0 unless BUDGET_REPORT was accepted */
		line.budget_remaining_us = (uint32_t)min_u64(p->policy.budget_us - min_u64(s->budget_used,
							     p->policy.budget_us), UINT32_MAX);
	line.acted_request_id = s->acted;
	line.host_boost_id = s->host_boost_id;
	vboost_host_publish_state(p->h, slot, &line);
	log_action(p, "publish", slot);
}

int vboost_policy_host_init(struct vboost_policy_host *p, struct vboost_host *h, const struct vboost_policy *policy)
{
	memset(p, 0, sizeof(*p));
	if (policy->max_priority < 1 || policy->max_boost_us == 0 || policy->budget_window_us == 0
	    || policy->rate_window_us == 0 || policy->budget_us > policy->budget_window_us)
		return VBOOST_E_INVALID_VALUE;
	p->slots = calloc(h->slot_count, sizeof(*p->slots));
	if (p->slots == NULL)
		return VBOOST_E_INVALID_VALUE;
	p->h = h;
	p->policy = *policy;
	for (uint32_t i = 0; i < h->slot_count; i++) {
		struct vboost_served_slot *s = &p->slots[i];
		s->original.policy = VBOOST_POLICY_NORMAL;
		s->current = s->original;
		/* §5.9: a fresh host acts only on ids after the one standing in the guest line; init published it */
		struct vboost_guest_line_copy g;
		if (vboost_host_read_request(h, i, &g) == VBOOST_OK)
			s->acted = g.request_id;
	}
	return VBOOST_OK;
}

void vboost_policy_host_free(struct vboost_policy_host *p)
{
	free(p->slots);
	p->slots = NULL;
}

void vboost_policy_set_thread(struct vboost_policy_host *p, uint32_t slot, struct vboost_attr original)
{
	if (slot >= p->h->slot_count)
		return;
	p->slots[slot].original = original;
	p->slots[slot].current = original;
}

/* CG1..CG7 (§6.3) against the host's own header values; false = treat the guest as detached (§5.8). */
static int check_guest(struct vboost_policy_host *p, bool *attached)
{
	struct vboost_guest_header_copy g;
	int err = vboost_host_read_guest_header(p->h, &g); /* CG1: R1..R5 within the bound */
	if (err != VBOOST_OK)
		return err;
	*attached = g.attach_state == VBOOST_ATTACH_STATE_ATTACHED                 /* CG2, DETACHED */
		    && (g.accepted_features & ~VBOOST_FEATURE_DEFINED_MASK_AT(g.guest_abi_minor)) == 0 /* CG3 */
		    && g.attached_generation == p->h->generation                   /* CG4 */
		    && g.guest_abi_major == VBOOST_ABI_MAJOR                       /* CG5 */
		    && g.guest_abi_minor <= VBOOST_ABI_MINOR                       /* CG6 */
		    && (g.accepted_features & ~p->h->features) == 0;               /* CG7 */
	p->guest_attached = *attached;
	p->accepted = *attached ? g.accepted_features : 0;
	return VBOOST_OK;
}

/* §5.8: a guest that is not (validly) attached gets every boost ended and acts on nothing. */
static void end_all(struct vboost_policy_host *p)
{
	for (uint32_t i = 0; i < p->h->slot_count; i++) {
		struct vboost_served_slot *s = &p->slots[i];
		if (s->guest_boost || s->host_boost) {
			s->guest_boost = s->host_boost = false;
			settle(p, i, VBOOST_DENIAL_NONE);
		}
	}
}

/* §8.4: room for one more granted change in this slot's rate window. */
static bool rate_allows(struct vboost_policy_host *p, struct vboost_served_slot *s)
{
	if (p->now_us - s->rate_start >= p->policy.rate_window_us) {
		s->rate_start = p->now_us;
		s->rate_count = 0;
	}
	return s->rate_count < p->policy.rate_limit;
}

static bool budget_exhausted(const struct vboost_policy_host *p, const struct vboost_served_slot *s)
{
#ifdef VBOOST_MUTANT_BUDGET_IGNORED
	(void)p;
	(void)s;
	return false;
#else
	return s->budget_used >= p->policy.budget_us;
#endif
}

enum vboost_serve_outcome vboost_policy_serve(struct vboost_policy_host *p, uint32_t slot)
{
	p->actions_len = 0;
	p->actions[0] = '\0';
	if (slot >= p->h->slot_count)
		return VBOOST_SERVE_UNCHANGED;
	struct vboost_served_slot *s = &p->slots[slot];
	bool attached;
	if (check_guest(p, &attached) != VBOOST_OK) {
		s->n_busy++; /* a guest header held busy: leave everything as it is */
		return VBOOST_SERVE_BUSY;
	}
	if (!attached) {
		end_all(p);
		return VBOOST_SERVE_DETACHED;
	}
	/* HA1: one consistent copy, checked and acted on as a copy only (§8.9) */
	struct vboost_guest_line_copy l;
	int err = vboost_host_read_request(p->h, slot, &l);
	if (err == VBOOST_E_BUSY) {
		s->n_busy++;
		return VBOOST_SERVE_BUSY;
	}
	/* HA2: an invalid id, or one gone backwards, is ignored and counted: nothing is published */
	uint64_t n = l.request_id;
#ifdef VBOOST_MUTANT_STALE_ID_ACTED
	if (n >= VBOOST_ID_LIMIT) {
#else
	if (n >= VBOOST_ID_LIMIT || n < s->acted) {
#endif
		s->n_ignored++;
		return VBOOST_SERVE_IGNORED;
	}
	/* HB3 by acknowledgement: an ack of the boost in force (or a newer one the host issued) ends it */
	bool ended = false;
	if (l.host_boost_ack < VBOOST_ID_LIMIT) {
		if (l.host_boost_ack > s->host_boost_id)
			s->n_acks_out_of_range++;
		else if (s->host_boost && l.host_boost_ack >= s->host_boost_id) {
			s->host_boost = false;
			ended = true;
		}
	}
	if (n == s->acted) {
		if (!ended)
			return VBOOST_SERVE_UNCHANGED;
		settle(p, slot, VBOOST_DENIAL_NONE);
		return VBOOST_SERVE_ACTED;
	}
	if (n > s->acted + 1)
		s->n_id_jumps++; /* HA2: skipped ids are accepted, and counted */
	s->acted = n;
	/* HA3: a line breaking CS2..CS5 is acknowledged INVALID_REQUEST and ends a guest boost in force */
	if (err != VBOOST_OK) {
		s->n_invalid++;
		s->guest_boost = false;
		settle(p, slot, VBOOST_DENIAL_INVALID_REQUEST);
		return VBOOST_SERVE_ACTED;
	}
	if (l.request != VBOOST_REQUEST_BOOST) { /* §5.4: UNBOOST (or NONE) is never refused */
		s->guest_boost = false;
		settle(p, slot, VBOOST_DENIAL_NONE);
		return VBOOST_SERVE_ACTED;
	}
	/* HA4: decide under the policy (§8.1, §8.3..§8.5) */
	uint8_t denial = VBOOST_DENIAL_NONE;
	if ((l.reasons & p->policy.allowed_reasons) == 0
	    || (p->policy.allowed_policies & (1u << l.policy)) == 0
	    || (l.policy == VBOOST_POLICY_NORMAL && (p->accepted & VBOOST_FEATURE_NICE_HINTS) == 0)) {
		denial = VBOOST_DENIAL_REASON_NOT_ALLOWED;
	} else if (budget_exhausted(p, s)) {
		denial = VBOOST_DENIAL_BUDGET_EXHAUSTED;
		s->guest_boost = false;
		s->throttled = true;
	} else if (!rate_allows(p, s)) {
		denial = VBOOST_DENIAL_RATE_LIMITED;
	} else {
		s->rate_count++;
		s->guest_boost = true;
		s->guest_start = p->now_us;
		s->guest_attr = clamp(p, l.policy, l.priority, l.nice);
	}
	/* HA5: apply, then publish */
	settle(p, slot, denial);
	return VBOOST_SERVE_ACTED;
}

uint64_t vboost_policy_host_boost(struct vboost_policy_host *p, uint32_t slot, uint32_t flags, uint8_t policy,
				  uint8_t priority)
{
	p->actions_len = 0;
	p->actions[0] = '\0';
	if (slot >= p->h->slot_count || policy == VBOOST_POLICY_NORMAL || policy > VBOOST_POLICY_RR || priority < 1)
		return 0;
	struct vboost_served_slot *s = &p->slots[slot];
	bool attached;
	/* §5.5: only when the guest, attached at this generation, accepted HOST_BOOST */
	if (check_guest(p, &attached) != VBOOST_OK || !attached || (p->accepted & VBOOST_FEATURE_HOST_BOOST) == 0)
		return 0;
	if (budget_exhausted(p, s) || s->host_boost_id + 1 >= VBOOST_ID_LIMIT)
		return 0;
	s->host_boost_id++; /* HB1 */
	s->host_boost = true;
	s->host_start = p->now_us;
	s->host_flags = flags & VBOOST_HOST_BOOST_DEFINED_MASK;
	s->host_attr = clamp(p, policy, priority, 0);
	s->throttled = false;
	settle(p, slot, VBOOST_DENIAL_NONE); /* HB2: apply, then publish */
	return s->host_boost_id;
}

void vboost_policy_tick(struct vboost_policy_host *p, uint64_t elapsed_us)
{
	p->actions_len = 0;
	p->actions[0] = '\0';
	p->now_us += elapsed_us;
	uint64_t limit = bound(p);
	uint64_t hb_limit = min_u64(limit, p->policy.host_boost_timeout_us);
#ifdef VBOOST_MUTANT_NEVER_EXPIRES
	limit = hb_limit = UINT64_MAX; /* the bug: no boost ever reaches its bound */
#endif
	for (uint32_t i = 0; i < p->h->slot_count; i++) {
		struct vboost_served_slot *s = &p->slots[i];
		bool changed = false;
		uint8_t denial = VBOOST_DENIAL_NONE;
		if (s->guest_boost || s->host_boost)
			s->budget_used += elapsed_us; /* §8.3: boosted time, on the host clock */
		if ((s->guest_boost || s->host_boost) && budget_exhausted(p, s)) {
			s->guest_boost = s->host_boost = false;
			s->throttled = true;
			denial = VBOOST_DENIAL_BUDGET_EXHAUSTED;
			changed = true;
		}
		if (s->guest_boost && p->now_us - s->guest_start >= limit) { /* §5.6, from the grant's application */
			s->guest_boost = false;
			denial = VBOOST_DENIAL_EXPIRED;
			changed = true;
		}
		if (s->host_boost && p->now_us - s->host_start >= hb_limit) { /* HB3 timeout */
			s->host_boost = false;
			denial = VBOOST_DENIAL_EXPIRED;
			changed = true;
		}
		if (p->now_us - s->window_start >= p->policy.budget_window_us) { /* the budget window refills */
			s->window_start = p->now_us - (p->now_us - s->window_start) % p->policy.budget_window_us;
			s->budget_used = 0;
			if (s->throttled && !changed) {
				s->throttled = false;
				changed = true;
			}
		}
		if (changed)
			settle(p, i, denial);
	}
}
