package dev.vboost.tools.bench;

import dev.vboost.agent.actuator.LinuxThreads;
import dev.vboost.agent.ivshmem.IvshmemPeer;
import dev.vboost.api.HostSlotSnapshot;
import dev.vboost.api.ReadStatus;
import dev.vboost.api.role.GuestEndpoint;
import dev.vboost.api.wire.BoostReason;
import dev.vboost.api.wire.Feature;
import dev.vboost.api.wire.SchedPolicy;
import dev.vboost.impl.Doorbell;
import dev.vboost.impl.Regions;
import dev.vboost.impl.memory.MappedRegionFile;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.HdrHistogram.Histogram;

/**
 * Scale benchmark (scripts/scale-bench.sh): one host agent serving N VMs of 4..8 vCPUs over region files, in a
 * child JVM of its own so that its CPU time and RSS are the agent's alone. This process holds the vCPU threads
 * (parked, never running: boosting them costs nothing but the syscalls) and the guests. Modes: {@code idle}
 * (guests attached, never requesting) and {@code steady} (each VM requests a boost and releases it at a steady
 * rate). Reports the agent's CPU share of one core, its RSS, and request → acknowledged latency (the host
 * publishes after the thread's priority changed, so this bounds request → boosted from above) p50/p99.
 *
 * <p>Agent modes ({@link ScaleBenchAgent}): {@code lazy} (the agent finds requests by polling every 200 µs) and
 * {@code doorbell} (one ivshmem server per VM in the agent process, one eventfd waiter over all of them, a 100 ms
 * safety poll, DOORBELL offered; this process connects to each server as QEMU would, with an {@link IvshmemPeer},
 * and its guests ring after each publication). The line also reports the agent loop's wake-ups and the rings its
 * waiter consumed during the measured interval.
 *
 * <p>Usage: {@code ScaleBench run VMS idle|steady SECONDS RATE_PER_VM DIR [lazy|doorbell]} (default lazy); the
 * child is {@link ScaleBenchAgent}.
 */
public final class ScaleBench {
    private ScaleBench() {
    }

    private static final String USAGE = "usage: ScaleBench run VMS idle|steady SECONDS RATE_PER_VM DIR [lazy|doorbell]";

    public static void main(String[] args) throws Exception {
        if (!(args.length == 6 || args.length == 7) || !args[0].equals("run")
                || !(args[2].equals("idle") || args[2].equals("steady")) || (args.length == 7 && !isAgentMode(args[6]))) {
            System.err.println(USAGE);
            System.exit(2);
        }
        int vms;
        double seconds;
        double rate;
        try {
            vms = Integer.parseInt(args[1]);
            seconds = Double.parseDouble(args[3]);
            rate = Double.parseDouble(args[4]);
        } catch (NumberFormatException e) {
            System.err.println("not a number: " + e.getMessage() + "\n" + USAGE);
            System.exit(2);
            return;
        }
        if (vms < 1 || !(seconds > 0) || !(rate > 0)) {
            System.err.println("VMS, SECONDS and RATE_PER_VM must be positive\n" + USAGE);
            System.exit(2);
        }
        System.out.println(run(vms, args[2], seconds, rate, Path.of(args[5]), args.length == 7 && args[6].equals("doorbell")));
        System.exit(0); // the parked vCPU threads are daemons, but do not wait for anything else either
    }

    static boolean isAgentMode(String s) {
        return s.equals("lazy") || s.equals("doorbell");
    }


    /** Asks the child for its counters ("counters k=v ..."), read as a map. */
    private static Map<String, Long> counters(Process child, BufferedReader out) throws IOException {
        child.getOutputStream().write("counters\n".getBytes(StandardCharsets.US_ASCII));
        child.getOutputStream().flush();
        String l = out.readLine();
        if (l == null || !l.startsWith("counters ")) {
            throw new IOException("agent did not answer with its counters: " + l);
        }
        Map<String, Long> m = new HashMap<>();
        for (String kv : l.substring(9).split(" ")) {
            m.put(kv.substring(0, kv.indexOf('=')), Long.parseLong(kv.substring(kv.indexOf('=') + 1)));
        }
        return m;
    }

    private static long delta(Map<String, Long> before, Map<String, Long> after, String key) {
        return after.getOrDefault(key, 0L) - before.getOrDefault(key, 0L);
    }

    /**
     * One run: starts the agent child, attaches the guests, warms up for 2 s, measures, stops the child.
     *
     * @param vms       VMs served, each of 4..8 vCPUs (seeded)
     * @param mode      {@code idle} or {@code steady}
     * @param seconds   the measured interval
     * @param ratePerVm boosts per second per VM in {@code steady} mode
     * @param dir       where the region files (and in doorbell mode the server sockets) go
     * @param doorbell  whether the agent waits on the doorbell (else it polls: lazy mode)
     * @return the result line: "vms=.. vcpus=.. mode=.. agent_mode=.. ... wakeups=.. rings=.. coalesced=.. spurious=.."
     * @throws Exception if the agent does not start or answer, or a guest cannot attach
     */
    public static String run(int vms, String mode, double seconds, double ratePerVm, Path dir, boolean doorbell)
            throws Exception {
        Random rnd = new Random(42);
        CountDownLatch end = new CountDownLatch(1);
        List<int[]> vcpus = new ArrayList<>();
        StringBuilder spec = new StringBuilder();
        for (int v = 0; v < vms; v++) {
            int n = 4 + rnd.nextInt(5);
            int[] tids = new int[n];
            for (int s = 0; s < n; s++) {
                tids[s] = parkedThread(end);
            }
            vcpus.add(tids);
            spec.append(dir.resolve("scale-vm" + v)).append(' ');
            for (int s = 0; s < n; s++) {
                spec.append(s == 0 ? "" : ",").append(tids[s]);
            }
            spec.append('\n');
        }
        Path specFile = dir.resolve("scale-spec.txt");
        Files.writeString(specFile, spec);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-XX:+UseSerialGC", "-Xss256k", "-cp",
                System.getProperty("java.class.path"), ScaleBenchAgent.class.getName(), specFile.toString(),
                doorbell ? "doorbell" : "lazy").redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        String ready = out.readLine();
        if (ready == null || !ready.startsWith("ready ")) {
            throw new IllegalStateException("agent did not start: " + ready);
        }
        long pid = child.pid();
        String agentThread = ready.substring(ready.indexOf(' ', 6) + 1);
        List<MappedRegionFile> maps = new ArrayList<>();
        List<IvshmemPeer> peers = new ArrayList<>();
        List<GuestEndpoint> guests = new ArrayList<>();
        for (int v = 0; v < vms; v++) {
            Path region = dir.resolve("scale-vm" + v);
            MappedRegionFile m = MappedRegionFile.open(region);
            maps.add(m);
            Doorbell bell = Doorbell.NONE;
            if (doorbell) { // as QEMU's ivshmem-doorbell device: connect once the agent's server is up
                IvshmemPeer peer = IvshmemPeer.connect(ScaleBenchAgent.socketOf(region), 1, 10_000);
                peers.add(peer);
                bell = peer.doorbell(0);
            }
            guests.add(Regions.attachGuest(m.memory(), doorbell ? Feature.DEFINED_MASK : Feature.ALL_BUT_DOORBELL,
                    bell, Duration.ofSeconds(30)));
        }
        Histogram latency = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        int vcpuTotal = vcpus.stream().mapToInt(a -> a.length).sum();
        // warm-up: the agent's first boosts pay class loading and JIT
        if (mode.equals("steady")) {
            drive(guests, vcpus, 2.0, ratePerVm, null, rnd);
        } else {
            Thread.sleep(2000);
        }
        Map<String, Long> c0 = counters(child, out);
        long cpu0 = cpuTicks(pid);
        long t0 = System.nanoTime();
        if (mode.equals("steady")) {
            drive(guests, vcpus, seconds, ratePerVm, latency, rnd);
        } else {
            Thread.sleep((long) (seconds * 1000));
        }
        long cpu1 = cpuTicks(pid);
        double wall = (System.nanoTime() - t0) / 1e9;
        long rssKb = rssKb(pid);
        Map<String, Long> c1 = counters(child, out);
        double cpuShare = (cpu1 - cpu0) / 100.0 / wall; // USER_HZ = 100 on Linux
        String result = String.format(Locale.ROOT, "vms=%d vcpus=%d mode=%s agent_mode=%s seconds=%.1f rate_per_vm=%.0f "
                + "cpu_share=%.4f rss_mib=%.1f requests=%d p50_us=%.1f p99_us=%.1f max_us=%.1f agent_thread=%s "
                + "wakeups=%d rings=%d coalesced=%d spurious=%d", vms, vcpuTotal, mode, doorbell ? "doorbell" : "lazy",
                wall, mode.equals("steady") ? ratePerVm : 0, cpuShare, rssKb / 1024.0, latency.getTotalCount(),
                latency.getValueAtPercentile(50) / 1e3, latency.getValueAtPercentile(99) / 1e3,
                latency.getMaxValue() / 1e3, agentThread.replace(' ', '_'), delta(c0, c1, "wakeups"),
                delta(c0, c1, "rings"), delta(c0, c1, "coalesced"), delta(c0, c1, "spurious"));
        child.getOutputStream().close();
        if (!child.waitFor(30, TimeUnit.SECONDS)) {
            child.destroyForcibly();
        }
        end.countDown();
        for (GuestEndpoint g : guests) {
            g.close();
        }
        for (IvshmemPeer p : peers) { // after the agent stopped, as a VM's device goes away after its agent
            p.close();
        }
        for (int v = 0; v < vms; v++) {
            maps.get(v).close();
            Files.deleteIfExists(dir.resolve("scale-vm" + v));
        }
        Files.deleteIfExists(specFile);
        return result;
    }

    /**
     * Requests at {@code ratePerVm} per VM for {@code seconds}: every VM on its own schedule (staggered), each
     * cycle a boost request on the VM's next vCPU, then its release once the request was acted on. One driver
     * thread polls every VM in turn, so requests of different VMs overlap as on a real host; a request's
     * latency is taken when the driver first sees its acknowledgement.
     */
    private static void drive(List<GuestEndpoint> guests, List<int[]> vcpus, double seconds, double ratePerVm,
            @org.checkerframework.checker.nullness.qual.Nullable Histogram latency, Random rnd) {
        HostSlotSnapshot st = new HostSlotSnapshot();
        int n = guests.size();
        long period = (long) (1e9 / ratePerVm);
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        long[] due = new long[n];
        long[] sent = new long[n];
        long[] waitId = new long[n];
        int[] state = new int[n]; // 0 idle, 1 waiting for the boost's answer, 2 waiting for the release's
        int[] slot = new int[n];
        int[] next = new int[n];
        for (int v = 0; v < n; v++) {
            due[v] = start + (long) (rnd.nextDouble() * period);
        }
        while (true) {
            long now = System.nanoTime();
            boolean busy = false;
            for (int v = 0; v < n; v++) {
                GuestEndpoint g = guests.get(v);
                switch (state[v]) {
                    case 0:
                        if (now - due[v] >= 0 && now < end) {
                            slot[v] = next[v]++ % vcpus.get(v).length;
                            sent[v] = System.nanoTime();
                            waitId[v] = g.requestBoost(slot[v], SchedPolicy.RR, 2, 0, BoostReason.LOCK_HOLDER.bit());
                            state[v] = 1;
                            due[v] += period;
                        }
                        break;
                    case 1:
                        busy = true;
                        if (g.readHostState(slot[v], st) == ReadStatus.OK && st.actedRequestId() >= waitId[v]) {
                            if (latency != null) {
                                latency.recordValue(Math.min(latency.getHighestTrackableValue(), System.nanoTime() - sent[v]));
                            }
                            waitId[v] = g.release(slot[v]);
                            state[v] = 2;
                        } else if (now - sent[v] > TimeUnit.SECONDS.toNanos(5)) {
                            state[v] = 0; // unanswered for 5 s: counted as missing, not waited for
                        }
                        break;
                    default:
                        busy = true;
                        if (g.readHostState(slot[v], st) == ReadStatus.OK && st.actedRequestId() >= waitId[v]) {
                            state[v] = 0;
                        }
                        break;
                }
            }
            if (now >= end && !busy) {
                return;
            }
            Thread.onSpinWait();
        }
    }

    private static int parkedThread(CountDownLatch end) throws InterruptedException {
        AtomicInteger tid = new AtomicInteger();
        CountDownLatch started = new CountDownLatch(1);
        Thread t = new Thread(null, () -> {
            tid.set(LinuxThreads.currentTid());
            started.countDown();
            try {
                end.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "vcpu", 64 * 1024);
        t.setDaemon(true);
        t.start();
        started.await();
        return tid.get();
    }

    /** utime + stime of a process, in clock ticks ({@code /proc/PID/stat} fields 14 and 15). */
    static long cpuTicks(long pid) throws IOException {
        String s = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    static long rssKb(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }
}
