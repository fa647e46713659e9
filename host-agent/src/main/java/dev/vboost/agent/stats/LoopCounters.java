package dev.vboost.agent.stats;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * A copy of the agent loop's own counters, taken by {@code HostAgent.loopCounters()}: how its waits ended
 * ({@link WakeCause}) and how late it woke after a wait that ran to its deadline (the next boost expiry, throttle
 * refill, restore retry or idle poll). Lateness is counted in fixed powers-of-two buckets: bucket {@code i} holds
 * the wake-ups later than {@link #bucketUpperNanos(int) bucketUpperNanos(i - 1)} and at most
 * {@code bucketUpperNanos(i)}; the last bucket has no upper bound.
 *
 * @param wakeUps         wake-ups per {@link WakeCause} ordinal
 * @param latenessBuckets timed wake-ups per lateness bucket (not cumulative)
 * @param latenessSumNanos the sum of the counted lateness
 * @param maxLatenessNanos the largest lateness counted
 */
public record LoopCounters(long[] wakeUps, long[] latenessBuckets, long latenessSumNanos, long maxLatenessNanos) {
    /** Upper bound of the first bucket: 2^10 ns (about 1 µs). */
    public static final int FIRST_BUCKET_SHIFT = 10;
    /** Buckets with an upper bound (up to 2^30 ns, about 1.07 s); one more counts everything above. */
    public static final int BOUNDED_BUCKETS = 21;

    /**
     * Copies the arrays: the record stays immutable.
     *
     * @param wakeUps see the record component
     * @param latenessBuckets see the record component
     * @param latenessSumNanos see the record component
     * @param maxLatenessNanos see the record component
     * @throws IllegalArgumentException if an array has the wrong length
     */
    public LoopCounters {
        if (wakeUps.length != WakeCause.values().length || latenessBuckets.length != BOUNDED_BUCKETS + 1) {
            throw new IllegalArgumentException("wake-ups per cause and " + (BOUNDED_BUCKETS + 1) + " buckets");
        }
        wakeUps = wakeUps.clone();
        latenessBuckets = latenessBuckets.clone();
    }

    /**
     * The inclusive upper bound of a lateness bucket.
     *
     * @param bucket 0..{@link #BOUNDED_BUCKETS}{@code - 1}
     * @return its bound in nanoseconds
     */
    public static long bucketUpperNanos(int bucket) {
        if (bucket < 0 || bucket >= BOUNDED_BUCKETS) {
            throw new IndexOutOfBoundsException("bucket " + bucket + " has no upper bound");
        }
        return 1L << (FIRST_BUCKET_SHIFT + bucket);
    }

    /**
     * The bucket that counts a lateness. Allocation-free.
     *
     * @param lateNanos how late the wake-up was, at least 0
     * @return its bucket, {@link #BOUNDED_BUCKETS} for one above every bound
     */
    public static int bucketOf(long lateNanos) {
        if (lateNanos <= 1L << FIRST_BUCKET_SHIFT) {
            return 0;
        }
        // the smallest k with lateNanos <= 2^k is 64 - nlz(lateNanos - 1)
        int k = 64 - Long.numberOfLeadingZeros(lateNanos - 1);
        return Math.min(k - FIRST_BUCKET_SHIFT, BOUNDED_BUCKETS);
    }

    /**
     * Wake-ups per cause.
     *
     * @return per {@link WakeCause} ordinal, a copy
     */
    @Override
    public long[] wakeUps() {
        return wakeUps.clone();
    }

    /**
     * Timed wake-ups per lateness bucket.
     *
     * @return per bucket, not cumulative, a copy
     */
    @Override
    public long[] latenessBuckets() {
        return latenessBuckets.clone();
    }

    /**
     * Wake-ups for one cause.
     *
     * @param cause the cause
     * @return how many waits it ended
     */
    public long wakeUps(WakeCause cause) {
        return wakeUps[cause.ordinal()];
    }

    /**
     * Wake-ups whose lateness was counted (the waits that ran to their deadline).
     *
     * @return the sum of the buckets
     */
    public long latenessCount() {
        long n = 0;
        for (long b : latenessBuckets) {
            n += b;
        }
        return n;
    }

    /**
     * Wake-ups per cause as a map; allocates.
     *
     * @return cause to count, every cause present
     */
    public Map<WakeCause, Long> wakeUpsMap() {
        Map<WakeCause, Long> m = new EnumMap<>(WakeCause.class);
        for (WakeCause c : WakeCause.values()) {
            m.put(c, wakeUps[c.ordinal()]);
        }
        return m;
    }

    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof LoopCounters && toString().equals(o.toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }

    @Override
    public String toString() {
        return "LoopCounters{wakeUps=" + wakeUpsMap() + ", latenessBuckets=" + Arrays.toString(latenessBuckets)
                + ", latenessSumNanos=" + latenessSumNanos + ", maxLatenessNanos=" + maxLatenessNanos + "}";
    }
}
