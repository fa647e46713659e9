package dev.vboost.api.wire;

/**
 * Why the host did not grant (or ended) a boost, spec §3.6. Wire name {@code denial_reason}, stored as u8.
 * A code this version does not know decodes to {@link #UNKNOWN}; decoding never throws.
 */
public enum DenialReason {
    /** Not denied. */
    NONE(0),
    /** The policy does not allow this reason, policy or nice request. */
    REASON_NOT_ALLOWED(1),
    /** The boost budget of the current window is spent. */
    BUDGET_EXHAUSTED(2),
    /** Too many priority changes per second. */
    RATE_LIMITED(3),
    /** Boosting is disabled for this VM or slot. */
    DISABLED(4),
    /** The request broke a rule of the wire format. */
    INVALID_REQUEST(5),
    /** The host could not change the thread's priority. */
    ACTUATOR_FAILED(6),
    /** The boost reached its longest allowed duration. */
    EXPIRED(7),
    /** Any code not defined in this ABI version; never written. */
    UNKNOWN(-1);

    private static final DenialReason[] BY_CODE = {NONE, REASON_NOT_ALLOWED, BUDGET_EXHAUSTED, RATE_LIMITED, DISABLED, INVALID_REQUEST, ACTUATOR_FAILED, EXPIRED};

    private final int code;

    DenialReason(int code) {
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
    public static DenialReason fromCode(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : UNKNOWN;
    }
}
