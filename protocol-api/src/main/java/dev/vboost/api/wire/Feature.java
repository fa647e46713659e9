package dev.vboost.api.wire;

import java.util.Set;

/**
 * Optional protocol features, negotiated at attach; bits of {@code host_features} and {@code accepted_features}, spec §3.6.
 * Wire name {@code feature}. Bits outside {@link #DEFINED_MASK} are reserved and must be zero. Which bits a
 * peer may use depends on the minor it negotiated ({@link #definedMask(int)}): {@link #DOORBELL} exists since 1.1.
 */
public enum Feature {
    /** The host may start host-initiated boosts (spec §5.5). */
    HOST_BOOST(0),
    /** The guest may call the NOTIFY hypercall (spec §7.3). */
    NOTIFY_HYPERCALL(1),
    /** The host keeps {@code budget_remaining_us} current. */
    BUDGET_REPORT(2),
    /** The guest may ask for SCHED_NORMAL with a nice value. */
    NICE_HINTS(3),
    /** The guest rings the host's doorbell after each publication (spec §12.2); since 1.1. */
    DOORBELL(4);

    /** All bits this ABI version (1.1) defines. */
    public static final long DEFINED_MASK = 0x1fL;
    /**
     * Every defined bit but DOORBELL: what a host offers a guest it holds no doorbell for (spec §12.2), and
     * what a guest that cannot ring implements.
     */
    public static final long ALL_BUT_DOORBELL = 0xfL;
    /** The bits ABI 1.0 defines: what a minor-0 region or guest header may hold (spec §3.6, §10). */
    public static final long DEFINED_MASK_1_0 = 0xfL;

    private final int bitIndex;

    Feature(int bitIndex) {
        this.bitIndex = bitIndex;
    }

    /**
     * The flag's bit position.
     *
     * @return 0-based bit index
     */
    public int bitIndex() {
        return bitIndex;
    }

    /**
     * This flag as a mask.
     *
     * @return the mask with only this flag's bit set
     */
    public long bit() {
        return 1L << bitIndex;
    }

    /**
     * True if this flag is set in {@code mask}.
     *
     * @param mask a bit set
     * @return true if this flag's bit is set
     */
    public boolean in(long mask) {
        return (mask & bit()) != 0;
    }

    /**
     * True if {@code mask} has any bit this version does not define.
     *
     * @param mask a bit set
     * @return true if a reserved bit is set
     */
    public static boolean hasUndefinedBits(long mask) {
        return (mask & ~DEFINED_MASK) != 0;
    }

    /**
     * The bits defined at ABI minor {@code minor} of major 1: 1.0's four, plus DOORBELL from 1.1 on. A minor
     * above this library's is given this library's mask (its newer bits are unknown here, spec §10).
     *
     * @param minor an ABI minor version, 0 or more
     * @return the defined mask at that minor
     */
    public static long definedMask(int minor) {
        return minor <= 0 ? DEFINED_MASK_1_0 : DEFINED_MASK;
    }

    /**
     * True if {@code mask} has a bit that ABI minor {@code minor} does not define (checks C11 and CG3).
     *
     * @param mask a bit set
     * @param minor the minor its writer spoke
     * @return true if a bit outside {@link #definedMask(int)} is set
     */
    public static boolean hasUndefinedBits(long mask, int minor) {
        return (mask & ~definedMask(minor)) != 0;
    }

    /**
     * The defined flags set in {@code mask}; undefined bits are dropped. Allocates: not for hot paths.
     *
     * @param mask a bit set
     * @return the flags, in bit order
     */
    public static Set<Feature> decode(long mask) {
        return FlagSets.decode(Feature.class, mask, Feature::bitIndex);
    }

    /**
     * The mask of the given flags.
     *
     * @param flags some flags
     * @return their bits
     */
    public static long encode(Set<Feature> flags) {
        return FlagSets.encode(flags, Feature::bitIndex);
    }
}
