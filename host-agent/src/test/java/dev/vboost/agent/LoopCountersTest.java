package dev.vboost.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vboost.agent.actuator.RecordingActuator;
import dev.vboost.agent.actuator.ThreadAttributes;
import dev.vboost.agent.policy.PolicyConfig;
import dev.vboost.agent.stats.LoopCounters;
import dev.vboost.agent.stats.WakeCause;
import dev.vboost.api.wire.BoostReason;
import dev.vboost.api.wire.SchedPolicy;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.junit.jupiter.api.Test;

/**
 * The agent loop's own counters ({@link HostAgent#loopCounters()}): the lateness buckets' bounds, and a running
 * agent whose waits end by the idle poll, a boost's deadline, a NOTIFY and a doorbell ring, each counted under
 * its cause, with the timed ones in the lateness histogram.
 */
class LoopCountersTest {
    private static final long WAIT = TimeUnit.SECONDS.toNanos(20);

    @Test
    void bucketsArePowersOfTwoWithAnOverflowBucket() {
        assertEquals(0, LoopCounters.bucketOf(0));
        assertEquals(0, LoopCounters.bucketOf(1024));
        assertEquals(1, LoopCounters.bucketOf(1025));
        assertEquals(1, LoopCounters.bucketOf(2048));
        assertEquals(2, LoopCounters.bucketOf(2049));
        assertEquals(20, LoopCounters.bucketOf(1L << 30));
        assertEquals(LoopCounters.BOUNDED_BUCKETS, LoopCounters.bucketOf((1L << 30) + 1));
        assertEquals(LoopCounters.BOUNDED_BUCKETS, LoopCounters.bucketOf(Long.MAX_VALUE));
        for (int b = 0; b < LoopCounters.BOUNDED_BUCKETS; b++) {
            long upper = LoopCounters.bucketUpperNanos(b);
            assertEquals(b, LoopCounters.bucketOf(upper));
            assertEquals(b + 1, LoopCounters.bucketOf(upper + 1));
        }
        assertThrows(IndexOutOfBoundsException.class, () -> LoopCounters.bucketUpperNanos(LoopCounters.BOUNDED_BUCKETS));
    }

    @Test
    void eachWaitIsCountedUnderItsCause() throws Exception {
        FakeHostEndpoint endpoint = new FakeHostEndpoint(1, 3);
        RecordingActuator actuator = new RecordingActuator().addThread(11, ThreadAttributes.normal(0));
        RingingWaiter waiter = new RingingWaiter();
        // 2 ms longest boost: a boost nobody releases ends at a deadline well before the 50 ms idle poll
        PolicyConfig policy = PolicyConfig.builder().boostPolicy(SchedPolicy.FIFO).priorityCeiling(10)
                .maxBoostNanos(TimeUnit.MILLISECONDS.toNanos(2)).build();
        try (HostAgent agent = HostAgent.builder().addVm("vm", endpoint, policy, Map.of(0, 11)).actuator(actuator)
                .idlePollNanos(TimeUnit.MILLISECONDS.toNanos(50)).loopWaiter(waiter).build().start()) {
            LoopCounters idle = awaitCounters(agent, c -> c.wakeUps(WakeCause.POLL) >= 2, "idle polls");
            assertTrue(idle.latenessCount() >= idle.wakeUps(WakeCause.POLL), idle::toString);
            assertTrue(idle.maxLatenessNanos() >= 0 && idle.maxLatenessNanos() <= idle.latenessSumNanos(), idle::toString);

            endpoint.writeGuest(0, 1, SchedPolicy.FIFO.code(), 5, 0, BoostReason.IRQ.bit(), 1, 0);
            agent.notifySlot(agent.vmIndex("vm"), 0, 0); // the scan finds the line now, not at the next poll
            awaitCounters(agent, c -> c.wakeUps(WakeCause.DEADLINE) >= 1, "the boost's expiry");
            assertEquals(1, agent.counters("vm").expired());

            long signals = agent.loopCounters().wakeUps(WakeCause.SIGNAL);
            awaitCounters(agent, c -> {
                agent.notifySlot(agent.vmIndex("vm"), 0, 0); // again until one lands inside a wait
                return c.wakeUps(WakeCause.SIGNAL) > signals;
            }, "a NOTIFY");

            awaitCounters(agent, c -> {
                waiter.ring();
                return c.wakeUps(WakeCause.RING) >= 1;
            }, "a ring");
            LoopCounters end = agent.loopCounters();
            long timed = end.wakeUps(WakeCause.POLL) + end.wakeUps(WakeCause.DEADLINE);
            assertTrue(end.latenessCount() >= timed, end::toString);
            long total = 0;
            for (long n : end.wakeUps()) {
                total += n;
            }
            assertTrue(end.latenessCount() <= total, end::toString);
        }
    }

    private static LoopCounters awaitCounters(HostAgent agent, Predicate<LoopCounters> done, String what)
            throws InterruptedException {
        long until = System.nanoTime() + WAIT;
        LoopCounters c = agent.loopCounters();
        while (!done.test(c)) {
            assertTrue(System.nanoTime() - until < 0, what + " not counted within 20 s: " + c);
            Thread.sleep(5);
            c = agent.loopCounters();
        }
        return c;
    }

    /** Parks like the default waiter; {@link #ring()} stands for a guest's doorbell. */
    private static final class RingingWaiter implements LoopWaiter {
        private volatile @Nullable Thread owner;
        private volatile boolean rang;
        private boolean lastByRing;

        void ring() {
            rang = true;
            wakeUp();
        }

        @Override
        public void awaitUntil(long deadlineNanos) throws InterruptedException {
            owner = Thread.currentThread();
            long wait = deadlineNanos - System.nanoTime();
            if (wait > 0 && !rang) {
                LockSupport.parkNanos(this, wait);
            }
            lastByRing = rang;
            rang = false;
        }

        @Override
        public void wakeUp() {
            Thread t = owner;
            if (t != null) {
                LockSupport.unpark(t);
            }
        }

        @Override
        public boolean lastWakeByRing() {
            return lastByRing;
        }
    }
}
