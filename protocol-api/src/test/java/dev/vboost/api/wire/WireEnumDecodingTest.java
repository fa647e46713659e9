package dev.vboost.api.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.function.IntFunction;
import java.util.function.ToIntFunction;
import org.junit.jupiter.api.Test;

/** Every code 0..255 (and a few outside) decodes without throwing; unknown codes are UNKNOWN (spec §3.6). */
class WireEnumDecodingTest {

    private static <E extends Enum<E>> void checkAllCodes(Class<E> type, IntFunction<E> fromCode,
            ToIntFunction<E> code, int definedCount) {
        E unknown = Enum.valueOf(type, "UNKNOWN");
        int known = 0;
        for (int c = 0; c <= 255; c++) {
            E e = fromCode.apply(c);
            if (e == unknown) {
                continue;
            }
            assertEquals(c, code.applyAsInt(e), type.getSimpleName() + " code " + c);
            known++;
        }
        assertEquals(definedCount, known, type.getSimpleName() + " defined codes");
        assertEquals(-1, code.applyAsInt(unknown));
        for (int c : new int[] {-1, 256, Integer.MAX_VALUE, Integer.MIN_VALUE}) {
            assertEquals(unknown, fromCode.apply(c), type.getSimpleName() + " code " + c);
        }
        for (E e : EnumSet.allOf(type)) {
            if (e != unknown) {
                assertEquals(e, fromCode.apply(code.applyAsInt(e)));
            }
        }
    }

    @Test
    void everyEnumDecodesEveryByte() {
        checkAllCodes(RegionState.class, RegionState::fromCode, RegionState::code, 3);
        checkAllCodes(AttachState.class, AttachState::fromCode, AttachState::code, 2);
        checkAllCodes(BoostRequest.class, BoostRequest::fromCode, BoostRequest::code, 3);
        checkAllCodes(SchedPolicy.class, SchedPolicy::fromCode, SchedPolicy::code, 3);
        checkAllCodes(SlotStatus.class, SlotStatus::fromCode, SlotStatus::code, 4);
        checkAllCodes(DenialReason.class, DenialReason::fromCode, DenialReason::code, 8);
    }

    @Test
    void flagSetsRoundTripAndFlagUndefinedBits() {
        for (int mask = 0; mask <= 0xFF; mask++) {
            assertEquals(mask & BoostReason.DEFINED_MASK, BoostReason.encode(BoostReason.decode(mask)));
            assertEquals((mask & ~BoostReason.DEFINED_MASK) != 0, BoostReason.hasUndefinedBits(mask));
            assertEquals(mask & HostBoostFlag.DEFINED_MASK, HostBoostFlag.encode(HostBoostFlag.decode(mask)));
            assertEquals((mask & ~HostBoostFlag.DEFINED_MASK) != 0, HostBoostFlag.hasUndefinedBits(mask));
            assertEquals(mask & Feature.DEFINED_MASK, Feature.encode(Feature.decode(mask)));
            assertEquals((mask & ~Feature.DEFINED_MASK) != 0, Feature.hasUndefinedBits(mask));
        }
        assertTrue(BoostReason.hasUndefinedBits(Integer.MIN_VALUE));
        assertTrue(Feature.hasUndefinedBits(Long.MIN_VALUE));
        assertFalse(HostBoostFlag.hasUndefinedBits(0x1F));
    }
}
