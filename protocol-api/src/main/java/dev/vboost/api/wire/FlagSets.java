package dev.vboost.api.wire;

import java.util.EnumSet;
import java.util.Set;
import java.util.function.ToIntFunction;

/** Set conversions shared by the flag enums ({@link BoostReason}, {@link HostBoostFlag}, {@link Feature}). */
final class FlagSets {
    private FlagSets() {
    }

    /** The constants of {@code type} whose bit is set in {@code mask}; other bits are dropped. Allocates. */
    static <E extends Enum<E>> Set<E> decode(Class<E> type, long mask, ToIntFunction<E> bitIndex) {
        EnumSet<E> set = EnumSet.noneOf(type);
        for (E flag : EnumSet.allOf(type)) {
            if ((mask & (1L << bitIndex.applyAsInt(flag))) != 0) {
                set.add(flag);
            }
        }
        return set;
    }

    /** The mask with the bit of every flag in {@code flags} set. */
    static <E> long encode(Set<E> flags, ToIntFunction<E> bitIndex) {
        long mask = 0;
        for (E flag : flags) {
            mask |= 1L << bitIndex.applyAsInt(flag);
        }
        return mask;
    }
}
