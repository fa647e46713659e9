package dev.vboost.conformance.javaimpl;

import dev.vboost.api.memory.SharedMemory;

/** A {@link SharedMemory} that forwards everything; mutants override the accesses they break. */
abstract class ForwardingMemory implements SharedMemory {
    protected final SharedMemory inner;

    ForwardingMemory(SharedMemory inner) {
        this.inner = inner;
    }

    @Override
    public int capacity() {
        return inner.capacity();
    }

    @Override
    public byte getByte(int index) {
        return inner.getByte(index);
    }

    @Override
    public void putByte(int index, byte value) {
        inner.putByte(index, value);
    }

    @Override
    public short getShort(int index) {
        return inner.getShort(index);
    }

    @Override
    public void putShort(int index, short value) {
        inner.putShort(index, value);
    }

    @Override
    public int getInt(int index) {
        return inner.getInt(index);
    }

    @Override
    public void putInt(int index, int value) {
        inner.putInt(index, value);
    }

    @Override
    public long getLong(int index) {
        return inner.getLong(index);
    }

    @Override
    public void putLong(int index, long value) {
        inner.putLong(index, value);
    }

    @Override
    public int getIntOpaque(int index) {
        return inner.getIntOpaque(index);
    }

    @Override
    public void putIntOpaque(int index, int value) {
        inner.putIntOpaque(index, value);
    }

    @Override
    public int getIntAcquire(int index) {
        return inner.getIntAcquire(index);
    }

    @Override
    public void putIntRelease(int index, int value) {
        inner.putIntRelease(index, value);
    }

    @Override
    public void getBytes(int index, byte[] dst, int offset, int length) {
        inner.getBytes(index, dst, offset, length);
    }

    @Override
    public void putBytes(int index, byte[] src, int offset, int length) {
        inner.putBytes(index, src, offset, length);
    }

    @Override
    public void setMemory(int index, int length, byte value) {
        inner.setMemory(index, length, value);
    }
}
