package dev.vboost.tools.cli;

import dev.vboost.api.wire.SchedPolicy;
import dev.vboost.tools.VboostCli;
import dev.vboost.tools.demo.DemoConfig;
import dev.vboost.tools.demo.DemoMode;
import dev.vboost.tools.demo.DemoOutcome;
import dev.vboost.tools.demo.DemoRunner;
import dev.vboost.tools.demo.ModeResult;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.checkerframework.checker.nullness.qual.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Measures vCPU wake-up latency under host CPU hogs in three modes: vanilla (no boost), "
                + "dynamic (this protocol end to end, real SCHED_FIFO/RR) and static (vCPU always real-time).",
                "Reports p50/p99/p99.9/max lateness, the share of time boosted and the CPU the hogs still got, as a "
                        + "table, demo.json and latency.svg. Needs permission to set real-time priorities "
                        + "(root or CAP_SYS_NICE) for dynamic and static modes.",
                "Exit 0 when every mode ran (modes skipped for lack of permission are labelled), 1 if a mode failed, "
                        + "2 for bad options."})
public final class DemoCommand implements Callable<Integer> {
    @CommandLine.Spec
    @SuppressWarnings("nullness:initialization.field.uninitialized") // injected by picocli
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--duration", paramLabel = "SECONDS", description = "Measured seconds per mode (default ${DEFAULT-VALUE}).")
    double durationSeconds = 15;

    @Option(names = "--period", paramLabel = "MICROS", description = "Tick period of the periodic task (default ${DEFAULT-VALUE}).")
    long periodMicros = 1000;

    @Option(names = "--work", paramLabel = "MICROS", description = "CPU work of each tick (default ${DEFAULT-VALUE}).")
    long workMicros = 20;

    @Option(names = "--hogs", paramLabel = "N", description = "Host CPU hogs on the measured CPU (default ${DEFAULT-VALUE}).")
    int hogs = 2;

    @Option(names = "--cpu", paramLabel = "N", description = "The CPU shared by the vCPU and the hogs (default: the last CPU).")
    @Nullable Integer cpu;

    @Option(names = "--modes", paramLabel = "LIST", split = ",", description = "Modes to run, in order (default vanilla,dynamic,static).")
    @Nullable List<String> modes;

    @Option(names = "--out", paramLabel = "DIR", description = "Output directory (default ./demo-out/<timestamp>).")
    @Nullable Path out;

    @Option(names = "--seed", paramLabel = "N", description = "Seed of the guest's background work pattern (default ${DEFAULT-VALUE}).")
    long seed = 1;

    @Option(names = "--policy", paramLabel = "fifo|rr", description = "Boost policy (default ${DEFAULT-VALUE}).")
    String policy = "fifo";

    @Option(names = "--priority", paramLabel = "1-98", description = "Boost priority (default ${DEFAULT-VALUE}); the host's own threads run one above.")
    int priority = 50;

    @Option(names = "--timer-advance", paramLabel = "MICROS", description = "Longest advance the host fires the guest's "
            + "timer and boosts with; it adapts below that to its own measured lag, like KVM's adaptive "
            + "lapic_timer_advance_ns (default ${DEFAULT-VALUE}).")
    long timerAdvanceMicros = 100;

    @Option(names = "--timer-margin", paramLabel = "MICROS", description = "How much earlier than its measured lag the "
            + "host fires the guest's timer, so the vCPU runs at its tick (default ${DEFAULT-VALUE}).")
    long timerMarginMicros = DemoConfig.DEFAULT_TIMER_MARGIN_NANOS / 1000;

    @Option(names = "--max-boost", paramLabel = "MICROS", description = "Longest single boost before the host ends it (default ${DEFAULT-VALUE}).")
    long maxBoostMicros = 3000;

    @Option(names = "--critical-sections", paramLabel = "PER_SECOND", description = "Critical sections the guest "
            + "enters per second on average, at random; for each it asks for its own boost (default ${DEFAULT-VALUE}; 0: none).")
    long criticalPerSecond = DemoConfig.DEFAULT_CRITICAL_PER_SECOND;

    @Option(names = "--critical-work", paramLabel = "MICROS", description = "CPU work inside each critical section (default ${DEFAULT-VALUE}).")
    long criticalWorkMicros = DemoConfig.DEFAULT_CRITICAL_WORK_NANOS / 1000;

    @Option(names = "--warmup", paramLabel = "SECONDS", description = "Unmeasured warm-up per mode (default ${DEFAULT-VALUE}).")
    double warmupSeconds = 1;

    @Override
    public Integer call() throws Exception {
        DemoConfig config = config();
        DemoOutcome outcome = new DemoRunner(config, spec.commandLine().getOut()).run();
        for (ModeResult r : outcome.results) {
            if ("failed".equals(r.status)) {
                return VboostCli.FAILURE;
            }
        }
        return VboostCli.OK;
    }

    DemoConfig config() {
        if (!(durationSeconds > 0 && durationSeconds <= 3600)) {
            throw Usage.error(spec, "--duration must be in (0, 3600] seconds, got " + durationSeconds);
        }
        if (!(warmupSeconds >= 0 && warmupSeconds <= 60)) {
            throw Usage.error(spec, "--warmup must be in [0, 60] seconds, got " + warmupSeconds);
        }
        if (periodMicros < 100 || periodMicros > 1_000_000) {
            throw Usage.error(spec, "--period must be 100..1000000 microseconds, got " + periodMicros);
        }
        if (workMicros < 0 || workMicros * 2 > periodMicros) {
            throw Usage.error(spec, "--work must be 0..half the period (" + periodMicros / 2 + " us), got " + workMicros);
        }
        if (hogs < 0 || hogs > 64) {
            throw Usage.error(spec, "--hogs must be 0..64, got " + hogs);
        }
        int cpus = Runtime.getRuntime().availableProcessors();
        Integer chosen = cpu;
        int theCpu = chosen == null ? Math.min(63, cpus - 1) : chosen;
        if (theCpu < 0 || theCpu >= cpus || theCpu > 63) {
            throw Usage.error(spec, "--cpu must be 0.." + (Math.min(64, cpus) - 1) + " on this machine, got " + theCpu);
        }
        SchedPolicy p;
        switch (policy.toLowerCase(Locale.ROOT)) {
            case "fifo":
                p = SchedPolicy.FIFO;
                break;
            case "rr":
                p = SchedPolicy.RR;
                break;
            default:
                throw Usage.error(spec, "--policy must be fifo or rr, got '" + policy + "'");
        }
        if (priority < 1 || priority > 98) {
            throw Usage.error(spec, "--priority must be 1..98, got " + priority);
        }
        if (timerAdvanceMicros < 0 || timerAdvanceMicros >= periodMicros) {
            throw Usage.error(spec, "--timer-advance must be 0..period-1 microseconds, got " + timerAdvanceMicros);
        }
        if (timerMarginMicros < 0 || timerMarginMicros > timerAdvanceMicros) {
            throw Usage.error(spec, "--timer-margin must be 0..--timer-advance (" + timerAdvanceMicros
                    + " us), got " + timerMarginMicros);
        }
        if (maxBoostMicros < 1 || maxBoostMicros > 1_000_000) {
            throw Usage.error(spec, "--max-boost must be 1..1000000 microseconds, got " + maxBoostMicros);
        }
        if (criticalPerSecond < 0 || criticalPerSecond > 1000) {
            throw Usage.error(spec, "--critical-sections must be 0..1000 per second, got " + criticalPerSecond);
        }
        if (criticalWorkMicros < 1 || criticalWorkMicros * 4 > periodMicros) {
            throw Usage.error(spec, "--critical-work must be 1..a quarter of the period (" + periodMicros / 4
                    + " us), got " + criticalWorkMicros);
        }
        List<DemoMode> list = new ArrayList<>();
        List<String> names = modes == null ? List.of("vanilla", "dynamic", "static") : modes;
        for (String name : names) {
            DemoMode m;
            try {
                m = DemoMode.parse(name);
            } catch (IllegalArgumentException e) {
                throw Usage.error(spec, "--modes: " + e.getMessage());
            }
            if (list.contains(m)) {
                throw Usage.error(spec, "--modes: '" + name + "' given twice");
            }
            list.add(m);
        }
        if (list.isEmpty()) {
            throw Usage.error(spec, "--modes: no mode given");
        }
        Path dir = out;
        if (dir == null) {
            dir = Path.of("demo-out", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        }
        return new DemoConfig((long) (durationSeconds * 1e9), periodMicros * 1000, workMicros * 1000,
                timerAdvanceMicros * 1000, maxBoostMicros * 1000, (long) (warmupSeconds * 1e9), hogs, theCpu, list,
                dir, seed, p, priority, criticalPerSecond, criticalWorkMicros * 1000,
                timerMarginMicros * 1000);
    }
}
