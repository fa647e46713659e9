package dev.vboost.agent.qmp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ThreadNameVcpus} over a fake /proc: slots come from the names, not from task order. */
class ThreadNameVcpusTest {
    @TempDir
    Path proc;

    private void thread(int tid, String comm) throws IOException {
        Path t = Files.createDirectories(proc.resolve("4242/task/" + tid));
        Files.writeString(t.resolve("comm"), comm + "\n");
    }

    @Test
    void slotsAreTheIndexInTheNameNotTheTaskOrder() throws IOException {
        thread(4242, "qemu-system-x86");
        thread(4250, "CPU 0/KVM");
        thread(4251, "IO mon_iothread");
        thread(4900, "CPU 1/KVM");   // re-plugged: a higher tid
        thread(4300, "CPU 2/KVM");
        assertEquals(Map.of(0, 4250, 1, 4900, 2, 4300),
                ThreadNameVcpus.discover(proc, 4242, Pattern.compile("CPU [0-9]+/KVM")));
    }

    @Test
    void theWholeNameMustMatch() throws IOException {
        thread(10, "CPU 0/TCG");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ThreadNameVcpus.discover(proc, 4242, Pattern.compile("CPU [0-9]+")));
        assertTrue(e.getMessage().contains("process 4242: no thread name matches 'CPU [0-9]+' as a whole"), e.getMessage());
        assertTrue(e.getMessage().contains("names seen: 'CPU 0/TCG'"), e.getMessage());
    }

    @Test
    void namesWithoutAnIndexAreRefusedListingTheNamesSeen() throws IOException {
        thread(10, "qemu-system-x86"); // QEMU without debug-threads=on: every thread has the process name
        thread(11, "qemu-system-x86");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ThreadNameVcpus.discover(proc, 4242, Pattern.compile("qemu-system-x86")));
        assertTrue(e.getMessage().contains("carry no vCPU index"), e.getMessage());
        assertTrue(e.getMessage().contains("debug-threads=on"), e.getMessage());
        assertTrue(e.getMessage().endsWith("names seen: 'qemu-system-x86'"), e.getMessage());
    }

    @Test
    void twoThreadsForOneVcpuAreRefused() throws IOException {
        thread(10, "CPU 0/KVM");
        thread(11, "CPU 0/KVM");
        assertThrows(IllegalArgumentException.class, () -> ThreadNameVcpus.discover(proc, 4242, Pattern.compile("CPU .*")));
    }

    @Test
    void noSuchProcess() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ThreadNameVcpus.discover(proc, 77, Pattern.compile(".*")));
        assertTrue(e.getMessage().startsWith("process 77: no such process"), e.getMessage());
    }
}
