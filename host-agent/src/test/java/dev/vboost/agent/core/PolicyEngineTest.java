package dev.vboost.agent.core;

import dev.vboost.agent.policy.PolicyConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vboost.api.GuestSlotSnapshot;
import dev.vboost.api.wire.BoostReason;
import dev.vboost.api.wire.DenialReason;
import dev.vboost.api.wire.Feature;
import dev.vboost.api.wire.HostBoostFlag;
import dev.vboost.api.wire.SchedPolicy;
import dev.vboost.api.wire.SlotStatus;
import org.junit.jupiter.api.Test;

/** Example-based checks of each policy rule; {@link PolicyPropertyTest} covers generated streams. */
class PolicyEngineTest {
    private static final long MS = 1_000_000L;
    private static final int BOOST = 1;
    private static final int UNBOOST = 2;
    private static final int IRQ = BoostReason.IRQ.bit();

    private final GuestSlotSnapshot line = new GuestSlotSnapshot();
    private final Decision d = new Decision();

    /** An engine whose guest accepted every feature. */
    static PolicyEngine engine(PolicyConfig c, int slots) {
        PolicyEngine e = new PolicyEngine(c, slots);
        e.acceptedFeatures(Feature.DEFINED_MASK);
        return e;
    }

    private Decision guest(PolicyEngine e, long now, int request, int policy, int prio, int reasons, long id) {
        line.set(0, request, policy, prio, 0, reasons, id, 0).validate(); // HA1: the reader checks the copy once
        return e.onGuestLine(0, now, line, d);
    }

    @Test
    void grantsClampedToCeilingWithTheVmPolicy() {
        PolicyEngine e = engine(PolicyConfig.builder().boostPolicy(SchedPolicy.FIFO).priorityCeiling(10).build(), 1);
        Decision r = guest(e, 0, BOOST, SchedPolicy.RR.code(), 90, IRQ, 1);
        assertEquals(Decision.Action.BOOST, r.action());
        assertEquals(SchedPolicy.FIFO, r.policy());
        assertEquals(10, r.priority());
        assertEquals(SlotStatus.BOOSTED, r.status());
        assertEquals(1, r.actedRequestId());
        assertEquals(Outcome.GRANTED, r.outcome());
        assertEquals(3 * MS, e.nextDeadline(0));
    }

    @Test
    void expiresAtTheLongestBoostWithoutGuestHelp() {
        PolicyEngine e = engine(PolicyConfig.defaults(), 1);
        guest(e, 100, BOOST, 1, 5, IRQ, 1);
        assertEquals(Decision.Action.NONE, e.tick(0, 100 + 3 * MS - 1, d).action());
        Decision r = e.tick(0, 100 + 3 * MS, d);
        assertEquals(Decision.Action.UNBOOST, r.action());
        assertEquals(DenialReason.EXPIRED, r.denial());
        assertEquals(Outcome.EXPIRED, r.outcome());
        assertEquals(3 * MS, r.endedBoostNanos());
        // the same request never boosts again; a repeat of it changes nothing
        assertEquals(Decision.Action.NONE, guest(e, 4 * MS, BOOST, 1, 5, IRQ, 1).action());
        assertEquals(Decision.Action.BOOST, guest(e, 4 * MS, BOOST, 1, 5, IRQ, 2).action());
    }

    @Test
    void lateEventEndsTheOverdueBoostFirst() {
        PolicyEngine e = engine(PolicyConfig.defaults(), 1);
        guest(e, 0, BOOST, 1, 5, IRQ, 1);
        Decision r = guest(e, 10 * MS, BOOST, 1, 5, IRQ, 2);
        assertTrue(r.deferred());
        assertEquals(Decision.Action.UNBOOST, r.action());
        Decision again = guest(e, 10 * MS, BOOST, 1, 5, IRQ, 2);
        assertFalse(again.deferred());
        assertEquals(Decision.Action.BOOST, again.action());
    }

    @Test
    void repeatedBoostJoinsAndNeverExtends() {
        PolicyEngine e = engine(PolicyConfig.defaults(), 1);
        guest(e, 0, BOOST, 1, 5, IRQ, 1);
        Decision r = guest(e, 2 * MS, BOOST, 1, 7, IRQ, 2);
        assertEquals(Outcome.JOINED, r.outcome());
        assertEquals(Decision.Action.NONE, r.action());
        assertEquals(3 * MS, e.nextDeadline(0));
    }

    @Test
    void releaseUnboosts() {
        PolicyEngine e = engine(PolicyConfig.defaults(), 1);
        guest(e, 0, BOOST, 1, 5, IRQ, 1);
        Decision r = guest(e, MS, UNBOOST, 0, 0, 0, 2);
        assertEquals(Decision.Action.UNBOOST, r.action());
        assertEquals(Outcome.RELEASED, r.outcome());
        assertEquals(SlotStatus.NORMAL, r.status());
        assertEquals(DenialReason.NONE, r.denial());
        assertEquals(Long.MAX_VALUE, e.nextDeadline(0));
    }

    @Test
    void reasonNotAllowedAndDisabled() {
        PolicyEngine e = engine(PolicyConfig.builder().allowedReasons(BoostReason.RT_TASK.bit()).build(), 1);
        Decision r = guest(e, 0, BOOST, 1, 5, IRQ, 1);
        assertEquals(Outcome.DENIED, r.outcome());
        assertEquals(DenialReason.REASON_NOT_ALLOWED, r.denial());
        assertEquals(Decision.Action.NONE, r.action());
        PolicyEngine off = engine(PolicyConfig.builder().enabled(false).build(), 1);
        Decision r2 = guest(off, 0, BOOST, 1, 5, IRQ, 1);
        assertEquals(DenialReason.DISABLED, r2.denial());
        assertEquals(SlotStatus.DISABLED, r2.status());
    }

    @Test
    void budgetEndsBoostsAndThrottlesUntilTheNextWindow() {
        PolicyConfig c = PolicyConfig.builder().maxBoostNanos(3 * MS).budget(5 * MS, 10 * MS).build();
        PolicyEngine e = engine(c, 1);
        guest(e, 0, BOOST, 1, 5, IRQ, 1);
        e.tick(0, 3 * MS, d); // expired, 3 ms used
        guest(e, 3 * MS, BOOST, 1, 5, IRQ, 2);
        assertEquals(5 * MS, e.nextDeadline(0), "only 2 ms of budget left");
        Decision r = e.tick(0, 5 * MS, d);
        assertEquals(Outcome.THROTTLED, r.outcome());
        assertEquals(SlotStatus.THROTTLED, r.status());
        assertEquals(DenialReason.BUDGET_EXHAUSTED, r.denial());
        Decision denied = guest(e, 6 * MS, BOOST, 1, 5, IRQ, 3);
        assertEquals(DenialReason.BUDGET_EXHAUSTED, denied.denial());
        assertEquals(SlotStatus.THROTTLED, denied.status());
        assertEquals(Decision.Action.BOOST, guest(e, 10 * MS, BOOST, 1, 5, IRQ, 4).action(), "new window");
    }

    @Test
    void rateLimitKeepsRoomForTheUnboost() {
        PolicyConfig c = PolicyConfig.builder().maxTransitionsPerSecond(4).build();
        PolicyEngine e = engine(c, 1);
        long id = 0;
        guest(e, 0, BOOST, 1, 5, IRQ, ++id);
        guest(e, MS, UNBOOST, 0, 0, 0, ++id);
        guest(e, 2 * MS, BOOST, 1, 5, IRQ, ++id);
        guest(e, 3 * MS, UNBOOST, 0, 0, 0, ++id);
        Decision r = guest(e, 4 * MS, BOOST, 1, 5, IRQ, ++id);
        assertEquals(DenialReason.RATE_LIMITED, r.denial());
        assertEquals(DenialReason.RATE_LIMITED, guest(e, 1000 * MS + 1, BOOST, 1, 5, IRQ, ++id).denial(),
                "changes at 1, 2 and 3 ms are still within the last second");
        assertEquals(Decision.Action.BOOST, guest(e, 1001 * MS, BOOST, 1, 5, IRQ, ++id).action(),
                "the first two changes left the one-second window");
    }

    @Test
    void invalidLineEndsTheBoost() {
        PolicyEngine e = engine(PolicyConfig.defaults(), 1);
        guest(e, 0, BOOST, 1, 5, IRQ, 1);
        Decision r = guest(e, MS, BOOST, 1, 0, IRQ, 2); // priority 0 with FIFO breaks §3.4
        assertEquals(Outcome.INVALID, r.outcome());
        assertEquals(Decision.Action.UNBOOST, r.action());
        assertEquals(DenialReason.INVALID_REQUEST, r.denial());
        assertEquals(2, r.actedRequestId());
        Decision bits = guest(e, 2 * MS, BOOST, 1, 3, 1 << 20, 3);
        assertEquals(Outcome.INVALID, bits.outcome());
        Decision again = guest(e, 3 * MS, BOOST, 1, 3, 1 << 20, 3); // the same write read a second time
        assertEquals(Outcome.NONE, again.outcome(), "one invalid write is answered and counted once");
    }

    @Test
    void niceHintRaisedToTheFloor() {
        PolicyEngine e = engine(PolicyConfig.builder().niceFloor(-5).build(), 1);
        line.set(0, BOOST, SchedPolicy.NORMAL.code(), 0, -20, IRQ, 1, 0).validate(); // HA1: the reader checks the copy once
        Decision r = e.onGuestLine(0, 0, line, d);
        assertEquals(Decision.Action.BOOST, r.action());
        assertEquals(SchedPolicy.NORMAL, r.policy());
        assertEquals(-5, r.nice());
    }

    @Test
    void hostBoostEndsOnAckOrTimeout() {
        PolicyEngine e = engine(PolicyConfig.builder().hostBoostTimeoutNanos(MS).build(), 1);
        Decision r = e.onHostBoost(0, 0, HostBoostFlag.IRQ_INJECTED.bit(), d);
        assertEquals(Outcome.HOST_GRANTED, r.outcome());
        assertEquals(Decision.Action.BOOST, r.action());
        assertEquals(8, r.priority(), "host boosts use the ceiling");
        assertEquals(MS, e.nextDeadline(0));
        line.set(0, 0, 0, 0, 0, 0, 0, 1).validate(); // ack of host boost 1, no request
        Decision ack = e.onGuestLine(0, MS / 2, line, d);
        assertEquals(Outcome.HOST_ACKED, ack.outcome());
        assertEquals(Decision.Action.UNBOOST, ack.action());

        e.onHostBoost(0, 2 * MS, HostBoostFlag.TIMER.bit(), d);
        Decision timeout = e.tick(0, 3 * MS, d);
        assertEquals(Outcome.HOST_TIMED_OUT, timeout.outcome());
        assertEquals(Decision.Action.UNBOOST, timeout.action());
    }

    @Test
    void guestTakesOverAHostBoost() {
        PolicyEngine e = engine(PolicyConfig.builder().hostBoostTimeoutNanos(MS).build(), 1);
        e.onHostBoost(0, 0, HostBoostFlag.IPI.bit(), d);
        Decision join = guest(e, MS / 2, BOOST, 1, 5, IRQ, 1);
        assertEquals(Outcome.JOINED, join.outcome());
        assertEquals(Decision.Action.NONE, e.tick(0, MS, d).action(), "the guest holds it now");
        assertEquals(3 * MS, e.nextDeadline(0), "still bounded by the boost's start");
        assertEquals(Decision.Action.UNBOOST, e.tick(0, 3 * MS, d).action());
    }

    @Test
    void hostBoostDisabled() {
        PolicyEngine e = engine(PolicyConfig.builder().hostBoostEnabled(false).build(), 1);
        Decision r = e.onHostBoost(0, 0, HostBoostFlag.NMI.bit(), d);
        assertEquals(Outcome.HOST_DENIED, r.outcome());
        assertEquals(Decision.Action.NONE, r.action());
        assertFalse(r.publish());
    }

    @Test
    void actuatorFailureForgetsTheBoost() {
        PolicyEngine e = engine(PolicyConfig.defaults(), 1);
        guest(e, 0, BOOST, 1, 5, IRQ, 1);
        Decision r = e.actuatorFailed(0, 0, false, d);
        assertEquals(DenialReason.ACTUATOR_FAILED, r.denial());
        assertEquals(SlotStatus.NORMAL, r.status());
        assertFalse(e.isBoosted(0));
        assertEquals(Long.MAX_VALUE, e.nextDeadline(0));
    }

    @Test
    void timeNeverRunsBackwards() {
        PolicyEngine e = engine(PolicyConfig.defaults(), 1);
        guest(e, 10 * MS, BOOST, 1, 5, IRQ, 1);
        // an earlier timestamp is read as the latest one seen: the boost cannot look younger
        assertEquals(Decision.Action.NONE, e.tick(0, 0, d).action());
        assertEquals(13 * MS, e.nextDeadline(0));
    }

    @Test
    void invalidOrBackwardsIdsAreIgnoredAndCounted() {
        PolicyEngine e = engine(PolicyConfig.defaults(), 1);
        guest(e, 0, BOOST, 1, 5, IRQ, 5);
        Decision invalid = guest(e, MS, BOOST, 1, 5, IRQ, Long.MIN_VALUE); // bit 63: not a valid id (HA2, T7)
        assertEquals(Outcome.NONE, invalid.outcome());
        assertEquals(Decision.NOTE_ID_INVALID, invalid.notes());
        assertEquals(Decision.Action.NONE, invalid.action(), "the boost in force stays");
        assertFalse(invalid.publish(), "nothing answered");
        Decision back = guest(e, MS, UNBOOST, 0, 0, 0, 4); // below the acted id (HA2, T5)
        assertEquals(Decision.NOTE_ID_BACKWARDS, back.notes());
        assertEquals(Decision.Action.NONE, back.action());
        assertFalse(back.publish());
        assertTrue(e.isBoosted(0));
        Decision jump = guest(e, MS, UNBOOST, 0, 0, 0, 9);
        assertEquals(Decision.NOTE_ID_JUMP, jump.notes(), "ids skipped: accepted and counted");
        assertEquals(Decision.Action.UNBOOST, jump.action());
    }

    @Test
    void anInvalidLineDoesNotEndAHostBoost() {
        PolicyEngine e = engine(PolicyConfig.defaults(), 1);
        e.onHostBoost(0, 0, HostBoostFlag.IRQ_INJECTED.bit(), d);
        Decision r = guest(e, MS / 4, BOOST, 1, 0, IRQ, 1); // FIFO priority 0 breaks CS5 (HA3)
        assertEquals(Outcome.INVALID, r.outcome());
        assertEquals(DenialReason.INVALID_REQUEST, r.denial());
        assertEquals(Decision.Action.NONE, r.action(), "HA3 ends a guest-requested boost only");
        assertEquals(SlotStatus.BOOSTED, r.status());
        assertEquals(HostBoostFlag.IRQ_INJECTED.bit(), r.hostBoostFlags());
        assertTrue(e.isHostHeld(0));
    }

    @Test
    void anAckAboveTheNewestHostBoostIsIgnoredAndCounted() {
        PolicyEngine e = engine(PolicyConfig.defaults(), 1);
        e.onHostBoost(0, 0, HostBoostFlag.TIMER.bit(), d);
        line.set(0, 0, 0, 0, 0, 0, 0, 7).validate();
        Decision r = e.onGuestLine(0, MS / 4, line, d);
        assertEquals(Decision.NOTE_ACK_OUT_OF_RANGE, r.notes());
        assertTrue(e.isHostHeld(0), "an ack of an id never given ends nothing");
    }

    @Test
    void onlyAcceptedFeaturesAreUsed() {
        PolicyEngine e = new PolicyEngine(PolicyConfig.defaults(), 1); // the guest accepted nothing
        line.set(0, BOOST, SchedPolicy.NORMAL.code(), 0, -5, IRQ, 1, 0).validate();
        Decision nice = e.onGuestLine(0, 0, line, d);
        assertEquals(DenialReason.REASON_NOT_ALLOWED, nice.denial(), "no nice boost without NICE_HINTS");
        assertEquals(Decision.Action.NONE, nice.action());
        Decision host = e.onHostBoost(0, MS, HostBoostFlag.IPI.bit(), d);
        assertEquals(Outcome.HOST_DENIED, host.outcome(), "no host boost without HOST_BOOST");
        Decision rt = guest(e, 2 * MS, BOOST, 1, 5, IRQ, 2);
        assertEquals(Outcome.GRANTED, rt.outcome());
        assertEquals(0, rt.budgetRemainingUs(), "budget_remaining_us is 0 without BUDGET_REPORT");
        e.acceptedFeatures(Feature.BUDGET_REPORT.bit());
        Decision release = guest(e, 3 * MS, UNBOOST, 0, 0, 0, 3);
        assertEquals(49_000, release.budgetRemainingUs(), "50 ms budget less the 1 ms boosted");
    }

    @Test
    void aThrottledSlotReturnsToNormalWhenTheWindowRefills() {
        PolicyConfig c = PolicyConfig.builder().maxBoostNanos(3 * MS).budget(2 * MS, 10 * MS).build();
        PolicyEngine e = engine(c, 1);
        guest(e, 0, BOOST, 1, 5, IRQ, 1);
        assertEquals(SlotStatus.THROTTLED, e.tick(0, 2 * MS, d).status());
        assertEquals(10 * MS, e.nextDeadline(0), "a THROTTLED slot has a deadline: the refill");
        Decision refill = e.tick(0, 10 * MS, d);
        assertTrue(refill.publish());
        assertEquals(SlotStatus.NORMAL, refill.status());
        assertEquals(Long.MAX_VALUE, e.nextDeadline(0));
    }

    @Test
    void expiryAndBudgetRunFromTheAppliedChange() {
        PolicyConfig c = PolicyConfig.builder().maxBoostNanos(3 * MS).budget(50 * MS, 100 * MS).build();
        PolicyEngine e = engine(c, 1);
        guest(e, 0, BOOST, 1, 5, IRQ, 1);
        e.applied(0, 2 * MS); // the actuator took 2 ms
        assertEquals(5 * MS, e.nextDeadline(0), "3 ms from when the thread was raised");
        Decision r = e.tick(0, 5 * MS, d);
        assertEquals(3 * MS, r.endedBoostNanos());
        assertEquals(47 * MS, e.budgetRemainingNanos(0), "only the applied 3 ms are charged");
    }

    @Test
    void aVmBudgetBoundsAllVcpusTogether() {
        PolicyConfig c = PolicyConfig.builder().maxBoostNanos(10 * MS).budget(50 * MS, 100 * MS)
                .vmBudgetNanos(3 * MS).build();
        PolicyEngine e = engine(c, 2);
        e.tick(0, 0, d);
        for (int slot = 0; slot < 2; slot++) {
            line.set(0, BOOST, 1, 5, 0, IRQ, 1, 0).validate();
            assertEquals(Outcome.GRANTED, e.onGuestLine(slot, 0, line, d).outcome());
        }
        assertEquals(3 * MS / 2, e.nextDeadline(0), "two vCPUs share 3 ms of VM budget");
        for (int slot = 0; slot < 2; slot++) {
            Decision r = e.tick(slot, 3 * MS / 2, d);
            assertEquals(Outcome.THROTTLED, r.outcome(), "slot " + slot);
            assertEquals(DenialReason.BUDGET_EXHAUSTED, r.denial());
        }
        line.set(0, BOOST, 1, 5, 0, IRQ, 2, 0).validate();
        Decision denied = e.onGuestLine(0, 2 * MS, line, d);
        assertEquals(DenialReason.BUDGET_EXHAUSTED, denied.denial(), "the VM's budget is spent for this window");
        assertEquals(100 * MS, e.nextDeadline(0), "THROTTLED until the VM's window refills");
        line.set(0, BOOST, 1, 5, 0, IRQ, 3, 0).validate();
        assertEquals(Outcome.GRANTED, e.onGuestLine(0, 100 * MS, line, d).outcome());
    }
}
