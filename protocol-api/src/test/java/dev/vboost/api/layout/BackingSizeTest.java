package dev.vboost.api.layout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The backing formula of spec §3.1: a power of two, at least 4096, holding the region. */
class BackingSizeTest {
    @Test
    void specExamples() {
        assertEquals(4096, RegionLayout.backingSize(1));
        assertEquals(4096, RegionLayout.backingSize(31));
        assertEquals(8192, RegionLayout.backingSize(32));
        assertEquals(8192, RegionLayout.backingSize(63));
        assertEquals(16384, RegionLayout.backingSize(64));   // region 12288 (the QEMU abort of issue 11)
        assertEquals(16384, RegionLayout.backingSize(95));
        assertEquals(32768, RegionLayout.backingSize(128));  // region 20480
        assertEquals(1 << 20, RegionLayout.backingSize(RegionLayout.MAX_SLOTS)); // region 528384
    }

    @Test
    void everySlotCountIsTheSmallestPowerOfTwoHoldingTheRegion() {
        for (int n = 1; n <= RegionLayout.MAX_SLOTS; n++) {
            long region = RegionLayout.regionSize(n);
            long backing = RegionLayout.backingSize(n);
            assertEquals(1, Long.bitCount(backing), "slots " + n);
            assertTrue(backing >= region && backing >= RegionLayout.REGION_ALIGNMENT, "slots " + n);
            assertTrue(backing == RegionLayout.REGION_ALIGNMENT || backing / 2 < region, "slots " + n + " not smallest");
        }
    }

    @Test
    void slotCountOutsideTheRangeIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> RegionLayout.backingSize(0));
        assertThrows(IllegalArgumentException.class, () -> RegionLayout.backingSize(RegionLayout.MAX_SLOTS + 1));
    }
}
