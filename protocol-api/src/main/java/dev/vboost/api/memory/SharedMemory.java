package dev.vboost.api.memory;

/**
 * Ordered access to the bytes of a boost region, little-endian, in the JDK {@code VarHandle} vocabulary.
 *
 * <p>Pairing rule: a field published with {@code put*Release} is read with {@code get*Acquire}; plain
 * accesses are only correct inside a seqlock window or on memory nobody else writes. Index is a byte
 * offset from the start of the region. Atomic (non-plain) accesses require natural alignment:
 * implementations MUST reject a misaligned atomic access with {@link IllegalStateException} rather than
 * perform it, and reject an out-of-range index with {@link IndexOutOfBoundsException}.
 *
 * <p>Implementations must be safe for concurrent use by one writer per line and any number of readers.
 */
public interface SharedMemory {

    /** Size in bytes. */
    int capacity();

    byte getByte(int index);

    void putByte(int index, byte value);

    short getShort(int index);

    void putShort(int index, short value);

    int getInt(int index);

    void putInt(int index, int value);

    long getLong(int index);

    void putLong(int index, long value);

    int getIntOpaque(int index);

    void putIntOpaque(int index, int value);

    int getIntAcquire(int index);

    void putIntRelease(int index, int value);

    long getLongAcquire(int index);

    void putLongRelease(int index, long value);

    int getIntVolatile(int index);

    void putIntVolatile(int index, int value);

    long getLongVolatile(int index);

    void putLongVolatile(int index, long value);

    boolean compareAndSetInt(int index, int expected, int value);

    boolean compareAndSetLong(int index, long expected, long value);

    long getAndAddLong(int index, long delta);

    /** Plain copy of {@code length} bytes starting at {@code index} into {@code dst[offset..]}. */
    void getBytes(int index, byte[] dst, int offset, int length);

    /** Plain copy of {@code length} bytes from {@code src[offset..]} to {@code index}. */
    void putBytes(int index, byte[] src, int offset, int length);

    /** Plain fill of {@code length} bytes at {@code index} with {@code value}. */
    void setMemory(int index, int length, byte value);
}
