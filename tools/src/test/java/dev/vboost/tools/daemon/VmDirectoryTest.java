package dev.vboost.tools.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vboost.agent.actuator.LinuxThreads;
import dev.vboost.agent.actuator.RecordingActuator;
import dev.vboost.agent.actuator.ThreadAttributes;
import dev.vboost.api.wire.SlotStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The directory watcher against a real agent per VM over real region files, with simulated threads (a
 * {@link RecordingActuator}; thread ids of this JVM so that /proc knows them, never touched for real).
 */
class VmDirectoryTest {
    @TempDir
    Path tmp;

    private final RecordingActuator actuator = new RecordingActuator();
    private int[] tids;

    private Path vmDir;
    private Path policy;

    private void setUp() throws Exception {
        vmDir = Files.createDirectory(tmp.resolve("vms"));
        policy = tmp.resolve("rr.policy");
        Files.writeString(policy, "boost.policy=RR\npriority.ceiling=10\nboost.max.us=30000000\n"
                + "budget.window.us=60000000\nbudget.us=60000000\n");
        tids = LinuxThreads.threadsOf(ProcessHandle.current().pid());
        assertTrue(tids.length >= 6, "this JVM has at least 6 threads");
        for (int t : tids) {
            actuator.addThread(t, ThreadAttributes.DEFAULT);
        }
    }

    private void writeVm(String file, String text) throws Exception {
        // written aside and renamed into place, as docs/deploying.md section 6 tells writers to
        Path tmpFile = vmDir.resolve("." + file + ".tmp");
        Files.writeString(tmpFile, text);
        Files.setPosixFilePermissions(tmpFile, PosixFilePermissions.fromString("rw-r--r--"));
        Files.move(tmpFile, vmDir.resolve(file), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private String vm(String region, int... slotTids) {
        StringBuilder sb = new StringBuilder("region = " + tmp.resolve(region) + "\npolicy = " + policy + "\nvcpus = ");
        for (int i = 0; i < slotTids.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(i).append('=').append(slotTids[i]);
        }
        return sb.append('\n').toString();
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() - until < 0, "not within 20 s: " + what);
            Thread.sleep(5);
        }
    }

    private boolean boosted(int tid) {
        ThreadAttributes a = actuator.current(tid);
        return a != null && a.policy() == ThreadAttributes.SCHED_RR;
    }

    @Test
    void watchServiceFollowsCreateChangeAndRemove() throws Exception {
        follow(true, Duration.ofSeconds(600)); // a rescan period far beyond the test: only watch events act
    }

    @Test
    void periodicRescanAloneFollowsTheDirectory() throws Exception {
        follow(false, Duration.ofMillis(100));
    }

    private void follow(boolean watch, Duration rescan) throws Exception {
        setUp();
        writeVm("a.vm", vm("ra", tids[0], tids[1]));
        writeVm("b.vm", vm("rb", tids[2]));
        writeVm("bad.vm", vm("rbad", tids[5]) + "turbo = on\n");
        SharedAgentHost host = new SharedAgentHost(actuator, null);
        VmDirectory dir = new VmDirectory(vmDir, host, rescan, watch).start();
        try {
            assertEquals(Map.of(vmDir.resolve("a.vm"), "a", vmDir.resolve("b.vm"), "b"), dir.served());
            assertEquals(1, dir.badFiles(), "bad.vm is reported, the others are served");
            try (TestGuest a = TestGuest.attach(tmp.resolve("ra")); TestGuest b = TestGuest.attach(tmp.resolve("rb"))) {
                assertEquals(SlotStatus.BOOSTED, a.boost(1, 5));
                assertEquals(SlotStatus.BOOSTED, b.boost(0, 5));
                assertTrue(boosted(tids[1]) && boosted(tids[2]));

                // a new file: served while the others stay boosted
                writeVm("c.vm", vm("rc", tids[3]));
                await("c.vm served", () -> dir.served().containsValue("c"));
                assertTrue(boosted(tids[1]) && boosted(tids[2]), "adding a VM disturbs no other VM");

                // a.vm's slot 1 moves to another thread (hot-plug): the old thread is restored
                writeVm("a.vm", vm("ra", tids[0], tids[4]));
                await("a re-mapped, its old thread restored", () -> !boosted(tids[1]));
                assertTrue(dir.served().containsValue("a"));
                assertTrue(boosted(tids[2]), "re-mapping a disturbs no other VM");

                // b.vm removed while boosted: its thread is restored before removeVm returns
                Files.delete(vmDir.resolve("b.vm"));
                await("b no longer served", () -> !dir.served().containsValue("b"));
                assertEquals(ThreadAttributes.DEFAULT, actuator.current(tids[2]), "b's thread back to its attributes");

                // a good file turning bad: reported, and its VM stays served as before
                writeVm("c.vm", vm("rc", tids[3]) + "pid = 1\n");
                await("c.vm reported", () -> dir.badFiles() == 2);
                assertTrue(dir.served().containsValue("c"));

                // the bad file fixed
                writeVm("bad.vm", vm("rbad", tids[5]));
                await("bad.vm served once fixed", () -> dir.served().containsValue("bad"));
                assertEquals(1, dir.badFiles());

                assertEquals(SlotStatus.BOOSTED, a.boost(1, 5));
                assertTrue(boosted(tids[4]), "the re-mapped slot drives the new thread");
            }
        } finally {
            dir.close();
            host.close();
        }
        for (int t : tids) {
            assertEquals(ThreadAttributes.DEFAULT, actuator.current(t), "thread " + t + " restored at close");
        }
        assertEquals(0, host.vmNames().size());
    }

    @Test
    void unsafeFilesAreRefusedWithTheReason() throws Exception {
        setUp();
        writeVm("open.vm", vm("ro", tids[0]));
        Files.setPosixFilePermissions(vmDir.resolve("open.vm"), PosixFilePermissions.fromString("rw-rw-rw-"));
        Path target = tmp.resolve("elsewhere.vm");
        Files.writeString(target, vm("rl", tids[1]));
        Files.createSymbolicLink(vmDir.resolve("link.vm"), target);
        Files.createDirectory(vmDir.resolve("dir.vm"));
        writeVm("gone.vm", "region = " + tmp.resolve("rg") + "\npid = 4194304\n");
        SharedAgentHost host = new SharedAgentHost(actuator, null);
        VmDirectory dir = new VmDirectory(vmDir, host, Duration.ofSeconds(600), false).start();
        try {
            assertEquals(Map.of(), dir.served());
            assertEquals(4, dir.badFiles());
            assertTrue(Files.notExists(tmp.resolve("ro")) && Files.notExists(tmp.resolve("rl")),
                    "no region is created for a refused file");
        } finally {
            dir.close();
            host.close();
        }
    }
}
