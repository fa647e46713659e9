package dev.vboost.chronicle;

import dev.vboost.api.memory.SharedMemory;
import dev.vboost.impl.contract.SharedMemoryContractTest;
import java.nio.file.Path;

/** protocol-impl's memory contract, unchanged, on the Chronicle native store and Chronicle-mapped files. */
class ChronicleNativeSharedMemoryContractTest extends SharedMemoryContractTest {
    @Override
    protected SharedMemory newMemory(int size) {
        return ChronicleSharedMemory.allocateNative(size);
    }

    @Override
    protected SharedMemory openMapped(Path file) {
        return ChronicleSharedMemory.openFile(file);
    }

    @Override
    protected void release(SharedMemory memory) {
        ((ChronicleSharedMemory) memory).close();
    }
}
