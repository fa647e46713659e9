package dev.vboost.tools.demo;

import org.HdrHistogram.Histogram;
import org.checkerframework.checker.nullness.qual.Nullable;

/** What one mode measured, or why it did not run. Latencies in nanoseconds inside, microseconds outside. */
public final class ModeResult {
    public final DemoMode mode;
    /** "ok", "skipped" or "failed". */
    public final String status;
    public final String note;
    public final @Nullable Histogram latency;
    public final long ticks;
    public final long overruns;
    public final double measuredSeconds;
    /** Share of the measured window the vCPU thread ran with a real-time policy, 0..1. */
    public final double boostedShare;
    /** CPU the hogs got over the window, as a share of one CPU, 0..1. */
    public final double hogCpuShare;
    /** CPU the vCPU thread got over the window, as a share of one CPU, 0..1. */
    public final double vcpuCpuShare;
    public final long boosts;
    public final long expiries;
    /** Dynamic mode only: where the boosted time went. */
    public final @Nullable BoostBreakdown breakdown;

    ModeResult(DemoMode mode, String status, String note, @Nullable Histogram latency, long ticks, long overruns,
            double measuredSeconds, double boostedShare, double hogCpuShare, double vcpuCpuShare, long boosts,
            long expiries, @Nullable BoostBreakdown breakdown) {
        this.mode = mode;
        this.status = status;
        this.note = note;
        this.latency = latency;
        this.ticks = ticks;
        this.overruns = overruns;
        this.measuredSeconds = measuredSeconds;
        this.boostedShare = boostedShare;
        this.hogCpuShare = hogCpuShare;
        this.vcpuCpuShare = vcpuCpuShare;
        this.boosts = boosts;
        this.expiries = expiries;
        this.breakdown = breakdown;
    }

    static ModeResult notRun(DemoMode mode, String status, String why) {
        return new ModeResult(mode, status, why, null, 0, 0, 0, 0, 0, 0, 0, 0, null);
    }

    public boolean ok() {
        return "ok".equals(status) && latency != null;
    }

    /** Lateness at {@code percentile} (0..100) in microseconds; NaN if the mode has no data. */
    public double latencyMicros(double percentile) {
        Histogram h = latency;
        if (h == null || h.getTotalCount() == 0) {
            return Double.NaN;
        }
        return h.getValueAtPercentile(percentile) / 1000.0;
    }

    public double maxMicros() {
        Histogram h = latency;
        return h == null || h.getTotalCount() == 0 ? Double.NaN : h.getMaxValue() / 1000.0;
    }

    public double meanMicros() {
        Histogram h = latency;
        return h == null || h.getTotalCount() == 0 ? Double.NaN : h.getMean() / 1000.0;
    }
}
