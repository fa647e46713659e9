package dev.vboost.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vboost.agent.actuator.LinuxPriorityActuator;
import dev.vboost.agent.actuator.LinuxThreads;
import dev.vboost.agent.actuator.ThreadAttributes;
import dev.vboost.agent.hypercall.HypercallSocketClient;
import dev.vboost.api.hypercall.HypercallNumbers;
import dev.vboost.api.hypercall.KvmError;
import dev.vboost.api.layout.RegionLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentCommandTest {
    @TempDir
    Path dir;

    @Test
    void badOptionsAreUsageErrorsNamingTheProblem() throws Exception {
        Path region = dir.resolve("r").toAbsolutePath();
        Path badPolicy = dir.resolve("bad.properties");
        Path socket = dir.resolve("hc.sock");
        Files.writeString(badPolicy, "priority.ceiling=7\nturbo=yes\n");
        String self = Long.toString(ProcessHandle.current().pid());
        String[][] cases = {
            {"give the vCPU threads with either --vcpu SLOT=TID or --pid PID", "--region", region.toString()},
            {"exactly one", "--region", region.toString(), "--vcpu", "0=" + self, "--pid", self},
            {"--vcpu 'x' is not SLOT=TID", "--region", region.toString(), "--vcpu", "x"},
            {"--vcpu: slot 0 given twice", "--region", region.toString(), "--vcpu", "0=" + self, "--vcpu", "0=" + self},
            {"no thread 2147483647 on this host", "--region", region.toString(), "--vcpu", "0=2147483647"},
            {"slot 3 is outside the region's 1 slot(s)", "--region", region.toString(), "--vcpu", "3=" + self, "--slots", "1"},
            {"--policy: file", "--region", region.toString(), "--vcpu", "0=" + self, "--policy", dir.resolve("none").toString()},
            {"unknown policy key 'turbo'", "--region", region.toString(), "--vcpu", "0=" + self, "--policy", badPolicy.toString()},
            {"--thread-name: bad regular expression", "--region", region.toString(), "--pid", self, "--thread-name", "(("},
            {"no thread name matches", "--region", region.toString(), "--pid", self, "--thread-name", "no-such-thread-name"},
            {"carry no vCPU index", "--region", region.toString(), "--pid", self, "--thread-name", ".*"},
            {"--qmp: QMP socket " + dir.resolve("absent.qmp"), "--region", region.toString(), "--qmp",
                dir.resolve("absent.qmp").toString()},
            {"one of --qmp, --vcpu or --pid", "--region", region.toString(), "--qmp", socket.toString(), "--pid", self},
            {"--region: directory", "--region", dir.resolve("no/such/dir/r").toString(), "--vcpu", "0=" + self},
            {"Missing required option: '--region=FILE'", "--vcpu", "0=" + self},
            {"--hypercall-socket needs --region-gpa", "--region", region.toString(), "--vcpu", "0=" + self,
                "--hypercall-socket", socket.toString()},
            {"--region-gpa is only used with --hypercall-socket", "--region", region.toString(), "--vcpu", "0=" + self,
                "--region-gpa", "0x100000"},
            {"--region-gpa 'zz' is not an address", "--region", region.toString(), "--vcpu", "0=" + self,
                "--hypercall-socket", socket.toString(), "--region-gpa", "zz"},
            {"must be a non-zero multiple of 4096", "--region", region.toString(), "--vcpu", "0=" + self,
                "--hypercall-socket", socket.toString(), "--region-gpa", "0x100800"},
            {"--hypercall-socket: directory", "--region", region.toString(), "--vcpu", "0=" + self,
                "--hypercall-socket", dir.resolve("no/such/dir/s").toString(), "--region-gpa", "0x100000"},
            {"exists and is not a socket", "--region", region.toString(), "--vcpu", "0=" + self,
                "--hypercall-socket", badPolicy.toString(), "--region-gpa", "0x100000"},
            {"--safety-poll is only used with --ivshmem-server", "--region", region.toString(), "--vcpu", "0=" + self,
                "--safety-poll", "100ms"},
            {"--safety-poll 'soon' is not a duration", "--region", region.toString(), "--vcpu", "0=" + self,
                "--ivshmem-server", socket.toString(), "--safety-poll", "soon"},
            {"--safety-poll 20s is outside 1ms..10s", "--region", region.toString(), "--vcpu", "0=" + self,
                "--ivshmem-server", socket.toString(), "--safety-poll", "20s"},
            {"--safety-poll 500us is outside 1ms..10s", "--region", region.toString(), "--vcpu", "0=" + self,
                "--ivshmem-server", socket.toString(), "--safety-poll", "500us"},
            {"--ivshmem-server: directory", "--region", region.toString(), "--vcpu", "0=" + self,
                "--ivshmem-server", dir.resolve("no/such/dir/s").toString()},
            {"--ivshmem-server: " + badPolicy + " exists and is not a socket", "--region", region.toString(), "--vcpu",
                "0=" + self, "--ivshmem-server", badPolicy.toString()},
            {"with --vm-dir, name each VM's socket with the doorbell key", "--vm-dir", dir.toString(),
                "--ivshmem-server", socket.toString()},
            {"--safety-poll 20s is outside 1ms..10s", "--vm-dir", dir.toString(), "--safety-poll", "20s"},
        };
        for (String[] c : cases) {
            String[] args = new String[c.length];
            args[0] = "agent";
            System.arraycopy(c, 1, args, 1, c.length - 1);
            CliRun r = CliRun.of(args);
            assertEquals(VboostCli.USAGE, r.exit, () -> String.join(" ", args) + "\n" + r);
            assertTrue(r.err.contains(c[0]), () -> "'" + c[0] + "' expected for " + String.join(" ", args) + "\n" + r);
        }
        assertTrue(Files.notExists(region), "no region file may be left by a rejected command line");
        assertTrue(Files.notExists(socket), "no socket may be left by a rejected command line");
        assertEquals("priority.ceiling=7\nturbo=yes\n", Files.readString(badPolicy), "a non-socket file is left alone");
    }

    /**
     * {@code --ivshmem-server}: the agent listens on the socket before it publishes the region, offers DOORBELL
     * in a minor-1 region (spec §12.2) and prints the ring counters; a guest that cannot ring still attaches,
     * without DOORBELL. A lazy agent (no server) does not offer it. Needs no real-time rights.
     */
    @Test
    void anIvshmemServerAgentOffersTheDoorbellAndALazyOneDoesNot() throws Exception {
        String self = Long.toString(ProcessHandle.current().pid());
        for (boolean withServer : new boolean[] {true, false}) {
            Path region = dir.resolve("db-region-" + withServer);
            Path socket = dir.resolve("ivshmem-" + withServer + ".sock");
            java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("agent", "--region",
                    region.toString(), "--vcpu", "0=" + self, "--duration", "3", "--stats", "0"));
            if (withServer) {
                args.addAll(java.util.List.of("--ivshmem-server", socket.toString(), "--safety-poll", "50ms"));
            }
            AtomicReference<CliRun> agentRun = new AtomicReference<>();
            Thread agent = new Thread(() -> agentRun.set(CliRun.of(args.toArray(new String[0]))));
            agent.start();
            try {
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                dev.vboost.api.role.GuestEndpoint guest = null;
                while (guest == null) {
                    assertTrue(agent.isAlive() && System.nanoTime() - until < 0, "no READY region in 30 s");
                    if (Files.exists(region) && Files.size(region) >= RegionLayout.REGION_ALIGNMENT) { // sized yet
                        try {
                            guest = dev.vboost.impl.Regions.attachGuest(
                                    dev.vboost.impl.memory.MappedRegionFile.open(region).memory(),
                                    dev.vboost.api.wire.Feature.DEFINED_MASK);
                        } catch (dev.vboost.api.VboostException e) {
                            Thread.sleep(5); // not READY yet
                        }
                    } else {
                        Thread.sleep(5);
                    }
                }
                long offered = guest.hostHeader().hostFeatures();
                assertEquals(RegionLayout.ABI_MINOR, guest.hostHeader().abiMinor(), "a 1.1 host writes minor 1");
                assertEquals(withServer, dev.vboost.api.wire.Feature.DOORBELL.in(offered), "offered 0x"
                        + Long.toHexString(offered) + (withServer ? " by an agent with a doorbell" : " by a lazy agent"));
                assertTrue(!dev.vboost.api.wire.Feature.DOORBELL.in(guest.acceptedFeatures()),
                        "a guest without a doorbell never accepts it");
                if (withServer) {
                    Object mode = Files.getAttribute(socket, "unix:mode", java.nio.file.LinkOption.NOFOLLOW_LINKS);
                    assertEquals(0140600, (Integer) mode & 0170777, "a socket, mode 0600");
                }
                guest.detach();
            } finally {
                agent.join(TimeUnit.SECONDS.toMillis(40));
            }
            CliRun a = agentRun.get();
            assertTrue(a != null && a.exit == 0, () -> String.valueOf(a));
            if (withServer) {
                assertTrue(a.out.contains("ivshmem server on " + socket) && a.out.contains("ivshmem-doorbell"),
                        a::toString);
                assertTrue(a.out.contains("rings 0, spurious 0"), a::toString);
                assertTrue(Files.notExists(socket), "the socket is removed when the agent stops");
            } else {
                assertTrue(!a.out.contains("rings"), a::toString);
            }
        }
    }

    /** A real agent over a real region file boosts a real thread with SCHED_FIFO and puts it back. */
    @Test
    void agentServesGuestRequestsOnARealThread() throws Exception {
        boolean ci = "true".equals(System.getenv("CI"));
        String noRt = DemoEndToEndTest.realtimeUnavailable();
        if (!ci) {
            assumeTrue(noRt == null, () -> "cannot set real-time priorities here: " + noRt + " (CI=true forces the test)");
        }
        Path region = dir.resolve("region");
        Path policy = dir.resolve("policy.properties");
        Files.writeString(policy, "priority.ceiling=20\nboost.policy=FIFO\nboost.max.us=2000000\nbudget.window.us=10000000\nbudget.us=5000000\n");
        CountDownLatch done = new CountDownLatch(1);
        AtomicInteger tid = new AtomicInteger();
        Thread vcpu = new Thread(() -> {
            tid.set(LinuxThreads.currentTid());
            try {
                done.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "test-vcpu");
        vcpu.start();
        while (tid.get() == 0 && vcpu.isAlive()) {
            Thread.onSpinWait();
        }
        AtomicReference<CliRun> agentRun = new AtomicReference<>();
        Thread agent = new Thread(() -> agentRun.set(CliRun.of("agent", "--region", region.toString(), "--policy",
                policy.toString(), "--vcpu", "0=" + tid.get(), "--duration", "8", "--stats", "0")));
        agent.start();
        try {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!Files.exists(region) && agent.isAlive()) { // bounded: fails below if the agent never creates it
                assertTrue(System.nanoTime() - until < 0, "agent did not create " + region + " in 30 s");
                Thread.sleep(5);
            }
            CliRun req = CliRun.of("guest", "request", region.toString(), "--priority", "30", "--reason", "rt_task",
                    "--wait", "5000", "--attach-timeout", "10000");
            assertEquals(0, req.exit, req::toString);
            assertTrue(req.out.contains("BOOSTED FIFO prio 20"), () -> "ceiling 20 should clamp 30:\n" + req);
            ThreadAttributes boosted = new LinuxPriorityActuator().read(tid.get());
            assertEquals(ThreadAttributes.SCHED_FIFO, boosted.policy(), boosted::toString);
            assertEquals(20, boosted.priority(), boosted::toString);
            CliRun rel = CliRun.of("guest", "release", region.toString(), "--wait", "5000");
            assertEquals(0, rel.exit, rel::toString);
            ThreadAttributes back = new LinuxPriorityActuator().read(tid.get());
            assertEquals(ThreadAttributes.SCHED_OTHER, back.policy(), back::toString);
        } finally {
            done.countDown();
            agent.join(TimeUnit.SECONDS.toMillis(40));
        }
        CliRun a = agentRun.get();
        assertTrue(a != null && a.exit == 0, () -> String.valueOf(a));
        assertTrue(a.out.contains("granted 1") && a.out.contains("released 1"), a::toString);
    }

    /**
     * {@code --hypercall-socket}: a VMM-side client reaches the running agent's dispatcher: QUERY, ATTACH with a
     * wrong and the right GPA, DETACH, an unknown number. Needs no real-time rights (nothing is boosted).
     */
    @Test
    void agentAnswersHypercallsOnItsSocket() throws Exception {
        Path region = dir.resolve("region");
        Path socket = dir.resolve("hc.sock");
        long gpa = 0x8000_0000L;
        int tid = LinuxThreads.currentTid();
        AtomicReference<CliRun> agentRun = new AtomicReference<>();
        Thread agent = new Thread(() -> agentRun.set(CliRun.of("agent", "--region", region.toString(), "--vcpu",
                "0=" + tid, "--hypercall-socket", socket.toString(), "--region-gpa", "0x" + Long.toHexString(gpa),
                "--socket-allow-user", System.getProperty("user.name"), "--socket-mode", "0600",
                "--duration", "6", "--stats", "0")));
        agent.start();
        try {
            long size = RegionLayout.regionSize(1);
            long abi = (long) RegionLayout.ABI_MAJOR << 16 | RegionLayout.ABI_MINOR;
            try (HypercallSocketClient vmm = connectWhenListening(socket, agent)) {
                assertEquals(1, vmm.call(0, HypercallNumbers.QUERY, new long[] {HypercallNumbers.QUERY_SLOT_COUNT, 0, 0, 0, 0, 0}), "slot count");
                assertEquals(abi, vmm.call(0, HypercallNumbers.QUERY, new long[] {HypercallNumbers.QUERY_ABI_VERSION, 0, 0, 0, 0, 0}), "ABI version");
                assertEquals(KvmError.EFAULT.ret(),
                        vmm.call(0, HypercallNumbers.ATTACH, new long[] {gpa + 4096, size, abi, 0, 0, 0}), "wrong GPA");
                long generation = vmm.call(0, HypercallNumbers.ATTACH, new long[] {gpa, size, abi, 0, 0, 0});
                assertTrue(generation > 0, "ATTACH returns the host generation, got " + generation);
                assertEquals(0, vmm.call(0, HypercallNumbers.DETACH, new long[] {generation, 0, 0, 0, 0, 0}));
                assertEquals(KvmError.ENOSYS.ret(), vmm.call(0, 42, new long[6]), "unknown number");
            }
        } finally {
            agent.join(TimeUnit.SECONDS.toMillis(40));
        }
        CliRun a = agentRun.get();
        assertTrue(a != null && a.exit == 0, () -> String.valueOf(a));
        assertTrue(a.out.contains("hypercalls on " + socket + " (VM 0, region GPA 0x80000000)"), a::toString);
    }

    /**
     * Connects once the agent listens. The socket file appears at bind(), a moment before listen(), so an
     * early connect is refused: retry that for up to 30 s while the agent runs.
     */
    private static HypercallSocketClient connectWhenListening(Path socket, Thread agent) throws Exception {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                return HypercallSocketClient.connect(socket);
            } catch (IOException e) {
                if (!agent.isAlive() || System.nanoTime() - until > 0) {
                    throw new AssertionError("the agent did not listen on " + socket + " within 30 s", e);
                }
                Thread.sleep(5);
            }
        }
    }

    /**
     * Issue 16 row 10: a second {@code vboost agent} on a region another agent serves exits 1 with a clear
     * error, and the first one is not disturbed. Needs no real-time rights (nothing is boosted).
     */
    @Test
    void aSecondAgentOnTheSameRegionIsRefused() throws Exception {
        Path region = dir.resolve("shared-region");
        int tid = LinuxThreads.currentTid();
        AtomicReference<CliRun> first = new AtomicReference<>();
        Thread agent = new Thread(() -> first.set(CliRun.of("agent", "--region", region.toString(), "--vcpu",
                "0=" + tid, "--duration", "6", "--stats", "0")));
        agent.start();
        try {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            // READY is published by the serving agent thread, so the region's lock is held by then
            while (!(Files.exists(region) && CliRun.of("inspect", region.toString()).out.contains("state READY"))) {
                assertTrue(agent.isAlive() && System.nanoTime() - until < 0, "first agent not serving within 30 s");
                Thread.sleep(20);
            }
            CliRun second = CliRun.of("agent", "--region", region.toString(), "--vcpu", "0=" + tid,
                    "--duration", "1", "--stats", "0");
            assertEquals(1, second.exit, second::toString);
            assertTrue(second.err.contains(region.toString())
                    && (second.err.contains("second agent") || second.err.contains("another vboost agent")), second::toString);
            assertTrue(CliRun.of("inspect", region.toString()).out.contains("state READY"),
                    "the first agent's region is untouched");
        } finally {
            agent.join(TimeUnit.SECONDS.toMillis(40));
        }
        CliRun a = first.get();
        assertTrue(a != null && a.exit == 0, () -> String.valueOf(a));
    }

    /** The hypercall socket's peer and mode options: a user that does not exist or a mode for others is refused. */
    @Test
    void badSocketPeerOptionsAreUsageErrors() {
        Path region = dir.resolve("sock-region");
        String[] base = {"agent", "--region", region.toString(), "--vcpu", "0=" + LinuxThreads.currentTid(),
            "--hypercall-socket", dir.resolve("hc.sock").toString(), "--region-gpa", "0x1000", "--duration", "1"};
        String[][] bad = {{"--socket-allow-user", "no-such-user-vboost"}, {"--socket-allow-group", "no-such-group-vboost"},
            {"--socket-mode", "0666"}, {"--socket-mode", "0700"}};
        for (String[] b : bad) {
            String[] args = java.util.Arrays.copyOf(base, base.length + 2);
            args[base.length] = b[0];
            args[base.length + 1] = b[1];
            CliRun r = CliRun.of(args);
            assertEquals(2, r.exit, r::toString);
            assertTrue(r.err.contains(b[1].startsWith("0") ? "--socket-mode " + b[1] : "no such user or group: " + b[1]),
                    r::toString);
        }
        assertTrue(Files.notExists(region), "nothing is created for refused options");
    }
}
