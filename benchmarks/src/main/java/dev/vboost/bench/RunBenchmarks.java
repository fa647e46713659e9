package dev.vboost.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the vboost benchmark set with the GC profiler and prints one table: each benchmark's time, its ratio to
 * its raw baseline with the target, and bytes allocated per operation. Used by {@code run-benchmarks.sh}.
 *
 * <pre>
 *   RunBenchmarks [quick|long] [--include REGEX] [--json FILE] [--check]
 * </pre>
 * {@code quick} (default): 1 fork, 2 x 1 s warm-up, 3 x 1 s measurement per benchmark.
 * {@code long}: 2 forks, 5 x 2 s warm-up, 5 x 2 s measurement. {@code --check} exits 2 when a target is missed.
 * JVM flags for Chronicle reach only the Chronicle forks (their {@code @Fork(jvmArgsAppend)}), because
 * this runner passes none of its own.
 */
public final class RunBenchmarks {

    /** Ratio targets by benchmark method, and the baseline each one is compared with. */
    private static final Map<String, Target> TARGETS = new LinkedHashMap<>();

    static {
        TARGETS.put("guestRequestPublish", new Target("RawBaselines.guestRequestPublish", 1.3));
        TARGETS.put("hostSlotRead", new Target("RawBaselines.hostSlotRead", 1.3));
        TARGETS.put("hostScan4096", new Target("RawBaselines.hostScan4096", 1.3));
        TARGETS.put("roundTrip", new Target("RawPingPong.roundTrip", 1.5));
    }

    /**
     * Below this many bytes per operation the path itself does not allocate: an allocation on it costs at
     * least 16 bytes each time, so this is under one per 8 operations, and what remains is JMH's own
     * bookkeeping (a few KB per iteration) spread over the operations; it shows on the slow 4,096-slot scan.
     */
    static final double ZERO_ALLOCATION_THRESHOLD = 2.0;

    private RunBenchmarks() {
    }

    public static void main(String[] args) throws RunnerException {
        String profile = "quick";
        String include = "dev\\.vboost\\.bench\\..*";
        @Nullable String json = null;
        boolean check = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "quick":
                case "long":
                    profile = args[i];
                    break;
                case "--include":
                    include = requireValue(args, ++i, "--include");
                    break;
                case "--json":
                    json = requireValue(args, ++i, "--json");
                    break;
                case "--check":
                    check = true;
                    break;
                default:
                    System.err.println("unknown argument: " + args[i]
                            + "\nusage: RunBenchmarks [quick|long] [--include REGEX] [--json FILE] [--check]");
                    System.exit(64);
                    return;
            }
        }
        ChainedOptionsBuilder options = new OptionsBuilder().include(include).addProfiler(GCProfiler.class);
        if (profile.equals("long")) {
            options.forks(2).warmupIterations(5).warmupTime(TimeValue.seconds(2))
                    .measurementIterations(5).measurementTime(TimeValue.seconds(2));
        } else {
            options.forks(1).warmupIterations(2).warmupTime(TimeValue.seconds(1))
                    .measurementIterations(3).measurementTime(TimeValue.seconds(1));
        }
        if (json != null) {
            options.resultFormat(ResultFormatType.JSON).result(json);
        }
        Collection<RunResult> results = new Runner(options.build()).run();
        boolean allMet = printTable(results, System.out);
        if (check && !allMet) {
            System.exit(2);
        }
    }

    private static String requireValue(String[] args, int i, String option) {
        if (i >= args.length) {
            System.err.println(option + " needs a value");
            System.exit(64);
        }
        return args[i];
    }

    /** Prints the table; returns true when every benchmark with a target met it and none allocated. */
    static boolean printTable(Collection<RunResult> results, PrintStream out) {
        Map<String, RunResult> byName = new LinkedHashMap<>();
        for (RunResult r : results) {
            byName.put(shortName(r.getParams().getBenchmark()), r);
        }
        List<String> rows = new ArrayList<>();
        boolean allMet = true;
        for (Map.Entry<String, RunResult> e : byName.entrySet()) {
            String name = e.getKey();
            Result<?> primary = e.getValue().getPrimaryResult();
            double score = primary.getScore();
            double alloc = allocation(e.getValue());
            String method = name.substring(name.lastIndexOf('.') + 1);
            Target target = TARGETS.get(method);
            String ratio = "";
            String goal = "";
            String verdict;
            boolean allocOk = !(alloc > ZERO_ALLOCATION_THRESHOLD);
            if (target == null || name.equals(target.baseline)) {
                verdict = target == null ? "" : "baseline";
                if (!allocOk) {
                    verdict += " ALLOCATES";
                }
            } else {
                RunResult base = byName.get(target.baseline);
                if (base == null) {
                    verdict = "no baseline in this run";
                } else {
                    double r = score / base.getPrimaryResult().getScore();
                    ratio = String.format(Locale.ROOT, "%.2f", r);
                    goal = String.format(Locale.ROOT, "<= %.1f", target.maxRatio);
                    boolean met = r <= target.maxRatio && allocOk;
                    verdict = met ? "ok" : (r > target.maxRatio ? "MISSED (ratio)" : "") + (allocOk ? "" : " ALLOCATES");
                    allMet &= met;
                }
            }
            rows.add(String.format(Locale.ROOT, "| %-40s | %10.2f | %7.2f | %-12s | %5s | %-6s | %8s | %-16s |",
                    name, score, primary.getScoreError(), primary.getScoreUnit(), ratio, goal,
                    Double.isNaN(alloc) ? "n/a" : String.format(Locale.ROOT, "%.3f", alloc), verdict.trim()));
        }
        out.println();
        out.println(String.format(Locale.ROOT, "| %-40s | %10s | %7s | %-12s | %5s | %-6s | %8s | %-16s |",
                "benchmark", "score", "error", "unit", "ratio", "target", "B/op", "verdict"));
        out.println("|" + "-".repeat(42) + "|" + "-".repeat(12) + "|" + "-".repeat(9) + "|" + "-".repeat(14)
                + "|" + "-".repeat(7) + "|" + "-".repeat(8) + "|" + "-".repeat(10) + "|" + "-".repeat(18) + "|");
        rows.forEach(out::println);
        out.println();
        out.println("ratio = score / baseline score (RawBaselines for single-thread operations, RawPingPong for the"
                + " round trip); B/op = gc.alloc.rate.norm; error = 99.9% confidence half-width.");
        out.println(allMet ? "All targets met." : "Some targets MISSED (see verdict column).");
        return allMet;
    }

    private static double allocation(RunResult r) {
        Result<?> norm = r.getSecondaryResults().get("gc.alloc.rate.norm");
        return norm == null ? Double.NaN : norm.getScore();
    }

    private static String shortName(String benchmark) {
        String prefix = "dev.vboost.bench.";
        return benchmark.startsWith(prefix) ? benchmark.substring(prefix.length()) : benchmark;
    }

    private static final class Target {
        final String baseline;
        final double maxRatio;

        Target(String baseline, double maxRatio) {
            this.baseline = baseline;
            this.maxRatio = maxRatio;
        }
    }
}
