package dev.vboost.impl;

import dev.vboost.api.memory.SharedMemory;
import dev.vboost.impl.contract.HandshakeContractTest;
import dev.vboost.impl.memory.ByteBufferSharedMemory;
import dev.vboost.impl.memory.MappedRegionFile;
import java.nio.file.Path;

/** The handshake contract on the default backend (VarHandle over direct and mapped ByteBuffers). */
public class VarHandleHandshakeTest extends HandshakeContractTest {

    @Override
    protected SharedMemory newMemory(int size) {
        return ByteBufferSharedMemory.allocateDirect(size);
    }

    @Override
    protected SharedMemory openMapped(Path file) {
        return MappedRegionFile.open(file).memory();
    }
}
