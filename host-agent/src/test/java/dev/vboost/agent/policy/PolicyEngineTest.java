package dev.vboost.agent.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vboost.api.GuestSlotSnapshot;
import dev.vboost.api.wire.BoostReason;
import dev.vboost.api.wire.DenialReason;
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

    private Decision guest(PolicyEngine e, long now, int request, int policy, int prio, int reasons, long id) {
        line.set(0, request, policy, prio, 0, reasons, id, 0);
        return e.onGuestLine(0, now, line, d);
    }

    @Test
    void grantsClampedToCeilingWithTheVmPolicy() {
        PolicyEngine e = new PolicyEngine(PolicyConfig.builder().boostPolicy(SchedPolicy.FIFO).priorityCeiling(10).build(), 1);
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
        PolicyEngine e = new PolicyEngine(PolicyConfig.defaults(), 1);
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
        PolicyEngine e = new PolicyEngine(PolicyConfig.defaults(), 1);
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
        PolicyEngine e = new PolicyEngine(PolicyConfig.defaults(), 1);
        guest(e, 0, BOOST, 1, 5, IRQ, 1);
        Decision r = guest(e, 2 * MS, BOOST, 1, 7, IRQ, 2);
        assertEquals(Outcome.JOINED, r.outcome());
        assertEquals(Decision.Action.NONE, r.action());
        assertEquals(3 * MS, e.nextDeadline(0));
    }

    @Test
    void releaseUnboosts() {
        PolicyEngine e = new PolicyEngine(PolicyConfig.defaults(), 1);
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
        PolicyEngine e = new PolicyEngine(PolicyConfig.builder().allowedReasons(BoostReason.RT_TASK.bit()).build(), 1);
        Decision r = guest(e, 0, BOOST, 1, 5, IRQ, 1);
        assertEquals(Outcome.DENIED, r.outcome());
        assertEquals(DenialReason.REASON_NOT_ALLOWED, r.denial());
        assertEquals(Decision.Action.NONE, r.action());
        PolicyEngine off = new PolicyEngine(PolicyConfig.builder().enabled(false).build(), 1);
        Decision r2 = guest(off, 0, BOOST, 1, 5, IRQ, 1);
        assertEquals(DenialReason.DISABLED, r2.denial());
        assertEquals(SlotStatus.DISABLED, r2.status());
    }

    @Test
    void budgetEndsBoostsAndThrottlesUntilTheNextWindow() {
        PolicyConfig c = PolicyConfig.builder().maxBoostNanos(3 * MS).budget(5 * MS, 10 * MS).build();
        PolicyEngine e = new PolicyEngine(c, 1);
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
        PolicyEngine e = new PolicyEngine(c, 1);
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
        PolicyEngine e = new PolicyEngine(PolicyConfig.defaults(), 1);
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
        PolicyEngine e = new PolicyEngine(PolicyConfig.builder().niceFloor(-5).build(), 1);
        line.set(0, BOOST, SchedPolicy.NORMAL.code(), 0, -20, IRQ, 1, 0);
        Decision r = e.onGuestLine(0, 0, line, d);
        assertEquals(Decision.Action.BOOST, r.action());
        assertEquals(SchedPolicy.NORMAL, r.policy());
        assertEquals(-5, r.nice());
    }

    @Test
    void hostBoostEndsOnAckOrTimeout() {
        PolicyEngine e = new PolicyEngine(PolicyConfig.builder().hostBoostTimeoutNanos(MS).build(), 1);
        Decision r = e.onHostBoost(0, 0, HostBoostFlag.IRQ_INJECTED.bit(), d);
        assertEquals(Outcome.HOST_GRANTED, r.outcome());
        assertEquals(Decision.Action.BOOST, r.action());
        assertEquals(8, r.priority(), "host boosts use the ceiling");
        e.hostBoostStarted(0, 1);
        assertEquals(MS, e.nextDeadline(0));
        line.set(0, 0, 0, 0, 0, 0, 0, 1); // ack of host boost 1, no request
        Decision ack = e.onGuestLine(0, MS / 2, line, d);
        assertEquals(Outcome.HOST_ACKED, ack.outcome());
        assertEquals(Decision.Action.UNBOOST, ack.action());

        e.onHostBoost(0, 2 * MS, HostBoostFlag.TIMER.bit(), d);
        e.hostBoostStarted(0, 2);
        Decision timeout = e.tick(0, 3 * MS, d);
        assertEquals(Outcome.HOST_TIMED_OUT, timeout.outcome());
        assertEquals(Decision.Action.UNBOOST, timeout.action());
    }

    @Test
    void guestTakesOverAHostBoost() {
        PolicyEngine e = new PolicyEngine(PolicyConfig.builder().hostBoostTimeoutNanos(MS).build(), 1);
        e.onHostBoost(0, 0, HostBoostFlag.IPI.bit(), d);
        e.hostBoostStarted(0, 1);
        Decision join = guest(e, MS / 2, BOOST, 1, 5, IRQ, 1);
        assertEquals(Outcome.JOINED, join.outcome());
        assertEquals(Decision.Action.NONE, e.tick(0, MS, d).action(), "the guest holds it now");
        assertEquals(3 * MS, e.nextDeadline(0), "still bounded by the boost's start");
        assertEquals(Decision.Action.UNBOOST, e.tick(0, 3 * MS, d).action());
    }

    @Test
    void hostBoostDisabled() {
        PolicyEngine e = new PolicyEngine(PolicyConfig.builder().hostBoostEnabled(false).build(), 1);
        Decision r = e.onHostBoost(0, 0, HostBoostFlag.NMI.bit(), d);
        assertEquals(Outcome.HOST_DENIED, r.outcome());
        assertEquals(Decision.Action.NONE, r.action());
        assertFalse(r.publish());
    }

    @Test
    void actuatorFailureForgetsTheBoost() {
        PolicyEngine e = new PolicyEngine(PolicyConfig.defaults(), 1);
        guest(e, 0, BOOST, 1, 5, IRQ, 1);
        Decision r = e.actuatorFailed(0, 0, d);
        assertEquals(DenialReason.ACTUATOR_FAILED, r.denial());
        assertEquals(SlotStatus.NORMAL, r.status());
        assertFalse(e.isBoosted(0));
        assertEquals(Long.MAX_VALUE, e.nextDeadline(0));
    }

    @Test
    void timeNeverRunsBackwards() {
        PolicyEngine e = new PolicyEngine(PolicyConfig.defaults(), 1);
        guest(e, 10 * MS, BOOST, 1, 5, IRQ, 1);
        // an earlier timestamp is read as the latest one seen: the boost cannot look younger
        assertEquals(Decision.Action.NONE, e.tick(0, 0, d).action());
        assertEquals(13 * MS, e.nextDeadline(0));
    }
}
