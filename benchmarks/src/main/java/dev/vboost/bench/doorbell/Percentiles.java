package dev.vboost.bench.doorbell;

import java.util.Arrays;
import java.util.Locale;

/** p50, p99 and max of nanosecond samples, printed in microseconds (the same rule as the C baseline). */
final class Percentiles {
    private Percentiles() {
    }

    static String line(long[] samplesNanos) {
        long[] s = samplesNanos.clone();
        Arrays.sort(s);
        int n = s.length;
        return String.format(Locale.ROOT, "rounds=%d p50_us=%.1f p99_us=%.1f max_us=%.1f", n, s[n / 2] / 1000.0,
                s[(int) ((n - 1) * 0.99)] / 1000.0, s[n - 1] / 1000.0);
    }
}
