package dev.vboost.conformance.spi;

import dev.vboost.api.memory.SharedMemory;
import java.nio.file.Path;

/**
 * A region the suite created: {@code file} holds {@code size} bytes and {@code memory} is a mapping of it.
 */
public record RegionAccess(SharedMemory memory, Path file, long size) {
}
