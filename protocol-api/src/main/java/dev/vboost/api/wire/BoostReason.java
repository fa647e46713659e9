package dev.vboost.api.wire;

import java.util.Set;

/**
 * Why the guest asks for a boost; bits of the slot's {@code reasons} field, spec §3.6.
 * Wire name {@code boost_reason}. Bits outside {@link #DEFINED_MASK} are reserved and must be zero.
 */
public enum BoostReason {
    /** A real-time task is about to run. */
    RT_TASK(0),
    /** An interrupt handler runs. */
    IRQ(1),
    /** A softirq runs. */
    SOFTIRQ(2),
    /** An NMI handler runs. */
    NMI(3),
    /** The guest runs with preemption disabled. */
    PREEMPT_DISABLED(4),
    /** The vCPU holds a lock others wait for. */
    LOCK_HOLDER(5),
    /** An application asked for it. */
    USER_HINT(6);

    /** All bits this ABI version defines. */
    public static final int DEFINED_MASK = 0x7f;

    private final int bitIndex;

    BoostReason(int bitIndex) {
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
    public static Set<BoostReason> decode(int mask) {
        return FlagSets.decode(BoostReason.class, mask, BoostReason::bitIndex);
    }

    /**
     * The mask of the given flags.
     *
     * @param flags some flags
     * @return their bits
     */
    public static int encode(Set<BoostReason> flags) {
        return (int) FlagSets.encode(flags, BoostReason::bitIndex);
    }
}
