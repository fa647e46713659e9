package dev.vboost.api.wire;

import java.util.Set;

/**
 * Why the host boosted on its own; bits of the slot's {@code host_boost_flags}, spec §3.6.
 * Wire name {@code host_boost_flag}. Bits outside {@link #DEFINED_MASK} are reserved and must be zero.
 */
public enum HostBoostFlag {
    /** The host injected an interrupt into the vCPU. */
    IRQ_INJECTED(0),
    /** A guest timer is about to fire. */
    TIMER(1),
    /** The host injected an NMI. */
    NMI(2),
    /** The vCPU is being woken from halt. */
    HALT_WAKEUP(3),
    /** Another vCPU sent it an inter-processor interrupt. */
    IPI(4);

    /** All bits this ABI version defines. */
    public static final int DEFINED_MASK = 0x1f;

    private final int bitIndex;

    HostBoostFlag(int bitIndex) {
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
    public int bit() {
        return 1 << bitIndex;
    }

    /**
     * True if this flag is set in {@code mask}.
     *
     * @param mask a bit set
     * @return true if this flag's bit is set
     */
    public boolean in(int mask) {
        return (mask & bit()) != 0;
    }

    /**
     * True if {@code mask} has any bit this version does not define.
     *
     * @param mask a bit set
     * @return true if a reserved bit is set
     */
    public static boolean hasUndefinedBits(int mask) {
        return (mask & ~DEFINED_MASK) != 0;
    }

    /**
     * The defined flags set in {@code mask}; undefined bits are dropped. Allocates: not for hot paths.
     *
     * @param mask a bit set
     * @return the flags, in bit order
     */
    public static Set<HostBoostFlag> decode(int mask) {
        return FlagSets.decode(HostBoostFlag.class, mask, HostBoostFlag::bitIndex);
    }

    /**
     * The mask of the given flags.
     *
     * @param flags some flags
     * @return their bits
     */
    public static int encode(Set<HostBoostFlag> flags) {
        return (int) FlagSets.encode(flags, HostBoostFlag::bitIndex);
    }
}
