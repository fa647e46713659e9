package dev.vboost.agent.actuator;

import java.util.ArrayList;
import java.util.List;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.checkerframework.checker.signedness.qual.UnknownSignedness;

/**
 * Values keyed by a Linux thread id, by open addressing on an {@code int} array: a lookup boxes nothing, so the
 * per-request path (a thread's lease, its kept file) allocates nothing. Not thread-safe: the owner guards it.
 *
 * @param <V> the value type
 */
public final class TidTable<V> {
    private int[] keys = new int[16];
    private @Nullable @UnknownSignedness Object[] values = new Object[16];
    private int size;

    /** An empty table. */
    public TidTable() {
    }

    /**
     * The value kept for {@code tid}.
     *
     * @param tid a thread id
     * @return its value, or null (always for an id that is not positive)
     */
    @SuppressWarnings("unchecked")
    public @Nullable V get(int tid) {
        if (tid <= 0) {
            return null; // 0 marks a free place
        }
        int i = slot(tid);
        return keys[i] == tid ? (V) values[i] : null;
    }

    /**
     * Keeps {@code value} for {@code tid}, replacing what was kept.
     *
     * @param tid   a thread id, positive
     * @param value the value
     * @return the value it replaced, or null
     */
    @SuppressWarnings("unchecked")
    public @Nullable V put(int tid, V value) {
        if (tid <= 0) {
            throw new IllegalArgumentException("thread id must be positive, got " + tid);
        }
        int i = slot(tid);
        if (keys[i] == tid) {
            V old = (V) values[i];
            values[i] = value;
            return old;
        }
        if ((size + 1) * 2 > keys.length) {
            grow();
            i = slot(tid);
        }
        keys[i] = tid;
        values[i] = value;
        size++;
        return null;
    }

    /**
     * Forgets {@code tid}.
     *
     * @param tid a thread id
     * @return the value it had, or null
     */
    @SuppressWarnings("unchecked")
    public @Nullable V remove(int tid) {
        if (tid <= 0) {
            return null;
        }
        int i = slot(tid);
        if (keys[i] != tid) {
            return null;
        }
        V old = (V) values[i];
        keys[i] = 0;
        values[i] = null;
        size--;
        // move the rest of the cluster back so a lookup never stops at the hole
        int mask = keys.length - 1;
        for (int j = (i + 1) & mask; keys[j] != 0; j = (j + 1) & mask) {
            int k = keys[j];
            @UnknownSignedness Object v = values[j];
            keys[j] = 0;
            values[j] = null;
            int to = slot(k);
            keys[to] = k;
            values[to] = v;
        }
        return old;
    }

    /**
     * Number of thread ids kept.
     *
     * @return the size
     */
    public int size() {
        return size;
    }

    /**
     * A copy of the values, in no particular order (allocates: not for a hot path).
     *
     * @return the values
     */
    @SuppressWarnings("unchecked")
    public List<V> values() {
        List<V> out = new ArrayList<>(size);
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != 0) {
                out.add((V) values[i]);
            }
        }
        return out;
    }

    /** Where {@code tid} is, or the free place where it would go (0 is never a key). */
    private int slot(int tid) {
        int mask = keys.length - 1;
        int h = tid * 0x9E3779B9;
        int i = (h ^ (h >> 16)) & mask;
        while (keys[i] != 0 && keys[i] != tid) {
            i = (i + 1) & mask;
        }
        return i;
    }

    private void grow() {
        int[] oldKeys = keys;
        @Nullable @UnknownSignedness Object[] oldValues = values;
        keys = new int[oldKeys.length * 2];
        values = new Object[oldKeys.length * 2];
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != 0) {
                int to = slot(oldKeys[i]);
                keys[to] = oldKeys[i];
                values[to] = oldValues[i];
            }
        }
    }
}
