package dev.vboost.impl.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vboost.api.memory.SharedMemory;
import java.io.UncheckedIOException;
import java.nio.ReadOnlyBufferException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MappedRegionFileTest {

    @Test
    void createSizesAndZeroesTheFileAndOpenSharesIt(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("r.region");
        Files.write(file, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9});
        try (MappedRegionFile created = MappedRegionFile.create(file, 8192);
             MappedRegionFile opened = MappedRegionFile.open(file)) {
            assertEquals(8192, Files.size(file));
            assertEquals(8192, opened.memory().capacity());
            assertEquals(0L, created.memory().getLong(0), "create truncates old content");
            created.memory().putIntRelease(8188, 77);
            assertEquals(77, opened.memory().getIntAcquire(8188));
            assertEquals(file, opened.path());
            created.force();
        }
    }

    @Test
    void readOnlyMappingRefusesStores(@TempDir Path dir) {
        Path file = dir.resolve("ro.region");
        try (MappedRegionFile created = MappedRegionFile.create(file, 4096)) {
            created.memory().putInt(0, 9);
        }
        try (MappedRegionFile ro = MappedRegionFile.openReadOnly(file)) {
            SharedMemory m = ro.memory();
            assertEquals(9, m.getIntAcquire(0));
            assertThrows(ReadOnlyBufferException.class, () -> m.putInt(0, 1));
            assertThrows(ReadOnlyBufferException.class, () -> m.putIntRelease(0, 1));
        }
    }

    @Test
    void clearErrorsForMissingEmptyAndClosed(@TempDir Path dir) throws Exception {
        UncheckedIOException missing = assertThrows(UncheckedIOException.class,
                () -> MappedRegionFile.open(dir.resolve("nope")));
        assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());
        Path empty = Files.createFile(dir.resolve("empty"));
        assertThrows(IllegalArgumentException.class, () -> MappedRegionFile.open(empty));
        assertThrows(IllegalArgumentException.class, () -> MappedRegionFile.create(dir.resolve("x"), 0));
        MappedRegionFile f = MappedRegionFile.create(dir.resolve("c"), 4096);
        f.close();
        assertThrows(IllegalStateException.class, f::memory);
    }

    @Test
    void defaultDirectoryIsTmpfsWhenThereIsOne() {
        Path d = MappedRegionFile.defaultDirectory();
        assertTrue(Files.isDirectory(d) && Files.isWritable(d), d.toString());
        if (Files.isDirectory(Path.of("/dev/shm")) && Files.isWritable(Path.of("/dev/shm"))) {
            assertEquals(Path.of("/dev/shm"), d);
        }
    }
}
