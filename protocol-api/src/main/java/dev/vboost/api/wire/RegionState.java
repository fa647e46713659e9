package dev.vboost.api.wire;

/**
 * Host-written state of the whole region, spec §3.2. Wire name {@code region_state}, stored as u32.
 * A code this version does not know decodes to {@link #UNKNOWN}; decoding never throws.
 */
public enum RegionState {
    /** The host is initialising the region. */
    NOT_READY(0),
    /** The region is ready for guests. */
    READY(1),
    /** The host disabled the region. */
    DISABLED(2),
    /** Any code not defined in this ABI version; never written. */
    UNKNOWN(-1);

    private static final RegionState[] BY_CODE = {NOT_READY, READY, DISABLED};

    private final int code;

    RegionState(int code) {
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
    public static RegionState fromCode(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : UNKNOWN;
    }
}
