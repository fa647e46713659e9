package dev.vboost.api.wire;

/**
 * Why the host did not grant (or ended) a boost, spec §3.6. Wire name {@code denial_reason}, stored as u8.
 * A code this version does not know decodes to {@link #UNKNOWN}; decoding never throws.
 */
public enum DenialReason {
    NONE(0),
    REASON_NOT_ALLOWED(1),
    BUDGET_EXHAUSTED(2),
    RATE_LIMITED(3),
    DISABLED(4),
    INVALID_REQUEST(5),
    ACTUATOR_FAILED(6),
    EXPIRED(7),
    /** Any code not defined in this ABI version; never written. */
    UNKNOWN(-1);

    private static final DenialReason[] BY_CODE = {NONE, REASON_NOT_ALLOWED, BUDGET_EXHAUSTED, RATE_LIMITED, DISABLED, INVALID_REQUEST, ACTUATOR_FAILED, EXPIRED};

    private final int code;

    DenialReason(int code) {
        this.code = code;
    }

    /** The wire code; -1 for {@link #UNKNOWN}. */
    public int code() {
        return code;
    }

    /** Decodes a wire code without allocating; unknown codes give {@link #UNKNOWN}. */
    public static DenialReason fromCode(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : UNKNOWN;
    }
}
