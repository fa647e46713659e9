package dev.vboost.api.layout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** Structural rules of spec §3: tiling, alignment, one writer per line, sizes and the size formula. */
class LayoutInvariantsTest {

    static Stream<Arguments> structs() {
        return Stream.of(
                Arguments.of(LayoutTable.HOST_HEADER, LayoutTable.HOST_HEADER_FIELDS, HostHeaderLayout.LENGTH),
                Arguments.of(LayoutTable.GUEST_HEADER, LayoutTable.GUEST_HEADER_FIELDS, GuestHeaderLayout.LENGTH),
                Arguments.of(LayoutTable.SLOT_GUEST, LayoutTable.SLOT_GUEST_FIELDS, GuestSlotLayout.LENGTH),
                Arguments.of(LayoutTable.SLOT_HOST, LayoutTable.SLOT_HOST_FIELDS, HostSlotLayout.LENGTH));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("structs")
    void fieldsTileTheStructWithNoGapOrOverlap(String struct, List<FieldSpec> fields, int length) {
        int next = 0;
        for (FieldSpec f : fields) {
            assertEquals(struct, f.struct());
            assertEquals(next, f.offset(), struct + "." + f.name() + " does not start where the previous field ends");
            assertTrue(f.size() > 0, f.name());
            next = f.offset() + f.size();
        }
        assertEquals(length, next, struct + " fields do not add up to its length");
        assertEquals(RegionLayout.LINE_SIZE, length, struct + " is one 64-byte line");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("structs")
    void everyValueFieldIsNaturallyAligned(String struct, List<FieldSpec> fields, int length) {
        for (FieldSpec f : fields) {
            if (f.reserved()) {
                continue;
            }
            assertTrue(List.of(1, 2, 4, 8).contains(f.size()), f.name() + " width");
            assertEquals(0, f.offset() % f.size(), struct + "." + f.name() + " is not aligned to its size");
            assertEquals(f.size(), Map.of("u8", 1, "s8", 1, "u16", 2, "u32", 4, "u64", 8).get(f.type()),
                    f.name() + " type and size disagree");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("structs")
    void everyLineHasExactlyOneWriterAndStartsWithItsCounterWhenSeqlocked(String struct, List<FieldSpec> fields,
            int length) {
        FieldSpec.Writer writer = fields.get(0).writer();
        for (FieldSpec f : fields) {
            assertEquals(writer, f.writer(), struct + "." + f.name() + " has a second writer on the line");
        }
        if (!struct.equals(LayoutTable.HOST_HEADER)) {
            assertTrue(fields.get(0).name().endsWith("_seq"), struct + " starts with its seqlock counter");
            assertEquals("u32", fields.get(0).type());
        }
    }

    @Test
    void linesOfTheRegionAreLaidOutAsSection31Says() {
        assertEquals(0x000, RegionLayout.HOST_HEADER_OFFSET);
        assertEquals(0x040, RegionLayout.GUEST_HEADER_OFFSET);
        assertEquals(RegionLayout.HEADER_SIZE, RegionLayout.SLOTS_OFFSET);
        assertEquals(2 * RegionLayout.LINE_SIZE, RegionLayout.SLOT_SIZE);
        assertEquals(128, RegionLayout.SLOT_SIZE);
        assertEquals(128, RegionLayout.HEADER_SIZE);
        for (int i = 0; i < RegionLayout.MAX_SLOTS; i++) {
            int guest = RegionLayout.guestLineOffset(i);
            int host = RegionLayout.hostLineOffset(i);
            assertEquals(0x80 + i * 0x80, guest);
            assertEquals(guest + 0x40, host);
            assertEquals(0, guest % RegionLayout.LINE_SIZE, "slot lines are cache-line aligned");
        }
    }

    @Test
    void sizeFormulaRoundsUpToTheRegionAlignment() {
        assertEquals(4096, RegionLayout.REGION_ALIGNMENT);
        assertEquals(4096, RegionLayout.regionSize(1));
        assertEquals(4096, RegionLayout.regionSize(31));
        assertEquals(8192, RegionLayout.regionSize(32));
        assertEquals(528_384, RegionLayout.regionSize(RegionLayout.MAX_SLOTS));
        for (int n = 1; n <= RegionLayout.MAX_SLOTS; n++) {
            long size = RegionLayout.regionSize(n);
            long used = RegionLayout.SLOTS_OFFSET + (long) n * RegionLayout.SLOT_SIZE;
            assertEquals(0, size % RegionLayout.REGION_ALIGNMENT, "n=" + n);
            assertTrue(size >= used && size - used < RegionLayout.REGION_ALIGNMENT, "n=" + n);
            assertTrue(RegionLayout.hostLineOffset(n - 1) + RegionLayout.LINE_SIZE <= size, "last slot fits, n=" + n);
        }
        assertThrows(IllegalArgumentException.class, () -> RegionLayout.regionSize(0));
        assertThrows(IllegalArgumentException.class, () -> RegionLayout.regionSize(RegionLayout.MAX_SLOTS + 1));
    }

    @Test
    void magicIsVbstInMemoryOrder() {
        int m = RegionLayout.MAGIC;
        assertEquals('V', m & 0xFF);
        assertEquals('B', (m >>> 8) & 0xFF);
        assertEquals('S', (m >>> 16) & 0xFF);
        assertEquals('T', (m >>> 24) & 0xFF);
    }
}
