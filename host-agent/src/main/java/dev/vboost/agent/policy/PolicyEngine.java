package dev.vboost.agent.policy;

import dev.vboost.api.GuestSlotSnapshot;
import dev.vboost.api.WireError;
import dev.vboost.api.wire.BoostRequest;
import dev.vboost.api.wire.DenialReason;
import dev.vboost.api.wire.HostBoostFlag;
import dev.vboost.api.wire.SchedPolicy;
import dev.vboost.api.wire.SlotStatus;

/**
 * The boost policy of one VM as a pure state machine: no I/O, no clock of its own, no threads. The agent
 * feeds it events stamped with the host's monotonic clock (never a guest time) and carries out the
 * {@link Decision}s; tests drive it with a fake clock.
 *
 * <p>Per slot (vCPU) it keeps these promises, whatever the guest writes:
 * <ul>
 *   <li>a boost uses the VM's policy (FIFO or RR) at a priority no higher than the ceiling;</li>
 *   <li>a boost ends no later than its deadline: {@code maxBoostNanos} after it began, or earlier when the
 *       window's budget runs out; it is never extended, a repeated BOOST only joins it; to be boosted again
 *       the guest releases and asks with a new request id;</li>
 *   <li>boosted time within each budget window (consecutive windows of {@code windowNanos} starting at the
 *       slot's first event) never exceeds {@code budgetNanos};</li>
 *   <li>at most {@code maxTransitionsPerSecond} priority changes in any one-second interval: a boost is
 *       only started when there is room for it and its unboost; an unboost is never refused;</li>
 *   <li>a host-initiated boost ends on the guest's acknowledgement or after {@code hostBoostTimeoutNanos},
 *       whichever is first, unless the guest holds a boost of its own.</li>
 * </ul>
 * The agent must call {@link #tick} no later than {@link #nextDeadline(int)}; events that arrive late first end
 * the overdue boost ({@link Decision#deferred()}). Time never runs backwards here: an earlier timestamp
 * than one already seen is treated as the later one. Not thread-safe: one agent thread owns it.
 */
public final class PolicyEngine {
    private static final long ONE_SECOND = 1_000_000_000L;

    private final PolicyConfig config;
    private final SlotLedger[] slots;

    public PolicyEngine(PolicyConfig config, int slotCount) {
        if (slotCount < 1) {
            throw new IllegalArgumentException("slot count must be positive, got " + slotCount);
        }
        this.config = config;
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

    /**
     * A slot's guest line changed (or a NOTIFY named it): act on the validated copy {@code line}.
     * Stale request ids (not above the newest acted on) change nothing.
     */
    public Decision onGuestLine(int slot, long now, GuestSlotSnapshot line, Decision out) {
        SlotLedger s = slots[slot];
        out.reset();
        long t = s.advance(now, config);
        if (s.boosted && t >= s.nextDeadline()) {
            tickInto(s, t, out);
            out.deferred(true);
            return out;
        }
        WireError error = line.validate();
        if (error != WireError.NONE) {
            if (s.invalidCopySeen && line.seq() == s.invalidCopySeq && line.requestId() == s.invalidCopyId) {
                return out; // the same invalid write read again (a busy retry and a poll): answered and counted once
            }
            s.invalidCopySeen = true;
            s.invalidCopySeq = line.seq();
            s.invalidCopyId = line.requestId();
            long id = line.requestId();
            if (id > s.actedRequestId) {
                s.actedRequestId = id;
            }
            int reasons = line.reasons() & dev.vboost.api.wire.BoostReason.DEFINED_MASK;
            if (s.boosted) {
                endBoost(s, t, out);
            }
            out.outcome(Outcome.INVALID, reasons);
            publish(s, t, SlotStatus.NORMAL, DenialReason.INVALID_REQUEST, out);
            return out;
        }
        s.invalidCopySeen = false;

        boolean changed = false;
        boolean released = false;
        if (s.hostHeld && s.hostBoostId != 0 && line.hostBoostAck() >= s.hostBoostId) {
            s.hostHeld = false; // spec §5.5: the guest has seen the host boost; the host's hold ends
            changed = true;
        }
        long id = line.requestId();
        if (id > s.actedRequestId) {
            s.actedRequestId = id;
            changed = true;
            BoostRequest request = line.request();
            if (request == BoostRequest.BOOST) {
                guestBoost(s, t, line, out);
            } else if (request == BoostRequest.UNBOOST) {
                released = s.guestHeld;
                s.guestHeld = false;
            }
        }
        if (!changed) {
            return out;
        }
        if (s.hostHeld && t >= s.hostDeadline) {
            s.hostHeld = false;
        }
        if (s.boosted && !s.guestHeld && !s.hostHeld) {
            // nobody holds the boost any more (guest release, host-boost ack, or both)
            boolean denied = out.publish();
            DenialReason denial = denied ? out.denial() : DenialReason.NONE;
            endBoost(s, t, out);
            if (!denied) {
                out.outcome(released ? Outcome.RELEASED : Outcome.HOST_ACKED, out.reasons());
            }
            publish(s, t, SlotStatus.NORMAL, denial, out);
        } else if (!out.publish()) {
            publish(s, t, s.boosted ? SlotStatus.BOOSTED : SlotStatus.NORMAL, DenialReason.NONE, out);
        }
        return out;
    }

    private void guestBoost(SlotLedger s, long t, GuestSlotSnapshot line, Decision out) {
        int reasons = line.reasons();
        if (!config.enabled()) {
            deny(s, t, reasons, SlotStatus.DISABLED, DenialReason.DISABLED, out);
            return;
        }
        if (!config.allows(reasons)) {
            deny(s, t, reasons, SlotStatus.NORMAL, DenialReason.REASON_NOT_ALLOWED, out);
            return;
        }
        if (s.boosted) {
            s.guestHeld = true;
            s.boostReasons |= reasons;
            out.outcome(Outcome.JOINED, reasons);
            publish(s, t, SlotStatus.BOOSTED, DenialReason.NONE, out);
            return;
        }
        long remaining = s.budgetRemaining(config);
        if (remaining <= 0) {
            deny(s, t, reasons, SlotStatus.THROTTLED, DenialReason.BUDGET_EXHAUSTED, out);
            return;
        }
        if (!s.roomForBoost(t, config)) {
            deny(s, t, reasons, SlotStatus.THROTTLED, DenialReason.RATE_LIMITED, out);
            return;
        }
        // the guest's class and priority are hints: the VM's policy, clamped to the ceiling
        if (line.policy() == SchedPolicy.NORMAL) {
            out.boost(SchedPolicy.NORMAL, 0, Math.max(line.nice(), config.niceFloor()));
        } else {
            out.boost(config.boostPolicy(), Math.min(line.priority(), config.priorityCeiling()), 0);
        }
        startBoost(s, t, remaining, config.maxBoostNanos());
        s.guestHeld = true;
        s.boostReasons = reasons;
        out.outcome(Outcome.GRANTED, reasons);
        publish(s, t, SlotStatus.BOOSTED, DenialReason.NONE, out);
    }

    private void deny(SlotLedger s, long t, int reasons, SlotStatus idleStatus, DenialReason why, Decision out) {
        out.outcome(Outcome.DENIED, reasons);
        publish(s, t, s.boosted ? SlotStatus.BOOSTED : idleStatus, why, out);
    }

    /**
     * The host wants to boost the slot on its own (spec §5.5; an interrupt injected, a timer, a halted vCPU
     * woken). On {@link Outcome#HOST_GRANTED} the agent raises the thread if {@link Decision#action()} says so,
     * publishes through {@code HostEndpoint.startHostBoost} and reports the id with {@link #hostBoostStarted}.
     * Host decisions never publish by themselves.
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
        long t = s.advance(now, config);
        if (s.boosted && t >= s.nextDeadline()) {
            tickInto(s, t, out);
            out.deferred(true);
            return out;
        }
        out.actedRequestId(s.actedRequestId);
        out.budgetRemainingNanos(s.budgetRemaining(config));
        if (!config.enabled() || !config.hostBoostEnabled()) {
            out.outcome(Outcome.HOST_DENIED, 0);
            return withDenial(out, DenialReason.DISABLED);
        }
        if (s.boosted) {
            s.hostHeld = true;
            s.hostDeadline = t + config.hostBoostTimeoutNanos();
            out.outcome(Outcome.HOST_GRANTED, 0);
            return out;
        }
        long remaining = s.budgetRemaining(config);
        if (remaining <= 0) {
            out.outcome(Outcome.HOST_DENIED, 0);
            return withDenial(out, DenialReason.BUDGET_EXHAUSTED);
        }
        if (!s.roomForBoost(t, config)) {
            out.outcome(Outcome.HOST_DENIED, 0);
            return withDenial(out, DenialReason.RATE_LIMITED);
        }
        out.boost(config.boostPolicy(), config.priorityCeiling(), 0);
        startBoost(s, t, remaining, config.maxBoostNanos());
        s.hostHeld = true;
        s.hostDeadline = t + config.hostBoostTimeoutNanos();
        s.boostReasons = 0;
        out.outcome(Outcome.HOST_GRANTED, 0);
        return out;
    }

    private static Decision withDenial(Decision out, DenialReason d) {
        // host denials are not published; the status/denial fields carry the cause for counting
        out.publishFieldsOnly(SlotStatus.NORMAL, d);
        return out;
    }

    /** The id {@code HostEndpoint.startHostBoost} gave the host boost just granted; acks are matched to it. */
    public void hostBoostStarted(int slot, long hostBoostId) {
        slots[slot].hostBoostId = hostBoostId;
    }

    /** Ends whatever is due at {@code now}: an overdue boost, or a host hold past its timeout. */
    public Decision tick(int slot, long now, Decision out) {
        SlotLedger s = slots[slot];
        out.reset();
        long t = s.advance(now, config);
        tickInto(s, t, out);
        return out;
    }

    private void tickInto(SlotLedger s, long t, Decision out) {
        if (!s.boosted) {
            return;
        }
        if (t >= s.deadline) {
            boolean byBudget = s.deadlineByBudget;
            endBoost(s, t, out);
            out.outcome(byBudget ? Outcome.THROTTLED : Outcome.EXPIRED, out.reasons());
            if (byBudget) {
                publish(s, t, SlotStatus.THROTTLED, DenialReason.BUDGET_EXHAUSTED, out);
            } else {
                publish(s, t, SlotStatus.NORMAL, DenialReason.EXPIRED, out);
            }
        } else if (s.hostHeld && t >= s.hostDeadline) {
            s.hostHeld = false;
            if (!s.guestHeld) {
                endBoost(s, t, out);
                out.outcome(Outcome.HOST_TIMED_OUT, 0);
                publish(s, t, SlotStatus.NORMAL, DenialReason.NONE, out);
            }
        }
    }

    /**
     * The actuator could not carry out the last BOOST: the thread is not raised. Forgets the boost and
     * publishes NORMAL with {@code ACTUATOR_FAILED}. After a failed UNBOOST the engine already counts the
     * slot as unboosted; the agent retries the restore on its own.
     */
    public Decision actuatorFailed(int slot, long now, Decision out) {
        SlotLedger s = slots[slot];
        int reasons = s.boostReasons;
        out.reset();
        long t = s.advance(now, config);
        if (s.boosted) {
            s.boosted = false;
            s.guestHeld = false;
            s.hostHeld = false;
        }
        out.outcome(Outcome.DENIED, reasons);
        publish(s, t, SlotStatus.NORMAL, DenialReason.ACTUATOR_FAILED, out);
        return out;
    }

    /** When {@link #tick} must run next for this slot; {@link Long#MAX_VALUE} if nothing is pending. */
    public long nextDeadline(int slot) {
        SlotLedger s = slots[slot];
        return s.boosted ? s.nextDeadline() : Long.MAX_VALUE;
    }

    public boolean isBoosted(int slot) {
        return slots[slot].boosted;
    }

    /** True while a host-initiated boost holds the slot (not yet acknowledged or timed out). */
    public boolean isHostHeld(int slot) {
        return slots[slot].boosted && slots[slot].hostHeld;
    }

    /**
     * Forgets every boost without deciding anything, as when the agent puts all threads back (stop, guest
     * detach, host restart). Budget and rate history stay.
     */
    public void dropAll(long now) {
        for (SlotLedger s : slots) {
            s.advance(now, config);
            if (s.boosted) {
                s.recordTransition(s.lastNow, config);
            }
            s.boosted = false;
            s.guestHeld = false;
            s.hostHeld = false;
        }
    }

    /** When the current boost of {@code slot} began; meaningless unless {@link #isBoosted(int)}. */
    public long boostStart(int slot) {
        return slots[slot].boostStart;
    }

    /** Newest guest request id acted on. */
    public long actedRequestId(int slot) {
        return slots[slot].actedRequestId;
    }

    /** Budget left in the slot's current window as of the last event. */
    public long budgetRemainingNanos(int slot) {
        return slots[slot].budgetRemaining(config);
    }

    private void startBoost(SlotLedger s, long t, long remaining, long maxBoost) {
        s.recordTransition(t, config);
        s.boosted = true;
        s.boostStart = t;
        s.chargedUntil = t;
        long byMax = t + maxBoost;
        long byBudget = t + remaining;
        s.deadlineByBudget = byBudget < byMax;
        s.deadline = Math.min(byMax, byBudget);
    }

    private void endBoost(SlotLedger s, long t, Decision out) {
        s.recordTransition(t, config);
        s.boosted = false;
        s.guestHeld = false;
        s.hostHeld = false;
        out.unboost();
        out.endedBoostNanos(t - s.boostStart);
        out.outcome(out.outcome(), s.boostReasons);
    }

    private void publish(SlotLedger s, long t, SlotStatus status, DenialReason denial, Decision out) {
        out.publish(status, denial);
        out.actedRequestId(s.actedRequestId);
        out.budgetRemainingNanos(s.budgetRemaining(config));
    }

    /** Everything the engine remembers about one slot. */
    private static final class SlotLedger {
        /** Counter and request id of the last invalid line answered, so one invalid write is answered once. */
        boolean invalidCopySeen;
        int invalidCopySeq;
        long invalidCopyId;
        boolean boosted;
        boolean guestHeld;
        boolean hostHeld;
        boolean deadlineByBudget;
        long boostStart;
        long deadline;
        long hostDeadline;
        long hostBoostId;
        int boostReasons;
        long actedRequestId;
        long lastNow = Long.MIN_VALUE;

        boolean windowStarted;
        long windowStart;
        long used;
        long chargedUntil;

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
            if (boosted) {
                used += t - chargedUntil;
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
            long older = ring[Math.floorMod(head - (n - 1), n)]; // the (n-1)-th newest change
            return older <= t - ONE_SECOND;
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
