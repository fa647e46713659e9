package dev.vboost.agent.core;

import dev.vboost.agent.stats.LoopCounters;
import dev.vboost.agent.stats.WakeCause;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Live counters of the agent loop: why each wait ended and, for the waits that ran to their deadline, how late
 * the thread woke. One writer (the agent thread) and any number of readers of a {@link #snapshot()}: each
 * counter is written with a release store of its plain value plus one, so the hot path takes no lock, does no
 * read-modify-write and allocates nothing.
 */
public final class LoopStats {
    private static final int CAUSES = WakeCause.values().length;
    private static final int BUCKETS = LoopCounters.BOUNDED_BUCKETS + 1;

    // layout of the counter array
    private static final int WAKE_UPS = 0;
    private static final int LATENESS = WAKE_UPS + CAUSES;
    private static final int LATENESS_SUM = LATENESS + BUCKETS;
    private static final int LATENESS_MAX = LATENESS_SUM + 1;
    private static final int SIZE = LATENESS_MAX + 1;

    private final AtomicLongArray c = new AtomicLongArray(SIZE);

    /**
     * Counts one wait's end. Agent thread only; allocation-free.
     *
     * @param cause     why it ended
     * @param lateNanos how long after its deadline the thread woke; negative when it woke before (not counted in
     *                  the lateness histogram)
     */
    public void woke(WakeCause cause, long lateNanos) {
        add(WAKE_UPS + cause.ordinal(), 1);
        if (lateNanos >= 0) {
            add(LATENESS + LoopCounters.bucketOf(lateNanos), 1);
            add(LATENESS_SUM, lateNanos);
            if (lateNanos > c.getPlain(LATENESS_MAX)) {
                c.setRelease(LATENESS_MAX, lateNanos);
            }
        }
    }

    private void add(int i, long n) {
        c.setRelease(i, c.getPlain(i) + n); // single writer; pairs with getAcquire in snapshot()
    }

    /**
     * A copy of the counters now (not one instant across counters).
     *
     * @return the copy
     */
    public LoopCounters snapshot() {
        long[] wakeUps = new long[CAUSES];
        for (int i = 0; i < CAUSES; i++) {
            wakeUps[i] = c.getAcquire(WAKE_UPS + i);
        }
        long[] buckets = new long[BUCKETS];
        for (int i = 0; i < BUCKETS; i++) {
            buckets[i] = c.getAcquire(LATENESS + i);
        }
        return new LoopCounters(wakeUps, buckets, c.getAcquire(LATENESS_SUM), c.getAcquire(LATENESS_MAX));
    }
}
