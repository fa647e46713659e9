package dev.vboost.tools.demo;

import dev.vboost.agent.actuator.ActuatorException;
import dev.vboost.agent.actuator.ThreadAttributes;
import dev.vboost.agent.stats.VmCounters;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.zip.DataFormatException;
import org.HdrHistogram.Histogram;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Runs the demo: for each mode, host hogs on the measured CPU, a guest child JVM whose vCPU thread is pinned
 * there, and (dynamic mode) the host side of the protocol in this JVM; then the report, JSON and plot.
 */
public final class DemoRunner {
    private static final long HOG_SPIN_UP_NANOS = 300_000_000L;
    private static final long CHILD_START_TIMEOUT_NANOS = 30_000_000_000L;

    private final DemoConfig config;
    private final PrintWriter out;
    private final JavaLauncher java;
    private final RtControl rt;

    public DemoRunner(DemoConfig config, PrintWriter out) {
        this(config, out, JavaLauncher.current());
    }

    DemoRunner(DemoConfig config, PrintWriter out, JavaLauncher java) {
        this(config, out, java, new RtControl());
    }

    DemoRunner(DemoConfig config, PrintWriter out, JavaLauncher java, RtControl rt) {
        this.rt = rt;
        this.config = config;
        this.out = out;
        this.java = java;
    }

    /** Runs every configured mode and writes the outputs; returns the results in mode order. */
    public DemoOutcome run() throws IOException, InterruptedException {
        Files.createDirectories(config.outDir);
        String noRt = rt.probe();
        out.printf(Locale.ROOT, "vboost demo: %d mode(s) x %.1f s on CPU %d, period %d us, tick work %d us, %s%n",
                config.modes.size(), config.durationNanos / 1e9, config.cpu, config.periodNanos / 1000,
                config.workNanos / 1000, config.hogs == 0 ? "no hogs"
                        : config.hogs + " hog(s) via " + (HostHogs.stressNgInstalled() ? "stress-ng" : "child JVM"));
        if (noRt != null) {
            out.println("NOTE: this process may not set real-time priorities (" + noRt + ").");
            out.println("      Dynamic and static modes need it; only vanilla runs. To grant it: run as root,");
            out.println("      or give java CAP_SYS_NICE (setcap cap_sys_nice+ep \"$(readlink -f \"$(command -v java)\")\"),");
            out.println("      or raise the RT limit (ulimit -r 99; /etc/security/limits.conf 'rtprio 99').");
        }
        List<ModeResult> results = new ArrayList<>();
        for (DemoMode mode : config.modes) {
            ModeResult r;
            if (mode != DemoMode.VANILLA && noRt != null) {
                r = ModeResult.notRun(mode, "skipped", "no permission to set real-time priorities: " + noRt);
                out.println("[" + mode.key() + "] SKIPPED: " + r.note);
            } else {
                try {
                    r = runMode(mode);
                } catch (IOException | RuntimeException | ActuatorException e) {
                    r = ModeResult.notRun(mode, "failed", e.toString());
                    out.println("[" + mode.key() + "] FAILED: " + e);
                }
            }
            results.add(r);
        }
        DemoOutcome outcome = new DemoOutcome(config, results, noRt);
        DemoReport.write(outcome, out);
        return outcome;
    }

    private ModeResult runMode(DemoMode mode) throws IOException, InterruptedException, ActuatorException {
        out.println("[" + mode.key() + "] starting");
        try (HostHogs hogs = config.hogs > 0 ? HostHogs.start(config.hogs, config.cpu, java) : null;
                DynamicHost host = mode == DemoMode.DYNAMIC ? DynamicHost.create(config, rt) : null) {
            if (hogs != null) {
                Thread.sleep(HOG_SPIN_UP_NANOS / 1_000_000);
                if (!hogs.alive()) {
                    throw new IOException("hogs exited at once: " + hogs.description());
                }
            }
            List<String> guestArgs = new ArrayList<>(List.of("mode=" + mode.key(), "cpu=" + config.cpu,
                    "periodNs=" + config.periodNanos, "workNs=" + config.workNanos, "seed=" + config.seed,
                    "priority=" + config.priority, "policy=" + config.policy.name(),
                    "csPerSecond=" + config.criticalPerSecond, "csWorkNs=" + config.criticalWorkNanos));
            if (host != null) {
                guestArgs.addAll(host.guestArguments());
            }
            ProcessBuilder pb = java.command(List.of("-XX:+UseSerialGC", "-Xms64m", "-Xmx64m", "-XX:+AlwaysPreTouch",
                    "-XX:+UnlockDiagnosticVMOptions", "-XX:GuaranteedSafepointInterval=0"),
                    GuestVcpuMain.class.getName(), guestArgs);
            Path guestLog = config.outDir.resolve("guest-" + mode.key() + ".log");
            pb.redirectError(guestLog.toFile());
            Process guest = pb.start();
            try {
                return measure(mode, guest, hogs, host);
            } finally {
                guest.destroyForcibly();
                guest.waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    private ModeResult measure(DemoMode mode, Process guest, @Nullable HostHogs hogs, @Nullable DynamicHost host)
            throws IOException, InterruptedException, ActuatorException {
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(guest.getInputStream(),
                    StandardCharsets.US_ASCII))) {
                for (String l = r.readLine(); l != null; l = r.readLine()) {
                    lines.add(l);
                }
            } catch (IOException e) {
                lines.add("ERROR " + e);
            }
            lines.add("EOF");
        }, "guest-stdout");
        reader.setDaemon(true);
        reader.start();
        String tidLine = expect(lines, "TID ", CHILD_START_TIMEOUT_NANOS, guest, mode);
        int tid = Integer.parseInt(tidLine.substring(4).trim());
        if (host != null) {
            host.acceptGuest(tid);
        }
        long t0 = System.nanoTime() + 200_000_000L;
        long measureFrom = t0 + config.warmupNanos;
        long end = measureFrom + config.durationNanos;
        @Nullable ThreadAttributes saved = null;
        if (mode == DemoMode.STATIC) {
            saved = rt.read(tid);
            rt.boost(tid, config.policy, config.priority);
        }
        if (host != null) {
            host.start(t0, measureFrom, end);
        }
        Writer toGuest = new OutputStreamWriter(guest.getOutputStream(), StandardCharsets.US_ASCII);
        toGuest.write("START " + t0 + " " + measureFrom + " " + end + "\n");
        toGuest.flush();
        sleepUntil(measureFrom);
        long hog0 = hogs == null ? 0 : hogs.cpuNanos();
        long wall0 = System.nanoTime();
        VmCounters agent0 = host == null ? null : host.counters();
        long timers0 = host == null ? 0 : host.timerInjections();
        long advance0 = host == null ? 0 : host.advanceSum();
        long frames0 = host == null ? 0 : host.hypercallFrames();
        long hostCpu0 = host == null ? 0 : host.hostThreadsCpuNanos();
        progress(mode, measureFrom, end, hogs, hog0, host);
        sleepUntil(end);
        long wall1 = System.nanoTime();
        long hog1 = hogs == null ? 0 : hogs.cpuNanos();
        VmCounters agent1 = null;
        long timers1 = 0;
        long advance1 = 0;
        long frames1 = 0;
        long hostCpu1 = 0;
        @Nullable Throwable lastAgentError = null;
        if (host != null) {
            timers1 = host.timerInjections();
            advance1 = host.advanceSum();
            frames1 = host.hypercallFrames();
            hostCpu1 = host.hostThreadsCpuNanos();
            lastAgentError = host.agentError();
            agent1 = host.counters(); // before stopping: ticks the host fires after the guest ended do not count
            host.stop(); // the guest stops at end too; the agent restores its thread
        }
        String result = expect(lines, "RESULT ", 20_000_000_000L, guest, mode);
        String hist = expect(lines, "HIST ", 5_000_000_000L, guest, mode);
        if (saved != null) {
            try {
                rt.restore(tid, saved);
            } catch (ActuatorException e) {
                // the guest has exited, its thread is gone: nothing to restore
            }
        }
        double wall = (wall1 - wall0) / 1e9;
        double boosted = 0.0;
        long boosts = 0;
        long expiries = 0;
        String agentNote = "";
        if (mode == DemoMode.STATIC) {
            boosted = 1.0;
        } else if (agent0 != null && agent1 != null && host != null) {
            boosted = (agent1.boostedNanos() - agent0.boostedNanos()) / (double) (end - measureFrom);
            boosts = agent1.granted() + agent1.hostGranted() - agent0.granted() - agent0.hostGranted();
            expiries = agent1.expired() + agent1.hostTimedOut() - agent0.expired() - agent0.hostTimedOut();
            agentNote = String.format(Locale.ROOT, "; agent: %d timer interrupts injected, %d guest boosts granted, "
                    + "%d host (timer) boosts, %d denied, %d expired, %d host boosts timed out, %d actuator failures, %d NOTIFY exits",
                    timers1 - timers0, agent1.granted() - agent0.granted(), agent1.hostGranted() - agent0.hostGranted(),
                    agent1.denied() - agent0.denied(), agent1.expired() - agent0.expired(),
                    agent1.hostTimedOut() - agent0.hostTimedOut(),
                    agent1.actuatorFailures() - agent0.actuatorFailures(), agent1.notifies() - agent0.notifies())
                    + String.format(Locale.ROOT, " (%d hypercall frames)", frames1 - frames0);
        }
        if (lastAgentError != null) {
            agentNote += "; last agent error: " + lastAgentError;
        }
        Histogram h = decode(hist.substring(5));
        long ticks = field(result, "ticks");
        long overruns = field(result, "overruns");
        double hogShare = hogs == null ? 0 : (hog1 - hog0) / 1e9 / wall;
        long vcpuWall = field(result, "wallNs");
        double vcpuShare = vcpuWall <= 0 ? Double.NaN : field(result, "cpuNs") / (double) vcpuWall;
        int guestCounts = result.indexOf(" guestRequests=");
        String note = (hogs == null ? "no hogs" : hogs.description()) + agentNote
                + (guestCounts < 0 ? "" : "; guest (whole run):" + result.substring(guestCounts));
        BoostBreakdown breakdown = null;
        if (agent0 != null && agent1 != null && host != null && ticks > 0) {
            long timers = timers1 - timers0;
            BoostTimeline tl = host.timeline();
            breakdown = new BoostBreakdown(agent1.granted() - agent0.granted(),
                    agent1.hostGranted() - agent0.hostGranted(), agent1.joined() - agent0.joined(),
                    (agent1.boostedNanos() - agent0.boostedNanos()) / 1e3 / ticks, tl.meanLeadMicros(),
                    timers == 0 ? Double.NaN : (advance1 - advance0) / 1e3 / timers,
                    field(result, "doneNs") / 1e3 / ticks, tl.meanTailMicros(), tl.medianTailMicros(),
                    (hostCpu1 - hostCpu0) / 1e9 / wall,
                    OwnBoosts.parse(result, config.criticalPerSecond, tl.meanGuestBoostMicros()), tl.hostSplit());
        }
        ModeResult r = new ModeResult(mode, "ok", note, h, ticks, overruns, wall, boosted, hogShare, vcpuShare,
                boosts, expiries, breakdown);
        out.printf(Locale.ROOT, "[%s] done: %d ticks, p99 %s us, hogs %.1f%% of CPU %d, boosted %.1f%%%n",
                mode.key(), ticks, DemoReport.fmt(r.latencyMicros(99)), hogShare * 100, config.cpu, boosted * 100);
        return r;
    }

    private void progress(DemoMode mode, long from, long end, @Nullable HostHogs hogs, long hog0,
            @Nullable DynamicHost host) throws InterruptedException {
        long step = 5_000_000_000L;
        for (long next = from + step; next < end - 500_000_000L; next += step) {
            sleepUntil(next);
            double elapsed = (System.nanoTime() - from) / 1e9;
            StringBuilder sb = new StringBuilder();
            sb.append(String.format(Locale.ROOT, "[%s] %4.0f/%.0f s", mode.key(), elapsed,
                    (end - from) / 1e9));
            if (hogs != null) {
                sb.append(String.format(Locale.ROOT, "  hogs %.0f%% of CPU %d", (hogs.cpuNanos() - hog0) / 1e9
                        / elapsed * 100, config.cpu));
            }
            if (host != null) {
                VmCounters c = host.counters();
                sb.append(String.format(Locale.ROOT, "  boosts granted %d (guest) + %d (timer)", c.granted(),
                        c.hostGranted()));
            }
            out.println(sb);
        }
    }

    private static String expect(BlockingQueue<String> lines, String prefix, long timeoutNanos, Process guest,
            DemoMode mode) throws InterruptedException, IOException {
        long until = System.nanoTime() + timeoutNanos;
        while (true) {
            long left = until - System.nanoTime();
            String l = left <= 0 ? null : lines.poll(left, TimeUnit.NANOSECONDS);
            if (l == null) {
                throw new IOException("guest (" + mode.key() + ") sent no '" + prefix.trim() + "' line in time");
            }
            if (l.startsWith(prefix)) {
                return l;
            }
            if (l.equals("EOF") || l.startsWith("ERROR ")) {
                guest.waitFor(2, TimeUnit.SECONDS);
                throw new IOException("guest (" + mode.key() + ") ended before '" + prefix.trim() + "' (exit "
                        + (guest.isAlive() ? "?" : Integer.toString(guest.exitValue())) + "); see its log in the output dir");
            }
        }
    }

    /** The number after {@code name=} in the guest's {@code RESULT} line. */
    static long field(String line, String name) {
        for (String part : line.split(" ")) {
            if (part.startsWith(name + "=")) {
                return Long.parseLong(part.substring(name.length() + 1));
            }
        }
        throw new IllegalStateException("guest result has no " + name + ": " + line);
    }

    private static Histogram decode(String base64) throws IOException {
        try {
            return Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(Base64.getDecoder().decode(base64)), 0);
        } catch (DataFormatException | IllegalArgumentException e) {
            throw new IOException("guest histogram unreadable: " + e, e);
        }
    }

    static void sleepUntil(long deadline) throws InterruptedException {
        for (long left = deadline - System.nanoTime(); left > 0; left = deadline - System.nanoTime()) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
    }
}
