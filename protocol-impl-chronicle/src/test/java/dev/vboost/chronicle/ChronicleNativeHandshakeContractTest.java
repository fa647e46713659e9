package dev.vboost.chronicle;

import dev.vboost.api.memory.SharedMemory;
import dev.vboost.impl.contract.HandshakeContractTest;
import java.nio.file.Path;

/**
 * protocol-impl's handshake contract, unchanged, on the Chronicle native store: attach and its errors, requests and
 * acknowledgements, host boosts, restart, the threaded lock-step run, and the cross-process handshake (the
 * child JVM inherits this JVM's Chronicle flags).
 */
class ChronicleNativeHandshakeContractTest extends HandshakeContractTest {
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
