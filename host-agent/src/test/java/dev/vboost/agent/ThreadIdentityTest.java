package dev.vboost.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vboost.agent.actuator.ActuatorException;
import dev.vboost.agent.actuator.LinuxPriorityActuator;
import dev.vboost.agent.actuator.PriorityActuator;
import dev.vboost.agent.actuator.RealtimeCapability;
import dev.vboost.agent.actuator.RecordingActuator;
import dev.vboost.agent.actuator.ThreadAttributes;
import dev.vboost.agent.actuator.VcpuThread;
import dev.vboost.agent.policy.PolicyConfig;
import dev.vboost.agent.testing.ParkedThread;
import dev.vboost.api.wire.BoostReason;
import dev.vboost.api.wire.DenialReason;
import dev.vboost.api.wire.Feature;
import dev.vboost.api.wire.SlotStatus;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Spec §9 H2 at the agent: each vCPU thread is identified when it is registered, not at its first boost, and a
 * thread found gone is never touched again (issue 16 rows 2, 3).
 */
class ThreadIdentityTest {
    private static final long MS = 1_000_000L;
    private static final int BOOST = 1;
    private static final int FIFO = 1;
    private static final int IRQ = BoostReason.IRQ.bit();
    private static final ThreadAttributes ORIGINAL = ThreadAttributes.normal(0);

    private long now = 1_000 * MS;

    @Test
    void aThreadWhoseIdIsReusedBeforeItsFirstBoostIsNeverAdopted() {
        RecordingActuator actuator = new RecordingActuator().addThread(101, ORIGINAL).addThread(102, ORIGINAL);
        HostAgent a = HostAgent.builder().actuator(actuator).clock(() -> now).build().prepare();
        FakeHostEndpoint ep = new FakeHostEndpoint(2, 1);
        ep.attached(true);
        a.addVm("vm", ep, PolicyConfig.defaults(), Map.of(0, 101, 1, 102));
        a.runOnce(); // registration: identities taken here
        actuator.replaceThread(101, ORIGINAL); // 101 exits, an unrelated thread gets its id
        ep.writeGuest(0, BOOST, FIFO, 5, 0, IRQ, 1, 0);
        ep.writeGuest(1, BOOST, FIFO, 5, 0, IRQ, 1, 0);
        a.runOnce();
        assertEquals(ORIGINAL, actuator.current(101), "the thread now named 101 was changed");
        assertEquals(DenialReason.ACTUATOR_FAILED, ep.published(0).denial());
        assertEquals(SlotStatus.BOOSTED, ep.published(1).status(), "the other slot is served as before");
        // never touched again: a later request costs no actuator call on 101
        int callsOn101 = callsOn(actuator, 101);
        ep.writeGuest(0, BOOST, FIFO, 5, 0, IRQ, 2, 0);
        a.runOnce();
        assertEquals(callsOn101, callsOn(actuator, 101), actuator.calls().toString());
        assertEquals(DenialReason.ACTUATOR_FAILED, ep.published(0).denial());
        a.stop();
    }

    @Test
    void aThreadGoneAtRegistrationLeavesItsSlotUnservedAndCounted() {
        RecordingActuator actuator = new RecordingActuator().addThread(102, ORIGINAL);
        HostAgent a = HostAgent.builder().actuator(actuator).clock(() -> now).build().prepare();
        FakeHostEndpoint ep = new FakeHostEndpoint(2, 1);
        ep.attached(true);
        a.addVm("vm", ep, PolicyConfig.defaults(), Map.of(0, 101, 1, 102));
        a.runOnce();
        assertEquals(1, a.counters("vm").actuatorFailures());
        actuator.addThread(101, ORIGINAL); // a thread appears under the id later: not the registered one
        ep.writeGuest(0, BOOST, FIFO, 5, 0, IRQ, 1, 0);
        a.runOnce();
        assertEquals(ORIGINAL, actuator.current(101));
        assertEquals(DenialReason.ACTUATOR_FAILED, ep.published(0).denial());
        // a re-map registers it again (the embedder vouches for the thread): then it is served
        a.remapVcpus("vm", Map.of(0, 101, 1, 102));
        ep.writeGuest(0, BOOST, FIFO, 5, 0, IRQ, 2, 0);
        a.runOnce();
        assertEquals(SlotStatus.BOOSTED, ep.published(0).status());
        a.stop();
        assertEquals(ORIGINAL, actuator.current(101));
    }

    @Test
    void aThreadOfAnotherProcessThanTheVmsIsRefused() {
        RecordingActuator actuator = new RecordingActuator().addThread(101, ORIGINAL);
        HostAgent a = HostAgent.builder().actuator(actuator).clock(() -> now).build().prepare();
        FakeHostEndpoint ep = new FakeHostEndpoint(1, 1);
        ep.attached(true);
        // RecordingActuator's threads belong to process RecordingActuator.TGID
        a.addVm("vm", ep, PolicyConfig.defaults(), Map.of(0, 101), Feature.DEFINED_MASK, 0,
                VmOptions.NONE.withProcessId(RecordingActuator.TGID + 1));
        ep.writeGuest(0, BOOST, FIFO, 5, 0, IRQ, 1, 0);
        a.runOnce();
        assertEquals(ORIGINAL, actuator.current(101));
        assertEquals(DenialReason.ACTUATOR_FAILED, ep.published(0).denial());
        assertEquals(0, actuator.successfulApplies());
        a.stop();
    }

    @Test
    void aBoostedRealThreadThatExitsIsNeverTouchedAgainAndItsSlotGoesNormal() throws Exception {
        RealtimeCapability.assumeRealtimeAllowed();
        CountingActuator actuator = new CountingActuator(new LinuxPriorityActuator());
        HostAgent a = HostAgent.builder().actuator(actuator).clock(() -> now).build().prepare();
        FakeHostEndpoint ep = new FakeHostEndpoint(1, 1);
        ep.attached(true);
        ParkedThread vcpu = ParkedThread.start("vcpu-exits");
        int tid = vcpu.tid();
        a.addVm("vm", ep, PolicyConfig.defaults(), Map.of(0, tid));
        ep.writeGuest(0, BOOST, FIFO, 5, 0, IRQ, 1, 0);
        a.runOnce();
        assertEquals(SlotStatus.BOOSTED, ep.published(0).status());
        vcpu.stop(); // exits while boosted
        now += PolicyConfig.defaults().maxBoostNanos() + MS;
        a.runOnce(); // expiry: the restore finds the thread gone and touches nothing
        assertEquals(SlotStatus.NORMAL, ep.published(0).status());
        int calls = actuator.calls.size();
        ep.writeGuest(0, BOOST, FIFO, 5, 0, IRQ, 2, 0);
        a.runOnce();
        assertEquals(DenialReason.ACTUATOR_FAILED, ep.published(0).denial());
        now += PolicyConfig.defaults().maxBoostNanos() + MS;
        a.runOnce();
        a.stop();
        assertEquals(calls, actuator.calls.size(), "calls after the thread was found gone: "
                + actuator.calls.subList(calls, actuator.calls.size()));
    }

    @Test
    void aBoostedRealThreadsChildrenDoNotInheritTheBoost() throws Exception {
        RealtimeCapability.assumeRealtimeAllowed();
        LinuxPriorityActuator linux = new LinuxPriorityActuator();
        HostAgent a = HostAgent.builder().actuator(linux).clock(() -> now).build().prepare();
        FakeHostEndpoint ep = new FakeHostEndpoint(1, 1);
        ep.attached(true);
        java.util.concurrent.BlockingQueue<Runnable> work = new java.util.concurrent.LinkedBlockingQueue<>();
        java.util.concurrent.atomic.AtomicInteger vcpuTid = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
        Thread vcpu = new Thread(() -> {
            vcpuTid.set(dev.vboost.agent.actuator.LinuxThreads.currentTid());
            started.countDown();
            try {
                Runnable r;
                while ((r = work.take()) != STOP) {
                    r.run();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "vcpu-forks");
        vcpu.setDaemon(true);
        vcpu.start();
        assertTrue(started.await(10, java.util.concurrent.TimeUnit.SECONDS));
        try {
            a.addVm("vm", ep, PolicyConfig.defaults(), Map.of(0, vcpuTid.get()));
            ep.writeGuest(0, BOOST, FIFO, 5, 0, IRQ, 1, 0);
            a.runOnce();
            assertEquals(SlotStatus.BOOSTED, ep.published(0).status());
            assertTrue(linux.read(vcpuTid.get()).isRealTime(), "the vCPU thread was not boosted");
            // the boosted thread creates a thread and a process
            java.util.concurrent.CompletableFuture<ThreadAttributes> child = new java.util.concurrent.CompletableFuture<>();
            java.util.concurrent.CompletableFuture<String> process = new java.util.concurrent.CompletableFuture<>();
            work.add(() -> {
                Thread c = new Thread(() -> {
                    try {
                        child.complete(linux.read(dev.vboost.agent.actuator.LinuxThreads.currentTid()));
                    } catch (ActuatorException e) {
                        child.completeExceptionally(e);
                    }
                }, "vcpu-child");
                c.start();
                try {
                    Process p = new ProcessBuilder("sh", "-c", "grep -E '^policy' /proc/self/sched || cat /proc/self/stat")
                            .redirectErrorStream(true).start();
                    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                    p.waitFor();
                    process.complete(out);
                } catch (Exception e) {
                    process.completeExceptionally(e);
                }
            });
            ThreadAttributes c = child.get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals(ThreadAttributes.SCHED_OTHER, c.policy(), "child thread inherited " + c);
            String out = process.get(30, java.util.concurrent.TimeUnit.SECONDS);
            assertTrue(schedPolicyOf(out) == ThreadAttributes.SCHED_OTHER, "child process inherited: " + out);
        } finally {
            a.stop();
            work.add(STOP);
            vcpu.join(10_000);
        }
    }

    private static final Runnable STOP = () -> { };

    /** The policy from /proc/self/sched ("policy : N") or, failing that, field 41 of /proc/self/stat. */
    private static int schedPolicyOf(String out) {
        for (String line : out.split("\n")) {
            if (line.startsWith("policy")) {
                return Integer.parseInt(line.substring(line.indexOf(':') + 1).trim());
            }
        }
        String[] f = out.substring(out.lastIndexOf(')') + 2).trim().split(" ");
        return Integer.parseInt(f[41 - 3]);
    }

    private static int callsOn(RecordingActuator actuator, int tid) {
        int n = 0;
        for (RecordingActuator.Call c : actuator.calls()) {
            if (c.tid() == tid) {
                n++;
            }
        }
        return n;
    }

    /** The real actuator, with every read and apply recorded. */
    private static final class CountingActuator implements PriorityActuator {
        final PriorityActuator real;
        final List<String> calls = new CopyOnWriteArrayList<>();

        CountingActuator(PriorityActuator real) {
            this.real = real;
        }

        @Override
        public VcpuThread identify(int tid) throws ActuatorException {
            return real.identify(tid);
        }

        @Override
        public ThreadAttributes read(VcpuThread t) throws ActuatorException {
            calls.add("read " + t);
            return real.read(t);
        }

        @Override
        public void apply(VcpuThread t, ThreadAttributes attributes) throws ActuatorException {
            calls.add("apply " + t + " " + attributes);
            real.apply(t, attributes);
        }

        @Override
        public void release(VcpuThread t) {
            real.release(t);
        }
    }
}
