package dev.vboost.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vboost agent --qmp} takes QEMU's process id from the QMP socket's peer credentials ({@code SO_PEERCRED})
 * and refuses a vCPU list whose thread ids are not that process's threads (spec §9 H2). The QEMU is a real
 * process of its own ({@link FakeQemuMain}), so the kernel's answer is a different process from this one.
 */
@Timeout(120)
class AgentQmpPeerTest {
    @TempDir
    Path dir;

    @Test
    void aVcpuListNamingAnotherProcesssThreadIsRefused() throws Exception {
        Process other = new ProcessBuilder("sleep", "60").start();
        try {
            Process qemu = fakeQemu(Long.toString(other.pid()));
            try {
                long qemuPid = listening(qemu);
                CliRun r = CliRun.of("agent", "--region", dir.resolve("r").toString(), "--qmp",
                        dir.resolve("qmp").toString(), "--duration", "0.5");
                assertEquals(VboostCli.USAGE, r.exit, r::toString);
                assertTrue(r.err.contains("is served by process " + qemuPid), r::toString);
                assertTrue(r.err.contains("thread-id " + other.pid() + " is a thread of process " + other.pid()),
                        r::toString);
            } finally {
                stop(qemu);
            }
        } finally {
            stop(other);
        }
    }

    @Test
    void aVcpuListOfQemusOwnThreadsIsServed() throws Exception {
        Process qemu = fakeQemu("self");
        try {
            long qemuPid = listening(qemu);
            CliRun r = CliRun.of("agent", "--region", dir.resolve("r").toString(), "--qmp",
                    dir.resolve("qmp").toString(), "--duration", "0.5");
            assertEquals(VboostCli.OK, r.exit, r::toString);
            assertTrue(r.out.contains("vCPU threads {0=" + qemuPid + "}"), r::toString);
        } finally {
            stop(qemu);
        }
    }

    private Process fakeQemu(String tid) throws Exception {
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "-Xmx32m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                FakeQemuMain.class.getName(), dir.resolve("qmp").toString(), tid)
                .redirectError(dir.resolve("qemu.stderr").toFile()).start();
    }

    /** Waits (bounded by the class timeout) for "listening PID" and returns the PID. */
    private static long listening(Process qemu) throws Exception {
        BufferedReader out = new BufferedReader(new InputStreamReader(qemu.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        assertTrue(line != null && line.startsWith("listening "), "fake QEMU said " + line);
        assertEquals(qemu.pid(), Long.parseLong(line.substring("listening ".length())));
        return qemu.pid();
    }

    private static void stop(Process p) throws InterruptedException {
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
    }
}
