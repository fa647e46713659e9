package dev.vboost.api.wire;

import java.util.Set;

/**
 * Why the guest asks for a boost; bits of the slot's {@code reasons} field, spec §3.6.
 * Wire name {@code boost_reason}. Bits outside {@link #DEFINED_MASK} are reserved and must be zero.
 */
public enum BoostReason {
    RT_TASK(0),
    IRQ(1),
    SOFTIRQ(2),
    NMI(3),
    PREEMPT_DISABLED(4),
    LOCK_HOLDER(5),
    USER_HINT(6);

    /** All bits this ABI version defines. */
    public static final int DEFINED_MASK = 0x7f;

    private final int bitIndex;

    BoostReason(int bitIndex) {
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
    public static Set<BoostReason> decode(int mask) {
        return FlagSets.decode(BoostReason.class, mask, BoostReason::bitIndex);
    }

    /** The mask of the given flags. */
    public static int encode(Set<BoostReason> flags) {
        return (int) FlagSets.encode(flags, BoostReason::bitIndex);
    }
}
