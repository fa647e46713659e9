package dev.vboost.impl.contract;

import dev.vboost.api.memory.SharedMemory;
import dev.vboost.impl.memory.Fences;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A {@link SharedMemory} that logs every access as (mode, offset, value) and every fence, then performs it on a
 * delegate. Tests assert the log against the spec's numbered steps. An optional hook runs after each logged
 * access, so a test can play a concurrent writer at an exact point of a reader's steps.
 */
public final class RecordingSharedMemory implements SharedMemory, Fences {

    /** Access modes in the JDK vocabulary, plus the two fences. */
    public enum Mode {
        PLAIN_READ, PLAIN_WRITE, OPAQUE_READ, OPAQUE_WRITE, ACQUIRE_READ, RELEASE_WRITE, VOLATILE_READ,
        VOLATILE_WRITE, CAS, GET_AND_ADD, STORE_STORE_FENCE, ACQUIRE_FENCE;

        public boolean isWrite() {
            return this == PLAIN_WRITE || this == OPAQUE_WRITE || this == RELEASE_WRITE || this == VOLATILE_WRITE
                    || this == CAS || this == GET_AND_ADD;
        }

        public boolean isFence() {
            return this == STORE_STORE_FENCE || this == ACQUIRE_FENCE;
        }
    }

    /** One logged access; {@code width} in bytes (0 for fences), {@code value} as read or written. */
    public record Access(Mode mode, int offset, int width, long value) {
        @Override
        public String toString() {
            return mode.isFence() ? mode.name() : mode + "@0x" + Integer.toHexString(offset) + "/" + width + "=" + value;
        }
    }

    private final SharedMemory delegate;
    private final List<Access> log = new ArrayList<>();
    private Consumer<Access> hook = a -> { };
    private boolean recording = true;

    public RecordingSharedMemory(SharedMemory delegate) {
        this.delegate = delegate;
    }

    /** Runs after every logged access (not for accesses the hook itself makes through {@link #delegate()}). */
    public void onAccess(Consumer<Access> hook) {
        this.hook = hook;
    }

    public SharedMemory delegate() {
        return delegate;
    }

    public List<Access> log() {
        return log;
    }

    public void clear() {
        log.clear();
    }

    public void recording(boolean on) {
        recording = on;
    }

    private <T> T rec(Mode mode, int offset, int width, long value, T result) {
        if (recording) {
            Access a = new Access(mode, offset, width, value);
            log.add(a);
            hook.accept(a);
        }
        return result;
    }

    private void rec(Mode mode, int offset, int width, long value) {
        rec(mode, offset, width, value, Boolean.TRUE);
    }

    @Override
    public void storeStoreFence() {
        Fences.JDK.storeStoreFence();
        rec(Mode.STORE_STORE_FENCE, -1, 0, 0);
    }

    @Override
    public void acquireFence() {
        Fences.JDK.acquireFence();
        rec(Mode.ACQUIRE_FENCE, -1, 0, 0);
    }

    @Override
    public int capacity() {
        return delegate.capacity();
    }

    @Override
    public byte getByte(int index) {
        byte v = delegate.getByte(index);
        return rec(Mode.PLAIN_READ, index, 1, v, v);
    }

    @Override
    public void putByte(int index, byte value) {
        delegate.putByte(index, value);
        rec(Mode.PLAIN_WRITE, index, 1, value);
    }

    @Override
    public short getShort(int index) {
        short v = delegate.getShort(index);
        return rec(Mode.PLAIN_READ, index, 2, v, v);
    }

    @Override
    public void putShort(int index, short value) {
        delegate.putShort(index, value);
        rec(Mode.PLAIN_WRITE, index, 2, value);
    }

    @Override
    public int getInt(int index) {
        int v = delegate.getInt(index);
        return rec(Mode.PLAIN_READ, index, 4, v, v);
    }

    @Override
    public void putInt(int index, int value) {
        delegate.putInt(index, value);
        rec(Mode.PLAIN_WRITE, index, 4, value);
    }

    @Override
    public long getLong(int index) {
        long v = delegate.getLong(index);
        return rec(Mode.PLAIN_READ, index, 8, v, v);
    }

    @Override
    public void putLong(int index, long value) {
        delegate.putLong(index, value);
        rec(Mode.PLAIN_WRITE, index, 8, value);
    }

    @Override
    public int getIntOpaque(int index) {
        int v = delegate.getIntOpaque(index);
        return rec(Mode.OPAQUE_READ, index, 4, v, v);
    }

    @Override
    public void putIntOpaque(int index, int value) {
        delegate.putIntOpaque(index, value);
        rec(Mode.OPAQUE_WRITE, index, 4, value);
    }

    @Override
    public int getIntAcquire(int index) {
        int v = delegate.getIntAcquire(index);
        return rec(Mode.ACQUIRE_READ, index, 4, v, v);
    }

    @Override
    public void putIntRelease(int index, int value) {
        delegate.putIntRelease(index, value);
        rec(Mode.RELEASE_WRITE, index, 4, value);
    }

    @Override
    public void getBytes(int index, byte[] dst, int offset, int length) {
        delegate.getBytes(index, dst, offset, length);
        rec(Mode.PLAIN_READ, index, length, 0);
    }

    @Override
    public void putBytes(int index, byte[] src, int offset, int length) {
        delegate.putBytes(index, src, offset, length);
        rec(Mode.PLAIN_WRITE, index, length, 0);
    }

    @Override
    public void setMemory(int index, int length, byte value) {
        delegate.setMemory(index, length, value);
        rec(Mode.PLAIN_WRITE, index, length, value);
    }
}
