package dev.vboost.bench;

import dev.vboost.api.memory.SharedMemory;
import dev.vboost.impl.memory.ByteBufferSharedMemory;
import org.openjdk.jmh.annotations.Fork;

/** {@link ProtocolBenchmarks} on the default backend: VarHandles over a direct buffer, no JVM flags. */
@Fork(1)
public class VarHandleProtocol extends ProtocolBenchmarks {
    @Override
    protected SharedMemory newMemory(int size) {
        return ByteBufferSharedMemory.allocateDirect(size);
    }
}
