package dev.vboost.impl.memory;

import dev.vboost.api.memory.SharedMemory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import org.checkerframework.checker.nullness.qual.Nullable;

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
    private final Object fileKey;
    private final boolean reused;
    /** Held by a host's mapping (create, createOrReuse) for its lifetime: the lock lives with it. */
    private final @Nullable FileChannel channel;
    private final @Nullable FileLock lock;
    private volatile boolean closed;

    private MappedRegionFile(Path path, MappedByteBuffer buffer, Object fileKey, boolean reused,
            @Nullable FileChannel channel, @Nullable FileLock lock) {
        this.path = path;
        this.buffer = buffer;
        this.memory = ByteBufferSharedMemory.wrap(buffer);
        this.fileKey = fileKey;
        this.reused = reused;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Creates {@code file} (or empties one this user owns), sizes it to {@code size} zero bytes, maps it
     * read-write and locks it, with mode {@code 0600}: {@link #create(Path, long, FileAccess)} with
     * {@link FileAccess#OWNER_ONLY}.
     *
     * @param file the region file
     * @param size its size in bytes
     * @return the mapping
     * @throws java.io.UncheckedIOException if the file cannot be created or mapped
     */
    public static MappedRegionFile create(Path file, long size) {
        return create(file, size, FileAccess.OWNER_ONLY);
    }

    /**
     * Creates {@code file} as a host does: safely ({@link SecureFiles#openOrCreate}: no link followed, no FIFO
     * or foreign file adopted), with {@code access}'s owner, group and mode, emptied and sized to {@code size}
     * zero bytes, mapped read-write, and locked exclusively for the life of the mapping so a second host on the
     * same file refuses.
     *
     * @param file   the region file; its directory must pass {@link SecureFiles#checkDirectory}
     * @param size   region size in bytes
     * @param access owner, group and mode of the file
     * @return the mapped, locked region; closing it unmaps and unlocks
     * @throws UncheckedIOException naming the file and the reason when it is refused or locked
     */
    public static MappedRegionFile create(Path file, long size, FileAccess access) {
        return host(file, size, access, false);
    }

    /**
     * As {@link #create(Path, long, FileAccess)}, except that an existing region file of exactly {@code size}
     * bytes is kept as it is (same inode, contents untouched) so guests that still map it see the host that
     * re-initialises it: what a restarting host does. {@link #reused()} tells which happened.
     *
     * @param file   the region file
     * @param size   region size in bytes; an existing file of another size is emptied and resized
     * @param access owner, group and mode of the file
     * @return the mapped, locked region
     * @throws UncheckedIOException naming the file and the reason when it is refused or locked
     */
    public static MappedRegionFile createOrReuse(Path file, long size, FileAccess access) {
        return host(file, size, access, true);
    }

    private static MappedRegionFile host(Path file, long size, FileAccess access, boolean reuse) {
        checkSize(file, size);
        SecureFiles.Opened opened;
        try {
            opened = SecureFiles.openOrCreate(file, access);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create region file " + file + ": " + e.getMessage(), e);
        }
        FileChannel ch = opened.channel();
        try {
            FileLock lock = SecureFiles.lockExclusively(ch, file, "region file");
            boolean keep = reuse && !opened.created() && ch.size() == size;
            if (!keep) {
                ch.truncate(0); // READ_WRITE mapping beyond the end extends the emptied file with zeros
            }
            return new MappedRegionFile(file, ch.map(FileChannel.MapMode.READ_WRITE, 0, size), opened.fileKey(), keep,
                    ch, lock);
        } catch (IOException e) {
            closeQuietly(ch);
            throw new UncheckedIOException("cannot create region file " + file + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(ch);
            throw e;
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
     * Maps the whole of an existing region file read-write (a guest attaching). Never through a symbolic link
     * and never anything but a regular file; no lock is taken.
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
        try {
            // checked before opening: a read-only open of a FIFO would block
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                    throw new NoSuchFileException(file.toString());
                }
                throw new IOException("not a regular file (a symbolic link, FIFO or device is never opened)");
            }
            try (FileChannel ch = write
                    ? FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)
                    : FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
                Object key = SecureFiles.identity(file);
                long size = ch.size();
                checkSize(file, size);
                return new MappedRegionFile(file, ch.map(mode, 0, size), key, true, null, null);
            }
        } catch (NoSuchFileException e) {
            throw new UncheckedIOException("region file " + file + " does not exist", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open region file " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * True while the path still names the mapped file: false once it was unlinked, renamed away or replaced by
     * another file (guests attaching by the path would then map something else). One {@code lstat}, no
     * allocation beyond it; cheap enough to call between agent iterations, say once a second.
     *
     * @return whether the path still names the mapped file
     */
    public boolean stillLinked() {
        return SecureFiles.stillNames(path, fileKey);
    }

    /**
     * Whether an existing file was kept.
     *
     * @return true if {@link #createOrReuse} kept an existing file (and for {@link #open}); false if it made a
     *         new one
     */
    public boolean reused() {
        return reused;
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException e) {
            // already failing
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

    /** Forgets the mapping and releases the host's lock; the file stays. See the class comment on unmapping. */
    @Override
    public void close() {
        closed = true;
        FileChannel ch = channel;
        if (ch != null) {
            try {
                if (lock != null) {
                    lock.release();
                }
                ch.close();
            } catch (IOException e) {
                // the lock goes with the channel anyway
            }
        }
    }

    @Override
    public String toString() {
        return "MappedRegionFile[" + path + ", " + buffer.capacity() + " bytes]";
    }
}
