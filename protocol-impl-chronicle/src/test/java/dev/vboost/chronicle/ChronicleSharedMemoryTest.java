package dev.vboost.chronicle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Chronicle-specific behaviour: what the shared contract tests cannot see (interop, close, mapping, wrap). */
class ChronicleSharedMemoryTest {

    private static final VarHandle INT_LE = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG_LE = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    @Test
    void wrappedBufferSharesBytesWithVarHandleViewLittleEndian() {
        ByteBuffer buffer = ByteBuffer.allocateDirect(4096);
        try (ChronicleSharedMemory memory = ChronicleSharedMemory.wrap(buffer)) {
            memory.putIntRelease(8, 0x11223344);
            assertEquals(0x11223344, (int) INT_LE.getAcquire(buffer, 8));
            assertEquals((byte) 0x44, buffer.get(8), "least significant byte first");
            LONG_LE.setRelease(buffer, 64, 0x0102030405060708L);
            assertEquals(0x0102030405060708L, memory.getLong(64));
            assertEquals((byte) 0x08, memory.getByte(64));
        }
    }

    @Test
    void nativeRegionStartsZeroedAndCacheLineAligned() {
        try (ChronicleSharedMemory memory = ChronicleSharedMemory.allocateNative(8192)) {
            for (int i = 0; i < memory.capacity(); i += 8) {
                assertEquals(0L, memory.getLong(i), "byte " + i);
            }
            assertFalse(memory.isMapped());
        }
    }

    @Test
    void accessAfterCloseIsRefusedNotACrash() {
        ChronicleSharedMemory memory = ChronicleSharedMemory.allocateNative(128);
        memory.putIntRelease(0, 1);
        memory.close();
        memory.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> memory.getIntAcquire(0));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> memory.putLong(8, 1L));
        assertThrows(IllegalStateException.class, () -> memory.getBytes(0, new byte[4], 0, 4));
    }

    @Test
    void mappedFileIsSharedWithAJdkMappingOfTheSameFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("region.bin");
        try (ChronicleSharedMemory memory = ChronicleSharedMemory.mapFile(file, 8192)) {
            assertTrue(memory.isMapped());
            assertEquals(8192, memory.capacity());
            memory.putLong(0x80, 0x1234_5678_9ABC_DEF0L);
            memory.putIntRelease(0x40, 7);
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                ByteBuffer jdk = ch.map(FileChannel.MapMode.READ_WRITE, 0, 8192);
                assertEquals(7, (int) INT_LE.getAcquire(jdk, 0x40));
                assertEquals(0x1234_5678_9ABC_DEF0L, (long) LONG_LE.get(jdk, 0x80));
                INT_LE.setRelease(jdk, 0x44, 99);
                assertEquals(99, memory.getIntAcquire(0x44));
            }
        }
        try (ChronicleSharedMemory reopened = ChronicleSharedMemory.openFile(file)) {
            assertEquals(8192, reopened.capacity());
            assertEquals(7, reopened.getIntAcquire(0x40));
            assertEquals(99, reopened.getIntAcquire(0x44));
        }
    }

    @Test
    void wrapRefusesABufferWhoseStartIsNotEightByteAligned() {
        ByteBuffer whole = ByteBuffer.allocateDirect(256);
        ByteBuffer aligned = whole.alignedSlice(8);
        ByteBuffer offByFour = aligned.slice(4, 64);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ChronicleSharedMemory.wrap(offByFour));
        assertTrue(e.getMessage().contains("not aligned"), e.getMessage());
        try (ChronicleSharedMemory ok = ChronicleSharedMemory.wrap(aligned.slice(8, 64))) {
            ok.putIntRelease(60, 1);
            assertEquals(1, ok.getIntAcquire(60));
            assertThrows(IllegalStateException.class, () -> ok.getIntAcquire(58), "alignment is checked per access");
        }
    }

    @Test
    void everyFactoryPutsIndexZeroOnAnAlignedAddress(@TempDir Path dir) {
        // the per-access checks are relative to index 0; they are absolute only because index 0 is aligned
        ByteBuffer direct = ByteBuffer.allocateDirect(100);
        try (ChronicleSharedMemory n = ChronicleSharedMemory.allocateNative(100);
                ChronicleSharedMemory f = ChronicleSharedMemory.mapFile(dir.resolve("a.region"), 100);
                ChronicleSharedMemory w = ChronicleSharedMemory.wrap(direct)) {
            assertEquals(0, n.addressOfIndexZero() % 64, "native store: cache-line aligned");
            assertEquals(0, f.addressOfIndexZero() % 4096, "mapped file: page aligned");
            assertEquals(0, w.addressOfIndexZero() % 8, "wrapped buffer: 8-byte aligned");
            for (ChronicleSharedMemory m : new ChronicleSharedMemory[] {n, f, w}) {
                m.putIntRelease(0, 1);
                m.putIntRelease(96, 1);
                assertEquals(1, m.getIntAcquire(0) + m.getIntAcquire(96) - 1);
                assertThrows(IllegalStateException.class, () -> m.getIntAcquire(90));
                assertThrows(IllegalStateException.class, () -> m.putIntRelease(94, 1));
            }
        }
    }

    @Test
    void rejectsHeapBuffersAndBadSizes() {
        assertThrows(IllegalArgumentException.class, () -> ChronicleSharedMemory.wrap(ByteBuffer.allocate(64)));
        assertThrows(IllegalArgumentException.class, () -> ChronicleSharedMemory.allocateNative(0));
        assertThrows(IllegalArgumentException.class,
                () -> ChronicleSharedMemory.wrap(ByteBuffer.allocateDirect(64).asReadOnlyBuffer()));
    }
}
