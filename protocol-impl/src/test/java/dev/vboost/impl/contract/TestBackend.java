package dev.vboost.impl.contract;

import dev.vboost.api.memory.SharedMemory;
import dev.vboost.impl.memory.ByteBufferSharedMemory;

/**
 * Where a backend-neutral test gets its memory. protocol-impl's tests use {@link #DIRECT_BUFFER}; a second
 * backend runs the same test classes by subclassing them and overriding {@link BackendTest#backend()}.
 */
public interface TestBackend {
    /** The default backend: {@code VarHandle} over a direct {@code ByteBuffer}. */
    TestBackend DIRECT_BUFFER = ByteBufferSharedMemory::allocateDirect;

    /** Fresh, zeroed memory of {@code size} bytes whose start is at least 8-byte aligned. */
    SharedMemory allocate(int size);

    /** Gives back memory from {@link #allocate}; default: nothing to do (the garbage collector frees it). */
    default void release(SharedMemory memory) {
    }
}
