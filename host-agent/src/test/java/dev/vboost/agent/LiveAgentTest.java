package dev.vboost.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vboost.agent.actuator.ActuatorException;
import dev.vboost.agent.actuator.LinuxPriorityActuator;
import dev.vboost.agent.actuator.RealtimeCapability;
import dev.vboost.agent.actuator.ThreadAttributes;
import dev.vboost.agent.hypercall.HypercallDispatcher;
import dev.vboost.agent.policy.PolicyConfig;
import dev.vboost.agent.stats.VmCounters;
import dev.vboost.agent.testing.ParkedThread;
import dev.vboost.api.HostSlotSnapshot;
import dev.vboost.api.ReadStatus;
import dev.vboost.api.hypercall.HypercallExit;
import dev.vboost.api.hypercall.HypercallNumbers;
import dev.vboost.api.role.GuestEndpoint;
import dev.vboost.api.role.HostEndpoint;
import dev.vboost.api.wire.BoostReason;
import dev.vboost.api.wire.DenialReason;
import dev.vboost.api.wire.Feature;
import dev.vboost.api.wire.HostBoostFlag;
import dev.vboost.api.wire.SchedPolicy;
import dev.vboost.api.wire.SlotStatus;
import dev.vboost.impl.HostRegionConfig;
import dev.vboost.impl.Regions;
import dev.vboost.impl.memory.ByteBufferSharedMemory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole agent as an embedder runs it: its own thread ({@code start}/{@code close}), two VM regions built by
 * protocol-impl, the real Linux actuator and real threads, checked through {@code sched_getattr}. Covers a
 * guest boost and release with a NOTIFY hypercall, a host-initiated boost and its acknowledgement, and a boost
 * the guest never releases, ended by the host at its bound.
 */
class LiveAgentTest {
    private static final long WAIT = TimeUnit.SECONDS.toNanos(20);

    @TempDir
    Path dir;

    private final List<ParkedThread> threads = new ArrayList<>();
    private LinuxPriorityActuator actuator;

    @AfterEach
    void tearDown() throws Exception {
        for (ParkedThread t : threads) {
            try {
                actuator.apply(t.tid(), ThreadAttributes.DEFAULT);
            } catch (ActuatorException e) {
                // stopped next anyway
            }
            t.stop();
        }
    }

    private int thread(String name, ThreadAttributes original) throws Exception {
        ParkedThread t = ParkedThread.start(name);
        threads.add(t);
        actuator.apply(t.tid(), original);
        assertEquals(original, actuator.read(t.tid()));
        return t.tid();
    }

    @Test
    void realThreadsTwoRegionsGuestAndHostBoostsAndTheBound() throws Exception {
        RealtimeCapability.assumeRealtimeAllowed();
        actuator = new LinuxPriorityActuator();
        ThreadAttributes webOriginal0 = ThreadAttributes.normal(4);
        ThreadAttributes webOriginal1 = ThreadAttributes.rr(3);
        ThreadAttributes dbOriginal = new ThreadAttributes(ThreadAttributes.SCHED_BATCH, 0, 2);
        int web0 = thread("web-vcpu0", webOriginal0);
        int web1 = thread("web-vcpu1", webOriginal1);
        int db0 = thread("db-vcpu0", dbOriginal);

        HostRegionConfig regionConfig = HostRegionConfig.defaults(2);
        ByteBufferSharedMemory webMemory = ByteBufferSharedMemory.allocateDirect((int) regionConfig.regionSize());
        ByteBufferSharedMemory dbMemory = ByteBufferSharedMemory.allocateDirect((int) regionConfig.regionSize());
        HostEndpoint webHost = Regions.createHost(webMemory, regionConfig);
        HostEndpoint dbHost = Regions.createHost(dbMemory, regionConfig);
        GuestEndpoint web = Regions.attachGuest(webMemory, Feature.DEFINED_MASK);
        GuestEndpoint db = Regions.attachGuest(dbMemory, Feature.DEFINED_MASK);

        long tenSeconds = TimeUnit.SECONDS.toNanos(10);
        PolicyConfig webPolicy = PolicyConfig.builder().boostPolicy(SchedPolicy.FIFO).priorityCeiling(15)
                .maxBoostNanos(tenSeconds).budget(tenSeconds, tenSeconds).hostBoostTimeoutNanos(tenSeconds).build();
        PolicyConfig dbPolicy = PolicyConfig.builder().boostPolicy(SchedPolicy.RR).priorityCeiling(5)
                .maxBoostNanos(TimeUnit.MILLISECONDS.toNanos(20)).build();
        Path journal = dir.resolve("leases.journal");
        HostSlotSnapshot state = new HostSlotSnapshot();

        try (HostAgent agent = HostAgent.builder()
                .addVm("web", webHost, webPolicy, Map.of(0, web0, 1, web1))
                .addVm("db", dbHost, dbPolicy, Map.of(0, db0))
                .actuator(actuator)
                .journal(journal)
                .idlePollNanos(TimeUnit.MILLISECONDS.toNanos(100))
                .build()
                .start()) {
            HypercallDispatcher webCalls = new HypercallDispatcher(agent.hypercallTarget("web"));

            // guest boost: the guest asks FIFO 40, the web policy grants FIFO at its ceiling 15
            long id = web.requestBoost(0, SchedPolicy.FIFO, 40, 0, BoostReason.IRQ.bit());
            assertEquals(0, webCalls.dispatch(HypercallExit.of(HypercallNumbers.NOTIFY, 0, 1, 0, 0)).ret());
            assertTrue(web.awaitActed(0, id, WAIT, state), "not acted: " + state);
            assertEquals(SlotStatus.BOOSTED, state.status(), state.toString());
            assertEquals(SchedPolicy.FIFO, state.policy());
            assertEquals(15, state.priority());
            assertEquals(ThreadAttributes.fifo(15), actuator.read(web0));
            // an RR hint on the other vCPU also gets the VM's FIFO
            long id1 = web.requestBoost(1, SchedPolicy.RR, 9, 0, BoostReason.LOCK_HOLDER.bit());
            assertTrue(web.awaitActed(1, id1, WAIT, state), "not acted: " + state);
            assertEquals(ThreadAttributes.fifo(9), actuator.read(web1));

            long rel = web.release(0);
            assertEquals(0, webCalls.dispatch(HypercallExit.of(HypercallNumbers.NOTIFY, 0, 1, 0, 0)).ret());
            assertTrue(web.awaitActed(0, rel, WAIT, state), "not acted: " + state);
            assertEquals(SlotStatus.NORMAL, state.status());
            assertEquals(webOriginal0, actuator.read(web0), "exact original policy, priority and nice");
            long rel1 = web.release(1);
            assertTrue(web.awaitActed(1, rel1, WAIT, state), "not acted: " + state);
            assertEquals(webOriginal1, actuator.read(web1));

            // host-initiated boost (spec §5.5): lasts until the guest acknowledges it
            assertTrue(agent.requestHostBoost(agent.vmIndex("web"), 0, HostBoostFlag.IRQ_INJECTED.bit()));
            awaitState(web, 0, s -> s.hostBoostId() != 0 && s.status() == SlotStatus.BOOSTED, state);
            assertEquals(ThreadAttributes.fifo(15), actuator.read(web0));
            long hostBoostId = state.hostBoostId();
            web.acknowledgeHostBoost(0, hostBoostId);
            awaitState(web, 0, s -> s.status() == SlotStatus.NORMAL, state);
            assertEquals(webOriginal0, actuator.read(web0));

            // a guest that never releases: the host ends the boost at the db policy's 20 ms bound
            long stuck = db.requestBoost(0, SchedPolicy.FIFO, 99, 0, BoostReason.RT_TASK.bit());
            assertTrue(db.awaitActed(0, stuck, WAIT, state), "not acted: " + state);
            awaitState(db, 0, s -> s.status() == SlotStatus.NORMAL && s.denial() == DenialReason.EXPIRED, state);
            assertEquals(stuck, state.actedRequestId());
            assertEquals(dbOriginal, actuator.read(db0), "restored at the bound without the guest");

            VmCounters webCounters = agent.counters("web");
            VmCounters dbCounters = agent.counters("db");
            assertEquals(2, webCounters.granted(), webCounters.toString());
            assertEquals(1, webCounters.grantedFor(BoostReason.IRQ));
            assertEquals(1, webCounters.grantedFor(BoostReason.LOCK_HOLDER));
            assertEquals(2, webCounters.released());
            assertEquals(1, webCounters.hostGranted());
            assertEquals(1, webCounters.hostAcked());
            assertEquals(2, webCounters.notifies());
            assertEquals(0, webCounters.expired());
            assertEquals(0, webCounters.actuatorFailures());
            assertEquals(1, dbCounters.granted(), dbCounters.toString());
            assertEquals(1, dbCounters.expired());
            assertTrue(dbCounters.boostedNanos() >= TimeUnit.MILLISECONDS.toNanos(20), dbCounters.toString());
            assertNull(agent.lastError(), () -> String.valueOf(agent.lastError()));

            // left boosted at close: close() puts it back
            long last = web.requestBoost(1, SchedPolicy.FIFO, 2, 0, BoostReason.IRQ.bit());
            assertTrue(web.awaitActed(1, last, WAIT, state), "not acted: " + state);
            assertEquals(ThreadAttributes.fifo(2), actuator.read(web1));
        }
        assertEquals(webOriginal0, actuator.read(web0));
        assertEquals(webOriginal1, actuator.read(web1));
        assertEquals(dbOriginal, actuator.read(db0));
        assertEquals(0, Files.size(journal), "journal cleared by a clean stop");
        web.readHostState(1, state);
        assertEquals(SlotStatus.NORMAL, state.status(), "stop published NORMAL");
    }

    /** Spec §5.2, §5.8: a guest that detaches loses its boosts, and only an attached guest is served. */
    @Test
    void aDetachedGuestIsNotServedAndItsBoostsEnd() throws Exception {
        RealtimeCapability.assumeRealtimeAllowed();
        actuator = new LinuxPriorityActuator();
        ThreadAttributes original = ThreadAttributes.normal(3);
        int vcpu = thread("vm-vcpu0", original);
        HostRegionConfig regionConfig = HostRegionConfig.defaults(1);
        ByteBufferSharedMemory memory = ByteBufferSharedMemory.allocateDirect((int) regionConfig.regionSize());
        HostEndpoint host = Regions.createHost(memory, regionConfig);
        long tenSeconds = TimeUnit.SECONDS.toNanos(10);
        PolicyConfig policy = PolicyConfig.builder().boostPolicy(SchedPolicy.FIFO).priorityCeiling(10)
                .maxBoostNanos(tenSeconds).budget(tenSeconds, tenSeconds).build();
        HostSlotSnapshot state = new HostSlotSnapshot();
        try (HostAgent agent = HostAgent.builder()
                .addVm("vm", host, policy, Map.of(0, vcpu))
                .actuator(actuator)
                .idlePollNanos(TimeUnit.MILLISECONDS.toNanos(1))
                .build()
                .start()) {
            GuestEndpoint first = Regions.attachGuest(memory, Feature.DEFINED_MASK);
            long id = first.requestBoost(0, SchedPolicy.FIFO, 5, 0, BoostReason.RT_TASK.bit());
            assertTrue(first.awaitActed(0, id, WAIT, state), "not acted: " + state);
            assertEquals(ThreadAttributes.fifo(5), actuator.read(vcpu));

            first.detach(); // the guest leaves with its request still BOOST
            awaitAttributes(vcpu, original);
            HostSlotSnapshot published = new HostSlotSnapshot();
            host.lastPublished(0, published);
            assertEquals(SlotStatus.NORMAL, published.status(), "the detached guest's slot is published NORMAL");
            assertEquals(1, agent.counters("vm").granted(), "nothing granted while detached");

            GuestEndpoint second = Regions.attachGuest(memory, Feature.DEFINED_MASK);
            long again = second.requestBoost(0, SchedPolicy.FIFO, 7, 0, BoostReason.RT_TASK.bit());
            assertTrue(again > id, "request ids continue after a re-attach");
            assertTrue(second.awaitActed(0, again, WAIT, state), "re-attached guest not served: " + state);
            assertEquals(ThreadAttributes.fifo(7), actuator.read(vcpu));
        }
        assertEquals(original, actuator.read(vcpu), "close() restored the thread");
    }

    /** Bounded wait until the thread has {@code expected} attributes. */
    private void awaitAttributes(int tid, ThreadAttributes expected) throws Exception {
        long deadline = System.nanoTime() + WAIT;
        while (!expected.equals(actuator.read(tid))) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("thread " + tid + " still " + actuator.read(tid) + ", expected " + expected);
            }
            Thread.sleep(1);
        }
    }

    /** Bounded wait for the slot's host line to satisfy {@code p}; fails with the last state seen. */
    private static void awaitState(GuestEndpoint guest, int slot, Predicate<HostSlotSnapshot> p, HostSlotSnapshot dst)
            throws InterruptedException {
        long deadline = System.nanoTime() + WAIT;
        while (true) {
            if (guest.readHostState(slot, dst) == ReadStatus.OK && p.test(dst)) {
                return;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("slot " + slot + " did not reach the expected state in time; last: " + dst);
            }
            Thread.sleep(1);
        }
    }
}
