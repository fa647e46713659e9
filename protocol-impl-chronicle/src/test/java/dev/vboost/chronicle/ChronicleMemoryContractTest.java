package dev.vboost.chronicle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vboost.api.memory.SharedMemory;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The {@link SharedMemory} contract (bounds, alignment, byte order, atomics) on the Chronicle native store.
 * Written before protocol-impl's reusable contract bases existed; kept because it pins every method at
 * its exact edges.
 */
class ChronicleMemoryContractTest {

    private static final int SIZE = 256;
    private final List<ChronicleSharedMemory> opened = new ArrayList<>();

    private SharedMemory memory() {
        ChronicleSharedMemory m = ChronicleSharedMemory.allocateNative(SIZE);
        opened.add(m);
        return m;
    }

    @AfterEach
    void release() {
        opened.forEach(ChronicleSharedMemory::close);
    }

    @Test
    void valuesAreLittleEndian() {
        SharedMemory m = memory();
        m.putLong(0, 0x0807060504030201L);
        for (int i = 0; i < 8; i++) {
            assertEquals(i + 1, m.getByte(i));
        }
        assertEquals((short) 0x0201, m.getShort(0));
        assertEquals(0x04030201, m.getInt(0));
        m.putShort(10, (short) 0xBEEF);
        assertEquals((byte) 0xEF, m.getByte(10));
    }

    @Test
    void everyAccessModeRoundTrips() {
        SharedMemory m = memory();
        m.putByte(1, (byte) -3);
        assertEquals(-3, m.getByte(1));
        m.putInt(4, -5);
        assertEquals(-5, m.getInt(4));
        m.putIntOpaque(8, 6);
        assertEquals(6, m.getIntOpaque(8));
        m.putIntRelease(12, 7);
        assertEquals(7, m.getIntAcquire(12));
        m.putShort(16, (short) -8);
        assertEquals((short) -8, m.getShort(16));
        m.putLong(24, Long.MIN_VALUE);
        assertEquals(Long.MIN_VALUE, m.getLong(24));
    }

    @Test
    void bulkCopiesAndFill() {
        SharedMemory m = memory();
        byte[] src = {1, 2, 3, 4, 5, 6, 7};
        m.putBytes(100, src, 2, 4);
        byte[] dst = new byte[6];
        m.getBytes(99, dst, 1, 5);
        assertArrayEquals(new byte[] {0, 0, 3, 4, 5, 6}, dst);
        m.setMemory(100, 3, (byte) 0x7F);
        assertEquals(0x7F7F7F, m.getInt(100) & 0xFFFFFF);
        assertEquals(6, m.getByte(103));
        assertThrows(IndexOutOfBoundsException.class, () -> m.putBytes(SIZE - 2, src, 0, 3));
        assertThrows(IndexOutOfBoundsException.class, () -> m.getBytes(0, dst, 4, 3));
        assertThrows(IndexOutOfBoundsException.class, () -> m.setMemory(-1, 2, (byte) 0));
        assertThrows(IndexOutOfBoundsException.class, () -> m.getBytes(0, dst, 0, -1));
    }

    @Test
    void lastValidIndexOfEveryWidthWorksAndOnePastThrows() {
        SharedMemory m = memory();
        m.putByte(SIZE - 1, (byte) 1);
        m.putShort(SIZE - 2, (short) 1);
        m.putInt(SIZE - 4, 1);
        m.putIntRelease(SIZE - 4, 2);
        assertEquals(2, m.getIntAcquire(SIZE - 4));
        m.putLong(SIZE - 8, 1L);
        assertEquals(1L, m.getLong(SIZE - 8));
        List<Consumer<SharedMemory>> pastEnd = List.of(
                x -> x.getByte(SIZE), x -> x.putByte(SIZE, (byte) 0),
                x -> x.getShort(SIZE - 1), x -> x.putShort(SIZE - 1, (short) 0),
                x -> x.getInt(SIZE - 3), x -> x.putInt(SIZE - 3, 0),
                x -> x.getLong(SIZE - 7), x -> x.putLong(SIZE - 7, 0),
                x -> x.getIntAcquire(SIZE), x -> x.putIntRelease(SIZE, 0),
                x -> x.getIntOpaque(SIZE), x -> x.putIntOpaque(SIZE, 0),
                x -> x.getInt(-1), x -> x.getIntAcquire(-4),
                x -> x.getIntAcquire(Integer.MIN_VALUE), x -> x.getLong(Integer.MAX_VALUE));
        for (int i = 0; i < pastEnd.size(); i++) {
            Consumer<SharedMemory> access = pastEnd.get(i);
            assertThrows(IndexOutOfBoundsException.class, () -> access.accept(m), "case " + i);
        }
    }

    @Test
    void misalignedAtomicAccessIsRefusedAndWritesNothing() {
        SharedMemory m = memory();
        List<Consumer<SharedMemory>> misaligned = List.of(
                x -> x.getIntAcquire(2), x -> x.putIntRelease(2, 1),
                x -> x.getIntOpaque(1), x -> x.putIntOpaque(1, 1),
                x -> x.getIntAcquire(3), x -> x.putIntRelease(3, 1),
                x -> x.getIntOpaque(6), x -> x.putIntOpaque(6, 1));
        for (int i = 0; i < misaligned.size(); i++) {
            Consumer<SharedMemory> access = misaligned.get(i);
            assertThrows(IllegalStateException.class, () -> access.accept(m), "case " + i);
        }
        for (int i = 0; i < 32; i += 8) {
            assertEquals(0L, m.getLong(i), "nothing written at " + i);
        }
        // plain accesses carry no alignment rule
        m.putLong(3, 0x0102030405060708L);
        assertEquals(0x0102030405060708L, m.getLong(3));
    }
}
