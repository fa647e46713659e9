package dev.vboost.agent.actuator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vboost.agent.testing.ParkedThread;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Real sched_setattr/sched_getattr on a live thread, cross-checked against /proc. */
class LinuxPriorityActuatorTest {

    private LinuxPriorityActuator actuator;
    private ParkedThread victim;

    @BeforeEach
    void setUp() throws Exception {
        RealtimeCapability.assumeRealtimeAllowed();
        actuator = new LinuxPriorityActuator();
        victim = ParkedThread.start("victim");
    }

    @AfterEach
    void tearDown() throws Exception {
        if (victim != null) {
            victim.stop();
        }
    }

    @Test
    void boostsToFifoAndRestoresTheExactOriginal() throws Exception {
        int tid = victim.tid();
        ThreadAttributes original = actuator.read(tid);
        assertEquals(ThreadAttributes.SCHED_OTHER, original.policy(), "a fresh Java thread runs SCHED_OTHER");

        actuator.apply(tid, ThreadAttributes.fifo(42));
        assertEquals(ThreadAttributes.fifo(42), actuator.read(tid));
        // cross-check with the kernel's own view: /proc/<pid>/task/<tid>/stat field 41 policy, 18 prio = -1 - rt_priority
        String[] stat = statFields(tid);
        assertEquals("1", stat[41 - 1], "stat policy");
        assertEquals("-43", stat[18 - 1], "stat priority");

        actuator.apply(tid, original);
        assertEquals(original, actuator.read(tid));
        assertEquals("0", statFields(tid)[41 - 1]);
    }

    @Test
    void keepsANonDefaultNiceThroughAnRrBoost() throws Exception {
        int tid = victim.tid();
        ThreadAttributes original = ThreadAttributes.normal(7);
        actuator.apply(tid, original);
        assertEquals(original, actuator.read(tid));
        assertEquals("7", statFields(tid)[19 - 1], "stat nice");

        actuator.apply(tid, ThreadAttributes.rr(5));
        assertEquals(ThreadAttributes.rr(5), actuator.read(tid));
        assertEquals("2", statFields(tid)[41 - 1], "stat policy");
        assertEquals("7", statFields(tid)[19 - 1], "Linux keeps the nice value hidden under a real-time policy");

        actuator.apply(tid, original);
        assertEquals(original, actuator.read(tid));
    }

    @Test
    void restoresBatchAndIdle() throws Exception {
        int tid = victim.tid();
        for (ThreadAttributes a : new ThreadAttributes[] {new ThreadAttributes(ThreadAttributes.SCHED_BATCH, 0, -3),
                new ThreadAttributes(ThreadAttributes.SCHED_IDLE, 0, 0)}) {
            actuator.apply(tid, a);
            ThreadAttributes set = actuator.read(tid);
            assertEquals(a, set, "a fair policy is set with exactly its flags");
            actuator.apply(tid, ThreadAttributes.fifo(1));
            actuator.apply(tid, a);
            assertEquals(a, actuator.read(tid), "a restore sets exactly the given flags");
        }
    }

    @Test
    void vanishedThreadIsNoSuchThread() throws Exception {
        ParkedThread gone = ParkedThread.start("gone");
        int tid = gone.tid();
        gone.stop();
        ActuatorException e = assertThrows(ActuatorException.class, () -> actuator.read(tid));
        assertEquals(ActuatorException.Kind.NO_SUCH_THREAD, e.kind());
        assertEquals(ActuatorException.ESRCH, e.errno());
        ActuatorException e2 = assertThrows(ActuatorException.class, () -> actuator.apply(tid, ThreadAttributes.fifo(1)));
        assertEquals(ActuatorException.Kind.NO_SUCH_THREAD, e2.kind());
    }

    @Test
    void nonPositiveTidIsRejectedBeforeTheKernel() {
        assertEquals(ActuatorException.Kind.INVALID, assertThrows(ActuatorException.class, () -> actuator.read(0)).kind());
        assertEquals(ActuatorException.Kind.INVALID,
                assertThrows(ActuatorException.class, () -> actuator.apply(-4, ThreadAttributes.fifo(1))).kind());
    }

    @Test
    void currentTidMatchesProcThreadSelfAndIsListed() throws Exception {
        AtomicInteger viaGettid = new AtomicInteger();
        AtomicInteger viaProc = new AtomicInteger();
        Thread t = new Thread(() -> {
            viaGettid.set(LinuxThreads.currentTid());
            try {
                // /proc/thread-self -> "<pid>/task/<tid>"
                Path link = Files.readSymbolicLink(Paths.get("/proc/thread-self"));
                viaProc.set(Integer.parseInt(link.getFileName().toString()));
            } catch (IOException e) {
                viaProc.set(-1);
            }
        });
        t.start();
        t.join(10_000);
        assertTrue(viaGettid.get() > 0);
        assertEquals(viaProc.get(), viaGettid.get());
        int[] all = LinuxThreads.threadsOf(ProcessHandle.current().pid());
        assertTrue(java.util.Arrays.binarySearch(all, victim.tid()) >= 0, "victim listed among the process's threads");
        assertTrue(all.length > 1);
        assertArrayEquals(new int[0], LinuxThreads.threadsOf(Integer.MAX_VALUE));
    }

    private static String[] statFields(int tid) throws IOException {
        String stat = Files.readString(Paths.get("/proc/self/task/" + tid + "/stat"));
        // comm (field 2) may contain spaces: split after its closing parenthesis
        String rest = stat.substring(stat.lastIndexOf(')') + 2);
        String[] tail = rest.trim().split(" ");
        String[] fields = new String[tail.length + 2];
        fields[0] = stat.substring(0, stat.indexOf(' '));
        fields[1] = "comm";
        System.arraycopy(tail, 0, fields, 2, tail.length);
        return fields;
    }
}
