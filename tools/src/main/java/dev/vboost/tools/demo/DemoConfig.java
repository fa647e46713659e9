package dev.vboost.tools.demo;

import dev.vboost.api.wire.SchedPolicy;
import java.nio.file.Path;
import java.util.List;

/** Everything one demo run is parameterised by; validated by the command line before it gets here. */
public final class DemoConfig {
    public final long durationNanos;
    public final long periodNanos;
    public final long workNanos;
    public final long timerAdvanceNanos;
    public final long maxBoostNanos;
    public final long warmupNanos;
    public final int hogs;
    public final int cpu;
    public final List<DemoMode> modes;
    public final Path outDir;
    public final long seed;
    public final SchedPolicy policy;
    public final int priority;

    public DemoConfig(long durationNanos, long periodNanos, long workNanos, long timerAdvanceNanos,
            long maxBoostNanos, long warmupNanos, int hogs, int cpu, List<DemoMode> modes, Path outDir, long seed,
            SchedPolicy policy, int priority) {
        this.durationNanos = durationNanos;
        this.periodNanos = periodNanos;
        this.workNanos = workNanos;
        this.timerAdvanceNanos = timerAdvanceNanos;
        this.maxBoostNanos = maxBoostNanos;
        this.warmupNanos = warmupNanos;
        this.hogs = hogs;
        this.cpu = cpu;
        this.modes = List.copyOf(modes);
        this.outDir = outDir;
        this.seed = seed;
        this.policy = policy;
        this.priority = priority;
    }
}
