package dev.vboost.api.memory;

/**
 * Ordered access to the bytes of a boost region, little-endian, in the JDK {@code VarHandle} vocabulary.
 *
 * <p>The set is what the protocol needs and no more: plain accesses for the fields a seqlock protects, and
 * 32-bit opaque, acquire and release accesses for the seqlock counters, the doorbell and the header words.
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

    /**
     * Size of the region.
     *
     * @return the number of bytes; valid indices are {@code 0 .. capacity() - 1}
     */
    int capacity();

    /**
     * Plain read of one byte.
     *
     * @param index byte offset
     * @return the byte at {@code index}
     */
    byte getByte(int index);

    /**
     * Plain write of one byte.
     *
     * @param index byte offset
     * @param value the byte to store
     */
    void putByte(int index, byte value);

    /**
     * Plain read of a little-endian 16-bit value; need not be aligned.
     *
     * @param index byte offset of the first byte
     * @return the value
     */
    short getShort(int index);

    /**
     * Plain write of a little-endian 16-bit value; need not be aligned.
     *
     * @param index byte offset of the first byte
     * @param value the value to store
     */
    void putShort(int index, short value);

    /**
     * Plain read of a little-endian 32-bit value; need not be aligned.
     *
     * @param index byte offset of the first byte
     * @return the value
     */
    int getInt(int index);

    /**
     * Plain write of a little-endian 32-bit value; need not be aligned.
     *
     * @param index byte offset of the first byte
     * @param value the value to store
     */
    void putInt(int index, int value);

    /**
     * Plain read of a little-endian 64-bit value; need not be aligned.
     *
     * @param index byte offset of the first byte
     * @return the value
     */
    long getLong(int index);

    /**
     * Plain write of a little-endian 64-bit value; need not be aligned.
     *
     * @param index byte offset of the first byte
     * @param value the value to store
     */
    void putLong(int index, long value);

    /**
     * Opaque read of an aligned 32-bit value: atomic and coherent, no ordering with other accesses.
     *
     * @param index byte offset, a multiple of 4
     * @return the value
     */
    int getIntOpaque(int index);

    /**
     * Opaque write of an aligned 32-bit value: atomic and coherent, no ordering with other accesses.
     *
     * @param index byte offset, a multiple of 4
     * @param value the value to store
     */
    void putIntOpaque(int index, int value);

    /**
     * Acquire read of an aligned 32-bit value: later accesses of this thread are not reordered before it.
     * Pairs with {@link #putIntRelease}.
     *
     * @param index byte offset, a multiple of 4
     * @return the value
     */
    int getIntAcquire(int index);

    /**
     * Release write of an aligned 32-bit value: earlier accesses of this thread are not reordered after it.
     * Pairs with {@link #getIntAcquire}.
     *
     * @param index byte offset, a multiple of 4
     * @param value the value to store
     */
    void putIntRelease(int index, int value);

    /**
     * Plain copy out of the region.
     *
     * @param index byte offset of the first byte to copy
     * @param dst the array to copy into
     * @param offset first index in {@code dst} written
     * @param length number of bytes
     */
    void getBytes(int index, byte[] dst, int offset, int length);

    /**
     * Plain copy into the region.
     *
     * @param index byte offset of the first byte written
     * @param src the array to copy from
     * @param offset first index in {@code src} read
     * @param length number of bytes
     */
    void putBytes(int index, byte[] src, int offset, int length);

    /**
     * Plain fill.
     *
     * @param index byte offset of the first byte written
     * @param length number of bytes
     * @param value the byte stored in each
     */
    void setMemory(int index, int length, byte value);
}
