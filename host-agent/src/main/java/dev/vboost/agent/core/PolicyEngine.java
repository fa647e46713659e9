package dev.vboost.agent.core;

import dev.vboost.agent.policy.PolicyConfig;
import dev.vboost.api.GuestSlotSnapshot;
import dev.vboost.api.WireError;
import dev.vboost.api.wire.BoostReason;
import dev.vboost.api.wire.BoostRequest;
import dev.vboost.api.wire.DenialReason;
import dev.vboost.api.wire.Feature;
import dev.vboost.api.wire.HostBoostFlag;
import dev.vboost.api.wire.SchedPolicy;
import dev.vboost.api.wire.SlotStatus;

/**
 * The boost policy of one VM as a pure state machine, and the only owner of its slots' host lines: no I/O, no
 * clock of its own, no threads. The agent feeds it events stamped with the host's monotonic clock (never a guest
 * time), carries out the {@link Decision}s and publishes the line each one carries; tests drive it with a fake
 * clock. Above 400 lines because the host steps of spec §5.3..§5.6 and §8.2..§8.4 are one state machine per slot
 * and read best in one place.
 *
 * <p>Per slot (vCPU) it keeps these promises, whatever the guest writes:
 * <ul>
 *   <li>a boost uses the VM's policy (FIFO or RR) at a priority no higher than the ceiling (§8.1);</li>
 *   <li>a boost ends no later than its deadline: {@code maxBoostNanos} after it was applied ({@link #applied}),
 *       or earlier when the window's budget runs out (§5.6, §8.2); it is never extended, a repeated BOOST only
 *       joins it; to be boosted again the guest releases and asks with a new request id;</li>
 *   <li>boosted time within each budget window (consecutive windows of {@code windowNanos} starting at the
 *       slot's first event) never exceeds {@code budgetNanos} (§8.3); a THROTTLED slot returns to NORMAL when
 *       its window refills;</li>
 *   <li>at most {@code maxTransitionsPerSecond} priority changes in any one-second interval: a boost is
 *       only started when there is room for it and its unboost; an unboost is never refused (§8.4);</li>
 *   <li>a host-initiated boost ends on the guest's acknowledgement or after {@code hostBoostTimeoutNanos},
 *       whichever is first, unless the guest holds a boost of its own (§5.5 HB3);</li>
 *   <li>only the features the guest accepted are used (§3.6): no nice boost without NICE_HINTS, no host boost
 *       without HOST_BOOST, {@code budget_remaining_us} 0 without BUDGET_REPORT.</li>
 * </ul>
 * The agent must call {@link #tick} no later than {@link #nextDeadline(int)}; events that arrive late first end
 * the overdue boost ({@link Decision#deferred()}). Time never runs backwards here: an earlier timestamp
 * than one already seen is treated as the later one. Not thread-safe: one agent thread owns it.
 */
public final class PolicyEngine {
    private static final long ONE_SECOND = 1_000_000_000L;

    private final PolicyConfig config;
    private final SlotLedger[] slots;
    private long acceptedFeatures;
    // the per-VM budget (§8.3 SHOULD): windows of windowNanos from the engine's first event
    private final long vmBudget;
    private boolean vmWindowStarted;
    private long vmWindowStart;
    private long vmUsed;
    private long vmSyncedAt;
    private int boostedSlots;

    /** An engine for {@code slotCount} slots, every line NORMAL, nothing acted on yet. */
    public PolicyEngine(PolicyConfig config, int slotCount) {
        if (slotCount < 1) {
            throw new IllegalArgumentException("slot count must be positive, got " + slotCount);
        }
        this.config = config;
        this.vmBudget = config.vmBudgetNanos();
        this.slots = new SlotLedger[slotCount];
        for (int i = 0; i < slotCount; i++) {
            slots[i] = new SlotLedger();
        }
    }

    public PolicyConfig config() {
        return config;
    }

    public int slotCount() {
        return slots.length;
    }

    /** The features the attached guest accepted (spec §5.2 A2); the agent sets them while the guest is attached. */
    public void acceptedFeatures(long features) {
        acceptedFeatures = features;
    }

    /**
     * Starts the slot's line from what the region holds (a restarted region keeps its host boost id, spec §5.9),
     * so ids never go back. Call before the first event.
     */
    public void startFrom(int slot, long actedRequestId, long hostBoostId) {
        SlotLedger s = slots[slot];
        s.actedRequestId = Math.max(0, actedRequestId);
        s.hostBoostId = Math.max(0, hostBoostId);
    }

    /**
     * A slot's guest line was read (HA1) and checked once by its reader ({@code line.error()}); act on that copy:
     * HA2 ids, HA3 rules, HA4 policy, and the host-boost acknowledgement (HB3).
     */
    public Decision onGuestLine(int slot, long now, GuestSlotSnapshot line, Decision out) {
        SlotLedger s = slots[slot];
        out.reset();
        long t = advance(s, now);
        if (s.boosted && t >= s.nextDeadline()) {
            tickInto(s, t, out);
            out.deferred(true);
            return out;
        }
        // HA2: an invalid id (T7) or one going backwards (T5) is ignored and counted; the slot stays as it is
        long n = line.requestId();
        if (n < 0) {
            out.note(Decision.NOTE_ID_INVALID);
            return out;
        }
        if (n < s.actedRequestId) {
            out.note(Decision.NOTE_ID_BACKWARDS);
            return out;
        }
        boolean fresh = n > s.actedRequestId;
        if (line.error() != WireError.NONE) {
            if (!fresh) {
                return out; // HA2 n = a: nothing new (an invalid line already answered, read again)
            }
            if (n > s.actedRequestId + 1) {
                out.note(Decision.NOTE_ID_JUMP);
            }
            s.actedRequestId = n;
            return invalid(s, t, line.reasons() & BoostReason.DEFINED_MASK, out); // HA3
        }
        boolean changed = acknowledge(s, t, line.hostBoostAck(), out);
        boolean released = false;
        if (fresh) {
            if (n > s.actedRequestId + 1) {
                out.note(Decision.NOTE_ID_JUMP);
            }
            s.actedRequestId = n;
            changed = true;
            BoostRequest request = line.request();
            if (request == BoostRequest.BOOST) {
                guestBoost(s, t, line, out); // HA4
            } else if (request == BoostRequest.UNBOOST) {
                released = s.guestHeld; // §5.4
                s.guestHeld = false;
            }
        }
        if (!changed) {
            return out;
        }
        if (s.boosted && !s.guestHeld && !s.hostHeld) {
            // nobody holds the boost any more (guest release, host-boost ack, or both)
            boolean denied = out.publish();
            DenialReason denial = denied ? out.denial() : DenialReason.NONE;
            endBoost(s, t, out);
            if (!denied) {
                out.outcome(released ? Outcome.RELEASED : Outcome.HOST_ACKED, out.reasons());
            }
            publish(s, SlotStatus.NORMAL, denial, out);
        } else if (!out.publish()) {
            publish(s, s.boosted ? SlotStatus.BOOSTED : SlotStatus.NORMAL, DenialReason.NONE, out);
        }
        return out;
    }

    /** HB3 by acknowledgement; true if the host's hold ended. An ack above the newest id is ignored, counted. */
    private static boolean acknowledge(SlotLedger s, long t, long ack, Decision out) {
        if (ack == s.lastAck) {
            return false;
        }
        s.lastAck = ack;
        if (ack > s.hostBoostId) {
            out.note(Decision.NOTE_ACK_OUT_OF_RANGE);
            return false;
        }
        if (s.boosted && s.hostHeld && ack >= s.hostBoostId) {
            s.hostHeld = false;
            return true;
        }
        return false;
    }

    /** HA3: answered INVALID_REQUEST; a guest-requested boost in force ends, a host-initiated one does not. */
    private Decision invalid(SlotLedger s, long t, int reasons, Decision out) {
        if (s.boosted && s.guestHeld) {
            s.guestHeld = false;
            if (!s.hostHeld) {
                endBoost(s, t, out);
            }
        }
        out.outcome(Outcome.INVALID, reasons);
        publish(s, s.boosted ? SlotStatus.BOOSTED : SlotStatus.NORMAL, DenialReason.INVALID_REQUEST, out);
        return out;
    }

    private void guestBoost(SlotLedger s, long t, GuestSlotSnapshot line, Decision out) {
        int reasons = line.reasons();
        if (!config.enabled()) {
            deny(s, reasons, SlotStatus.DISABLED, DenialReason.DISABLED, out);
            return;
        }
        boolean nice = line.policy() == SchedPolicy.NORMAL;
        if (!config.allows(reasons) || (nice && !Feature.NICE_HINTS.in(acceptedFeatures))) {
            deny(s, reasons, SlotStatus.NORMAL, DenialReason.REASON_NOT_ALLOWED, out); // §8.5, §3.6 NICE_HINTS
            return;
        }
        if (s.boosted) {
            s.guestHeld = true;
            s.boostReasons |= reasons;
            out.outcome(Outcome.JOINED, reasons);
            publish(s, SlotStatus.BOOSTED, DenialReason.NONE, out);
            return;
        }
        long remaining = budgetRemaining(s, t);
        if (remaining <= 0) {
            s.refillAt = refillAt(s);
            deny(s, reasons, SlotStatus.THROTTLED, DenialReason.BUDGET_EXHAUSTED, out);
            return;
        }
        if (!s.roomForBoost(t, config)) {
            s.refillAt = s.roomAt(config);
            deny(s, reasons, SlotStatus.THROTTLED, DenialReason.RATE_LIMITED, out);
            return;
        }
        // §8.1: the guest's class and priority are hints: the VM's policy, clamped to the ceiling
        if (nice) {
            out.boost(SchedPolicy.NORMAL, 0, Math.max(line.nice(), config.niceFloor()));
        } else {
            out.boost(config.boostPolicy(), Math.min(line.priority(), config.priorityCeiling()), 0);
        }
        startBoost(s, t, remaining, out);
        s.guestHeld = true;
        s.boostReasons = reasons;
        out.outcome(Outcome.GRANTED, reasons);
        publish(s, SlotStatus.BOOSTED, DenialReason.NONE, out);
    }

    private void deny(SlotLedger s, int reasons, SlotStatus idleStatus, DenialReason why, Decision out) {
        out.outcome(Outcome.DENIED, reasons);
        publish(s, s.boosted ? SlotStatus.BOOSTED : idleStatus, why, out);
    }

    /**
     * The host wants to boost the slot on its own (spec §5.5; an interrupt injected, a timer, a halted vCPU
     * woken). HB1: the decision carries the next host boost id; HB2: the agent raises the thread if
     * {@link Decision#action()} says so, then publishes the line. A refused host boost publishes nothing.
     *
     * @param flags non-empty bit set of {@link HostBoostFlag}
     */
    public Decision onHostBoost(int slot, long now, int flags, Decision out) {
        if (flags == 0 || HostBoostFlag.hasUndefinedBits(flags)) {
            throw new IllegalArgumentException("host boost flags 0x" + Integer.toHexString(flags)
                    + " must be a non-empty set of HostBoostFlag bits");
        }
        SlotLedger s = slots[slot];
        out.reset();
        out.hostInitiated(true);
        long t = advance(s, now);
        if (s.boosted && t >= s.nextDeadline()) {
            tickInto(s, t, out);
            out.deferred(true);
            return out;
        }
        if (!config.enabled() || !config.hostBoostEnabled() || !Feature.HOST_BOOST.in(acceptedFeatures)
                || s.hostBoostId == Long.MAX_VALUE) {
            return hostDenied(out, DenialReason.DISABLED); // §3.6: without HOST_BOOST the host MUST NOT
        }
        if (!s.boosted) {
            long remaining = budgetRemaining(s, t);
            if (remaining <= 0) {
                return hostDenied(out, DenialReason.BUDGET_EXHAUSTED);
            }
            if (!s.roomForBoost(t, config)) {
                return hostDenied(out, DenialReason.RATE_LIMITED);
            }
            out.boost(config.boostPolicy(), config.priorityCeiling(), 0);
            startBoost(s, t, remaining, out);
            s.boostReasons = 0;
        }
        s.hostHeld = true;
        s.hostDeadline = t + config.hostBoostTimeoutNanos();
        s.hostBoostIdBefore = s.hostBoostId;
        s.hostBoostId++;                                               // HB1
        s.hostFlags = flags;
        out.outcome(Outcome.HOST_GRANTED, 0);
        publish(s, SlotStatus.BOOSTED, DenialReason.NONE, out);        // HB2, once the thread is raised
        return out;
    }

    private static Decision hostDenied(Decision out, DenialReason d) {
        out.outcome(Outcome.HOST_DENIED, 0);
        out.countOnly(SlotStatus.NORMAL, d);
        return out;
    }

    /**
     * The thread's priority change of the last BOOST took effect at {@code at} (after the actuator returned):
     * expiry, the host-boost timeout and budget run from here, not from the decision (spec §5.6, §8.2).
     */
    public void applied(int slot, long at) {
        SlotLedger s = slots[slot];
        if (!s.boosted) {
            return;
        }
        long t = Math.max(at, s.lastNow);
        s.chargedUntil = t; // the thread was not raised before: that time is not boosted time
        advance(s, t);
        s.boostStart = t;
        setDeadline(s, t, s.budgetRemaining(config));
        syncVm(t);
        if (s.hostHeld) {
            s.hostDeadline = t + config.hostBoostTimeoutNanos();
        }
    }

    /** Ends whatever is due at {@code now}: an overdue boost, a host hold past its timeout, a refilled throttle. */
    public Decision tick(int slot, long now, Decision out) {
        SlotLedger s = slots[slot];
        out.reset();
        long t = advance(s, now);
        tickInto(s, t, out);
        return out;
    }

    private void tickInto(SlotLedger s, long t, Decision out) {
        if (!s.boosted) {
            if (s.status == SlotStatus.THROTTLED && t >= s.refillAt) {
                publish(s, SlotStatus.NORMAL, s.denial, out); // §8.3: the window refilled
            }
            return;
        }
        boolean vmExhausted = false;
        if (vmBudget > 0) {
            syncVm(t);
            vmExhausted = vmUsed >= vmBudget;
        }
        if (t >= s.deadline || vmExhausted) {
            boolean byBudget = s.deadlineByBudget || (vmExhausted && t < s.deadline);
            endBoost(s, t, out);
            out.outcome(byBudget ? Outcome.THROTTLED : Outcome.EXPIRED, out.reasons());
            if (byBudget) {
                s.refillAt = refillAt(s);
                publish(s, SlotStatus.THROTTLED, DenialReason.BUDGET_EXHAUSTED, out);
            } else {
                publish(s, SlotStatus.NORMAL, DenialReason.EXPIRED, out); // §5.6, acted id unchanged
            }
        } else if (s.hostHeld && t >= s.hostDeadline) {
            s.hostHeld = false;                                          // HB3 by timeout
            out.hostInitiated(true);
            out.outcome(Outcome.HOST_TIMED_OUT, 0);
            if (!s.guestHeld) {
                endBoost(s, t, out);
                out.outcome(Outcome.HOST_TIMED_OUT, 0);
                publish(s, SlotStatus.NORMAL, DenialReason.NONE, out);
            } else {
                publish(s, SlotStatus.BOOSTED, s.denial, out); // the guest's boost stays; flags 0
            }
        }
    }

    /**
     * The actuator could not carry out the last BOOST: the thread is not raised. A guest boost is answered
     * NORMAL with ACTUATOR_FAILED (HA5); a host boost is forgotten (its id not used) and publishes nothing.
     */
    public Decision actuatorFailed(int slot, long now, boolean hostBoost, Decision out) {
        SlotLedger s = slots[slot];
        int reasons = s.boostReasons;
        out.reset();
        long t = advance(s, now);
        if (s.boosted) {
            s.boosted = false;
            boostedSlots--;
        }
        s.guestHeld = false;
        s.hostHeld = false;
        s.hostFlags = 0;
        if (hostBoost) {
            s.hostBoostId = s.hostBoostIdBefore;
            out.hostInitiated(true);
            return hostDenied(out, DenialReason.ACTUATOR_FAILED);
        }
        out.outcome(Outcome.DENIED, reasons);
        publish(s, SlotStatus.NORMAL, DenialReason.ACTUATOR_FAILED, out);
        return out;
    }

    /** Restoring the thread failed after {@code d} ended a boost: the line says ACTUATOR_FAILED (HA5). */
    public void restoreFailed(int slot, Decision d) {
        slots[slot].denial = DenialReason.ACTUATOR_FAILED;
        d.denial(DenialReason.ACTUATOR_FAILED);
    }

    /**
     * Ends the slot's boost without a guest request (detach §5.8, VM removed, agent stopping): UNBOOST if it was
     * boosted, and NORMAL published if the line said anything else. Budget and rate history stay.
     */
    public Decision end(int slot, long now, Decision out) {
        SlotLedger s = slots[slot];
        out.reset();
        long t = advance(s, now);
        if (s.boosted) {
            endBoost(s, t, out);
        }
        if (s.status != SlotStatus.NORMAL || s.denial != DenialReason.NONE) {
            publish(s, SlotStatus.NORMAL, DenialReason.NONE, out);
        }
        return out;
    }

    /** When {@link #tick} must run next for this slot; {@link Long#MAX_VALUE} if nothing is pending. */
    public long nextDeadline(int slot) {
        SlotLedger s = slots[slot];
        if (s.boosted) {
            return vmBudget > 0 ? Math.min(s.nextDeadline(), vmDeadline()) : s.nextDeadline();
        }
        return s.status == SlotStatus.THROTTLED ? s.refillAt : Long.MAX_VALUE;
    }

    public boolean isBoosted(int slot) {
        return slots[slot].boosted;
    }

    /** True while a host-initiated boost holds the slot (not yet acknowledged or timed out). */
    public boolean isHostHeld(int slot) {
        return slots[slot].boosted && slots[slot].hostHeld;
    }

    /** When the current boost of {@code slot} was applied; meaningless unless {@link #isBoosted(int)}. */
    public long boostStart(int slot) {
        return slots[slot].boostStart;
    }

    /** Newest guest request id acted on. */
    public long actedRequestId(int slot) {
        return slots[slot].actedRequestId;
    }

    /** Newest host boost id published. */
    public long hostBoostId(int slot) {
        return slots[slot].hostBoostId;
    }

    /** Budget left in the slot's current window as of the last event. */
    public long budgetRemainingNanos(int slot) {
        return slots[slot].budgetRemaining(config);
    }

    /** Moves the slot's clock (and the VM's budget window) to {@code now}; the slot's charge counts for the VM. */
    private long advance(SlotLedger s, long now) {
        long t = s.advance(now, config);
        if (vmBudget > 0) {
            rollVmWindow(t);
            vmUsed += s.charged;
        }
        s.charged = 0;
        return t;
    }

    private void rollVmWindow(long t) {
        long w = config.windowNanos();
        if (!vmWindowStarted) {
            vmWindowStarted = true;
            vmWindowStart = t;
        } else if (t - vmWindowStart >= w) {
            vmWindowStart += ((t - vmWindowStart) / w) * w;
            vmUsed = 0;
        }
    }

    /** Charges every boosted slot up to {@code t}, so the VM's use is current (only with a VM budget). */
    private void syncVm(long t) {
        if (vmBudget <= 0 || t < vmSyncedAt) {
            return;
        }
        for (SlotLedger o : slots) {
            if (o.boosted) {
                advance(o, t);
            }
        }
        rollVmWindow(t);
        vmSyncedAt = t;
    }

    /** When the VM's budget runs out if every boosted slot stays boosted. */
    private long vmDeadline() {
        if (boostedSlots <= 0) {
            return Long.MAX_VALUE;
        }
        long left = Math.max(0, vmBudget - vmUsed);
        return Math.min(vmSyncedAt + (left + boostedSlots - 1) / boostedSlots, vmWindowStart + config.windowNanos());
    }

    /** Budget left for a new boost of {@code s}: the slot's, and the VM's when it has one. */
    private long budgetRemaining(SlotLedger s, long t) {
        long remaining = s.budgetRemaining(config);
        if (vmBudget > 0) {
            syncVm(t);
            remaining = Math.min(remaining, vmBudget - vmUsed);
        }
        return remaining;
    }

    /** When a slot throttled for its budget (or the VM's) may boost again. */
    private long refillAt(SlotLedger s) {
        long slotRefill = s.windowStart + config.windowNanos();
        if (vmBudget > 0 && vmUsed >= vmBudget) {
            return Math.max(slotRefill, vmWindowStart + config.windowNanos());
        }
        return slotRefill;
    }

    private void startBoost(SlotLedger s, long t, long remaining, Decision out) {
        syncVm(t);
        s.recordTransition(t, config);
        s.boosted = true;
        boostedSlots++;
        s.boostStart = t;
        s.chargedUntil = t;
        s.appliedPolicy = out.policy();
        s.appliedPriority = out.priority();
        setDeadline(s, t, remaining);
    }

    private void setDeadline(SlotLedger s, long t, long remaining) {
        long byMax = t + config.maxBoostNanos();
        long byBudget = t + remaining;
        s.deadlineByBudget = byBudget < byMax;
        s.deadline = Math.min(byMax, byBudget);
    }

    private void endBoost(SlotLedger s, long t, Decision out) {
        syncVm(t);
        s.recordTransition(t, config);
        s.boosted = false;
        boostedSlots--;
        s.guestHeld = false;
        s.hostHeld = false;
        out.unboost();
        out.endedBoostNanos(t - s.boostStart);
        out.outcome(out.outcome(), s.boostReasons);
    }

    /** The one place a slot's host line is composed (spec §3.5): whatever the engine decided, whole. */
    private void publish(SlotLedger s, SlotStatus status, DenialReason denial, Decision out) {
        s.status = status;
        s.denial = denial;
        boolean boosted = status == SlotStatus.BOOSTED;
        if (!s.hostHeld) {
            s.hostFlags = 0; // HB3: flags 0 once the host's boost ended
        }
        long budgetUs = Feature.BUDGET_REPORT.in(acceptedFeatures)
                ? Math.min(0xFFFF_FFFFL, s.budgetRemaining(config) / 1000) : 0; // §3.5: 0 unless accepted
        out.line(status, boosted ? s.appliedPolicy : SchedPolicy.NORMAL, boosted ? s.appliedPriority : 0, denial,
                boosted ? s.hostFlags : 0, (int) budgetUs, s.actedRequestId, s.hostBoostId);
    }

    /** Everything the engine remembers about one slot, including its host line. */
    private static final class SlotLedger {
        // the host line as last decided (spec §3.5)
        SlotStatus status = SlotStatus.NORMAL;
        DenialReason denial = DenialReason.NONE;
        SchedPolicy appliedPolicy = SchedPolicy.NORMAL;
        int appliedPriority;
        int hostFlags;
        long actedRequestId;
        long hostBoostId;
        long hostBoostIdBefore;
        /** Last acknowledgement looked at, so one out-of-range ack is counted once. */
        long lastAck;

        boolean boosted;
        boolean guestHeld;
        boolean hostHeld;
        boolean deadlineByBudget;
        long boostStart;
        long deadline;
        long hostDeadline;
        /** When a THROTTLED slot may be NORMAL again. */
        long refillAt;
        int boostReasons;
        long lastNow = Long.MIN_VALUE;

        boolean windowStarted;
        long windowStart;
        long used;
        long chargedUntil;
        /** Boosted time charged by the last {@link #advance}, for the VM's budget. */
        long charged;

        /** Times of the latest transitions, newest at {@code head - 1}; allocated on first use. */
        long[] ring = new long[0];
        int head;
        int count;

        long nextDeadline() {
            return hostHeld && !guestHeld ? Math.min(deadline, hostDeadline) : deadline;
        }

        /** Moves the slot's clock to {@code now} (never backwards), rolls budget windows, charges boosted time. */
        long advance(long now, PolicyConfig config) {
            long t = Math.max(now, lastNow);
            lastNow = t;
            if (!windowStarted) {
                windowStarted = true;
                windowStart = t;
                used = 0;
            }
            long w = config.windowNanos();
            if (t - windowStart >= w) {
                if (boosted) {
                    // the part of the running boost that fell in the window now closing belongs to it alone
                    chargedUntil = Math.max(chargedUntil, windowStart + w);
                }
                windowStart += ((t - windowStart) / w) * w;
                used = 0;
                if (boosted) {
                    chargedUntil = Math.max(chargedUntil, windowStart);
                }
            }
            if (boosted && t > chargedUntil) {
                used += t - chargedUntil;
                charged += t - chargedUntil;
                chargedUntil = t;
            }
            return t;
        }

        long budgetRemaining(PolicyConfig config) {
            return Math.max(0, config.budgetNanos() - used);
        }

        /** Room for a boost and its later unboost: at most N-2 changes in the last second. */
        boolean roomForBoost(long t, PolicyConfig config) {
            int n = config.maxTransitionsPerSecond();
            if (count < n - 1) {
                return true;
            }
            return oldestCounted(n) <= t - ONE_SECOND;
        }

        /** When {@link #roomForBoost} turns true again, absent new changes. */
        long roomAt(PolicyConfig config) {
            int n = config.maxTransitionsPerSecond();
            return count < n - 1 ? lastNow : oldestCounted(n) + ONE_SECOND;
        }

        private long oldestCounted(int n) {
            return ring[Math.floorMod(head - (n - 1), n)]; // the (n-1)-th newest change
        }

        void recordTransition(long t, PolicyConfig config) {
            int n = config.maxTransitionsPerSecond();
            if (ring.length != n) {
                ring = new long[n];
            }
            ring[head] = t;
            head = (head + 1) % n;
            if (count < n) {
                count++;
            }
        }
    }
}
