package dev.vboost.agent.actuator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vboost.agent.linux.Libc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Affinity and timer slack take effect on the calling thread, as the kernel reports them in /proc. */
class LinuxCpuPlacementTest {
    private static void assumeLinux() {
        assumeTrue(System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux"), "not Linux");
    }

    /** Runs {@code body} on a fresh thread, so that this test's own thread keeps its affinity and slack. */
    private static String onOwnThread(ThrowingSupplier body) throws Exception {
        CompletableFuture<String> result = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                result.complete(body.get());
            } catch (Exception | Error e) {
                result.completeExceptionally(e);
            }
        }, "placement-test");
        t.start();
        return result.get(30, TimeUnit.SECONDS);
    }

    private interface ThrowingSupplier {
        String get() throws Exception;
    }

    private static String status(String key) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/thread-self/status"))) {
            if (line.startsWith(key + ":")) {
                return line.substring(key.length() + 1).strip();
            }
        }
        throw new AssertionError(key + " not in /proc/thread-self/status");
    }

    @Test
    void pinnedThreadMayRunOnlyOnThatCpu() throws Exception {
        assumeLinux();
        int cpu = Runtime.getRuntime().availableProcessors() - 1;
        String allowed = onOwnThread(() -> {
            LinuxCpuPlacement.pinCurrentThread(cpu);
            return status("Cpus_allowed_list");
        });
        assertEquals(Integer.toString(cpu), allowed);
    }

    @Test
    void timerSlackBecomesOneNanosecond() throws Exception {
        assumeLinux();
        String slack = onOwnThread(() -> {
            LinuxCpuPlacement.minimiseTimerSlack();
            // PR_GET_TIMERSLACK (30) returns the calling thread's slack; /proc has it per process only
            return Long.toString(Libc.syscall(Libc.SYS_PRCTL, 30, 0, 0, 0, 0));
        });
        assertEquals("1", slack);
    }

    @Test
    void cpuOutOfRangeIsRefusedBeforeAnyCall() {
        assertThrows(IllegalArgumentException.class, () -> LinuxCpuPlacement.pinCurrentThread(64));
        assertThrows(IllegalArgumentException.class, () -> LinuxCpuPlacement.pinCurrentThread(-1));
    }
}
