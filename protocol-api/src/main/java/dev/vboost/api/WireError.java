package dev.vboost.api;

/**
 * Why a region, header or slot image was rejected; the codes of spec/protocol.md §6 and of the golden
 * vectors. {@link #NONE} means valid.
 */
public enum WireError {
    NONE("OK", "valid"),
    BAD_MAGIC("E_BAD_MAGIC", "magic is not 0x54534256 ('VBST')"),
    UNSUPPORTED_MAJOR("E_UNSUPPORTED_MAJOR", "abi_major is not one this reader implements"),
    BAD_GEOMETRY("E_BAD_GEOMETRY", "header_size or slot_size differs from 128"),
    BAD_SLOT_COUNT("E_BAD_SLOT_COUNT", "slot_count is 0 or larger than 4096"),
    TRUNCATED("E_TRUNCATED", "region is smaller than the size formula, or region_size disagrees with it"),
    NOT_READY("E_NOT_READY", "region_state is NOT_READY or host_generation is 0"),
    DISABLED("E_DISABLED", "region_state is DISABLED"),
    BAD_STATE("E_BAD_STATE", "region_state holds an unknown code"),
    STALE_GENERATION("E_STALE_GENERATION", "guest header names a generation other than host_generation"),
    BUSY("E_BUSY", "seqlock counter stayed odd or kept changing for 64 attempts"),
    RESERVED_BITS("E_RESERVED_BITS", "a bit-set field has bits outside its defined mask"),
    INVALID_VALUE("E_INVALID_VALUE", "a field holds a value outside its range");

    private final String code;
    private final String rule;

    WireError(String code, String rule) {
        this.code = code;
        this.rule = rule;
    }

    /** Stable code as used in the spec and vectors, e.g. {@code E_BAD_MAGIC}. */
    public String code() {
        return code;
    }

    /** The rule broken, in words. */
    public String rule() {
        return rule;
    }

    /** Looks a code up; unknown codes give {@code null}. */
    public static @org.checkerframework.checker.nullness.qual.Nullable WireError fromCode(String code) {
        for (WireError e : values()) {
            if (e.code.equals(code)) {
                return e;
            }
        }
        return null;
    }
}
