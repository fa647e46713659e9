package dev.vboost.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vboost.agent.actuator.RecordingActuator;
import dev.vboost.agent.actuator.ThreadAttributes;
import dev.vboost.agent.policy.PolicyConfig;
import dev.vboost.agent.stats.VmCounters;
import dev.vboost.api.HostSlotSnapshot;
import dev.vboost.api.wire.BoostReason;
import dev.vboost.api.wire.DenialReason;
import dev.vboost.api.wire.SchedPolicy;
import dev.vboost.api.wire.SlotStatus;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Counters per VM and per reason, through the API and as JFR events, over three VMs with different
 * policies, driven by {@code runOnce} on a fake clock; and NOTIFY as the only path to a change.
 */
class HostAgentObservabilityTest {
    private static final long US = 1_000L;
    private static final long MS = 1_000_000L;
    private static final int BOOST = 1;
    private static final int UNBOOST = 2;
    private static final int FIFO = SchedPolicy.FIFO.code();

    @TempDir
    Path dir;

    private long now = 5_000 * MS;
    private final FakeHostEndpoint web = new FakeHostEndpoint(2, 3);
    private final FakeHostEndpoint db = new FakeHostEndpoint(1, 3);
    private final FakeHostEndpoint batch = new FakeHostEndpoint(1, 3);
    private final RecordingActuator actuator = new RecordingActuator()
            .addThread(11, ThreadAttributes.normal(0))
            .addThread(12, ThreadAttributes.normal(1))
            .addThread(21, ThreadAttributes.normal(2))
            .addThread(31, ThreadAttributes.normal(3));

    private HostAgent agent() {
        int irqOrLock = BoostReason.IRQ.bit() | BoostReason.LOCK_HOLDER.bit();
        PolicyConfig webPolicy = PolicyConfig.builder().boostPolicy(SchedPolicy.FIFO).priorityCeiling(10)
                .allowedReasons(irqOrLock).maxBoostNanos(3 * MS).budget(3500 * US, 100 * MS).build();
        PolicyConfig dbPolicy = PolicyConfig.builder().enabled(false).build();
        PolicyConfig batchPolicy = PolicyConfig.builder().maxTransitionsPerSecond(4).build();
        return HostAgent.builder()
                .addVm("web", web, webPolicy, Map.of(0, 11, 1, 12))
                .addVm("db", db, dbPolicy, Map.of(0, 21))
                .addVm("batch", batch, batchPolicy, Map.of(0, 31))
                .actuator(actuator)
                .clock(() -> now)
                .build()
                .prepare();
    }

    @Test
    void countersPerVmAndReasonAndJfrEvents() throws Exception {
        Path jfr = dir.resolve("agent.jfr");
        HostAgent a;
        try (Recording recording = new Recording()) {
            recording.enable("dev.vboost.BoostGranted");
            recording.enable("dev.vboost.BoostDenied");
            recording.enable("dev.vboost.BoostExpired");
            recording.start();
            a = agent();
            drive(a);
            recording.stop();
            recording.dump(jfr);
        }

        VmCounters w = a.counters("web");
        assertEquals(3, w.granted(), w.toString());
        assertEquals(3, w.grantedFor(BoostReason.IRQ));
        assertEquals(1, w.grantedFor(BoostReason.LOCK_HOLDER));
        assertEquals(0, w.grantedFor(BoostReason.SOFTIRQ));
        assertEquals(2, w.denied());
        assertEquals(1, w.deniedFor(DenialReason.REASON_NOT_ALLOWED));
        assertEquals(1, w.deniedFor(DenialReason.BUDGET_EXHAUSTED));
        assertEquals(1, w.released());
        assertEquals(1, w.expired());
        assertEquals(1, w.throttled());
        // 1 ms released + 3 ms to the longest-boost bound + 2.5 ms to the end of the 3.5 ms budget
        assertEquals(1 * MS + 3 * MS + 2500 * US, w.boostedNanos());

        VmCounters d = a.counters("db");
        assertEquals(0, d.granted(), d.toString());
        assertEquals(1, d.denied());
        assertEquals(1, d.deniedFor(DenialReason.DISABLED));
        assertEquals(0, d.boostedNanos());

        VmCounters b = a.counters("batch");
        assertEquals(2, b.granted(), b.toString());
        assertEquals(1, b.deniedFor(DenialReason.RATE_LIMITED));
        assertEquals(Map.of(DenialReason.RATE_LIMITED, 1L), b.deniedByCauseMap());

        List<RecordedEvent> events = RecordingFile.readAllEvents(jfr);
        List<String> granted = describe(events, "dev.vboost.BoostGranted", e -> e.getString("vm") + "/" + e.getInt("slot")
                + "/" + e.getString("policy") + "/" + e.getInt("priority") + "/" + e.getInt("reasons"));
        int irq = BoostReason.IRQ.bit();
        int lock = BoostReason.LOCK_HOLDER.bit();
        assertEquals(List.of("web/0/FIFO/10/" + (irq | lock), "web/1/FIFO/7/" + irq, "web/0/FIFO/10/" + irq,
                "batch/0/RR/8/" + irq, "batch/0/RR/8/" + irq), granted);
        List<String> denied = describe(events, "dev.vboost.BoostDenied", e -> e.getString("vm") + "/" + e.getString("cause"));
        assertEquals(List.of("web/REASON_NOT_ALLOWED", "web/BUDGET_EXHAUSTED", "db/DISABLED", "batch/RATE_LIMITED"), denied);
        List<String> expired = describe(events, "dev.vboost.BoostExpired", e -> e.getString("vm") + "/" + e.getString("bound")
                + "/" + e.getDuration("boostNanos").toNanos());
        assertEquals(List.of("web/EXPIRED/" + 3 * MS, "web/BUDGET_EXHAUSTED/" + 2500 * US), expired);
        a.stop();
    }

    private void drive(HostAgent a) {
        int irq = BoostReason.IRQ.bit();
        int lock = BoostReason.LOCK_HOLDER.bit();
        // web slot 0: granted (two reasons), released after 1 ms
        web.writeGuest(0, BOOST, FIFO, 50, 0, irq | lock, 1, 0);
        a.runOnce();
        now += MS;
        web.writeGuest(0, UNBOOST, 0, 0, 0, 0, 2, 0);
        a.runOnce();
        // web slot 0: a reason the VM does not allow
        web.writeGuest(0, BOOST, FIFO, 5, 0, BoostReason.SOFTIRQ.bit(), 3, 0);
        a.runOnce();
        assertEquals(DenialReason.REASON_NOT_ALLOWED, web.published(0).denial());
        // web slot 1: never released, ends at the 3 ms bound
        web.writeGuest(1, BOOST, FIFO, 7, 0, irq, 1, 0);
        a.runOnce();
        now += 3 * MS;
        a.runOnce();
        assertEquals(DenialReason.EXPIRED, web.published(1).denial());
        assertEquals(ThreadAttributes.normal(1), actuator.current(12));
        // web slot 0: 2.5 ms of its 3.5 ms budget left, the boost is cut there and the next one is refused
        web.writeGuest(0, BOOST, FIFO, 10, 0, irq, 4, 0);
        a.runOnce();
        now += 2500 * US;
        a.runOnce();
        HostSlotSnapshot p = web.published(0);
        assertEquals(SlotStatus.THROTTLED, p.status());
        assertEquals(DenialReason.BUDGET_EXHAUSTED, p.denial());
        web.writeGuest(0, BOOST, FIFO, 10, 0, irq, 5, 0);
        a.runOnce();
        p = web.published(0);
        assertEquals(SlotStatus.THROTTLED, p.status(), "denial written to the slot");
        assertEquals(DenialReason.BUDGET_EXHAUSTED, p.denial());
        assertEquals(5, p.actedRequestId());
        assertEquals(ThreadAttributes.normal(0), actuator.current(11));
        // db: boosting disabled
        db.writeGuest(0, BOOST, FIFO, 10, 0, irq, 1, 0);
        a.runOnce();
        assertEquals(SlotStatus.DISABLED, db.published(0).status());
        assertEquals(DenialReason.DISABLED, db.published(0).denial());
        // batch: 4 priority changes per second: boost, unboost, boost, unboost, then refused
        for (int i = 0; i < 2; i++) {
            batch.writeGuest(0, BOOST, FIFO, 50, 0, irq, 2 * i + 1, 0);
            a.runOnce();
            now += 10 * US;
            batch.writeGuest(0, UNBOOST, 0, 0, 0, 0, 2 * i + 2, 0);
            a.runOnce();
            now += 10 * US;
        }
        batch.writeGuest(0, BOOST, FIFO, 50, 0, irq, 5, 0);
        a.runOnce();
        assertEquals(SlotStatus.THROTTLED, batch.published(0).status());
        assertEquals(DenialReason.RATE_LIMITED, batch.published(0).denial());
        assertEquals(ThreadAttributes.normal(3), actuator.current(31));
    }

    private static List<String> describe(List<RecordedEvent> events, String type,
            java.util.function.Function<RecordedEvent, String> f) {
        return events.stream().filter(e -> e.getEventType().getName().equals(type))
                .sorted(java.util.Comparator.comparing(RecordedEvent::getStartTime))
                .map(f).collect(Collectors.toList());
    }

    /** With change polling blind, a NOTIFY alone brings the guest's request to the agent in the same iteration. */
    @Test
    void notifyAloneDeliversTheChange() {
        HostAgent a = agent();
        HypercallTarget target = a.hypercallTarget("web");
        web.blind(true);
        web.writeGuest(1, BOOST, FIFO, 5, 0, BoostReason.IRQ.bit(), 1, 0);
        a.runOnce();
        assertEquals(ThreadAttributes.normal(1), actuator.current(12), "blind poll: nothing seen yet");
        assertTrue(target.notifySlot(1, 1));
        a.runOnce();
        assertEquals(ThreadAttributes.fifo(5), actuator.current(12));
        assertEquals(SlotStatus.BOOSTED, web.published(1).status());
        assertEquals(1, a.counters("web").notifies());
        assertEquals(false, target.notifySlot(2, 1), "slot out of range");
        assertEquals(false, a.notifySlot(3, 0, 1), "VM index out of range");
        assertEquals(false, a.notifySlot(-1, 0, 1), "VM index out of range");
        assertEquals(false, a.requestHostBoost(3, 0, 1), "VM index out of range");
        assertEquals(false, a.requestHostBoost(0, 0, 0), "no flags");
        assertEquals(false, a.requestHostBoost(0, 0, 1 << 5), "undefined flag");
        a.stop();
        assertEquals(ThreadAttributes.normal(1), actuator.current(12));
    }

    /** DETACH through the dispatcher ends every boost of that VM at once and leaves the other VMs alone. */
    @Test
    void detachHypercallEndsTheVmsBoosts() {
        HostAgent a = agent();
        web.writeGuest(0, BOOST, FIFO, 5, 0, BoostReason.IRQ.bit(), 1, 0);
        web.writeGuest(1, BOOST, FIFO, 6, 0, BoostReason.IRQ.bit(), 1, 0);
        batch.writeGuest(0, BOOST, FIFO, 7, 0, BoostReason.IRQ.bit(), 1, 0);
        a.runOnce();
        assertEquals(ThreadAttributes.fifo(5), actuator.current(11));
        assertEquals(ThreadAttributes.fifo(6), actuator.current(12));
        assertEquals(ThreadAttributes.rr(7), actuator.current(31));
        dev.vboost.agent.hypercall.HypercallDispatcher calls =
                new dev.vboost.agent.hypercall.HypercallDispatcher(a.hypercallTarget("web"));
        assertEquals(0, calls.dispatch(dev.vboost.api.hypercall.HypercallExit.of(
                dev.vboost.api.hypercall.HypercallNumbers.DETACH, 3, 0, 0, 0)).ret());
        a.runOnce();
        assertEquals(ThreadAttributes.normal(0), actuator.current(11));
        assertEquals(ThreadAttributes.normal(1), actuator.current(12));
        assertEquals(SlotStatus.NORMAL, web.published(0).status());
        assertEquals(SlotStatus.NORMAL, web.published(1).status());
        assertEquals(ThreadAttributes.rr(7), actuator.current(31), "another VM keeps its boost");
        a.stop();
        assertEquals(ThreadAttributes.normal(3), actuator.current(31));
    }
}
