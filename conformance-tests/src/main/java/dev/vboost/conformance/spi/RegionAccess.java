package dev.vboost.conformance.spi;

import dev.vboost.api.memory.SharedMemory;
import java.nio.file.Path;

/**
 * A region the suite created: {@code file} holds {@code size} bytes and {@code memory} is a mapping of it.
 *
 * @param memory the mapping, wrapped by the suite; use it as given
 * @param file   the region file
 * @param size   the region's size in bytes
 */
public record RegionAccess(SharedMemory memory, Path file, long size) {
}
