package dev.vboost.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
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
        try (FakeQemuMain.Impostor fake = new FakeQemuMain.Impostor(dir.resolve("qmp"))) {
            CliRun r = CliRun.of("agent", "--region", dir.resolve("r").toString(), "--qmp",
                    dir.resolve("qmp").toString(), "--duration", "0.5");
            assertEquals(VboostCli.USAGE, r.exit, r::toString);
            assertTrue(r.err.contains("is served by process " + fake.qemu.pid()), r::toString);
            long other = fake.other.pid();
            assertTrue(r.err.contains("thread-id " + other + " is a thread of process " + other), r::toString);
        }
    }

    @Test
    void aVcpuListOfQemusOwnThreadsIsServed() throws Exception {
        Process qemu = FakeQemuMain.start(dir.resolve("qmp"), "self");
        try {
            CliRun r = CliRun.of("agent", "--region", dir.resolve("r").toString(), "--qmp",
                    dir.resolve("qmp").toString(), "--duration", "0.5");
            assertEquals(VboostCli.OK, r.exit, r::toString);
            assertTrue(r.out.contains("vCPU threads {0=" + qemu.pid() + "}"), r::toString);
        } finally {
            FakeQemuMain.stop(qemu);
        }
    }

    /**
     * With a doorbell, QEMU starts after the agent's ivshmem server listens (it connects once), so the agent reads
     * QMP only then: it waits for a QMP socket that does not exist yet, and serves QEMU's vCPUs once it does.
     */
    @Test
    void withADoorbellQmpIsReadAfterTheServerListens() throws Exception {
        Path qmp = dir.resolve("qmp");
        Path server = dir.resolve("ivshmem.sock");
        java.util.concurrent.CompletableFuture<CliRun> agent = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> CliRun.of("agent", "--region", dir.resolve("r").toString(), "--slots", "2", "--qmp",
                        qmp.toString(), "--ivshmem-server", server.toString(), "--duration", "0.5"));
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
        while (!java.nio.file.Files.exists(server) && !agent.isDone()) { // QEMU would be started now
            assertTrue(System.nanoTime() < deadline, "the ivshmem server never listened");
            Thread.sleep(10);
        }
        assertTrue(!agent.isDone(), () -> "the agent ended before QEMU started: " + agent.join());
        Process qemu = FakeQemuMain.start(qmp, "self");
        try {
            CliRun r = agent.get(60, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals(VboostCli.OK, r.exit, r::toString);
            assertTrue(r.out.contains("ivshmem server listening on " + server + "; waiting up to 60 s"), r::toString);
            assertTrue(r.out.contains("vCPU threads {0=" + qemu.pid() + "}"), r::toString);
        } finally {
            FakeQemuMain.stop(qemu);
        }
    }

    @Test
    void aDoorbellWithQmpNeedsTheSlotCount() {
        CliRun r = CliRun.of("agent", "--region", dir.resolve("r").toString(), "--qmp", dir.resolve("qmp").toString(),
                "--ivshmem-server", dir.resolve("s").toString(), "--duration", "0.5");
        assertEquals(VboostCli.USAGE, r.exit, r::toString);
        assertTrue(r.err.contains("--ivshmem-server with --qmp needs --slots N"), r::toString);
    }
}
