package dev.vboost.agent.actuator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vboost.agent.testing.ParkedThread;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Test;

/** The identity check through a task file kept open from identify to release (spec §9 H2). */
class TaskFilesTest {
    private static final Path NS_LAST_PID = Paths.get("/proc/sys/kernel/ns_last_pid");
    /** Other processes on the machine may take the id first; each attempt is a few system calls. */
    private static final int REUSE_ATTEMPTS = 200;

    @Test
    void aKeptFileProvesALiveThreadAndFailsOnceItExited() throws Exception {
        LinuxPriorityActuator actuator = new LinuxPriorityActuator();
        ParkedThread p = ParkedThread.start("task-kept");
        int before = actuator.taskFilesOpen();
        VcpuThread t = actuator.identify(p.tid());
        assertEquals(before + 1, actuator.taskFilesOpen(), "identify keeps the thread's file open");
        assertEquals(actuator.read(t), actuator.read(t));
        p.stop();
        ThreadGoneException e = assertThrows(ThreadGoneException.class, () -> actuator.read(t));
        assertEquals(t, e.thread());
        assertThrows(ThreadGoneException.class, () -> actuator.apply(t, ThreadAttributes.normal(0)));
        actuator.release(t);
        assertEquals(before, actuator.taskFilesOpen(), "release closes it");
        // released: the path check still refuses the gone thread
        assertThrows(ThreadGoneException.class, () -> actuator.read(t));
    }

    @Test
    void aFileOfAnotherIdentityIsNeverUsed() throws Exception {
        LinuxPriorityActuator actuator = new LinuxPriorityActuator();
        ParkedThread p = ParkedThread.start("task-other");
        try {
            VcpuThread t = actuator.identify(p.tid());
            VcpuThread forged = new VcpuThread(t.tgid(), t.tid(), t.startTime() + 1);
            assertThrows(ThreadGoneException.class, () -> actuator.read(forged));
            actuator.release(forged); // not the kept identity: the real one's file stays
            actuator.read(t);
            actuator.release(t);
        } finally {
            p.stop();
        }
    }

    /**
     * The case the kept file exists for: the registered thread exits and a new thread OF THE SAME PROCESS gets
     * its id (forced through {@code ns_last_pid}), most likely within the same clock tick, so even its start time
     * matches. Every read and change through the old identity must fail and leave the new thread as it was.
     */
    @Test
    void aThreadOfTheSameProcessThatReusesTheIdIsNeverTouched() throws Exception {
        RealtimeCapability.assumeRealtimeAllowed(); // without the check the change below would really happen
        boolean writable = Files.isWritable(NS_LAST_PID);
        if (!writable && RealtimeCapability.onCi()) {
            throw new AssertionError("CI=true but " + NS_LAST_PID + " is not writable (root in the initial pid namespace needed)");
        }
        assumeTrue(writable, () -> "skipped: " + NS_LAST_PID + " not writable");
        LinuxPriorityActuator actuator = new LinuxPriorityActuator();
        ParkedThread first = ParkedThread.start("task-first");
        int tid = first.tid();
        VcpuThread t = actuator.identify(tid);
        first.stop();
        ParkedThread reuser = null;
        for (int attempt = 0; attempt < REUSE_ATTEMPTS && reuser == null; attempt++) {
            setLastPid(tid - 1);
            ParkedThread candidate = ParkedThread.start("task-reuser");
            if (candidate.tid() == tid) {
                reuser = candidate;
            } else {
                candidate.stop();
            }
        }
        if (reuser == null) {
            throw new AssertionError("no thread got id " + tid + " in " + REUSE_ATTEMPTS + " attempts");
        }
        try {
            VcpuThread now = actuator.identify(tid);
            assertEquals(t.tgid(), now.tgid(), "the id names a thread of the same process again");
            ThreadAttributes before = actuator.read(now);
            assertThrows(ThreadGoneException.class, () -> actuator.apply(t, ThreadAttributes.rr(8)));
            assertThrows(ThreadGoneException.class, () -> actuator.apply(t, ThreadAttributes.rr(8), before));
            assertThrows(ThreadGoneException.class, () -> actuator.read(t));
            assertEquals(before, actuator.read(now), "the thread now named " + tid + " was changed");
            assertNotEquals(ThreadAttributes.SCHED_RR, actuator.read(now).policy());
            actuator.release(now);
        } finally {
            actuator.release(t);
            actuator.apply(tid, ThreadAttributes.DEFAULT);
            reuser.stop();
        }
    }

    private static void setLastPid(int pid) throws IOException {
        Files.write(NS_LAST_PID, Integer.toString(pid).getBytes(StandardCharsets.US_ASCII));
    }
}
