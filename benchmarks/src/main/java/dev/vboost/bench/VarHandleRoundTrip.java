package dev.vboost.bench;

import dev.vboost.api.memory.SharedMemory;
import dev.vboost.impl.memory.ByteBufferSharedMemory;
import org.openjdk.jmh.annotations.Fork;

/** {@link RoundTripBenchmarks} on the default backend. */
@Fork(1)
public class VarHandleRoundTrip extends RoundTripBenchmarks {
    @Override
    protected SharedMemory newMemory(int size) {
        return ByteBufferSharedMemory.allocateDirect(size);
    }
}
