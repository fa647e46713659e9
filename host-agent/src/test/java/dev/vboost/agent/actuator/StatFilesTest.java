package dev.vboost.agent.actuator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.vboost.agent.testing.ParkedThread;
import org.junit.jupiter.api.Test;

/** The identity check through a stat file kept open from identify to release (spec §9 H2). */
class StatFilesTest {

    @Test
    void aKeptFileProvesALiveThreadAndFailsOnceItExited() throws Exception {
        LinuxPriorityActuator actuator = new LinuxPriorityActuator();
        ParkedThread p = ParkedThread.start("stat-kept");
        int before = actuator.statFilesOpen();
        VcpuThread t = actuator.identify(p.tid());
        assertEquals(before + 1, actuator.statFilesOpen(), "identify keeps the thread's stat file open");
        assertEquals(actuator.read(t), actuator.read(t));
        p.stop();
        ThreadGoneException e = assertThrows(ThreadGoneException.class, () -> actuator.read(t));
        assertEquals(t, e.thread());
        assertThrows(ThreadGoneException.class, () -> actuator.apply(t, ThreadAttributes.normal(0)));
        actuator.release(t);
        assertEquals(before, actuator.statFilesOpen(), "release closes it");
        // released: the path check still refuses the gone thread
        assertThrows(ThreadGoneException.class, () -> actuator.read(t));
    }

    @Test
    void aFileOfAnotherIdentityIsNeverUsed() throws Exception {
        LinuxPriorityActuator actuator = new LinuxPriorityActuator();
        ParkedThread p = ParkedThread.start("stat-other");
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
}
