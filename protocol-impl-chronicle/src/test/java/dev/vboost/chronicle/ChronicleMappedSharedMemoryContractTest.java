package dev.vboost.chronicle;

import dev.vboost.api.memory.SharedMemory;
import dev.vboost.impl.contract.SharedMemoryContractTest;
import java.nio.file.Path;

/**
 * protocol-impl's memory contract, unchanged, with every region in a Chronicle-mapped file
 * ({@code MappedBytes}) instead of the native store; {@link ChronicleNativeSharedMemoryContractTest} covers the
 * native store.
 */
class ChronicleMappedSharedMemoryContractTest extends SharedMemoryContractTest {
    @Override
    protected SharedMemory newMemory(int size) {
        return ChronicleTempFiles.mapFresh(size);
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
