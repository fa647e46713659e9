package dev.vboost.tools.demo;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import dev.vboost.tools.Json;
import org.HdrHistogram.Histogram;
import org.checkerframework.checker.nullness.qual.Nullable;

/** The demo's outputs: console table, {@code demo.json}, {@code latency.svg} and one {@code .hgrm} per mode. */
public final class DemoReport {
    /** Version of the demo.json layout; bumped only if a name below changes meaning. */
    public static final String SCHEMA = "vboost-demo/1";

    private DemoReport() {
    }

    static void write(DemoOutcome o, PrintWriter out) throws IOException {
        DemoConfig c = o.config;
        out.println();
        out.println(table(o));
        for (String line : comparison(o)) {
            out.println(line);
        }
        Files.writeString(c.outDir.resolve("demo.json"), json(o), StandardCharsets.UTF_8);
        Files.writeString(c.outDir.resolve("latency.svg"), LatencyPlot.svg(String.format(Locale.ROOT,
                "vCPU wake-up lateness, %d us period, %d hog(s) on CPU %d", c.periodNanos / 1000, c.hogs, c.cpu),
                o.results), StandardCharsets.UTF_8);
        for (ModeResult r : o.results) {
            Histogram h = r.latency;
            if (h != null) {
                try (PrintStream p = new PrintStream(c.outDir.resolve("latency-" + r.mode.key() + ".hgrm").toFile(),
                        StandardCharsets.UTF_8)) {
                    h.outputPercentileDistribution(p, 1000.0); // microseconds
                }
            }
        }
        out.println();
        out.println("Output: " + c.outDir.toAbsolutePath() + " (demo.json, latency.svg, latency-<mode>.hgrm)");
    }

    static String table(DemoOutcome o) {
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "%-8s %-7s %7s %9s %9s %9s %9s %9s %8s %9s %9s%n", "mode", "status",
                "ticks", "p50 us", "p99 us", "p99.9 us", "max us", "mean us", "boosted", "hogs CPU", "vCPU CPU"));
        for (ModeResult r : o.results) {
            if (!r.ok()) {
                s.append(String.format(Locale.ROOT, "%-8s %-7s %s%n", r.mode.key(), r.status, r.note));
                continue;
            }
            s.append(String.format(Locale.ROOT, "%-8s %-7s %7d %9s %9s %9s %9s %9s %7.1f%% %8.1f%% %8.1f%%%n",
                    r.mode.key(), r.status, r.ticks, fmt(r.latencyMicros(50)), fmt(r.latencyMicros(99)),
                    fmt(r.latencyMicros(99.9)), fmt(r.maxMicros()), fmt(r.meanMicros()), r.boostedShare * 100,
                    r.hogCpuShare * 100, r.vcpuCpuShare * 100));
        }
        return s.toString();
    }

    static java.util.List<String> comparison(DemoOutcome o) {
        java.util.List<String> lines = new java.util.ArrayList<>();
        ModeResult v = o.result(DemoMode.VANILLA);
        ModeResult d = o.result(DemoMode.DYNAMIC);
        ModeResult st = o.result(DemoMode.STATIC);
        if (v != null && v.ok() && d != null && d.ok()) {
            lines.add(String.format(Locale.ROOT, "dynamic vs vanilla: p99 %s -> %s us, mean %s -> %s us; hogs keep %.0f%% "
                    + "of their vanilla CPU (vCPU boosted %.1f%% of the time)", fmt(v.latencyMicros(99)),
                    fmt(d.latencyMicros(99)), fmt(v.meanMicros()), fmt(d.meanMicros()),
                    v.hogCpuShare > 0 ? 100 * d.hogCpuShare / v.hogCpuShare : Double.NaN, d.boostedShare * 100));
        }
        if (d != null && d.ok() && d.breakdown != null) {
            lines.add(d.breakdown.describe());
            lines.add(d.breakdown.own().describe());
            lines.add("host side per boost: " + d.breakdown.hostSplit());
        }
        if (st != null && st.ok()) {
            lines.add(String.format(Locale.ROOT, "static RT: p99.9 %s us, max %s us; hogs got %.1f%% of CPU %d",
                    fmt(st.latencyMicros(99.9)), fmt(st.maxMicros()), st.hogCpuShare * 100, o.config.cpu));
        }
        if (v != null && v.ok() && o.config.hogs > 0 && v.hogCpuShare < 0.3) {
            lines.add(String.format(Locale.ROOT, "NOTE: even in vanilla mode the hogs got only %.0f%% of CPU %d: other "
                    + "processes are using that CPU. That lowers the hogs' share in every mode (hiding static mode's "
                    + "cost) and lengthens vanilla latency; for clean figures run on a quiet machine.",
                    v.hogCpuShare * 100, o.config.cpu));
        }
        lines.add("RFC v1 (cyclictest, busy host): guest avg 887 -> 21 us (500 us interval) and 6335 -> 45 us "
                + "(1000 us); static RT raised host max latency to 27 ms.");
        return lines;
    }

    static String fmt(double micros) {
        if (Double.isNaN(micros)) {
            return "-";
        }
        return micros >= 100 ? String.format(Locale.ROOT, "%.0f", micros) : String.format(Locale.ROOT, "%.1f", micros);
    }

    static String json(DemoOutcome o) {
        DemoConfig c = o.config;
        Json j = new Json();
        j.open();
        j.field("schema", SCHEMA);
        j.key("machine").open();
        j.field("cpus", Runtime.getRuntime().availableProcessors());
        j.field("os", System.getProperty("os.name", "") + " " + System.getProperty("os.version", ""));
        j.field("java", System.getProperty("java.version", ""));
        j.close();
        j.key("config").open();
        j.field("duration_s", c.durationNanos / 1e9);
        j.field("period_us", c.periodNanos / 1000);
        j.field("work_us", c.workNanos / 1000);
        j.field("timer_advance_us", c.timerAdvanceNanos / 1000);
        j.field("timer_margin_us", c.timerMarginNanos / 1000);
        j.field("critical_sections_per_s", c.criticalPerSecond);
        j.field("critical_work_us", c.criticalWorkNanos / 1000);
        j.field("max_boost_us", c.maxBoostNanos / 1000);
        j.field("hogs", c.hogs);
        j.field("cpu", c.cpu);
        j.field("seed", c.seed);
        j.field("policy", c.policy.name());
        j.field("priority", c.priority);
        j.close();
        j.field("realtime_available", o.noRealtimeReason == null);
        j.field("realtime_note", o.noRealtimeReason);
        j.key("modes").openArray();
        for (ModeResult r : o.results) {
            j.open();
            j.field("mode", r.mode.key());
            j.field("status", r.status);
            j.field("note", r.note);
            j.field("ticks", r.ticks);
            j.field("missed_ticks", r.overruns);
            j.field("measured_s", r.measuredSeconds);
            j.key("latency_us").open();
            j.field("p50", r.latencyMicros(50));
            j.field("p99", r.latencyMicros(99));
            j.field("p99_9", r.latencyMicros(99.9));
            j.field("max", r.maxMicros());
            j.field("mean", r.meanMicros());
            j.close();
            j.field("boosted_share", r.ok() ? r.boostedShare : Double.NaN);
            j.field("hog_cpu_share", r.ok() ? r.hogCpuShare : Double.NaN);
            j.field("vcpu_cpu_share", r.ok() ? r.vcpuCpuShare : Double.NaN);
            j.field("boosts", r.boosts);
            j.field("expired_boosts", r.expiries);
            BoostBreakdown b = r.breakdown;
            if (b != null) {
                j.key("boost_breakdown").open();
                j.field("guest_boosts_granted", b.guestGranted());
                j.field("host_timer_boosts", b.hostGranted());
                j.field("guest_requests_joined", b.joined());
                j.field("boosted_us_per_tick", b.boostedPerTick());
                j.field("raised_before_tick_us", b.raisedBefore());
                j.field("timer_advance_us", b.timerAdvance());
                j.field("guest_done_after_tick_us", b.guestDoneAfter());
                j.field("restored_after_tick_us", b.restoredAfter());
                j.field("restored_after_tick_p50_us", b.restoredMedian());
                j.field("host_threads_cpu_share", b.hostThreadsShare());
                j.field("host_side_per_boost", b.hostSplit());
                OwnBoosts own = b.own();
                j.key("own_boosts").open();
                j.field("critical_sections_per_s", own.perSecond());
                j.field("critical_sections", own.entered());
                j.field("granted", own.granted());
                j.field("joined_timer_boost", own.joined());
                j.field("not_granted", own.notGranted());
                j.key("in_force_after_request_us").open();
                j.field("p50", own.inForceP50());
                j.field("p99", own.inForceP99());
                j.field("max", own.inForceMax());
                j.field("mean", own.inForceMean());
                j.close();
                j.field("boosted_us_per_own_boost", own.boostedMean());
                j.close();
                j.close();
            }
            j.close();
        }
        j.closeArray();
        j.close();
        return j.toString();
    }
}
