package dev.vboost.bench.doorbell;

import dev.vboost.agent.HostAgent;
import dev.vboost.agent.actuator.LinuxPriorityActuator;
import dev.vboost.agent.actuator.LinuxThreads;
import dev.vboost.agent.actuator.RecordingActuator;
import dev.vboost.agent.actuator.ThreadAttributes;
import dev.vboost.agent.ivshmem.EventfdLoopWaiter;
import dev.vboost.agent.ivshmem.IvshmemPeer;
import dev.vboost.agent.ivshmem.IvshmemServer;
import dev.vboost.agent.policy.PolicyConfig;
import dev.vboost.api.layout.RegionLayout;
import dev.vboost.api.role.GuestEndpoint;
import dev.vboost.api.role.HostEndpoint;
import dev.vboost.api.wire.Feature;
import dev.vboost.api.wire.SchedPolicy;
import dev.vboost.impl.HostRegionConfig;
import dev.vboost.impl.Regions;
import dev.vboost.impl.memory.MappedRegionFile;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The agent side of the doorbell measurements (docs/performance.md, "Doorbell"), run by
 * {@code benchmarks/run-doorbell.sh}. The agent loop is the agent's own ({@link HostAgent#start()}), waiting in
 * an {@link EventfdLoopWaiter} on the doorbell ({@link HostAgent.Builder#loopWaiter}) or parked for its poll
 * period (lazy mode).
 *
 * <pre>
 * roundtrip lazy|doorbell WARMUP ROUNDS GAP_US POLL_US FIFO_PRIO await|spin
 *     one VM, one slot; the vCPU is a parked thread of this process, boosted for real (sched_setattr); the
 *     guest is a child JVM ({@link DoorbellGuestMain}) waiting with awaitActed or a busy spin; the agent
 *     thread runs at SCHED_FIFO FIFO_PRIO
 * idle lazy|doorbell VMS VCPUS SECONDS POLL_US
 *     VMS regions of VCPUS slots, every guest attached and idle; prints the agent thread's CPU time and the
 *     whole process's, as a share of one core
 * </pre>
 *
 * POLL_US is the lazy poll period, and in doorbell mode the safety poll.
 */
public final class DoorbellBench {
    /** The agent's own loop thread, in both modes. */
    private static final String AGENT_THREAD = "vboost-agent";

    private DoorbellBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2 || !(args[1].equals("lazy") || args[1].equals("doorbell"))) {
            System.err.println("usage: roundtrip lazy|doorbell WARMUP ROUNDS GAP_US POLL_US FIFO_PRIO await|spin"
                    + " | idle lazy|doorbell VMS VCPUS SECONDS POLL_US");
            System.exit(2);
        }
        boolean doorbell = args[1].equals("doorbell");
        Path dir = Files.createTempDirectory("vboost-doorbell-bench");
        try {
            if (args[0].equals("roundtrip") && args.length == 8
                    && (args[7].equals("await") || args[7].equals("spin"))) {
                roundTrip(dir, doorbell, Integer.parseInt(args[2]), Integer.parseInt(args[3]),
                        Long.parseLong(args[4]), Long.parseLong(args[5]), Integer.parseInt(args[6]), args[7]);
            } else if (args[0].equals("idle") && args.length == 6) {
                idle(dir, doorbell, Integer.parseInt(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]),
                        Long.parseLong(args[5]));
            } else {
                System.err.println("bad arguments; run without arguments for the usage");
                System.exit(2);
            }
        } finally {
            try (var files = Files.list(dir)) {
                for (Path p : (Iterable<Path>) files::iterator) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(dir);
        }
    }

    private static PolicyConfig permissive() {
        // the benchmark measures latency, not the limits: rate limit and budget out of the way
        return PolicyConfig.builder().boostPolicy(SchedPolicy.RR).priorityCeiling(10)
                .maxTransitionsPerSecond(100_000).budget(TimeUnit.MILLISECONDS.toNanos(100),
                        TimeUnit.MILLISECONDS.toNanos(100)).build();
    }

    private static void roundTrip(Path dir, boolean doorbell, int warmup, int rounds, long gapUs, long pollUs,
            int fifo, String wait) throws Exception {
        Path regionPath = dir.resolve("vm.vboost");
        Path socket = dir.resolve("vm.ivshmem");
        CountDownLatch stop = new CountDownLatch(1);
        AtomicInteger vcpuTid = new AtomicInteger();
        CountDownLatch started = new CountDownLatch(1);
        Thread vcpu = new Thread(() -> {
            vcpuTid.set(LinuxThreads.currentTid());
            started.countDown();
            try {
                stop.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "vcpu-0");
        vcpu.setDaemon(true);
        vcpu.start();
        started.await();
        LinuxPriorityActuator actuator = new LinuxPriorityActuator();
        try (MappedRegionFile file = MappedRegionFile.create(regionPath, RegionLayout.regionSize(1))) {
            // DOORBELL offered only when the agent waits on the doorbell (spec §12.2): the guest rings only then
            HostEndpoint host = Regions.createHost(file.memory(), new HostRegionConfig(1,
                    doorbell ? Feature.DEFINED_MASK : Feature.ALL_BUT_DOORBELL, 50, HostRegionConfig.DEFAULT_MAX_BOOST_US));
            HostAgent.Builder b = HostAgent.builder()
                    .addVm("vm", host, permissive(), Map.of(0, vcpuTid.get()))
                    .actuator(actuator)
                    .idlePollNanos(TimeUnit.MICROSECONDS.toNanos(pollUs));
            IvshmemServer server = null;
            EventfdLoopWaiter waiter = null;
            if (doorbell) {
                server = IvshmemServer.start(socket, regionPath, 1, PosixFilePermissions.fromString("rw-------"));
                waiter = new EventfdLoopWaiter(server.hostEventFds());
                b.loopWaiter(waiter); // POLL_US is then the safety poll
            }
            HostAgent agent = b.build().start();
            int loopTid = tidOf(AGENT_THREAD);
            actuator.apply(loopTid, ThreadAttributes.fifo(fifo));
            try {
                String line = runGuest(regionPath, doorbell ? socket.toString() : "-", warmup, rounds, gapUs, wait);
                System.out.println(String.format(Locale.ROOT, "roundtrip %s wait=%s poll_us=%d %s",
                        doorbell ? "doorbell" : "lazy", wait, pollUs, line.replaceFirst("^guest ", ""))
                        + (waiter == null ? "" : " rings=" + waiter.ringsReceived() + " coalesced="
                        + waiter.ringsCoalesced() + " wakeups=" + waiter.wakeUps()));
            } finally {
                agent.stop(); // first: the waiter reads the server's descriptors
                if (waiter != null) {
                    waiter.close();
                }
                if (server != null) {
                    server.close();
                }
                stop.countDown();
            }
        }
    }

    private static String runGuest(Path region, String socket, int warmup, int rounds, long gapUs, String wait)
            throws Exception {
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), DoorbellGuestMain.class.getName(), region.toString(),
                socket, Integer.toString(warmup), Integer.toString(rounds), Long.toString(gapUs), wait);
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String result = null;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String l = r.readLine(); l != null; l = r.readLine()) {
                if (l.startsWith("guest ")) {
                    result = l;
                }
            }
        }
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0 || result == null) {
            p.destroyForcibly();
            throw new IOException("guest process failed (exit " + (p.isAlive() ? "none" : p.exitValue()) + ")");
        }
        return result;
    }

    private static void idle(Path dir, boolean doorbell, int vms, int vcpus, int seconds, long pollUs)
            throws Exception {
        RecordingActuator actuator = new RecordingActuator();
        HostAgent.Builder b = HostAgent.builder().actuator(actuator)
                .idlePollNanos(TimeUnit.MICROSECONDS.toNanos(pollUs));
        List<MappedRegionFile> files = new ArrayList<>();
        List<GuestEndpoint> guests = new ArrayList<>();
        List<IvshmemServer> servers = new ArrayList<>();
        List<IvshmemPeer> peers = new ArrayList<>();
        int tid = 100_000;
        for (int v = 0; v < vms; v++) {
            Path regionPath = dir.resolve("vm" + v + ".vboost");
            MappedRegionFile file = MappedRegionFile.create(regionPath, RegionLayout.regionSize(vcpus));
            files.add(file);
            HostEndpoint host = Regions.createHost(file.memory(), new HostRegionConfig(vcpus,
                    doorbell ? Feature.DEFINED_MASK : Feature.ALL_BUT_DOORBELL, 50, HostRegionConfig.DEFAULT_MAX_BOOST_US));
            Map<Integer, Integer> threads = new HashMap<>();
            for (int c = 0; c < vcpus; c++) {
                actuator.addThread(tid, ThreadAttributes.normal(0));
                threads.put(c, tid++);
            }
            b.addVm("vm" + v, host, PolicyConfig.defaults(), threads);
            if (doorbell) {
                Path socket = dir.resolve("vm" + v + ".ivshmem");
                servers.add(IvshmemServer.start(socket, regionPath, 1, PosixFilePermissions.fromString("rw-------")));
                // the guest can ring, as through QEMU's ivshmem-doorbell, so it accepts DOORBELL: a guest that
                // cannot ring does not, and the agent then looks at it at lazy-mode moments (spec §12.2)
                IvshmemPeer peer = IvshmemPeer.connect(socket, 1, 10_000);
                peers.add(peer);
                guests.add(Regions.attachGuest(file.memory(), Feature.DEFINED_MASK, peer.doorbell(0)));
            } else {
                guests.add(Regions.attachGuest(file.memory(), Feature.DEFINED_MASK));
            }
        }
        EventfdLoopWaiter waiter = null;
        if (doorbell) {
            int[] fds = servers.stream().flatMapToInt(s -> java.util.Arrays.stream(s.hostEventFds())).toArray();
            waiter = new EventfdLoopWaiter(fds); // one waiter over every VM's doorbell; POLL_US is the safety poll
            b.loopWaiter(waiter);
        }
        HostAgent agent = b.build().start();
        try {
            int loopTid = tidOf(AGENT_THREAD);
            Thread.sleep(2_000); // warm-up: attach seen, JIT settled
            long t0 = System.nanoTime();
            long thread0 = cpuNanos("/proc/self/task/" + loopTid + "/schedstat");
            long proc0 = processCpuNanos();
            Thread.sleep(seconds * 1000L);
            long wall = System.nanoTime() - t0;
            long thread = cpuNanos("/proc/self/task/" + loopTid + "/schedstat") - thread0;
            long proc = processCpuNanos() - proc0;
            System.out.println(String.format(Locale.ROOT,
                    "idle %s vms=%d vcpus=%d poll_us=%d seconds=%d agent_thread_cpu_pct=%.3f process_cpu_pct=%.3f%s",
                    doorbell ? "doorbell" : "lazy", vms, vcpus, pollUs, seconds, 100.0 * thread / wall,
                    100.0 * proc / wall, waiter == null ? "" : " wakeups=" + waiter.wakeUps()));
        } finally {
            agent.stop(); // first: the waiter reads the servers' descriptors
            if (waiter != null) {
                waiter.close();
            }
            for (IvshmemServer s : servers) {
                s.close();
            }
            for (GuestEndpoint g : guests) {
                g.detach();
            }
            for (IvshmemPeer p : peers) { // after the guests' last ring (detach)
                p.close();
            }
            for (MappedRegionFile f : files) {
                f.close();
            }
        }
    }

    /** The tid of this process's thread whose name starts like {@code name} (the kernel keeps 15 bytes). */
    private static int tidOf(String name) throws IOException, InterruptedException {
        String comm = name.length() > 15 ? name.substring(0, 15) : name;
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < end) {
            try (var tasks = Files.list(Path.of("/proc/self/task"))) {
                for (Path t : (Iterable<Path>) tasks::iterator) {
                    try {
                        if (Files.readString(t.resolve("comm")).strip().equals(comm)) {
                            return Integer.parseInt(String.valueOf(t.getFileName()));
                        }
                    } catch (IOException e) {
                        // the task ended meanwhile
                    }
                }
            }
            Thread.sleep(10);
        }
        throw new IOException("no thread named " + name);
    }

    /** Time on CPU from a {@code schedstat} file (its first field, nanoseconds). */
    private static long cpuNanos(String schedstat) throws IOException {
        return Long.parseLong(Files.readString(Path.of(schedstat)).trim().split("\\s+")[0]);
    }

    private static long processCpuNanos() throws IOException {
        long sum = 0;
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path t : (Iterable<Path>) tasks::iterator) {
                try {
                    sum += cpuNanos(t.resolve("schedstat").toString());
                } catch (IOException | RuntimeException e) {
                    // the task ended meanwhile: its time is lost to both ends of the interval alike
                }
            }
        }
        return sum;
    }

}
