package dev.vboost.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.vboost.agent.actuator.ActuatorException;
import dev.vboost.agent.actuator.RecordingActuator;
import dev.vboost.agent.actuator.ThreadAttributes;
import dev.vboost.agent.journal.LeaseJournal;
import dev.vboost.agent.policy.PolicyConfig;
import dev.vboost.agent.stats.VmCounters;
import dev.vboost.api.HostSlotSnapshot;
import dev.vboost.api.wire.BoostReason;
import dev.vboost.api.wire.DenialReason;
import dev.vboost.api.wire.HostBoostFlag;
import dev.vboost.api.wire.SchedPolicy;
import dev.vboost.api.wire.SlotStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent loop driven by {@code runOnce} with a fake clock, a fake endpoint and a recording actuator. */
class HostAgentTest {
    private static final long MS = 1_000_000L;
    private static final int BOOST = 1;
    private static final int UNBOOST = 2;
    private static final int IRQ = BoostReason.IRQ.bit();

    private long now = 1_000 * MS;
    private final FakeHostEndpoint endpoint = new FakeHostEndpoint(4, 7);
    private final RecordingActuator actuator = new RecordingActuator()
            .addThread(101, ThreadAttributes.normal(3))
            .addThread(102, ThreadAttributes.normal(0))
            .addThread(103, new ThreadAttributes(ThreadAttributes.SCHED_BATCH, 0, -2));

    @TempDir
    Path dir;

    private HostAgent agent(PolicyConfig policy) {
        return HostAgent.builder()
                .addVm("vm0", endpoint, policy, Map.of(0, 101, 1, 102, 2, 103))
                .actuator(actuator)
                .clock(() -> now)
                .journal(dir.resolve("leases.journal"))
                .build()
                .prepare();
    }

    @Test
    void boostAppliesClampedPriorityAndPublishes() {
        HostAgent a = agent(PolicyConfig.builder().boostPolicy(SchedPolicy.FIFO).priorityCeiling(20).build());
        endpoint.writeGuest(0, BOOST, 1, 60, 0, IRQ, 1, 0);
        a.runOnce();
        assertEquals(ThreadAttributes.fifo(20), actuator.current(101));
        HostSlotSnapshot p = endpoint.published(0);
        assertEquals(SlotStatus.BOOSTED, p.status());
        assertEquals(SchedPolicy.FIFO, p.policy());
        assertEquals(20, p.priority());
        assertEquals(1, p.actedRequestId());
        endpoint.writeGuest(0, UNBOOST, 0, 0, 0, 0, 2, 0);
        a.runOnce();
        assertEquals(ThreadAttributes.normal(3), actuator.current(101), "original restored exactly");
        assertEquals(SlotStatus.NORMAL, endpoint.published(0).status());
        assertEquals(2, endpoint.published(0).actedRequestId());
        VmCounters c = a.counters("vm0");
        assertEquals(1, c.granted());
        assertEquals(1, c.grantedFor(BoostReason.IRQ));
        assertEquals(1, c.released());
        a.stop();
    }

    @Test
    void expiryOnTheHostTimerWithASilentGuest() {
        HostAgent a = agent(PolicyConfig.defaults());
        endpoint.writeGuest(1, BOOST, 2, 5, 0, IRQ, 1, 0);
        long next = a.runOnce();
        assertEquals(ThreadAttributes.rr(5), actuator.current(102));
        assertTrue(next <= now + 3 * MS, "the loop wakes no later than the boost's deadline");
        now += 3 * MS;
        a.runOnce();
        assertEquals(ThreadAttributes.normal(0), actuator.current(102));
        assertEquals(DenialReason.EXPIRED, endpoint.published(1).denial());
        assertEquals(1, a.counters("vm0").expired());
        assertEquals(3 * MS, a.counters("vm0").boostedNanos());
        a.stop();
    }

    @Test
    void actuatorFailureIsPublishedCountedAndSurvived() {
        HostAgent a = agent(PolicyConfig.defaults());
        actuator.failOn(101, ActuatorException.Kind.PERMISSION);
        endpoint.writeGuest(0, BOOST, 1, 5, 0, IRQ, 1, 0);
        a.runOnce();
        assertEquals(SlotStatus.NORMAL, endpoint.published(0).status());
        assertEquals(DenialReason.ACTUATOR_FAILED, endpoint.published(0).denial());
        assertEquals(1, a.counters("vm0").actuatorFailures());
        assertEquals(1, a.counters("vm0").deniedFor(DenialReason.ACTUATOR_FAILED));
        actuator.clearFailure(101);
        // the loop goes on: the next request works
        endpoint.writeGuest(0, BOOST, 1, 5, 0, IRQ, 2, 0);
        a.runOnce();
        assertEquals(SlotStatus.BOOSTED, endpoint.published(0).status());
        // the thread vanishes while boosted: the unboost fails, is counted, nothing throws
        actuator.removeThread(101);
        endpoint.writeGuest(0, UNBOOST, 0, 0, 0, 0, 3, 0);
        a.runOnce();
        assertEquals(DenialReason.ACTUATOR_FAILED, endpoint.published(0).denial());
        assertNull(a.lastError() instanceof RuntimeException ? a.lastError() : null);
        a.stop();
    }

    @Test
    void slotWithoutThreadIsDenied() {
        HostAgent a = agent(PolicyConfig.defaults());
        endpoint.writeGuest(3, BOOST, 1, 5, 0, IRQ, 1, 0);
        a.runOnce();
        assertEquals(DenialReason.ACTUATOR_FAILED, endpoint.published(3).denial());
        a.stop();
    }

    @Test
    void failedRestoreIsRetried() {
        HostAgent a = agent(PolicyConfig.defaults());
        endpoint.writeGuest(0, BOOST, 1, 5, 0, IRQ, 1, 0);
        a.runOnce();
        actuator.failOn(101, ActuatorException.Kind.OTHER);
        endpoint.writeGuest(0, UNBOOST, 0, 0, 0, 0, 2, 0);
        long next = a.runOnce();
        assertEquals(ThreadAttributes.rr(5), actuator.current(101), "still boosted: restore failed");
        assertTrue(next <= now + 10 * MS);
        actuator.clearFailure(101);
        now += 10 * MS;
        a.runOnce();
        assertEquals(ThreadAttributes.normal(3), actuator.current(101), "restored by the retry");
        a.stop();
    }

    @Test
    void busyReadIsRetriedNextIteration() {
        HostAgent a = agent(PolicyConfig.defaults());
        endpoint.busyFor(0, 1);
        endpoint.writeGuest(0, BOOST, 1, 5, 0, IRQ, 1, 0);
        a.runOnce();
        assertEquals(ThreadAttributes.normal(3), actuator.current(101));
        assertEquals(1, a.counters("vm0").busyReads());
        a.runOnce();
        assertEquals(ThreadAttributes.rr(5), actuator.current(101));
        a.stop();
    }

    @Test
    void hostBoostAndAck() {
        HostAgent a = agent(PolicyConfig.builder().priorityCeiling(9).build());
        assertTrue(a.requestHostBoost(0, 2, HostBoostFlag.IRQ_INJECTED.bit()));
        assertFalse(a.requestHostBoost(0, 9, HostBoostFlag.IRQ_INJECTED.bit()), "slot out of range");
        assertFalse(a.requestHostBoost(0, 2, 1 << 9), "undefined flag");
        a.runOnce();
        assertEquals(ThreadAttributes.rr(9), actuator.current(103));
        HostSlotSnapshot p = endpoint.published(2);
        assertEquals(SlotStatus.BOOSTED, p.status());
        assertEquals(1, p.hostBoostId());
        assertEquals(HostBoostFlag.IRQ_INJECTED.bit(), p.hostBoostFlags());
        endpoint.writeGuest(2, 0, 0, 0, 0, 0, 0, 1); // the guest acknowledges host boost 1
        a.notifySlot(0, 2, 2);
        a.runOnce();
        assertEquals(new ThreadAttributes(ThreadAttributes.SCHED_BATCH, 0, -2), actuator.current(103));
        assertEquals(SlotStatus.NORMAL, endpoint.published(2).status());
        assertEquals(1, endpoint.published(2).hostBoostId(), "host boost id is never taken back");
        assertEquals(1, a.counters("vm0").hostAcked());
        a.stop();
    }

    @Test
    void stopRestoresEverythingAndClearsTheJournal() throws Exception {
        HostAgent a = agent(PolicyConfig.builder().maxBoostNanos(TimeUnit.SECONDS.toNanos(10))
                .budget(TimeUnit.SECONDS.toNanos(10), TimeUnit.SECONDS.toNanos(10)).build());
        endpoint.writeGuest(0, BOOST, 1, 5, 0, IRQ, 1, 0);
        endpoint.writeGuest(2, BOOST, 1, 7, 0, IRQ, 1, 0);
        a.runOnce();
        Path journal = dir.resolve("leases.journal");
        assertEquals(2, LeaseJournal.read(journal, new int[1]).size(), "originals journaled before the change");
        a.stop();
        assertEquals(ThreadAttributes.normal(3), actuator.current(101));
        assertEquals(new ThreadAttributes(ThreadAttributes.SCHED_BATCH, 0, -2), actuator.current(103));
        assertEquals(SlotStatus.NORMAL, endpoint.published(0).status());
        assertEquals(0, Files.size(journal));
    }

    @Test
    void startRestoresWhatACrashedAgentLeft() throws Exception {
        Path journal = dir.resolve("leases.journal");
        try (LeaseJournal j = LeaseJournal.open(journal)) {
            j.recordOriginal(actuator.identify(101), ThreadAttributes.normal(3));
            j.recordOriginal(actuator.identify(102), ThreadAttributes.normal(0));
        }
        actuator.apply(101, ThreadAttributes.fifo(50)); // left boosted by the "crashed" agent
        HostAgent a = agent(PolicyConfig.defaults());
        assertEquals(ThreadAttributes.normal(3), actuator.current(101));
        LeaseJournal.Recovery r = a.recovery();
        assertEquals(1, r.restored().size());
        assertEquals(1, r.alreadyOriginal().size());
        assertEquals(0, Files.size(journal));
        a.stop();
    }

    /**
     * Random guest behaviour and actuator failures against the whole loop: the published priority never
     * exceeds the ceiling, an unboosted thread always has its original attributes, and after stop every
     * thread is back.
     */
    @Test
    void generatedRunsAlwaysRestoreOriginals() {
        long seed = Long.getLong("vboost.seed", System.nanoTime());
        SplittableRandom seeds = new SplittableRandom(seed);
        for (int run = 0; run < 40; run++) {
            long runSeed = seeds.nextLong();
            try {
                generatedRun(new SplittableRandom(runSeed));
            } catch (AssertionError | RuntimeException e) {
                fail("run " + run + " failed; rerun with -Dvboost.seed=" + seed + " (run seed " + runSeed + "): " + e, e);
            }
        }
    }

    private void generatedRun(SplittableRandom r) throws AssertionError {
        FakeHostEndpoint ep = new FakeHostEndpoint(3, 1);
        ThreadAttributes[] originals = {ThreadAttributes.normal(-3 + r.nextInt(10)), ThreadAttributes.rr(1 + r.nextInt(3)),
                new ThreadAttributes(ThreadAttributes.SCHED_IDLE, 0, 0)};
        RecordingActuator act = new RecordingActuator();
        for (int i = 0; i < 3; i++) {
            act.addThread(201 + i, originals[i]);
        }
        int ceiling = 1 + r.nextInt(30);
        long[] clock = {r.nextLong(1L << 40)};
        HostAgent a = HostAgent.builder()
                .addVm("g", ep, PolicyConfig.builder().priorityCeiling(ceiling).maxBoostNanos((50 + r.nextInt(3000)) * 1000L)
                        .maxTransitionsPerSecond(2 + r.nextInt(500)).build(), Map.of(0, 201, 1, 202, 2, 203))
                .actuator(act).clock(() -> clock[0]).build().prepare();
        long[] ids = new long[3];
        for (int step = 0; step < 600; step++) {
            clock[0] += r.nextInt(4) == 0 ? r.nextLong(5 * MS) : r.nextLong(200_000);
            int slot = r.nextInt(3);
            switch (r.nextInt(8)) {
                case 0:
                case 1:
                case 2:
                    ep.writeGuest(slot, 1, 1 + r.nextInt(2), 1 + r.nextInt(99), 0, 1 + r.nextInt(127), ++ids[slot],
                            ep.published(slot).hostBoostId());
                    break;
                case 3:
                case 4:
                    ep.writeGuest(slot, 2, 0, 0, 0, 0, ++ids[slot], ep.published(slot).hostBoostId());
                    break;
                case 5:
                    a.requestHostBoost(0, slot, 1 + r.nextInt(31));
                    break;
                case 6:
                    if (r.nextBoolean()) {
                        act.failNextCall(r.nextBoolean() ? ActuatorException.Kind.PERMISSION : ActuatorException.Kind.OTHER);
                    }
                    break;
                default:
                    ep.writeGuest(slot, 1, 1, r.nextInt(2) == 0 ? 0 : 200, 0, 1, ++ids[slot], 0); // invalid
                    break;
            }
            a.runOnce();
            for (int i = 0; i < 3; i++) {
                HostSlotSnapshot p = ep.published(i);
                assertTrue(p.priority() <= ceiling, "published priority " + p.priority() + " > ceiling " + ceiling);
                ThreadAttributes cur = act.current(201 + i);
                if (cur.isRealTime() && !cur.equals(originals[i])) {
                    assertTrue(cur.priority() <= ceiling, "thread at " + cur + " above ceiling " + ceiling);
                }
            }
        }
        a.stop();
        for (int i = 0; i < 3; i++) {
            if (Boolean.getBoolean("vboost.trace") && !originals[i].equals(act.current(201 + i))) {
                act.calls().stream().filter(c -> c.tid() == 201).forEach(System.out::println);
                ep.history().stream().filter(h -> h.startsWith("0:")).forEach(System.out::println);
            }
            assertEquals(originals[i], act.current(201 + i), "thread " + (201 + i) + " after stop");
        }
    }
}
