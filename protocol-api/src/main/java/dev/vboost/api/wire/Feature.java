package dev.vboost.api.wire;

import java.util.Set;

/**
 * Optional protocol features, negotiated at attach; bits of {@code host_features} and {@code accepted_features}, spec §3.6.
 * Wire name {@code feature}. Bits outside {@link #DEFINED_MASK} are reserved and must be zero.
 */
public enum Feature {
    HOST_BOOST(0),
    NOTIFY_HYPERCALL(1),
    BUDGET_REPORT(2),
    NICE_HINTS(3);

    /** All bits this ABI version defines. */
    public static final long DEFINED_MASK = 0xfL;

    private final int bitIndex;

    Feature(int bitIndex) {
        this.bitIndex = bitIndex;
    }

    public int bitIndex() {
        return bitIndex;
    }

    /** This flag as a mask. */
    public long bit() {
        return 1L << bitIndex;
    }

    /** True if this flag is set in {@code mask}. */
    public boolean in(long mask) {
        return (mask & bit()) != 0;
    }

    /** True if {@code mask} has any bit this version does not define. */
    public static boolean hasUndefinedBits(long mask) {
        return (mask & ~DEFINED_MASK) != 0;
    }

    /** The defined flags set in {@code mask}; undefined bits are dropped. Allocates: not for hot paths. */
    public static Set<Feature> decode(long mask) {
        return FlagSets.decode(Feature.class, mask, Feature::bitIndex);
    }

    /** The mask of the given flags. */
    public static long encode(Set<Feature> flags) {
        return FlagSets.encode(flags, Feature::bitIndex);
    }
}
