package dev.vboost.api;

/**
 * Why a region, header or slot image was rejected; the codes of spec/protocol.md §6 and of the golden
 * vectors. {@link #NONE} means valid.
 */
public enum WireError {
    /** Valid: no rule broken. */
    NONE("OK", "valid"),
    /** The magic is wrong: not a vboost region. */
    BAD_MAGIC("E_BAD_MAGIC", "magic is not 0x54534256 ('VBST')"),
    /** The ABI major version is not one this reader implements. */
    UNSUPPORTED_MAJOR("E_UNSUPPORTED_MAJOR", "abi_major is not one this reader implements"),
    /** Header or slot size differs from the v1 layout. */
    BAD_GEOMETRY("E_BAD_GEOMETRY", "header_size or slot_size differs from 128"),
    /** The slot count is zero or above the maximum. */
    BAD_SLOT_COUNT("E_BAD_SLOT_COUNT", "slot_count is 0 or larger than 4096"),
    /** The region is smaller than its size formula says. */
    TRUNCATED("E_TRUNCATED", "region is smaller than the size formula, or region_size disagrees with it"),
    /** The host has not finished initialising the region. */
    NOT_READY("E_NOT_READY", "region_state is NOT_READY or host_generation is 0"),
    /** The host disabled the region. */
    DISABLED("E_DISABLED", "region_state is DISABLED"),
    /** The region state holds an unknown code. */
    BAD_STATE("E_BAD_STATE", "region_state holds an unknown code"),
    /** The guest header names another host generation. */
    STALE_GENERATION("E_STALE_GENERATION", "guest header names a generation other than host_generation"),
    /** A seqlock read gave up: the writer held the line busy. */
    BUSY("E_BUSY", "seqlock counter stayed odd or kept changing for 64 attempts"),
    /** A bit-set field has undefined bits set. */
    RESERVED_BITS("E_RESERVED_BITS", "a bit-set field has bits outside its defined mask"),
    /** A field holds a value outside its range. */
    INVALID_VALUE("E_INVALID_VALUE", "a field holds a value outside its range");

    private final String code;
    private final String rule;

    WireError(String code, String rule) {
        this.code = code;
        this.rule = rule;
    }

    /**
     * Stable code as used in the spec and vectors, e.g. {@code E_BAD_MAGIC}.
     *
     * @return the code
     */
    public String code() {
        return code;
    }

    /**
     * The rule broken, in words.
     *
     * @return a short description of the rule
     */
    public String rule() {
        return rule;
    }

    /**
     * Looks a code up; unknown codes give {@code null}.
     *
     * @param code a code such as {@code E_BAD_MAGIC}
     * @return the error, or {@code null} if the code is unknown
     */
    public static @org.checkerframework.checker.nullness.qual.Nullable WireError fromCode(String code) {
        for (WireError e : values()) {
            if (e.code.equals(code)) {
                return e;
            }
        }
        return null;
    }
}
