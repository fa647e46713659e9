package dev.vboost.conformance.javaimpl;

import dev.vboost.api.memory.SharedMemory;
import dev.vboost.chronicle.ChronicleSharedMemory;
import java.nio.file.Path;

/**
 * The Java implementation over the optional Chronicle Bytes backend: the region file mapped with
 * Chronicle's {@code MappedBytes}. Needs the Chronicle JVM flags (this module's surefire execution
 * "chronicle"), so it is not registered for {@link java.util.ServiceLoader}; it is named explicitly.
 */
public class ChronicleProvider extends VarHandleProvider {

    @Override
    public String name() {
        return "vboost-java (Chronicle backend)";
    }

    @Override
    public SharedMemory mapRegion(Path file, int size) {
        return ChronicleSharedMemory.mapFile(file, size);
    }
}
