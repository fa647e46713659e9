package dev.vboost.api.wire;

import java.util.Set;

/**
 * Why the host boosted on its own; bits of the slot's {@code host_boost_flags}, spec §3.6.
 * Wire name {@code host_boost_flag}. Bits outside {@link #DEFINED_MASK} are reserved and must be zero.
 */
public enum HostBoostFlag {
    IRQ_INJECTED(0),
    TIMER(1),
    NMI(2),
    HALT_WAKEUP(3),
    IPI(4);

    /** All bits this ABI version defines. */
    public static final int DEFINED_MASK = 0x1f;

    private final int bitIndex;

    HostBoostFlag(int bitIndex) {
        this.bitIndex = bitIndex;
    }

    public int bitIndex() {
        return bitIndex;
    }

    /** This flag as a mask. */
    public int bit() {
        return 1 << bitIndex;
    }

    /** True if this flag is set in {@code mask}. */
    public boolean in(int mask) {
        return (mask & bit()) != 0;
    }

    /** True if {@code mask} has any bit this version does not define. */
    public static boolean hasUndefinedBits(int mask) {
        return (mask & ~DEFINED_MASK) != 0;
    }

    /** The defined flags set in {@code mask}; undefined bits are dropped. Allocates: not for hot paths. */
    public static Set<HostBoostFlag> decode(int mask) {
        return FlagSets.decode(HostBoostFlag.class, mask, HostBoostFlag::bitIndex);
    }

    /** The mask of the given flags. */
    public static int encode(Set<HostBoostFlag> flags) {
        return (int) FlagSets.encode(flags, HostBoostFlag::bitIndex);
    }
}
