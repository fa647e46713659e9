package dev.vboost.impl.contract;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vboost.api.memory.SharedMemory;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@link SharedMemory} contract every backend must keep: little-endian layout, every access mode,
 * bounds checks, and alignment checks on atomic accesses. A backend's test extends this class and supplies
 * {@link #newMemory(int)} and {@link #openMapped(Path)}.
 */
public abstract class SharedMemoryContractTest {

    /** Fresh, zeroed memory of {@code size} bytes whose start is at least 8-byte aligned. */
    protected abstract SharedMemory newMemory(int size);

    /** Maps the whole of an existing file read-write. */
    protected abstract SharedMemory openMapped(Path file);

    /** Releases memory from {@link #newMemory} or {@link #openMapped}; default: nothing to do. */
    protected void release(SharedMemory memory) {
    }

    /** Creates a zero-filled file of {@code size} bytes. */
    protected static Path zeroFile(Path file, long size) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(0);
            raf.setLength(size);
        }
        return file;
    }

    @Test
    void capacityIsTheRequestedSizeAndStartsZeroed() {
        SharedMemory m = newMemory(4096);
        try {
            assertEquals(4096, m.capacity());
            for (int i = 0; i < 4096; i += 8) {
                assertEquals(0L, m.getLong(i), "byte " + i);
            }
        } finally {
            release(m);
        }
    }

    @Test
    void multiByteValuesAreLittleEndian() {
        SharedMemory m = newMemory(64);
        try {
            m.putInt(0, 0x54534256);
            assertEquals((byte) 'V', m.getByte(0));
            assertEquals((byte) 'B', m.getByte(1));
            assertEquals((byte) 'S', m.getByte(2));
            assertEquals((byte) 'T', m.getByte(3));
            m.putLong(8, 0x0102030405060708L);
            assertEquals(0x08, m.getByte(8));
            assertEquals(0x01, m.getByte(15));
            assertEquals((short) 0x0708, m.getShort(8));
            assertEquals(0x05060708, m.getInt(8));
            m.putShort(16, (short) 0xBEEF);
            assertEquals((byte) 0xEF, m.getByte(16));
            assertEquals((byte) 0xBE, m.getByte(17));
        } finally {
            release(m);
        }
    }

    @Test
    void everyAccessModeReadsWhatWasWritten() {
        SharedMemory m = newMemory(128);
        try {
            m.putIntOpaque(0, 1);
            assertEquals(1, m.getIntOpaque(0));
            m.putIntRelease(4, 2);
            assertEquals(2, m.getIntAcquire(4));
            m.putInt(8, 3);
            assertEquals(3, m.getIntAcquire(8));
            m.putLong(24, Long.MIN_VALUE);
            assertEquals(Long.MIN_VALUE, m.getLong(24));
            m.putShort(40, (short) -3);
            assertEquals((short) -3, m.getShort(40));
            m.putByte(32, (byte) -1);
            assertEquals((byte) -1, m.getByte(32));
        } finally {
            release(m);
        }
    }

    @Test
    void bulkCopyAndFill() {
        SharedMemory m = newMemory(64);
        try {
            byte[] src = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
            m.putBytes(3, src, 1, 9);
            byte[] dst = new byte[11];
            m.getBytes(3, dst, 2, 9);
            assertArrayEquals(new byte[] {0, 0, 2, 3, 4, 5, 6, 7, 8, 9, 10}, dst);
            m.setMemory(1, 21, (byte) 0x5A);
            assertEquals(0, m.getByte(0));
            for (int i = 1; i < 22; i++) {
                assertEquals((byte) 0x5A, m.getByte(i), "byte " + i);
            }
            assertEquals(0, m.getByte(22));
        } finally {
            release(m);
        }
    }

    @Test
    void outOfRangeAccessIsRejected() {
        SharedMemory m = newMemory(64);
        try {
            assertThrows(IndexOutOfBoundsException.class, () -> m.getByte(64));
            assertThrows(IndexOutOfBoundsException.class, () -> m.getInt(61));
            assertThrows(IndexOutOfBoundsException.class, () -> m.putLong(60, 1));
            assertThrows(IndexOutOfBoundsException.class, () -> m.getIntAcquire(-4));
            assertThrows(IndexOutOfBoundsException.class, () -> m.putIntRelease(64, 1));
            assertThrows(IndexOutOfBoundsException.class, () -> m.setMemory(60, 8, (byte) 0));
            assertThrows(IndexOutOfBoundsException.class, () -> m.getBytes(60, new byte[8], 0, 8));
        } finally {
            release(m);
        }
    }

    @Test
    void misalignedAtomicAccessIsRejected() {
        SharedMemory m = newMemory(64);
        try {
            assertThrows(IllegalStateException.class, () -> m.getIntAcquire(2));
            assertThrows(IllegalStateException.class, () -> m.putIntRelease(6, 1));
            assertThrows(IllegalStateException.class, () -> m.putIntOpaque(1, 1));
            assertThrows(IllegalStateException.class, () -> m.getIntOpaque(3));
            assertThrows(IllegalStateException.class, () -> m.putIntRelease(18, 1));
            assertThrows(IllegalStateException.class, () -> m.putIntOpaque(17, 1));
            assertEquals(0, m.getLong(16), "a rejected access must not have written");
            assertEquals(0, m.getLong(0), "a rejected access must not have written");
        } finally {
            release(m);
        }
    }

    @Test
    void plainAccessMayBeMisaligned() {
        SharedMemory m = newMemory(64);
        try {
            m.putInt(1, 0x11223344);
            assertEquals(0x11223344, m.getInt(1));
            m.putLong(13, -2L);
            assertEquals(-2L, m.getLong(13));
        } finally {
            release(m);
        }
    }

    @Test
    void twoMappingsOfOneFileSeeEachOthersStores(@TempDir Path dir) throws IOException {
        Path file = zeroFile(dir.resolve("shared.region"), 8192);
        SharedMemory a = openMapped(file);
        SharedMemory b = openMapped(file);
        try {
            assertEquals(8192, a.capacity());
            a.putIntRelease(4096, 0xCAFEBABE);
            assertEquals(0xCAFEBABE, b.getIntAcquire(4096));
            b.putIntRelease(8188, 42);
            assertEquals(42, a.getIntAcquire(8188));
            assertThrows(IllegalStateException.class, () -> a.putIntRelease(4094, 1));
        } finally {
            release(a);
            release(b);
        }
    }
}
