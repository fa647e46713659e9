package dev.vboost.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vboost.agent.actuator.RecordingActuator;
import dev.vboost.agent.actuator.ThreadAttributes;
import dev.vboost.agent.policy.PolicyConfig;
import dev.vboost.api.VboostException;
import dev.vboost.api.WireError;
import dev.vboost.api.role.GuestEndpoint;
import dev.vboost.api.role.HostEndpoint;
import dev.vboost.api.wire.Feature;
import dev.vboost.impl.HostRegionConfig;
import dev.vboost.impl.Regions;
import dev.vboost.impl.memory.ByteBufferSharedMemory;
import dev.vboost.api.wire.BoostReason;
import dev.vboost.api.wire.SlotStatus;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * VMs added, removed and re-mapped while the agent runs (issue 13), and the order of the guest-header read and the
 * slot poll (issue 16 row 14), with a fake endpoint and a recording actuator.
 */
class VmChangesTest {
    private static final long MS = 1_000_000L;
    private static final int BOOST = 1;
    private static final int IRQ = BoostReason.IRQ.bit();
    private static final ThreadAttributes ORIGINAL = ThreadAttributes.normal(2);

    private long now = 1_000 * MS;
    private final RecordingActuator actuator = new RecordingActuator();

    private HostAgent agent() {
        for (int tid = 101; tid <= 108; tid++) {
            actuator.addThread(tid, ORIGINAL);
        }
        return HostAgent.builder().actuator(actuator).clock(() -> now).build();
    }

    @Test
    void aRequestWrittenRightAfterTheHeaderReadIsNeverLost() {
        HostAgent a = agent().prepare();
        FakeHostEndpoint ep = new FakeHostEndpoint(2, 1);
        ep.attached(false);
        a.addVm("vm", ep, PolicyConfig.defaults(), Map.of(0, 101));
        // the guest attaches and requests between the host's header read and anything after it
        ep.afterNextHeaderRead(() -> {
            ep.attached(true);
            ep.writeGuest(0, BOOST, 1, 5, 0, IRQ, 1, 0);
        });
        a.runOnce();
        a.runOnce();
        assertEquals(1, ep.published(0).actedRequestId(), "the request was consumed unread: " + ep.history());
        assertEquals(SlotStatus.BOOSTED, ep.published(0).status());
        a.stop();
    }

    @Test
    void guestHeaderErrorsAreCountedOncePerOccurrence() {
        HostAgent a = agent().prepare();
        FakeHostEndpoint ep = new FakeHostEndpoint(1, 1);
        a.addVm("vm", ep, PolicyConfig.defaults(), Map.of(0, 101));
        ep.headerError(WireError.STALE_GENERATION);
        a.runOnce();
        a.runOnce();
        assertEquals(1, a.counters("vm").guestHeaderErrors());
        ep.headerError(WireError.NONE);
        ep.attached(true);
        a.runOnce();
        ep.headerError(WireError.UNSUPPORTED_MAJOR);
        a.runOnce();
        assertEquals(2, a.counters("vm").guestHeaderErrors());
        a.stop();
    }

    @Test
    void removeRestoresOnlyThatVmAndPublishesNormal() {
        HostAgent a = agent().prepare();
        FakeHostEndpoint one = new FakeHostEndpoint(2, 1);
        FakeHostEndpoint two = new FakeHostEndpoint(2, 1);
        a.addVm("one", one, PolicyConfig.defaults(), Map.of(0, 101, 1, 102));
        a.addVm("two", two, PolicyConfig.defaults(), Map.of(0, 103));
        one.writeGuest(0, BOOST, 1, 5, 0, IRQ, 1, 0);
        two.writeGuest(0, BOOST, 1, 5, 0, IRQ, 1, 0);
        a.runOnce();
        assertTrue(actuator.current(101).isRealTime());
        assertTrue(actuator.current(103).isRealTime());
        a.removeVm("one");
        assertEquals(ORIGINAL, actuator.current(101), "removed VM's thread restored before removeVm returned");
        assertEquals(SlotStatus.NORMAL, one.published(0).status());
        assertTrue(actuator.current(103).isRealTime(), "the other VM was disturbed");
        assertEquals(java.util.List.of("two"), a.vmNames());
        assertThrows(IllegalArgumentException.class, () -> a.counters("one"));
        // its thread may serve a new VM now
        a.addVm("three", new FakeHostEndpoint(1, 1), PolicyConfig.defaults(), Map.of(0, 101));
        a.stop();
    }

    @Test
    void remapRestoresOnlyTheSlotsWhoseThreadChanged() {
        HostAgent a = agent().prepare();
        FakeHostEndpoint ep = new FakeHostEndpoint(2, 1);
        a.addVm("vm", ep, PolicyConfig.defaults(), Map.of(0, 101, 1, 102));
        ep.writeGuest(0, BOOST, 1, 5, 0, IRQ, 1, 0);
        ep.writeGuest(1, BOOST, 1, 5, 0, IRQ, 1, 0);
        a.runOnce();
        int seq0 = ep.published(0).seq();
        a.remapVcpus("vm", Map.of(0, 101, 1, 104)); // vCPU 1 re-plugged with a new thread
        assertEquals(ORIGINAL, actuator.current(102), "old thread of the re-mapped slot restored");
        assertEquals(SlotStatus.NORMAL, ep.published(1).status());
        assertTrue(actuator.current(101).isRealTime(), "slot 0 disturbed");
        assertEquals(seq0, ep.published(0).seq(), "slot 0 republished");
        ep.writeGuest(1, BOOST, 1, 5, 0, IRQ, 2, 0);
        a.runOnce();
        assertTrue(actuator.current(104).isRealTime(), "the new thread is served");
        assertThrows(IllegalArgumentException.class, () -> a.remapVcpus("vm", Map.of(0, 104, 1, 104)));
        a.stop();
        assertEquals(ORIGINAL, actuator.current(101));
        assertEquals(ORIGINAL, actuator.current(104));
    }

    @Test
    void changesWhileTheAgentThreadRuns() throws Exception {
        HostAgent a = agent().start();
        try {
            FakeHostEndpoint ep = new FakeHostEndpoint(2, 1);
            now = System.nanoTime(); // the clock moves little here: boosts stay in force while we look
            a.addVm("vm", ep, PolicyConfig.defaults(), Map.of(0, 101, 1, 102));
            ep.writeGuest(0, BOOST, 1, 5, 0, IRQ, 1, 0);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (ep.published(0).actedRequestId() != 1) {
                assertTrue(System.nanoTime() < deadline, "request never acted on");
                Thread.sleep(1);
            }
            assertTrue(actuator.current(101).isRealTime());
            a.remapVcpus("vm", Map.of(0, 105, 1, 102));
            assertEquals(ORIGINAL, actuator.current(101));
            a.removeVm("vm");
            assertFalse(a.vmNames().contains("vm"));
        } finally {
            a.stop();
        }
    }

    @Test
    void aRegionNobodyServesIsNotReadyUntilTheAgentServesIt() throws Exception {
        HostRegionConfig config = HostRegionConfig.defaults(2);
        ByteBufferSharedMemory memory = ByteBufferSharedMemory.allocateDirect((int) config.regionSize());
        HostEndpoint region = Regions.prepareHost(memory, config);
        assertFalse(region.ready());
        VboostException early = assertThrows(VboostException.class,
                () -> Regions.attachGuest(memory, Feature.DEFINED_MASK));
        assertEquals(WireError.NOT_READY, early.error(), "a region nothing serves must not look served");
        // a guest started before the agent waits for it (the recommended start order is either order)
        java.util.concurrent.CompletableFuture<GuestEndpoint> waiting = java.util.concurrent.CompletableFuture
                .supplyAsync(() -> {
                    try {
                        return Regions.attachGuest(memory, Feature.DEFINED_MASK, java.time.Duration.ofSeconds(30));
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                });
        for (int tid = 101; tid <= 102; tid++) {
            actuator.addThread(tid, ORIGINAL);
        }
        // boosts long enough to still be in force when this thread looks, however loaded the machine
        PolicyConfig longBoosts = PolicyConfig.builder().maxBoostNanos(TimeUnit.SECONDS.toNanos(5))
                .budget(TimeUnit.SECONDS.toNanos(5), TimeUnit.SECONDS.toNanos(10)).build();
        HostAgent a = HostAgent.builder().actuator(actuator).addVm("vm", region, longBoosts,
                Map.of(0, 101, 1, 102)).build().start();
        try {
            GuestEndpoint guest = waiting.get(30, TimeUnit.SECONDS);
            assertTrue(region.generation() != 0);
            assertEquals(region.generation(), a.hypercallTarget("vm").generation(), "ATTACH checks the live generation");
            long id = guest.requestBoost(0, dev.vboost.api.wire.SchedPolicy.FIFO, 5, 0, IRQ);
            dev.vboost.api.HostSlotSnapshot seen = new dev.vboost.api.HostSlotSnapshot();
            assertTrue(guest.awaitActed(0, id, TimeUnit.SECONDS.toNanos(10), seen), "early guest's request not acted on");
            assertEquals(SlotStatus.BOOSTED, seen.status(), () -> seen + " " + a.counters("vm") + " " + actuator.calls()
                    + " " + a.lastError());
        } finally {
            a.stop();
        }
    }
}
