package dev.vboost.tools.demo;

import java.util.SplittableRandom;
import org.HdrHistogram.Histogram;

/**
 * The guest's own-request scenario: now and then its background work enters a short critical section it must
 * not be preempted in (a lock other work waits for, preemption disabled: spec reasons LOCK_HOLDER and
 * PREEMPT_DISABLED). Only the guest knows when: nothing the host injects starts it, so the host's timer boost
 * cannot cover it, and the guest asks for its own boost first (spec §5.3, with a NOTIFY) and releases it after
 * (§5.4). Entries arrive at random (seeded exponential gaps, {@code perSecond} on average) and are held back
 * to the middle half of the tick period, so a tick's measured latency stays that of the timer path alone and
 * the host's timer boosts and the guest's own boosts do not overlap.
 *
 * <p>Counts what the host answered and how long after the request the boost was in force, for entries in the
 * measured window; during the warm-up before it, one enters each period. Used by the vCPU thread only; allocation-free per entry.
 */
final class CriticalSections {
    /** What the host answered a critical section's own request with, as the guest read it after its NOTIFY. */
    enum Answer {
        /** The host granted the guest's request: the vCPU is boosted for it (status BOOSTED, no host boost). */
        GRANTED,
        /** Acted on while a host-initiated boost held the vCPU: the request joined it. */
        JOINED,
        /** Not granted (denied, or not acted on when the NOTIFY returned). */
        NOT_GRANTED,
        /** No boosting in this mode (vanilla, static): nothing was asked. */
        NONE
    }

    /** Longest latency tracked, 1 s; longer ones are clamped. */
    private static final long HIGHEST_NANOS = 1_000_000_000L;

    private final long meanGapNanos;
    private final long workNanos;
    private final long periodNanos;
    private final SplittableRandom gaps;
    private final Histogram inForce = new Histogram(HIGHEST_NANOS, 3);
    private long nextAt = Long.MIN_VALUE;
    private long entered;
    private long granted;
    private long joined;
    private long notGranted;

    /**
     * @param perSecond   entries per second on average; 0 for none
     * @param workNanos   work inside each critical section
     * @param periodNanos the tick period
     * @param seed        seed of the arrival pattern
     */
    CriticalSections(long perSecond, long workNanos, long periodNanos, long seed) {
        this.meanGapNanos = perSecond <= 0 ? 0 : 1_000_000_000L / perSecond;
        this.workNanos = workNanos;
        this.periodNanos = periodNanos;
        this.gaps = new SplittableRandom(seed ^ 0x5DEECE66DL);
    }

    /** Work inside one critical section, ns. */
    long workNanos() {
        return workNanos;
    }

    /**
     * Whether a critical section starts now: its arrival time has come and {@code now} lies in the middle half
     * of the period before {@code nextDeadline}, with room for the work before the last quarter. An arrival
     * outside that window waits for the next one. Before the measured window ({@code measured} false) one
     * enters each period, from the first call on.
     */
    boolean due(long now, long nextDeadline, boolean measured) {
        if (meanGapNanos == 0) {
            return false;
        }
        if (nextAt == Long.MIN_VALUE) {
            nextAt = measured ? now + gap() : now;
        }
        long quarter = periodNanos / 4;
        long toTick = nextDeadline - now;
        return now - nextAt >= 0 && toTick <= periodNanos - quarter && toTick - workNanos >= quarter;
    }

    /**
     * One critical section was run; draws the next arrival after {@code now}.
     *
     * @param answer         what the host answered its request with
     * @param latencyNanos   from the request to the answer read back (the boost in force when GRANTED)
     * @param measured       whether it counts (inside the measured window)
     */
    void ran(Answer answer, long latencyNanos, long now, boolean measured) {
        if (!measured) {
            // warm-up: one per period, so the request paths of guest and agent are compiled before the window
            // (at 20 per second the JIT would leave them cold the whole run, and the latency would show that)
            nextAt = now + periodNanos;
            return;
        }
        nextAt = now + gap();
        entered++;
        switch (answer) {
            case GRANTED:
                granted++;
                inForce.recordValue(Math.max(0, Math.min(HIGHEST_NANOS, latencyNanos)));
                break;
            case JOINED:
                joined++;
                break;
            case NOT_GRANTED:
                notGranted++;
                break;
            case NONE:
            default:
                break;
        }
    }

    private long gap() {
        // exponential gaps: arrivals no one can foresee; at least 1 µs
        return Math.max(1_000L, (long) (-Math.log(1.0 - gaps.nextDouble()) * meanGapNanos));
    }

    long entered() {
        return entered;
    }

    long granted() {
        return granted;
    }

    long joined() {
        return joined;
    }

    long notGranted() {
        return notGranted;
    }

    /** Counts and the granted requests' latency (ns) as {@code key=value} pairs for the parent's report. */
    String summary() {
        boolean any = inForce.getTotalCount() > 0;
        return "csEntered=" + entered + " csGranted=" + granted + " csJoined=" + joined + " csNotGranted=" + notGranted
                + " csInForceP50Ns=" + (any ? inForce.getValueAtPercentile(50) : -1)
                + " csInForceP99Ns=" + (any ? inForce.getValueAtPercentile(99) : -1)
                + " csInForceMaxNs=" + (any ? inForce.getMaxValue() : -1)
                + " csInForceMeanNs=" + (any ? Math.round(inForce.getMean()) : -1);
    }
}
