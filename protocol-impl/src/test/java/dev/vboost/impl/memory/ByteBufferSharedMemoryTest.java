package dev.vboost.impl.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.vboost.api.memory.SharedMemory;
import dev.vboost.impl.contract.SharedMemoryContractTest;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The contract on the VarHandle backend, plus what is particular to wrapping buffers. */
class ByteBufferSharedMemoryTest extends SharedMemoryContractTest {

    @Override
    protected SharedMemory newMemory(int size) {
        return ByteBufferSharedMemory.allocateDirect(size);
    }

    @Override
    protected SharedMemory openMapped(Path file) {
        return MappedRegionFile.open(file).memory();
    }

    @Test
    void heapBuffersAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ByteBufferSharedMemory.wrap(ByteBuffer.allocate(64)));
        assertEquals("buffer must be direct (a heap buffer cannot be shared memory)", e.getMessage());
    }

    @Test
    void aMisalignedStartIsRefused() {
        ByteBuffer buf = ByteBuffer.allocateDirect(128);
        int off = buf.alignmentOffset(0, 8);
        buf.position((8 - off) % 8 + 4);
        assertThrows(IllegalArgumentException.class, () -> ByteBufferSharedMemory.wrap(buf));
    }

    @Test
    void wrapStartsAtThePositionAndIgnoresTheBufferByteOrder() {
        ByteBuffer buf = ByteBuffer.allocateDirect(128).order(ByteOrder.BIG_ENDIAN);
        int off = buf.alignmentOffset(0, 8);
        int start = (8 - off) % 8 + 16;
        buf.position(start);
        SharedMemory m = ByteBufferSharedMemory.wrap(buf);
        assertEquals(128 - start, m.capacity());
        m.putIntRelease(0, 0x01020304);
        assertEquals(0x04, buf.get(start));
        assertEquals(0x01, buf.get(start + 3));
    }

    @Test
    void allocateDirectIsPageAligned() {
        SharedMemory m = ByteBufferSharedMemory.allocateDirect(100);
        assertEquals(100, m.capacity());
        // an int release at every multiple of 4 works only if the base is aligned (the VarHandle checks the real
        // address); 4096-alignment is checked by the region tests
        for (int i = 0; i + 4 <= 100; i += 4) {
            m.putIntRelease(i, i);
            assertEquals(i, m.getIntAcquire(i));
        }
        assertThrows(IllegalArgumentException.class, () -> ByteBufferSharedMemory.allocateDirect(0));
    }
}
