package dev.vboost.conformance.region;

/**
 * Unsigned text of wire words. The region's u32 and u64 fields live in Java's signed {@code int} and
 * {@code long}; the suite prints and parses them as unsigned decimals (testee protocol §3).
 */
public final class Unsigned {
    private Unsigned() {
    }

    @SuppressWarnings("signedness:argument") // a raw u32 wire word held in an int
    public static String u32(int v) {
        return Integer.toUnsignedString(v);
    }

    @SuppressWarnings("signedness:argument") // a raw u64 wire word held in a long
    public static String u64(long v) {
        return Long.toUnsignedString(v);
    }

    /** Parses a decimal; a leading '-' gives a signed value (for {@code nice}), else an unsigned u64. */
    @SuppressWarnings("signedness:return") // the caller knows which fields are signed
    public static long parse(String v) {
        return v.startsWith("-") ? Long.parseLong(v) : Long.parseUnsignedLong(v);
    }
}
