package dev.vboost.impl.memory;

import dev.vboost.api.memory.SharedMemory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;

/**
 * A boost region in a memory-mapped file, shared by every process that maps it (spec §3.1). The default place
 * is a tmpfs file ({@link #defaultDirectory()}), so the bytes never touch a disk.
 *
 * <p><b>Lifetime:</b> JDK 17 cannot unmap a {@link MappedByteBuffer} deterministically: {@link #close()} only
 * forgets the mapping, which the JVM releases once it is unreachable. Keep one long-lived instance per region
 * per process. <b>Threading:</b> the memory follows {@link SharedMemory}'s rules.
 */
public final class MappedRegionFile implements AutoCloseable {
    private final Path path;
    private final MappedByteBuffer buffer;
    private final SharedMemory memory;
    private volatile boolean closed;

    private MappedRegionFile(Path path, MappedByteBuffer buffer) {
        this.path = path;
        this.buffer = buffer;
        this.memory = ByteBufferSharedMemory.wrap(buffer);
    }

    /**
     * Creates {@code file} (or truncates it), sizes it to {@code size} zero bytes and maps it read-write.
     *
     * @param file the region file
     * @param size its size in bytes
     * @return the mapping
     * @throws java.io.UncheckedIOException if the file cannot be created or mapped
     */
    public static MappedRegionFile create(Path file, long size) {
        checkSize(file, size);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            // READ_WRITE mapping beyond the end extends the (just emptied) file with zeros
            return new MappedRegionFile(file, ch.map(FileChannel.MapMode.READ_WRITE, 0, size));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create region file " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Creates the region file {@code fileName} in {@link #defaultDirectory()} (tmpfs where there is one), as
     * {@link #create(Path, long)}.
     *
     * @throws IllegalArgumentException if {@code fileName} is not a plain file name
     * @param fileName a plain file name
     * @param size the region's size in bytes
     * @return the mapping
     */
    public static MappedRegionFile createInDefaultDirectory(String fileName, long size) {
        Path name = Paths.get(fileName);
        if (fileName.isEmpty() || name.getNameCount() != 1 || name.isAbsolute() || fileName.equals("..")
                || fileName.equals(".")) {
            throw new IllegalArgumentException("region file name must be a plain file name, not '" + fileName + "'");
        }
        return create(defaultDirectory().resolve(name), size);
    }

    /**
     * Maps the whole of an existing region file read-write (a guest attaching, or a host restarting).
     *
     * @param file an existing region file
     * @return the mapping
     * @throws java.io.UncheckedIOException if the file cannot be opened or mapped
     */
    public static MappedRegionFile open(Path file) {
        return open(file, FileChannel.MapMode.READ_WRITE);
    }

    /**
     * Maps an existing region file read-only, for inspection: every store to its memory throws
     * {@link java.nio.ReadOnlyBufferException}.
     *
     * @param file an existing region file
     * @return the read-only mapping
     * @throws java.io.UncheckedIOException if the file cannot be opened or mapped
     */
    public static MappedRegionFile openReadOnly(Path file) {
        return open(file, FileChannel.MapMode.READ_ONLY);
    }

    private static MappedRegionFile open(Path file, FileChannel.MapMode mode) {
        boolean write = mode == FileChannel.MapMode.READ_WRITE;
        try (FileChannel ch = write
                ? FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)
                : FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            checkSize(file, size);
            return new MappedRegionFile(file, ch.map(mode, 0, size));
        } catch (java.nio.file.NoSuchFileException e) {
            throw new UncheckedIOException("region file " + file + " does not exist", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open region file " + file + ": " + e.getMessage(), e);
        }
    }

    private static void checkSize(Path file, long size) {
        if (size <= 0 || size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("region file " + file + ": size " + size + " outside 1.." + Integer.MAX_VALUE);
        }
    }

    /**
     * Where region files go by default: {@code /dev/shm} (tmpfs) when it exists and is writable, else
     * {@code java.io.tmpdir}.
     *
     * @return the directory
     */
    public static Path defaultDirectory() {
        Path shm = Paths.get("/dev/shm");
        if (Files.isDirectory(shm) && Files.isWritable(shm)) {
            return shm;
        }
        return Paths.get(System.getProperty("java.io.tmpdir"));
    }

    /**
     * The mapped bytes.
     *
     * @return the memory
     * @throws IllegalStateException after {@link #close()}
     */
    public SharedMemory memory() {
        if (closed) {
            throw new IllegalStateException("region file " + path + " is closed");
        }
        return memory;
    }

    /**
     * The region file.
     *
     * @return its path
     */
    public Path path() {
        return path;
    }

    /**
     * Size of the mapping.
     *
     * @return bytes mapped
     */
    public long size() {
        return buffer.capacity();
    }

    /** Writes the mapped bytes through to the file (msync); not needed for sharing, only for durability. */
    public void force() {
        if (!buffer.isReadOnly()) {
            buffer.force();
        }
    }

    /** Forgets the mapping; the file stays. See the class comment on unmapping. */
    @Override
    public void close() {
        closed = true;
    }

    @Override
    public String toString() {
        return "MappedRegionFile[" + path + ", " + buffer.capacity() + " bytes]";
    }
}
