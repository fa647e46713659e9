package dev.vboost.api.wire;

/**
 * Host-reported state of a slot, spec §3.5. Wire name {@code slot_status}, stored as u8.
 * A code this version does not know decodes to {@link #UNKNOWN}; decoding never throws.
 */
public enum SlotStatus {
    /** The slot is not boosted and cannot be. */
    DISABLED(0),
    /** The vCPU thread runs at its normal priority. */
    NORMAL(1),
    /** The vCPU thread runs boosted. */
    BOOSTED(2),
    /** Boosting is paused for the slot (budget or rate limit). */
    THROTTLED(3),
    /** Any code not defined in this ABI version; never written. */
    UNKNOWN(-1);

    private static final SlotStatus[] BY_CODE = {DISABLED, NORMAL, BOOSTED, THROTTLED};

    private final int code;

    SlotStatus(int code) {
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
    public static SlotStatus fromCode(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : UNKNOWN;
    }
}
