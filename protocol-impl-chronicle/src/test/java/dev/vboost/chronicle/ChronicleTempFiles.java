package dev.vboost.chronicle;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Regions in Chronicle-mapped files for the mapped-file variants of the contract tests: each
 * {@code newMemory(size)} maps a fresh file (on tmpfs where the machine has {@code /dev/shm}, like the
 * default region location) and unlinks it at once; the mapping keeps the pages until {@code close()}.
 */
final class ChronicleTempFiles {
    private ChronicleTempFiles() {
    }

    static ChronicleSharedMemory mapFresh(int size) {
        Path dir = Paths.get("/dev/shm");
        try {
            Path file = Files.isDirectory(dir) && Files.isWritable(dir)
                    ? Files.createTempFile(dir, "vboost-chronicle-test-", ".region")
                    : Files.createTempFile("vboost-chronicle-test-", ".region");
            try {
                return ChronicleSharedMemory.mapFile(file, size);
            } finally {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
