package dev.vboost.chronicle;

import dev.vboost.api.memory.SharedMemory;
import dev.vboost.impl.contract.TestBackend;

/** protocol-impl's backend-neutral tests on Chronicle's native store; each memory is closed after its test. */
final class ChronicleTestBackend implements TestBackend {
    static final ChronicleTestBackend NATIVE = new ChronicleTestBackend();

    private ChronicleTestBackend() {
    }

    @Override
    public SharedMemory allocate(int size) {
        return ChronicleSharedMemory.allocateNative(size);
    }

    @Override
    public void release(SharedMemory memory) {
        ((ChronicleSharedMemory) memory).close();
    }
}
