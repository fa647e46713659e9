package dev.vboost.tools.demo;

import java.util.List;
import org.checkerframework.checker.nullness.qual.Nullable;

/** The results of one demo run, in mode order. */
public final class DemoOutcome {
    public final DemoConfig config;
    public final List<ModeResult> results;
    /** Why real-time priorities were unavailable, or null if they were. */
    public final @Nullable String noRealtimeReason;

    DemoOutcome(DemoConfig config, List<ModeResult> results, @Nullable String noRealtimeReason) {
        this.config = config;
        this.results = List.copyOf(results);
        this.noRealtimeReason = noRealtimeReason;
    }

    public @Nullable ModeResult result(DemoMode mode) {
        for (ModeResult r : results) {
            if (r.mode == mode) {
                return r;
            }
        }
        return null;
    }

    /** True if every mode that was asked for ran to completion. */
    public boolean allRan() {
        for (ModeResult r : results) {
            if (!r.ok()) {
                return false;
            }
        }
        return true;
    }
}
