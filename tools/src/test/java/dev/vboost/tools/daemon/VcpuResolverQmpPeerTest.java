package dev.vboost.tools.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vboost.tools.FakeQemuMain;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A VM file's {@code qmp} key (spec §9 H2): the vCPU threads QEMU names must be threads of the process that serves
 * the QMP socket, as the kernel reports it ({@code SO_PEERCRED}); QEMU is a real process ({@link FakeQemuMain}).
 */
@Timeout(120)
class VcpuResolverQmpPeerTest {
    @TempDir
    Path tmp;

    @Test
    void threadsOfAnotherProcessAreRefusedAndQemusOwnAreResolved() throws Exception {
        Process other = new ProcessBuilder("sleep", "60").start();
        try {
            Process qemu = fakeQemu("foreign.qmp", Long.toString(other.pid()));
            try {
                VmFile f = VmFile.parse(tmp.resolve("v.vm"), "region=/r\nqmp=" + tmp.resolve("foreign.qmp") + "\n");
                VmFileException e = assertThrows(VmFileException.class, () -> VcpuResolver.resolve(f));
                assertEquals("qmp", e.key());
                assertTrue(e.getMessage().contains("is served by process " + qemu.pid()), e.getMessage());
                assertTrue(e.getMessage().contains("thread-id " + other.pid() + " is a thread of process "
                        + other.pid()), e.getMessage());
            } finally {
                stop(qemu);
            }
        } finally {
            stop(other);
        }
        Process qemu = fakeQemu("own.qmp", "self");
        try {
            VmFile f = VmFile.parse(tmp.resolve("w.vm"), "region=/r\nqmp=" + tmp.resolve("own.qmp") + "\n");
            assertEquals(Map.of(0, (int) qemu.pid()), VcpuResolver.resolve(f));
        } finally {
            stop(qemu);
        }
    }

    private Process fakeQemu(String socket, String tid) throws Exception {
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-Xmx32m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                FakeQemuMain.class.getName(), tmp.resolve(socket).toString(), tid)
                .redirectError(tmp.resolve(socket + ".stderr").toFile()).start();
        String line = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
        assertTrue(line != null && line.startsWith("listening "), "fake QEMU said " + line);
        return p;
    }

    private static void stop(Process p) throws InterruptedException {
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
    }
}
