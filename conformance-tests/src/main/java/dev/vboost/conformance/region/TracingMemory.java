package dev.vboost.conformance.region;

import dev.vboost.api.memory.SharedMemory;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link SharedMemory} that forwards to another and, while recording, logs every store: where, how wide,
 * what value and with which ordering mode. The suite gives it to in-process implementations so it can
 * check the writer steps of spec §4.2 (W1 before the data, W4 last) deterministically.
 */
public final class TracingMemory implements SharedMemory {

    /** One store. {@code mode} is plain, opaque, release, volatile or cas. */
    public record Store(int index, int width, long value, String mode) {
    }

    /**
     * Called on a load, before it reaches memory, while armed ({@link #onLoad}); lets the suite change the
     * region between two loads of a reader, deterministically (the "counter changed mid-read" state).
     */
    @FunctionalInterface
    public interface LoadHook {
        /** {@code index}, {@code width}: the load about to happen. Returns true to disarm. */
        boolean beforeLoad(int index, int width);
    }

    private final SharedMemory inner;
    private final List<Store> stores = new ArrayList<>();
    private volatile boolean recording;
    private volatile @org.checkerframework.checker.nullness.qual.Nullable LoadHook hook;

    public TracingMemory(SharedMemory inner) {
        this.inner = inner;
    }

    public synchronized void start() {
        stores.clear();
        recording = true;
    }

    /** Stops recording and returns what was stored since {@link #start()}. */
    public synchronized List<Store> stop() {
        recording = false;
        return List.copyOf(stores);
    }

    /** Arms {@code h} for the loads that follow, until it returns true or {@link #clearHook()}. */
    public void onLoad(LoadHook h) {
        hook = h;
    }

    public void clearHook() {
        hook = null;
    }

    private void load(int index, int width) {
        LoadHook h = hook;
        if (h != null && h.beforeLoad(index, width)) {
            hook = null;
        }
    }

    private void log(int index, int width, long value, String mode) {
        if (recording) {
            synchronized (this) {
                stores.add(new Store(index, width, value, mode));
            }
        }
    }

    @Override
    public int capacity() {
        return inner.capacity();
    }

    @Override
    public byte getByte(int index) {
        load(index, 1);
        return inner.getByte(index);
    }

    @Override
    public void putByte(int index, byte value) {
        log(index, 1, value & 0xFF, "plain");
        inner.putByte(index, value);
    }

    @Override
    public short getShort(int index) {
        load(index, 2);
        return inner.getShort(index);
    }

    @Override
    public void putShort(int index, short value) {
        log(index, 2, value & 0xFFFF, "plain");
        inner.putShort(index, value);
    }

    @Override
    public int getInt(int index) {
        load(index, 4);
        return inner.getInt(index);
    }

    @Override
    public void putInt(int index, int value) {
        log(index, 4, Integer.toUnsignedLong(value), "plain");
        inner.putInt(index, value);
    }

    @Override
    public long getLong(int index) {
        load(index, 8);
        return inner.getLong(index);
    }

    @Override
    public void putLong(int index, long value) {
        log(index, 8, value, "plain");
        inner.putLong(index, value);
    }

    @Override
    public int getIntOpaque(int index) {
        load(index, 4);
        return inner.getIntOpaque(index);
    }

    @Override
    public void putIntOpaque(int index, int value) {
        log(index, 4, Integer.toUnsignedLong(value), "opaque");
        inner.putIntOpaque(index, value);
    }

    @Override
    public int getIntAcquire(int index) {
        load(index, 4);
        return inner.getIntAcquire(index);
    }

    @Override
    public void putIntRelease(int index, int value) {
        log(index, 4, Integer.toUnsignedLong(value), "release");
        inner.putIntRelease(index, value);
    }

    @Override
    public void getBytes(int index, byte[] dst, int offset, int length) {
        load(index, length);
        inner.getBytes(index, dst, offset, length);
    }

    @Override
    public void putBytes(int index, byte[] src, int offset, int length) {
        for (int i = 0; i < length; i++) {
            log(index + i, 1, src[offset + i] & 0xFF, "plain");
        }
        inner.putBytes(index, src, offset, length);
    }

    @Override
    public void setMemory(int index, int length, byte value) {
        for (int i = 0; i < length; i++) {
            log(index + i, 1, value & 0xFF, "plain");
        }
        inner.setMemory(index, length, value);
    }
}
