package dev.vboost.api.testutil;

import java.util.SplittableRandom;

/**
 * Seeds for generated tests: {@code -Dvboost.seed=N} replays a run; otherwise a fresh seed each run. Put
 * {@link #describe} in every assertion message so a failure prints the seed that found it.
 */
public final class Seeds {
    private Seeds() {
    }

    public static long seed() {
        String fixed = System.getProperty("vboost.seed");
        return fixed != null && !fixed.isBlank() ? Long.decode(fixed.trim()) : System.nanoTime() ^ 0x5642_5354L;
    }

    public static SplittableRandom random(long seed) {
        return new SplittableRandom(seed);
    }

    public static String describe(long seed) {
        return "seed " + seed + " (rerun with -Dvboost.seed=" + seed + ")";
    }
}
