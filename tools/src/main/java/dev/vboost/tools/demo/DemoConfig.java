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
    /** Critical sections the guest enters per second on average, each asking for its own boost; 0 for none. */
    public final long criticalPerSecond;
    /** Work inside each critical section, ns. */
    public final long criticalWorkNanos;

    /** Fired this much before the tick on top of the host's measured lag, ns (dynamic mode's timer). */
    public final long timerMarginNanos;

    /** Default of {@link #timerMarginNanos}: the boost lands about when the vCPU can run at its tick. */
    public static final long DEFAULT_TIMER_MARGIN_NANOS = 10_000;
    /** Defaults for the critical sections: 20 per second of 10 µs. */
    public static final long DEFAULT_CRITICAL_PER_SECOND = 20;
    public static final long DEFAULT_CRITICAL_WORK_NANOS = 10_000;

    public DemoConfig(long durationNanos, long periodNanos, long workNanos, long timerAdvanceNanos,
            long maxBoostNanos, long warmupNanos, int hogs, int cpu, List<DemoMode> modes, Path outDir, long seed,
            SchedPolicy policy, int priority) {
        this(durationNanos, periodNanos, workNanos, timerAdvanceNanos, maxBoostNanos, warmupNanos, hogs, cpu, modes,
                outDir, seed, policy, priority, DEFAULT_CRITICAL_PER_SECOND, DEFAULT_CRITICAL_WORK_NANOS,
                DEFAULT_TIMER_MARGIN_NANOS);
    }

    public DemoConfig(long durationNanos, long periodNanos, long workNanos, long timerAdvanceNanos,
            long maxBoostNanos, long warmupNanos, int hogs, int cpu, List<DemoMode> modes, Path outDir, long seed,
            SchedPolicy policy, int priority, long criticalPerSecond, long criticalWorkNanos, long timerMarginNanos) {
        this.timerMarginNanos = timerMarginNanos;
        this.criticalPerSecond = criticalPerSecond;
        this.criticalWorkNanos = criticalWorkNanos;
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
