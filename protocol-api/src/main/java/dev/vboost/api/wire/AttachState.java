package dev.vboost.api.wire;

/**
 * Guest-written attach state, spec §3.3. Wire name {@code attach_state}, stored as u32.
 * A code this version does not know decodes to {@link #UNKNOWN}; decoding never throws.
 */
public enum AttachState {
    DETACHED(0),
    ATTACHED(1),
    /** Any code not defined in this ABI version; never written. */
    UNKNOWN(-1);

    private static final AttachState[] BY_CODE = {DETACHED, ATTACHED};

    private final int code;

    AttachState(int code) {
        this.code = code;
    }

    /** The wire code; -1 for {@link #UNKNOWN}. */
    public int code() {
        return code;
    }

    /** Decodes a wire code without allocating; unknown codes give {@link #UNKNOWN}. */
    public static AttachState fromCode(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : UNKNOWN;
    }
}
