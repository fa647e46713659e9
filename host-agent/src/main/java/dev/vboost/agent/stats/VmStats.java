package dev.vboost.agent.stats;

import dev.vboost.agent.policy.Decision;
import dev.vboost.agent.policy.Outcome;
import dev.vboost.api.wire.BoostReason;
import dev.vboost.api.wire.DenialReason;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Live counters of one VM. The agent thread writes them; anyone may read a {@link #snapshot()}. Each counter is
 * individually atomic; a snapshot is not one instant across counters.
 */
public final class VmStats {
    private static final int REASONS = 7;
    private static final int DENIALS = 8;

    // layout of the counter array
    private static final int GRANTED = 0;
    private static final int GRANTED_BY_REASON = GRANTED + 1;
    private static final int DENIED = GRANTED_BY_REASON + REASONS;
    private static final int DENIED_BY_CAUSE = DENIED + 1;
    private static final int EXPIRED = DENIED_BY_CAUSE + DENIALS;
    private static final int THROTTLED = EXPIRED + 1;
    private static final int RELEASED = THROTTLED + 1;
    private static final int JOINED = RELEASED + 1;
    private static final int INVALID = JOINED + 1;
    private static final int HOST_GRANTED = INVALID + 1;
    private static final int HOST_DENIED = HOST_GRANTED + 1;
    private static final int HOST_ACKED = HOST_DENIED + 1;
    private static final int HOST_TIMED_OUT = HOST_ACKED + 1;
    private static final int ACTUATOR_FAILURES = HOST_TIMED_OUT + 1;
    private static final int BUSY_READS = ACTUATOR_FAILURES + 1;
    private static final int BOOSTED_NANOS = BUSY_READS + 1;
    private static final int NOTIFIES = BOOSTED_NANOS + 1;
    private static final int SIZE = NOTIFIES + 1;

    private final String vm;
    private final AtomicLongArray c = new AtomicLongArray(SIZE);

    public VmStats(String vm) {
        this.vm = vm;
    }

    public String vm() {
        return vm;
    }

    /** Counts what one decision meant. */
    public void count(Decision d) {
        Outcome o = d.outcome();
        switch (o) {
            case GRANTED:
                inc(GRANTED);
                byReason(d.reasons());
                break;
            case JOINED:
                inc(JOINED);
                break;
            case DENIED:
                denied(d.denial());
                break;
            case RELEASED:
                inc(RELEASED);
                break;
            case EXPIRED:
                inc(EXPIRED);
                break;
            case THROTTLED:
                inc(THROTTLED);
                break;
            case HOST_GRANTED:
                inc(HOST_GRANTED);
                break;
            case HOST_DENIED:
                inc(HOST_DENIED);
                break;
            case HOST_ACKED:
                inc(HOST_ACKED);
                break;
            case HOST_TIMED_OUT:
                inc(HOST_TIMED_OUT);
                break;
            case INVALID:
                inc(INVALID);
                denied(DenialReason.INVALID_REQUEST);
                break;
            default:
                break;
        }
        if (d.endedBoostNanos() > 0) {
            c.addAndGet(BOOSTED_NANOS, d.endedBoostNanos());
        }
    }

    private void byReason(int reasons) {
        for (int i = 0; i < REASONS; i++) {
            if ((reasons & (1 << i)) != 0) {
                inc(GRANTED_BY_REASON + i);
            }
        }
    }

    private void denied(DenialReason why) {
        inc(DENIED);
        int code = why.code();
        if (code >= 0 && code < DENIALS) {
            inc(DENIED_BY_CAUSE + code);
        }
    }

    /** Adds boosted time of a boost that ended outside a decision (agent stop). */
    public void addBoostedNanos(long n) {
        if (n > 0) {
            c.addAndGet(BOOSTED_NANOS, n);
        }
    }

    public void actuatorFailure() {
        inc(ACTUATOR_FAILURES);
    }

    public void busyRead() {
        inc(BUSY_READS);
    }

    public void notified() {
        inc(NOTIFIES);
    }

    private void inc(int i) {
        c.incrementAndGet(i);
    }

    /** A copy of the counters now. */
    public VmCounters snapshot() {
        long[] byReason = new long[REASONS];
        for (int i = 0; i < REASONS; i++) {
            byReason[i] = c.get(GRANTED_BY_REASON + i);
        }
        long[] byCause = new long[DENIALS];
        for (int i = 0; i < DENIALS; i++) {
            byCause[i] = c.get(DENIED_BY_CAUSE + i);
        }
        return new VmCounters(vm, c.get(GRANTED), byReason, c.get(DENIED), byCause, c.get(EXPIRED), c.get(THROTTLED),
                c.get(RELEASED), c.get(JOINED), c.get(INVALID), c.get(HOST_GRANTED), c.get(HOST_DENIED),
                c.get(HOST_ACKED), c.get(HOST_TIMED_OUT), c.get(ACTUATOR_FAILURES), c.get(BUSY_READS),
                c.get(BOOSTED_NANOS), c.get(NOTIFIES));
    }

    static int reasonCount() {
        return REASONS;
    }

    static BoostReason reason(int i) {
        return BoostReason.values()[i];
    }
}
