package dev.vboost.impl.memory;

import dev.vboost.api.layout.RegionLayout;
import dev.vboost.api.memory.SharedMemory;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The default backend: {@link SharedMemory} over a direct or mapped {@link ByteBuffer} through little-endian
 * byte-buffer view {@link VarHandle}s. Needs no JVM flags and no {@code Unsafe}.
 *
 * <p><b>Checks:</b> every access is bounds-checked ({@link IndexOutOfBoundsException}); every atomic access
 * (opaque, acquire, release) is alignment-checked by the {@code VarHandle} against the
 * real address ({@link IllegalStateException}); plain accesses may be misaligned, as the interface allows.
 * <b>Threading:</b> safe for one writer per line and any number of readers.
 * <b>Allocation:</b> none per access.
 */
public final class ByteBufferSharedMemory implements SharedMemory {
    private static final VarHandle SHORT = MethodHandles.byteBufferViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    /** Long atomics need 8-byte alignment, so the start of the memory must have it. */
    private static final int BASE_ALIGNMENT = 8;

    private final ByteBuffer buf;

    private ByteBufferSharedMemory(ByteBuffer buf) {
        this.buf = buf;
    }

    /**
     * Allocates zeroed off-heap memory of {@code size} bytes whose start is aligned to
     * {@link RegionLayout#REGION_ALIGNMENT} (4096), like a real region.
     *
     * @param size bytes, &gt; 0
     * @return the new memory
     * @throws IllegalArgumentException if {@code size} is not positive
     */
    public static ByteBufferSharedMemory allocateDirect(int size) {
        if (size <= 0) {
            throw new IllegalArgumentException("size must be positive: " + size);
        }
        int alignment = RegionLayout.REGION_ALIGNMENT;
        // alignedSlice rounds both ends to the alignment: ask for whole pages plus one page of slack
        int pages = Math.addExact(size, alignment - 1) & -alignment;
        ByteBuffer raw = ByteBuffer.allocateDirect(Math.addExact(pages, alignment - 1));
        ByteBuffer aligned = raw.alignedSlice(alignment);
        return new ByteBufferSharedMemory(aligned.limit(size).slice());
    }

    /**
     * Wraps the bytes from {@code buf}'s position to its limit; index 0 is the current position. The buffer
     * must be direct (heap buffers cannot be shared with another process) and that position 8-byte aligned.
     * Its byte order setting does not matter: access is always little-endian.
     *
     * @param buf a direct buffer
     * @return a view of its bytes
     * @throws IllegalArgumentException if the buffer is not direct or its position is not 8-byte aligned
     */
    public static ByteBufferSharedMemory wrap(ByteBuffer buf) {
        if (!buf.isDirect()) {
            throw new IllegalArgumentException("buffer must be direct (a heap buffer cannot be shared memory)");
        }
        ByteBuffer view = buf.slice();
        if (view.capacity() > 0 && view.alignmentOffset(0, BASE_ALIGNMENT) != 0) {
            throw new IllegalArgumentException("buffer start must be " + BASE_ALIGNMENT + "-byte aligned, is off by "
                    + view.alignmentOffset(0, BASE_ALIGNMENT));
        }
        return new ByteBufferSharedMemory(view);
    }

    @Override
    public int capacity() {
        return buf.capacity();
    }

    @Override
    public byte getByte(int index) {
        return buf.get(index);
    }

    @Override
    public void putByte(int index, byte value) {
        buf.put(index, value);
    }

    @Override
    public short getShort(int index) {
        return (short) SHORT.get(buf, index);
    }

    @Override
    public void putShort(int index, short value) {
        SHORT.set(buf, index, value);
    }

    @Override
    public int getInt(int index) {
        return (int) INT.get(buf, index);
    }

    @Override
    public void putInt(int index, int value) {
        INT.set(buf, index, value);
    }

    @Override
    public long getLong(int index) {
        return (long) LONG.get(buf, index);
    }

    @Override
    public void putLong(int index, long value) {
        LONG.set(buf, index, value);
    }

    @Override
    public int getIntOpaque(int index) {
        return (int) INT.getOpaque(buf, index);
    }

    @Override
    public void putIntOpaque(int index, int value) {
        INT.setOpaque(buf, index, value);
    }

    @Override
    public int getIntAcquire(int index) {
        return (int) INT.getAcquire(buf, index);
    }

    @Override
    public void putIntRelease(int index, int value) {
        INT.setRelease(buf, index, value);
    }

    @Override
    public void getBytes(int index, byte[] dst, int offset, int length) {
        buf.get(index, dst, offset, length);
    }

    @Override
    public void putBytes(int index, byte[] src, int offset, int length) {
        buf.put(index, src, offset, length);
    }

    @Override
    public void setMemory(int index, int length, byte value) {
        java.util.Objects.checkFromIndexSize(index, length, buf.capacity());
        long pattern = (value & 0xFFL) * 0x0101_0101_0101_0101L;
        int i = index;
        int end = index + length;
        for (; i + Long.BYTES <= end; i += Long.BYTES) {
            LONG.set(buf, i, pattern);
        }
        for (; i < end; i++) {
            buf.put(i, value);
        }
    }

    @Override
    public String toString() {
        return "ByteBufferSharedMemory[capacity=" + buf.capacity() + (buf.isReadOnly() ? ", read-only" : "") + "]";
    }
}
