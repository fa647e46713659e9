package dev.vboost.agent.actuator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ThreadAttributesTest {

    @Test
    void factoriesUseLinuxCodes() {
        assertEquals(new ThreadAttributes(0, 0, -5), ThreadAttributes.normal(-5));
        assertEquals(new ThreadAttributes(1, 10, 0, ThreadAttributes.SCHED_FLAG_RESET_ON_FORK), ThreadAttributes.fifo(10));
        assertEquals(new ThreadAttributes(2, 99, 0, ThreadAttributes.SCHED_FLAG_RESET_ON_FORK), ThreadAttributes.rr(99));
        assertEquals(0, ThreadAttributes.normal(-5).flags(), "a nice value is not a boost by itself");
        assertTrue(ThreadAttributes.fifo(1).isRealTime());
        assertFalse(ThreadAttributes.normal(0).isRealTime());
    }

    @Test
    void rejectsWhatLinuxWouldReject() {
        assertThrows(IllegalArgumentException.class, () -> ThreadAttributes.fifo(0));
        assertThrows(IllegalArgumentException.class, () -> ThreadAttributes.rr(100));
        assertThrows(IllegalArgumentException.class, () -> new ThreadAttributes(0, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> ThreadAttributes.normal(20));
        assertThrows(IllegalArgumentException.class, () -> ThreadAttributes.normal(-21));
        assertThrows(IllegalArgumentException.class, () -> new ThreadAttributes(ThreadAttributes.SCHED_DEADLINE, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new ThreadAttributes(4, 0, 0));
    }

    @Test
    void ofSharesOneInstancePerValidCombinationAndRejectsTheRest() {
        int[] policies = {ThreadAttributes.SCHED_OTHER, ThreadAttributes.SCHED_FIFO, ThreadAttributes.SCHED_RR,
            ThreadAttributes.SCHED_BATCH, ThreadAttributes.SCHED_IDLE};
        int shared = 0;
        for (int policy : policies) {
            for (long flags = 0; flags <= ThreadAttributes.SCHED_FLAG_RESET_ON_FORK; flags++) {
                for (int priority = 0; priority <= 100; priority++) {
                    for (int nice = -21; nice <= 20; nice++) {
                        ThreadAttributes built;
                        try {
                            built = new ThreadAttributes(policy, priority, nice, flags);
                        } catch (IllegalArgumentException e) {
                            int p = priority;
                            int n = nice;
                            long f = flags;
                            assertThrows(IllegalArgumentException.class, () -> ThreadAttributes.of(policy, p, n, f));
                            continue;
                        }
                        ThreadAttributes a = ThreadAttributes.of(policy, priority, nice, flags);
                        assertEquals(built, a);
                        assertSame(a, ThreadAttributes.of(policy, priority, nice, flags), built::toString);
                        shared++;
                    }
                }
            }
        }
        assertEquals(2 * (2 * 99 + 3 * 40), shared, "every valid combination");
        assertSame(ThreadAttributes.rr(5), ThreadAttributes.rr(5));
        assertThrows(IllegalArgumentException.class, () -> ThreadAttributes.of(ThreadAttributes.SCHED_DEADLINE, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> ThreadAttributes.of(0, 0, 0, 2));
    }

    @Test
    void realTimeCarriesNiceZero() {
        assertThrows(IllegalArgumentException.class, () -> new ThreadAttributes(1, 3, 9));
        assertEquals(0, ThreadAttributes.rr(3).nice());
    }

    @Test
    void recordingActuatorSimulatesLinux() throws Exception {
        RecordingActuator a = new RecordingActuator().addThread(7, ThreadAttributes.normal(4));
        a.apply(7, ThreadAttributes.fifo(20));
        assertEquals(ThreadAttributes.fifo(20), a.read(7));
        a.apply(7, ThreadAttributes.normal(4));
        assertEquals(ThreadAttributes.normal(4), a.current(7));
        assertEquals(ActuatorException.Kind.NO_SUCH_THREAD,
                assertThrows(ActuatorException.class, () -> a.read(8)).kind());
        a.failNextCall(ActuatorException.Kind.PERMISSION);
        ActuatorException e = assertThrows(ActuatorException.class, () -> a.apply(7, ThreadAttributes.rr(1)));
        assertEquals(ActuatorException.Kind.PERMISSION, e.kind());
        assertEquals(ActuatorException.EPERM, e.errno());
        assertEquals(ThreadAttributes.normal(4), a.current(7), "failed apply changes nothing");
        a.removeThread(7);
        assertNull(a.current(7));
        assertEquals(2, a.successfulApplies());
        assertEquals(5, a.calls().size());
    }
}
