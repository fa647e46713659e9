package dev.vboost.agent.core;

import dev.vboost.agent.stats.VmCounters;
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
    private static final int INVALID_IDS = NOTIFIES + 1;
    private static final int IDS_BACKWARDS = INVALID_IDS + 1;
    private static final int ID_JUMPS = IDS_BACKWARDS + 1;
    private static final int ACKS_OUT_OF_RANGE = ID_JUMPS + 1;
    private static final int GUEST_HEADER_ERRORS = ACKS_OUT_OF_RANGE + 1;
    private static final int SIZE = GUEST_HEADER_ERRORS + 1;

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
        countNotes(d.notes());
        if (d.endedBoostNanos() > 0) {
            c.addAndGet(BOOSTED_NANOS, d.endedBoostNanos());
        }
    }

    /** Counts the {@code Decision.NOTE_*} bits (spec §8.12). */
    public void countNotes(int notes) {
        if (notes != 0) {
            noted(notes, Decision.NOTE_ID_INVALID, INVALID_IDS);
            noted(notes, Decision.NOTE_ID_BACKWARDS, IDS_BACKWARDS);
            noted(notes, Decision.NOTE_ID_JUMP, ID_JUMPS);
            noted(notes, Decision.NOTE_ACK_OUT_OF_RANGE, ACKS_OUT_OF_RANGE);
        }
    }

    private void noted(int notes, int bit, int counter) {
        if ((notes & bit) != 0) {
            inc(counter);
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

    /** The guest header failed CG1..CG7 (spec §6.6: the guest is treated as detached, and counted). */
    public void guestHeaderError() {
        inc(GUEST_HEADER_ERRORS);
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
                c.get(BOOSTED_NANOS), c.get(NOTIFIES), c.get(INVALID_IDS), c.get(IDS_BACKWARDS),
                c.get(ID_JUMPS), c.get(ACKS_OUT_OF_RANGE), c.get(GUEST_HEADER_ERRORS));
    }

}
