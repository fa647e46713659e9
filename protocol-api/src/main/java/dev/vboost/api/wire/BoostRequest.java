package dev.vboost.api.wire;

/**
 * What the guest asks of its slot, spec §3.4. Wire name {@code boost_request}, stored as u8.
 * A code this version does not know decodes to {@link #UNKNOWN}; decoding never throws.
 */
public enum BoostRequest {
    /** No request since attach. */
    NONE(0),
    /** Boost the vCPU thread. */
    BOOST(1),
    /** End the boost. */
    UNBOOST(2),
    /** Any code not defined in this ABI version; never written. */
    UNKNOWN(-1);

    private static final BoostRequest[] BY_CODE = {NONE, BOOST, UNBOOST};

    private final int code;

    BoostRequest(int code) {
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
    public static BoostRequest fromCode(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : UNKNOWN;
    }
}
