package dev.vboost.api.wire;

/**
 * Scheduling class of a vCPU thread as the wire names it, spec §3.6. NORMAL is Linux SCHED_OTHER. Wire name {@code sched_policy}, stored as u8.
 * A code this version does not know decodes to {@link #UNKNOWN}; decoding never throws.
 */
public enum SchedPolicy {
    /** SCHED_NORMAL (with a nice value). */
    NORMAL(0),
    /** SCHED_FIFO. */
    FIFO(1),
    /** SCHED_RR. */
    RR(2),
    /** Any code not defined in this ABI version; never written. */
    UNKNOWN(-1);

    private static final SchedPolicy[] BY_CODE = {NORMAL, FIFO, RR};

    private final int code;

    SchedPolicy(int code) {
        this.code = code;
    }

    /**
     * The wire code; -1 for {@link #UNKNOWN}.
     *
     * @return the code
     */
    public int code() {
        return code;
    }

    /**
     * Decodes a wire code without allocating; unknown codes give {@link #UNKNOWN}.
     *
     * @param code a wire code
     * @return the constant, or {@code UNKNOWN}
     */
    public static SchedPolicy fromCode(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : UNKNOWN;
    }
}
