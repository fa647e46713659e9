package dev.vboost.tools.demo;

import dev.vboost.agent.actuator.LinuxCpuPlacement;
import dev.vboost.agent.actuator.LinuxThreads;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.HdrHistogram.Histogram;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The guest of the demo: a child JVM (the "VM process") whose vCPU thread, pinned to the measured CPU, runs a
 * busy guest. It does background work in short seeded chunks (so it is always runnable, as a vCPU of a loaded
 * guest is) and a periodic latency-sensitive task on absolute deadlines; for every tick it records the
 * lateness of noticing it, actual time minus intended time. Now and then it enters a critical section
 * ({@link CriticalSections}), for which dynamic mode asks for its own boost.
 *
 * <p>Talks to the parent over its standard streams: it prints {@code TID <tid>}, waits for
 * {@code START <t0> <measureFrom> <end>} (monotonic nanoseconds; deadlines are {@code t0 + k * period}), and
 * at {@code end} prints {@code RESULT ...} and {@code HIST <base64>} (ticks with deadlines before
 * {@code measureFrom} are warm-up and not recorded).
 */
public final class GuestVcpuMain {
    /** Longest lateness the histogram tracks, 60 s; longer values are clamped (and counted). */
    static final long HIGHEST_TRACKABLE_NANOS = 60_000_000_000L;

    private final Map<String, String> args;
    private volatile long t0;
    private volatile long measureFrom;
    private volatile long end;
    private volatile int tid;
    private volatile @Nullable Throwable failure;

    private GuestVcpuMain(Map<String, String> args) {
        this.args = args;
    }

    public static void main(String[] argv) {
        Map<String, String> args = new HashMap<>();
        for (String a : argv) {
            int eq = a.indexOf('=');
            if (eq <= 0) {
                System.err.println("guest-vcpu: argument '" + a + "' is not key=value");
                System.exit(2);
            }
            args.put(a.substring(0, eq), a.substring(eq + 1));
        }
        try {
            System.exit(new GuestVcpuMain(args).run());
        } catch (Exception e) {
            System.err.println("guest-vcpu: " + e);
            System.exit(1);
        }
    }

    private String arg(String key) {
        String v = args.get(key);
        if (v == null) {
            throw new IllegalArgumentException("missing argument " + key + "=");
        }
        return v;
    }

    private int run() throws Exception {
        DemoMode mode = DemoMode.parse(arg("mode"));
        int cpu = Integer.parseInt(arg("cpu"));
        long periodNanos = Long.parseLong(arg("periodNs"));
        long workNanos = Long.parseLong(arg("workNs"));
        long seed = Long.parseLong(arg("seed"));
        CriticalSections critical = new CriticalSections(Long.parseLong(arg("csPerSecond")), Long.parseLong(arg("csWorkNs")),
                periodNanos, seed);
        PrintStream out = System.out;
        Histogram histogram = new Histogram(HIGHEST_TRACKABLE_NANOS, 3);
        long[] counters = new long[6]; // ticks, overruns, clamped, vCPU CPU ns and wall ns while measured, and
                                       // the sum over measured ticks of their work's end after the deadline
        TickHooks hooks = mode == DemoMode.DYNAMIC
                ? GuestProtocolHooks.open(Path.of(arg("region")), Integer.parseInt(arg("slot")),
                        Path.of(arg("socket")), Integer.parseInt(arg("priority")), arg("policy"))
                : TickHooks.NONE;
        Thread vcpu = new Thread(() -> {
            try {
                LinuxCpuPlacement.pinCurrentThread(cpu);
                tid = LinuxThreads.currentTid();
                runVcpu(periodNanos, workNanos, seed, hooks, critical, histogram, counters);
            } catch (Throwable t) {
                failure = t;
            }
        }, "vcpu0");
        vcpu.setDaemon(true);
        vcpu.start();
        long waitUntil = System.nanoTime() + 10_000_000_000L;
        while (tid == 0 && failure == null && vcpu.isAlive()) {
            if (System.nanoTime() > waitUntil) {
                throw new IllegalStateException("vCPU thread did not start in 10 s");
            }
            Thread.sleep(1);
        }
        if (failure != null) {
            throw new IllegalStateException("vCPU thread failed: " + failure, failure);
        }
        out.println("TID " + tid);
        out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
        String line = in.readLine();
        if (line == null || !line.startsWith("START ")) {
            throw new IllegalStateException("expected START from the parent, got " + line);
        }
        String[] parts = line.split(" ");
        measureFrom = Long.parseLong(parts[2]);
        end = Long.parseLong(parts[3]);
        hooks.connect(); // the host serves its hypercall socket before it sends START
        t0 = Long.parseLong(parts[1]); // published last: the vCPU thread starts on seeing it
        vcpu.join();
        hooks.close();
        Throwable f = failure;
        if (f != null) {
            throw new IllegalStateException("vCPU thread failed: " + f, f);
        }
        ByteBuffer buf = ByteBuffer.allocate(histogram.getNeededByteBufferCapacity());
        int len = histogram.encodeIntoCompressedByteBuffer(buf);
        byte[] bytes = new byte[len];
        buf.flip();
        buf.get(bytes);
        out.println("RESULT ticks=" + counters[0] + " overruns=" + counters[1] + " clamped=" + counters[2]
                + " cpuNs=" + counters[3] + " wallNs=" + counters[4] + " doneNs=" + counters[5] + " " + critical.summary()
                + (hooks.summary().isEmpty() ? "" : " " + hooks.summary()));
        out.println("HIST " + Base64.getEncoder().encodeToString(bytes));
        out.flush();
        return 0;
    }

    /** The vCPU: background chunks until a deadline passes, then the tick; allocation-free once running. */
    private void runVcpu(long periodNanos, long workNanos, long seed, TickHooks hooks, CriticalSections critical,
            Histogram histogram, long[] counters) {
        SpinWork spin = new SpinWork();
        long pid = ProcessHandle.current().pid();
        long cpuAtStart = -1;
        long wallAtStart = 0;
        SplittableRandom pattern = new SplittableRandom(seed);
        // before START: warm the same loop up on a provisional schedule, recording nothing
        long deadline = System.nanoTime() + periodNanos;
        long origin = 0;
        while (true) {
            long now = System.nanoTime();
            long start = t0;
            if (origin == 0 && start != 0) {
                origin = start;
                deadline = start; // the first tick of the real schedule
                continue;
            }
            if (origin != 0 && now - end >= 0) {
                break;
            }
            if (now - deadline >= 0) {
                if (origin != 0 && deadline - measureFrom >= 0) {
                    if (cpuAtStart < 0) {
                        cpuAtStart = CpuTime.threadNanos(pid, tid);
                        wallAtStart = now;
                    }
                    long lateness = now - deadline;
                    if (lateness > HIGHEST_TRACKABLE_NANOS) {
                        lateness = HIGHEST_TRACKABLE_NANOS;
                        counters[2]++;
                    }
                    histogram.recordValue(lateness);
                    counters[0]++;
                }
                hooks.tickStart();
                long done = spin.until(System.nanoTime() + workNanos);
                hooks.tickEnd();
                if (origin != 0 && deadline - measureFrom >= 0) {
                    counters[5] += done - deadline;
                }
                // cyclictest's rule: the next wake-up is the next deadline still in the future
                deadline += periodNanos;
                while (deadline - done <= 0) {
                    deadline += periodNanos;
                    if (origin != 0 && deadline - measureFrom >= 0) {
                        counters[1]++;
                    }
                }
            } else if (origin != 0 && critical.due(now, deadline, now - measureFrom >= 0)) {
                // a critical section only the guest knows of: its own boost first, the host's answer timed
                CriticalSections.Answer answer = hooks.enterCritical();
                long answered = System.nanoTime();
                long done = spin.until(answered + critical.workNanos());
                hooks.leaveCritical();
                critical.ran(answer, answered - now, done, now - measureFrom >= 0);
            } else {
                // background work: a chunk of 2..8 µs drawn from the seeded pattern
                long chunkEnd = now + 2_000 + pattern.nextInt(7_000);
                if (chunkEnd - deadline >= 0) {
                    // the tick falls due within this chunk: ask for its boost now and stop at the deadline
                    hooks.tickSoon();
                    chunkEnd = deadline;
                }
                spin.until(chunkEnd);
            }
        }
        hooks.tickEnd(); // a boost the host started for a tick past the end: acknowledged before the thread ends
        if (cpuAtStart >= 0) {
            counters[3] = CpuTime.threadNanos(pid, tid) - cpuAtStart;
            counters[4] = System.nanoTime() - wallAtStart;
        }
        if (spin.sink() == 42) {
            System.err.print(""); // keeps the work observable
        }
    }
}
