package dev.vboost.tools.bench;

import dev.vboost.agent.HostAgent;
import dev.vboost.agent.actuator.ActuatorException;
import dev.vboost.agent.actuator.LinuxCpuPlacement;
import dev.vboost.agent.actuator.LinuxPriorityActuator;
import dev.vboost.agent.actuator.LinuxThreads;
import dev.vboost.agent.actuator.ThreadAttributes;
import dev.vboost.agent.policy.PolicyConfig;
import dev.vboost.api.HostSlotSnapshot;
import dev.vboost.api.ReadStatus;
import dev.vboost.api.role.GuestEndpoint;
import dev.vboost.api.role.HostEndpoint;
import dev.vboost.api.wire.BoostReason;
import dev.vboost.api.wire.Feature;
import dev.vboost.api.wire.SchedPolicy;
import dev.vboost.api.wire.SlotStatus;
import dev.vboost.impl.HostRegionConfig;
import dev.vboost.impl.Regions;
import dev.vboost.impl.memory.MappedRegionFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * Boost-length bound (scripts/boost-bound.sh, docs/performance.md "Boost-length bound"): how long a boost really
 * lasts, seen from the boosted thread's side, when the agent thread competes with a starving load.
 *
 * <p>The vCPU is a spinning process pinned to CPU 0; on every CPU (CPU 0 included) spin a SCHED_OTHER hog and a
 * SCHED_RR 1 hog that spins half the time (processes, pinned; see {@link #spinner}). The agent ({@link HostAgent#start()}, its own loop) has its thread pinned
 * to CPU 0 too, the worst place: a boosted vCPU there takes the CPU the agent needs to end the boost. Its
 * attributes are the mode: {@code fifo} = SCHED_FIFO one above the ceiling (the default a deployment gets),
 * {@code other} = SCHED_OTHER. A guest driver asks for a boost of the ceiling and never releases it, so each
 * boost ends by the agent's expiry at {@code max boost}. An observer thread at SCHED_FIFO 99 on the last CPU
 * reads the vCPU's policy with {@code sched_getattr} every {@value #POLL_MICROS} µs and records when it became
 * real-time and when it stopped: that is the boost's real length (resolution: one poll).
 *
 * <p>Usage: {@code BoostBound fifo|other BOOSTS MAX_BOOST_MS}. Prints one line of {@code key=value}. Needs root
 * (or CAP_SYS_NICE), chrt and taskset; every process it starts is killed before it returns. Bounded: at most
 * {@value #BOOST_TIMEOUT_SECONDS} s per boost.
 */
public final class BoostBound {
    private static final int CEILING = 10;
    private static final long POLL_MICROS = 50;
    private static final int BOOST_TIMEOUT_SECONDS = 5;
    private static final int WARMUP_BOOSTS = 50;

    private final LinuxPriorityActuator actuator = new LinuxPriorityActuator();
    private final List<Process> processes = new ArrayList<>();

    private BoostBound() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3 || !(args[0].equals("fifo") || args[0].equals("other"))) {
            System.err.println("usage: BoostBound fifo|other BOOSTS MAX_BOOST_MS");
            System.exit(2);
        }
        BoostBound b = new BoostBound();
        Runtime.getRuntime().addShutdownHook(new Thread(b::killAll, "boost-bound-cleanup"));
        try {
            System.out.println(b.run(args[0].equals("fifo"), Integer.parseInt(args[1]), Long.parseLong(args[2])));
        } finally {
            b.killAll();
        }
    }

    private String run(boolean fifo, int boosts, long maxBoostMs) throws Exception {
        int cpus = Runtime.getRuntime().availableProcessors();
        int observerCpu = cpus - 1;
        Process vcpu = spinner(0, false);
        int vcpuTid = (int) vcpu.pid();
        Path dir = Files.createTempDirectory("vboost-bound");
        Path regionPath = dir.resolve("region");
        long maxBoostNanos = TimeUnit.MILLISECONDS.toNanos(maxBoostMs);
        PolicyConfig policy = PolicyConfig.builder().boostPolicy(SchedPolicy.RR).priorityCeiling(CEILING)
                .maxBoostNanos(maxBoostNanos).budget(TimeUnit.SECONDS.toNanos(1), TimeUnit.SECONDS.toNanos(1))
                .maxTransitionsPerSecond(1_000).build();
        HostRegionConfig cfg = new HostRegionConfig(1, Feature.ALL_BUT_DOORBELL, CEILING,
                (int) TimeUnit.MILLISECONDS.toMicros(maxBoostMs));
        try (MappedRegionFile file = MappedRegionFile.create(regionPath, cfg.regionSize())) {
            HostEndpoint endpoint = Regions.createHost(file.memory(), cfg);
            HostAgent agent = HostAgent.builder().addVm("vm", endpoint, policy, Map.of(0, vcpuTid))
                    .agentThreadAttributes(fifo ? ThreadAttributes.fifo(CEILING + 1) : ThreadAttributes.normal(0))
                    .build().start();
            try {
                pin(threadNamed("vboost-agent"), 0);
                GuestEndpoint guest = Regions.attachGuest(file.memory(), Feature.DEFINED_MASK, Duration.ofSeconds(10));
                Observer observer = new Observer(vcpuTid, boosts + WARMUP_BOOSTS);
                Thread obs = new Thread(observer::run, "boost-bound-observer");
                obs.setDaemon(true);
                obs.start();
                observer.ready.acquireUninterruptibly();
                LinuxCpuPlacement.pinCurrentThread(observerCpu);
                actuator.apply(LinuxThreads.currentTid(), ThreadAttributes.fifo(CEILING + 2)); // the driver
                drive(guest, observer, 0, WARMUP_BOOSTS, maxBoostNanos); // JIT the paths before the load starts
                for (int cpu = 0; cpu < cpus; cpu++) {
                    spinner(cpu, false);
                    spinner(cpu, true);
                }
                drive(guest, observer, WARMUP_BOOSTS, boosts, maxBoostNanos);
                observer.stop = true;
                obs.join(TimeUnit.SECONDS.toMillis(BOOST_TIMEOUT_SECONDS));
                killAll(); // the load first, then the agent stops in a quiet machine
                actuator.apply(LinuxThreads.currentTid(), ThreadAttributes.normal(0));
                return report(fifo, observer, boosts, maxBoostNanos, cpus);
            } finally {
                killAll();
                agent.stop();
            }
        } finally {
            Files.deleteIfExists(regionPath);
            Files.deleteIfExists(dir);
        }
    }

    /**
     * Asks for {@code count} boosts one after the other, each left to expire. A boost the host line says has ended
     * but the observer never saw (shorter than one poll, or the observer delayed) is counted as missed; one that
     * does not end within {@value #BOOST_TIMEOUT_SECONDS} s fails the run.
     */
    private static void drive(GuestEndpoint guest, Observer observer, int first, int count, long maxBoostNanos) {
        HostSlotSnapshot line = new HostSlotSnapshot();
        for (int i = first; i < first + count; i++) {
            observer.current = i;
            long id = guest.requestBoost(0, SchedPolicy.RR, CEILING, 0, BoostReason.IRQ.bit());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(BOOST_TIMEOUT_SECONDS);
            long hostEnded = 0;
            while (observer.ends.get(i) == 0) {
                long now = System.nanoTime();
                if (now - deadline > 0) {
                    guest.readHostState(0, line);
                    throw new IllegalStateException("boost " + i + " did not end within " + BOOST_TIMEOUT_SECONDS
                            + " s; the host line says " + line);
                }
                if (hostEnded == 0 && guest.readHostState(0, line) == ReadStatus.OK && line.actedRequestId() == id
                        && line.status() != SlotStatus.BOOSTED && !observer.boosted) {
                    hostEnded = now;
                }
                if (hostEnded != 0 && now - hostEnded > TimeUnit.MILLISECONDS.toNanos(20)) {
                    break; // the host ended it and the thread is not real-time: the observer missed it
                }
                LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(200));
            }
            LockSupport.parkNanos(2 * maxBoostNanos); // a gap: the next request starts from NORMAL
        }
    }

    /** Polls the vCPU's policy from a SCHED_FIFO 99 thread; records when boost {@code current} began and ended. */
    private final class Observer {
        final int tid;
        final AtomicLongArray starts;
        final AtomicLongArray ends;
        /** Which boost the driver asked for last. */
        volatile int current;
        volatile boolean boosted;
        volatile boolean stop;
        final java.util.concurrent.Semaphore ready = new java.util.concurrent.Semaphore(0);

        Observer(int tid, int capacity) {
            this.tid = tid;
            this.starts = new AtomicLongArray(capacity);
            this.ends = new AtomicLongArray(capacity);
        }

        void run() {
            try {
                LinuxCpuPlacement.pinCurrentThread(Runtime.getRuntime().availableProcessors() - 1);
                LinuxCpuPlacement.minimiseTimerSlack();
                actuator.apply(LinuxThreads.currentTid(), ThreadAttributes.fifo(99));
            } catch (ActuatorException | RuntimeException e) {
                System.err.println("observer: " + e);
            } finally {
                ready.release();
            }
            long giveUp = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
            int index = 0;
            while (!stop && System.nanoTime() - giveUp < 0) {
                boolean rt;
                try {
                    rt = actuator.read(tid).isRealTime();
                } catch (ActuatorException e) {
                    return;
                }
                long now = System.nanoTime();
                if (rt && !boosted) {
                    index = current;
                    starts.set(index, now);
                    boosted = true;
                } else if (!rt && boosted) {
                    ends.set(index, now);
                    boosted = false;
                }
                LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(POLL_MICROS));
            }
        }
    }

    private static String report(boolean fifo, Observer o, int boosts, long maxBoostNanos, int cpus)
            throws IOException {
        long[] lengths = new long[boosts];
        int n = 0;
        for (int i = WARMUP_BOOSTS; i < WARMUP_BOOSTS + boosts; i++) {
            if (o.ends.get(i) != 0 && o.starts.get(i) != 0) {
                lengths[n++] = o.ends.get(i) - o.starts.get(i);
            }
        }
        long[] l = Arrays.copyOf(lengths, n);
        Arrays.sort(l);
        int over = 0;
        int overMs = 0;
        for (long x : l) {
            over += x > maxBoostNanos ? 1 : 0;
            overMs += x > maxBoostNanos + TimeUnit.MILLISECONDS.toNanos(1) ? 1 : 0;
        }
        return String.format(Locale.ROOT, "agent=%s cpus=%d kernel=%s max_boost_us=%d boosts=%d measured=%d missed=%d "
                + "p50_us=%d p99_us=%d max_us=%d over_bound=%d over_bound_plus_1ms=%d poll_us=%d",
                fifo ? "SCHED_FIFO/" + (CEILING + 1) : "SCHED_OTHER", cpus,
                Files.readString(Path.of("/proc/sys/kernel/osrelease"), StandardCharsets.US_ASCII).trim(),
                maxBoostNanos / 1000, boosts, n, boosts - n, micros(l, 0.50), micros(l, 0.99),
                n == 0 ? 0 : l[n - 1] / 1000, over, overMs, POLL_MICROS);
    }

    private static long micros(long[] sorted, double q) {
        if (sorted.length == 0) {
            return 0;
        }
        int i = (int) Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1);
        return sorted[Math.max(0, i)] / 1000;
    }

    /**
     * A process spinning on {@code cpu}: at SCHED_OTHER all the time, or ({@code rr}) at SCHED_RR 1 for 10 ms of
     * every 20 ms. A real-time hog that never sleeps would use up the kernel's real-time bandwidth
     * ({@code sched_rt_runtime_us}) and throttle every real-time thread on its CPU, the agent and the observer
     * included: a different experiment from the agent competing with the load.
     */
    private Process spinner(int cpu, boolean rr) throws IOException {
        List<String> cmd = new ArrayList<>();
        if (rr) {
            cmd.addAll(List.of("chrt", "-r", "1"));
        }
        cmd.addAll(List.of("taskset", "-c", Integer.toString(cpu), "sh", "-c", rr
                ? "while :; do timeout 0.01 sh -c 'while :; do :; done'; sleep 0.01; done"
                : "while :; do :; done"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        synchronized (processes) {
            processes.add(p);
        }
        return p;
    }

    private void killAll() {
        List<Process> all;
        synchronized (processes) {
            all = new ArrayList<>(processes);
            processes.clear();
        }
        for (Process p : all) {
            p.destroyForcibly();
        }
        for (Process p : all) {
            try {
                p.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static int threadNamed(String name) throws IOException {
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path t : (Iterable<Path>) tasks::iterator) {
                try {
                    if (Files.readString(t.resolve("comm"), StandardCharsets.UTF_8).trim().equals(name)) {
                        return Integer.parseInt(String.valueOf(t.getFileName()));
                    }
                } catch (IOException e) {
                    // the thread ended meanwhile
                }
            }
        }
        throw new IOException("no thread named " + name);
    }

    private static void pin(int tid, int cpu) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("taskset", "-p", "-c", Integer.toString(cpu), Integer.toString(tid))
                .redirectErrorStream(true).start();
        if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException("taskset could not pin thread " + tid + " to CPU " + cpu);
        }
    }
}
