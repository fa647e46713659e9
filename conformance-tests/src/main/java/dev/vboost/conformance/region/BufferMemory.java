package dev.vboost.conformance.region;

import dev.vboost.api.memory.SharedMemory;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The runner's own {@link SharedMemory} over a direct or mapped {@link ByteBuffer}, little-endian, written
 * for the suite so that it never depends on the implementation it checks. Atomic modes go through
 * {@code byteBufferViewVarHandle}, which rejects misaligned indexes.
 */
public final class BufferMemory implements SharedMemory {
    private static final VarHandle SHORT = MethodHandles.byteBufferViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final ByteBuffer buffer;

    public BufferMemory(ByteBuffer buffer) {
        this.buffer = buffer.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** The underlying buffer (a duplicate; position and limit are free to change). */
    public ByteBuffer buffer() {
        return buffer.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public int capacity() {
        return buffer.capacity();
    }

    @Override
    public byte getByte(int index) {
        return buffer.get(index);
    }

    @Override
    public void putByte(int index, byte value) {
        buffer.put(index, value);
    }

    @Override
    public short getShort(int index) {
        return (short) SHORT.get(buffer, index);
    }

    @Override
    public void putShort(int index, short value) {
        SHORT.set(buffer, index, value);
    }

    @Override
    public int getInt(int index) {
        return (int) INT.get(buffer, index);
    }

    @Override
    public void putInt(int index, int value) {
        INT.set(buffer, index, value);
    }

    @Override
    public long getLong(int index) {
        return (long) LONG.get(buffer, index);
    }

    @Override
    public void putLong(int index, long value) {
        LONG.set(buffer, index, value);
    }

    @Override
    public int getIntOpaque(int index) {
        return (int) INT.getOpaque(buffer, index);
    }

    @Override
    public void putIntOpaque(int index, int value) {
        INT.setOpaque(buffer, index, value);
    }

    @Override
    public int getIntAcquire(int index) {
        return (int) INT.getAcquire(buffer, index);
    }

    @Override
    public void putIntRelease(int index, int value) {
        INT.setRelease(buffer, index, value);
    }

    @Override
    public void getBytes(int index, byte[] dst, int offset, int length) {
        buffer.duplicate().position(index).get(dst, offset, length);
    }

    @Override
    public void putBytes(int index, byte[] src, int offset, int length) {
        buffer.duplicate().position(index).put(src, offset, length);
    }

    @Override
    public void setMemory(int index, int length, byte value) {
        for (int i = 0; i < length; i++) {
            buffer.put(index + i, value);
        }
    }
}
