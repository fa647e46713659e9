package dev.vboost.chronicle;

import dev.vboost.api.memory.SharedMemory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import net.openhft.chronicle.bytes.BytesStore;
import net.openhft.chronicle.bytes.MappedBytes;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * {@link SharedMemory} over Chronicle Bytes: a native store, a memory-mapped file ({@code MappedBytes}) or a
 * view of a direct {@link ByteBuffer}. An optional second backend beside the JDK {@code VarHandle} one; it
 * needs the JVM flags listed in this module's README in every JVM that loads it.
 *
 * <p>Chronicle checks neither bounds nor alignment on its offset-addressed store, so this class checks both
 * itself before every access: an index outside the region throws {@link IndexOutOfBoundsException}, a
 * misaligned atomic (non-plain) access throws {@link IllegalStateException}, as the VarHandle backend does.
 *
 * <p>How each access mode maps onto Chronicle (all of it ends in {@code sun.misc.Unsafe}), and why the mapping
 * is at least as strong as the {@code VarHandle} mode the interface names:
 * <ul>
 *   <li>plain get/put: {@code readInt}/{@code writeInt} ({@code Unsafe.getInt}/{@code putInt}), plain, equal.</li>
 *   <li>{@code putIntRelease}: {@code writeOrderedInt} = {@code Unsafe.putOrderedInt}, which the JDK
 *       implements as {@code putIntRelease}: equal.</li>
 *   <li>{@code putIntOpaque}: also {@code writeOrderedInt}; release is stronger than opaque.</li>
 *   <li>{@code getIntAcquire}/{@code getIntOpaque}: {@code readVolatileInt} = {@code Unsafe.getIntVolatile};
 *       a volatile read is stronger than acquire and opaque. (Chronicle may read a zero int twice; both reads
 *       are volatile, so the later value is returned and nothing weakens.)</li>
 * </ul>
 * Fences ({@code VarHandle.storeStoreFence}, {@code acquireFence}) used by the seqlock code above this layer
 * are JVM-wide and order these Unsafe accesses like any other.
 *
 * <p>Chronicle stores use the platform byte order; the region is little-endian, so this backend refuses to
 * start on a big-endian platform. {@link #close()} frees the memory (or unmaps the file): call it only after
 * every thread that uses this object has stopped; accesses after it throw {@link IllegalStateException}.
 */
public final class ChronicleSharedMemory implements SharedMemory, AutoCloseable {

    /** Base offsets are aligned to this, so relative alignment checks are absolute ones too. */
    private static final int BASE_ALIGNMENT = 64;

    private final BytesStore<?, ?> store;
    private final @Nullable MappedBytes mapping;
    /** Offset of index 0 inside {@link #store}. */
    private final long base;
    private final int capacity;
    /** {@link #capacity} while open, 0 once closed: every access then fails its bounds check. */
    private int limit;
    private boolean closed;

    private ChronicleSharedMemory(BytesStore<?, ?> store, @Nullable MappedBytes mapping, long base, int capacity) {
        this.store = store;
        this.mapping = mapping;
        this.base = base;
        this.capacity = capacity;
        this.limit = capacity;
    }

    /**
     * A zeroed region of {@code size} bytes in native memory, its index 0 aligned to 64 bytes so that host and
     * guest lines fall on separate cache lines.
     *
     * @param size bytes, &gt; 0
     * @return the new memory; {@link #close()} frees it
     */
    public static ChronicleSharedMemory allocateNative(int size) {
        requireLittleEndian();
        requirePositive(size);
        BytesStore<?, ?> store = BytesStore.nativeStoreWithFixedCapacity((long) size + BASE_ALIGNMENT);
        try {
            long address = store.addressForRead(0);
            long base = (BASE_ALIGNMENT - (address & (BASE_ALIGNMENT - 1))) & (BASE_ALIGNMENT - 1);
            store.zeroOut(0, (long) size + BASE_ALIGNMENT);
            return new ChronicleSharedMemory(store, null, base, size);
        } catch (RuntimeException e) {
            store.releaseLast();
            throw e;
        }
    }

    /**
     * Maps {@code size} bytes of {@code file} with Chronicle's {@code MappedBytes}, creating the file or
     * growing it to {@code size} if needed. Another process mapping the same file (with either backend)
     * shares the memory.
     *
     * @param file the region file
     * @param size bytes to map
     * @return the mapping; {@link #close()} unmaps it
     */
    public static ChronicleSharedMemory mapFile(Path file, int size) {
        requireLittleEndian();
        requirePositive(size);
        MappedBytes mapped;
        try {
            mapped = MappedBytes.singleMappedBytes(file.toFile(), size);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot map " + file, e);
        }
        try {
            BytesStore<?, ?> store = mapped.bytesStore();
            if (store == null) {
                throw new IllegalStateException("Chronicle returned no store for " + file);
            }
            long start = store.start();
            requireAligned(store.addressForRead(start), file.toString());
            return new ChronicleSharedMemory(store, mapped, start, size);
        } catch (RuntimeException e) {
            mapped.releaseLast();
            throw e;
        }
    }

    /**
     * Maps an existing file over its whole length (at most 2 GiB - 1).
     *
     * @param file an existing region file
     * @return the mapping; {@link #close()} unmaps it
     */
    public static ChronicleSharedMemory openFile(Path file) {
        long length;
        try {
            length = Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open " + file, e);
        }
        if (length <= 0 || length > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(file + " has length " + length + ", expected 1.." + Integer.MAX_VALUE);
        }
        return mapFile(file, (int) length);
    }

    /**
     * A view of a direct buffer's memory (from its position 0 to its capacity): the same bytes the VarHandle
     * backend sees through the buffer. The buffer must stay reachable while this view is used; closing the
     * view does not free it.
     *
     * @param direct a direct buffer whose address is 8-byte aligned
     * @return the view
     * @throws IllegalArgumentException if the buffer is not direct or not aligned
     */
    public static ChronicleSharedMemory wrap(ByteBuffer direct) {
        requireLittleEndian();
        if (!direct.isDirect()) {
            throw new IllegalArgumentException("buffer must be direct");
        }
        if (direct.isReadOnly()) {
            throw new IllegalArgumentException("buffer must be writable");
        }
        requirePositive(direct.capacity());
        ByteBuffer whole = direct.duplicate().clear();
        BytesStore<?, ByteBuffer> store = BytesStore.wrap(whole);
        long start = store.start();
        requireAligned(store.addressForRead(start), "buffer");
        return new ChronicleSharedMemory(store, null, start, whole.capacity());
    }

    private static void requireLittleEndian() {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            throw new UnsupportedOperationException(
                    "Chronicle stores use the platform byte order; the region is little-endian and this platform is not");
        }
    }

    private static void requirePositive(int size) {
        if (size <= 0) {
            throw new IllegalArgumentException("size " + size + " must be positive");
        }
    }

    private static void requireAligned(long address, String what) {
        if ((address & 7) != 0) {
            throw new IllegalArgumentException(what + " starts at an address not aligned to 8 bytes: 0x"
                    + Long.toHexString(address));
        }
    }

    @Override
    public int capacity() {
        return capacity;
    }

    /** Byte offset of index {@code index} in the store, after checking that {@code size} bytes fit. */
    private long at(int index, int size) {
        if (index < 0 || index > limit - size) {
            throw outOfBounds(index, size);
        }
        return base + index;
    }

    /** As {@link #at}, and also requires natural alignment, for atomic accesses. */
    private long atomicAt(int index, int size) {
        long offset = at(index, size);
        if ((index & (size - 1)) != 0) {
            throw new IllegalStateException("Misaligned access at index: " + index + " (atomic access of "
                    + size + " bytes needs " + size + "-byte alignment)");
        }
        return offset;
    }

    private RuntimeException outOfBounds(int index, int size) {
        if (closed) {
            return new IllegalStateException("shared memory is closed");
        }
        return new IndexOutOfBoundsException("index " + index + " + " + size + " bytes outside 0.." + capacity);
    }

    private void checkRange(int index, int length, int arrayLength, int arrayOffset) {
        if (length < 0 || arrayOffset < 0 || arrayOffset > arrayLength - length) {
            throw new IndexOutOfBoundsException("array range " + arrayOffset + "+" + length + " outside 0.." + arrayLength);
        }
        if (index < 0 || index > limit - length) {
            throw outOfBounds(index, length);
        }
    }

    @Override
    public byte getByte(int index) {
        return store.readByte(at(index, Byte.BYTES));
    }

    @Override
    public void putByte(int index, byte value) {
        store.writeByte(at(index, Byte.BYTES), value);
    }

    @Override
    public short getShort(int index) {
        return store.readShort(at(index, Short.BYTES));
    }

    @Override
    public void putShort(int index, short value) {
        store.writeShort(at(index, Short.BYTES), value);
    }

    @Override
    public int getInt(int index) {
        return store.readInt(at(index, Integer.BYTES));
    }

    @Override
    public void putInt(int index, int value) {
        store.writeInt(at(index, Integer.BYTES), value);
    }

    @Override
    public long getLong(int index) {
        return store.readLong(at(index, Long.BYTES));
    }

    @Override
    public void putLong(int index, long value) {
        store.writeLong(at(index, Long.BYTES), value);
    }

    @Override
    public int getIntOpaque(int index) {
        // volatile read: stronger than opaque
        return store.readVolatileInt(atomicAt(index, Integer.BYTES));
    }

    @Override
    public void putIntOpaque(int index, int value) {
        // ordered (release) store: stronger than opaque
        store.writeOrderedInt(atomicAt(index, Integer.BYTES), value);
    }

    @Override
    public int getIntAcquire(int index) {
        // volatile read: stronger than acquire
        return store.readVolatileInt(atomicAt(index, Integer.BYTES));
    }

    @Override
    public void putIntRelease(int index, int value) {
        // Unsafe.putOrderedInt is putIntRelease
        store.writeOrderedInt(atomicAt(index, Integer.BYTES), value);
    }

    @Override
    public void getBytes(int index, byte[] dst, int offset, int length) {
        checkRange(index, length, dst.length, offset);
        long from = base + index;
        for (int i = 0; i < length; i++) {
            dst[offset + i] = store.readByte(from + i);
        }
    }

    @Override
    public void putBytes(int index, byte[] src, int offset, int length) {
        checkRange(index, length, src.length, offset);
        long to = base + index;
        for (int i = 0; i < length; i++) {
            store.writeByte(to + i, src[offset + i]);
        }
    }

    @Override
    public void setMemory(int index, int length, byte value) {
        checkRange(index, length, Integer.MAX_VALUE, 0);
        long to = base + index;
        for (int i = 0; i < length; i++) {
            store.writeByte(to + i, value);
        }
    }

    /**
     * True for a region backed by a mapped file.
     *
     * @return true if this memory maps a file
     */
    public boolean isMapped() {
        return mapping != null;
    }

    /** The native address of index 0, for the tests that check the factories' alignment. */
    long addressOfIndexZero() {
        return store.addressForRead(base);
    }

    /**
     * Frees the native memory or unmaps the file (a wrapped buffer's memory stays with the buffer).
     * Idempotent. Call only once no thread uses this object any more.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        limit = 0;
        MappedBytes m = mapping;
        if (m != null) {
            m.releaseLast();
        } else if (!(store.underlyingObject() instanceof ByteBuffer)) {
            store.releaseLast();
        }
    }

    @Override
    public String toString() {
        return "ChronicleSharedMemory{" + (mapping != null ? "mapped" : "native") + ", capacity=" + capacity
                + (closed ? ", closed" : "") + "}";
    }
}
