package dev.vboost.api.wire;

/**
 * Guest-written attach state, spec §3.3. Wire name {@code attach_state}, stored as u32.
 * A code this version does not know decodes to {@link #UNKNOWN}; decoding never throws.
 */
public enum AttachState {
    /** No guest is attached. */
    DETACHED(0),
    /** A guest is attached. */
    ATTACHED(1),
    /** Any code not defined in this ABI version; never written. */
    UNKNOWN(-1);

    private static final AttachState[] BY_CODE = {DETACHED, ATTACHED};

    private final int code;

    AttachState(int code) {
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
    public static AttachState fromCode(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : UNKNOWN;
    }
}
