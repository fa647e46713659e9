package dev.vboost.bench;

import dev.vboost.api.memory.SharedMemory;
import dev.vboost.chronicle.ChronicleSharedMemory;
import org.openjdk.jmh.annotations.Fork;

/** {@link ProtocolBenchmarks} on the Chronicle Bytes native store; only these forks get Chronicle's flags. */
@Fork(value = 1, jvmArgsAppend = {ChronicleFlags.EXPORT_NIO, ChronicleFlags.OPEN_REFLECT, ChronicleFlags.EXPORT_REF,
        ChronicleFlags.NO_ANALYTICS, ChronicleFlags.NATIVE_ACCESS, ChronicleFlags.UNSAFE_ALLOW})
public class ChronicleProtocol extends ProtocolBenchmarks {
    @Override
    protected SharedMemory newMemory(int size) {
        return ChronicleSharedMemory.allocateNative(size);
    }

    @Override
    protected void release(SharedMemory m) {
        ((ChronicleSharedMemory) m).close();
    }
}
