package dev.vboost.api.wire;

/**
 * What the guest asks of its slot, spec §3.4. Wire name {@code boost_request}, stored as u8.
 * A code this version does not know decodes to {@link #UNKNOWN}; decoding never throws.
 */
public enum BoostRequest {
    NONE(0),
    BOOST(1),
    UNBOOST(2),
    /** Any code not defined in this ABI version; never written. */
    UNKNOWN(-1);

    private static final BoostRequest[] BY_CODE = {NONE, BOOST, UNBOOST};

    private final int code;

    BoostRequest(int code) {
        this.code = code;
    }

    /** The wire code; -1 for {@link #UNKNOWN}. */
    public int code() {
        return code;
    }

    /** Decodes a wire code without allocating; unknown codes give {@link #UNKNOWN}. */
    public static BoostRequest fromCode(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : UNKNOWN;
    }
}
