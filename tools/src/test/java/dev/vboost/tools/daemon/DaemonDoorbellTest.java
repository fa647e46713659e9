package dev.vboost.tools.daemon;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vboost.agent.actuator.LinuxThreads;
import dev.vboost.agent.actuator.RecordingActuator;
import dev.vboost.agent.actuator.ThreadAttributes;
import dev.vboost.agent.ivshmem.EventfdLoopWaiter;
import dev.vboost.agent.ivshmem.IvshmemPeer;
import dev.vboost.agent.stats.WakeCause;
import dev.vboost.api.HostSlotSnapshot;
import dev.vboost.api.role.GuestEndpoint;
import dev.vboost.api.wire.BoostReason;
import dev.vboost.api.wire.Feature;
import dev.vboost.api.wire.SchedPolicy;
import dev.vboost.api.wire.SlotStatus;
import dev.vboost.impl.Regions;
import dev.vboost.impl.memory.MappedRegionFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code --vm-dir} daemon serving one VM with a {@code doorbell} key and one lazy VM through its one agent:
 * a client written as QEMU's ivshmem-doorbell connects to the VM's server, maps the region it is handed and rings
 * after each publication. With a 10 s safety poll and no lazy VM yet, a request served within 5 s can only have
 * been served by its ring. Simulated threads (a {@link RecordingActuator} over this JVM's thread ids).
 */
class DaemonDoorbellTest {
    private static final long SAFETY_POLL = TimeUnit.SECONDS.toNanos(10);
    private static final long WAIT = TimeUnit.SECONDS.toNanos(5);

    @TempDir
    Path tmp;

    private final RecordingActuator actuator = new RecordingActuator();

    private void writeVm(Path vmDir, String file, String text) throws IOException {
        Path aside = vmDir.resolve("." + file + ".tmp");
        Files.writeString(aside, text);
        Files.setPosixFilePermissions(aside, PosixFilePermissions.fromString("rw-r--r--"));
        Files.move(aside, vmDir.resolve(file), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static boolean isSocket(Path p) throws IOException {
        Object mode = Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        return mode instanceof Integer && ((Integer) mode & 0170000) == 0140000;
    }

    private static Object identity(Path p) throws IOException {
        Object key = Files.readAttributes(p, BasicFileAttributes.class).fileKey();
        assertNotNull(key);
        return key;
    }

    @Test
    void aDoorbellVmIsServedByItsRingsNextToALazyVmAndGoesAwayAlone() throws Exception {
        int[] tids = LinuxThreads.threadsOf(ProcessHandle.current().pid());
        assertTrue(tids.length >= 2, "this JVM has at least 2 threads");
        for (int t : tids) {
            actuator.addThread(t, ThreadAttributes.DEFAULT);
        }
        Path vmDir = Files.createDirectory(tmp.resolve("vms"));
        Path policy = tmp.resolve("rr.policy");
        Files.writeString(policy, "boost.policy=RR\npriority.ceiling=10\nboost.max.us=30000000\n"
                + "budget.window.us=60000000\nbudget.us=60000000\n");
        Path ringRegion = tmp.resolve("ring.vboost");
        Path socket = tmp.resolve("ring.ivshmem");
        String ringVm = "region = " + ringRegion + "\nslots = 1\npolicy = " + policy + "\ndoorbell = " + socket + "\n";
        // written before QEMU starts: its vCPU threads are not there yet (here: a process that does not exist)
        writeVm(vmDir, "ring.vm", ringVm + "pid = 4194304\n");

        SharedAgentHost host = new SharedAgentHost(actuator, null, SAFETY_POLL);
        DaemonDoorbells bells = host.doorbells();
        EventfdLoopWaiter waiter = bells.waiter();
        VmDirectory dir = new VmDirectory(vmDir, host, Duration.ofSeconds(600), false).start();
        try {
            assertEquals(Map.of(), dir.served());
            assertEquals(1, dir.badFiles(), "its vCPU threads are not found yet");
            assertTrue(isSocket(socket), "the VM's ivshmem server listens already: QEMU connects once, at its start");
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket,
                    LinkOption.NOFOLLOW_LINKS)), "socket mode 0600, as the one-VM server's");
            int[] ringFds = waiter.ringFds();
            assertEquals(1, ringFds.length, "the agent waits on the VM's one vector");

            HostSlotSnapshot seen = new HostSlotSnapshot();
            try (IvshmemPeer qemu = IvshmemPeer.connect(socket, 1, 10_000);
                    MappedRegionFile mapped = MappedRegionFile.open(ringRegion)) {
                // QEMU is up: its vCPU threads are known now; the same server and region go on
                writeVm(vmDir, "ring.vm", ringVm + "vcpus = 0=" + tids[0] + "\n");
                dir.rescan();
                assertEquals(Map.of(vmDir.resolve("ring.vm"), "ring"), dir.served());
                assertArrayEquals(ringFds, waiter.ringFds(), "the server that QEMU connected to serves the VM");
                assertEquals(identity(ringRegion), identity(Path.of("/proc/self/fd/" + qemu.shmFd())),
                        "the server handed over the VM's region");
                GuestEndpoint guest = Regions.attachGuest(mapped.memory(), Feature.DEFINED_MASK, qemu.doorbell(0),
                        Duration.ofSeconds(20));
                assertTrue(Feature.DOORBELL.in(guest.acceptedFeatures()), "the doorbell VM's region offers DOORBELL");
                long ringsBefore = waiter.ringsReceived();
                long id = guest.requestBoost(0, SchedPolicy.RR, 5, 0, BoostReason.IRQ.bit());
                assertTrue(guest.awaitActed(0, id, WAIT, seen), "with a 10 s idle poll, only its ring: " + seen);
                assertEquals(SlotStatus.BOOSTED, seen.status());
                assertTrue(rr(tids[0], 5), "RR 5 applied: " + actuator.current(tids[0]));
                assertTrue(waiter.ringsReceived() > ringsBefore, "rings " + waiter.ringsReceived());
                assertTrue(host.loopCounters().wakeUps(WakeCause.RING) > 0, "wake-ups by ring are counted");

                // a lazy VM joins: served by polling (its guest never rings), the lazy period applies again
                Path lazyRegion = tmp.resolve("lazy.vboost");
                writeVm(vmDir, "lazy.vm", "region = " + lazyRegion + "\npolicy = " + policy + "\nvcpus = 0=" + tids[1]
                        + "\n");
                dir.rescan();
                assertEquals(2, dir.served().size());
                try (MappedRegionFile lazyMapped = MappedRegionFile.open(lazyRegion)) {
                    // this guest could ring, but the lazy VM's region does not offer DOORBELL
                    GuestEndpoint lazy = Regions.attachGuest(lazyMapped.memory(), Feature.DEFINED_MASK, () -> { },
                            Duration.ofSeconds(20));
                    assertFalse(Feature.DOORBELL.in(lazy.acceptedFeatures()), "only the doorbell VM offers DOORBELL");
                    long lazyId = lazy.requestBoost(0, SchedPolicy.RR, 4, 0, BoostReason.IRQ.bit());
                    assertTrue(lazy.awaitActed(0, lazyId, WAIT, seen), "the lazy VM is served by polling: " + seen);
                    assertEquals(SlotStatus.BOOSTED, seen.status());

                    // the doorbell VM's file goes: its threads restored, its server stopped, its socket removed,
                    // and the agent no longer waits on its eventfd (removed before the server closed it)
                    Files.delete(vmDir.resolve("ring.vm"));
                    dir.rescan();
                    assertEquals(Map.of(vmDir.resolve("lazy.vm"), "lazy"), dir.served());
                    assertEquals(ThreadAttributes.DEFAULT, actuator.current(tids[0]), "its thread restored");
                    assertFalse(Files.exists(socket, LinkOption.NOFOLLOW_LINKS), "the server's socket is removed");
                    assertArrayEquals(new int[0], waiter.ringFds());
                    assertTrue(serverClosed(qemu), "the server closed its client");

                    // the lazy VM was not disturbed and is still served
                    assertTrue(rr(tids[1], 4), "the lazy VM stays boosted: " + actuator.current(tids[1]));
                    long release = lazy.release(0);
                    assertTrue(lazy.awaitActed(0, release, WAIT, seen), "the lazy VM is still served: " + seen);
                    assertEquals(SlotStatus.NORMAL, seen.status());
                    assertEquals(ThreadAttributes.DEFAULT, actuator.current(tids[1]));
                }
            }
        } finally {
            dir.close();
            host.close();
        }
        assertEquals(null, host.lastError());
    }

    private boolean rr(int tid, int priority) {
        ThreadAttributes a = actuator.current(tid);
        return a != null && a.policy() == ThreadAttributes.SCHED_RR && a.priority() == priority;
    }

    /** Reads the client's socket (bounded) until the server ends the stream. */
    private static boolean serverClosed(IvshmemPeer client) {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() - until < 0) {
            try {
                client.pump(100);
            } catch (IOException e) {
                return true;
            }
        }
        return false;
    }

    @Test
    void aDoorbellSocketThatIsNotASocketIsReportedAndNothingIsServed() throws Exception {
        int[] tids = LinuxThreads.threadsOf(ProcessHandle.current().pid());
        actuator.addThread(tids[0], ThreadAttributes.DEFAULT);
        Path vmDir = Files.createDirectory(tmp.resolve("vms"));
        Path notASocket = tmp.resolve("plain-file");
        Files.writeString(notASocket, "mine");
        writeVm(vmDir, "ring.vm", "region = " + tmp.resolve("ring.vboost") + "\nslots = 1\nvcpus = 0=" + tids[0]
                + "\ndoorbell = " + notASocket + "\n");
        SharedAgentHost host = new SharedAgentHost(actuator, null, SAFETY_POLL);
        VmDirectory dir = new VmDirectory(vmDir, host, Duration.ofSeconds(600), false).start();
        try {
            assertEquals(Map.of(), dir.served());
            assertEquals(1, dir.badFiles(), "the doorbell key is reported");
            assertEquals("mine", Files.readString(notASocket), "a file in the socket's place is left alone");
            assertArrayEquals(new int[0], host.doorbells().waiter().ringFds());
        } finally {
            dir.close();
            host.close();
        }
    }

    @Test
    void aDoorbellNeedsTheSlotCount() {
        VmFileException e = org.junit.jupiter.api.Assertions.assertThrows(VmFileException.class,
                () -> VmFile.parse(Path.of("/etc/vboost/vms/a.vm"), "region = /dev/shm/a\nqmp = /run/a.qmp\n"
                        + "doorbell = /run/a.ivshmem\n"));
        assertTrue(e.getMessage().contains("slots"), e.getMessage());
    }
}
