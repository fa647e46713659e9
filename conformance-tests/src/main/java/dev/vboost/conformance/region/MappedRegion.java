package dev.vboost.conformance.region;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A region file the runner creates and maps {@code MAP_SHARED}; the testee maps the same file, so both
 * processes work on the same physical pages (testee protocol §1).
 */
public final class MappedRegion implements AutoCloseable {
    private final Path file;
    private final int size;
    private final BufferMemory memory;

    private MappedRegion(Path file, int size, MappedByteBuffer buffer) {
        this.file = file;
        this.size = size;
        this.memory = new BufferMemory(buffer);
    }

    /** Creates {@code file} with {@code size} zero bytes, or with {@code initial} when given, and maps it. */
    public static MappedRegion create(Path file, int size, byte @org.checkerframework.checker.nullness.qual.Nullable [] initial) {
        try {
            Files.write(file, initial != null ? initial : new byte[size]);
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                MappedByteBuffer buf = ch.map(FileChannel.MapMode.READ_WRITE, 0, size);
                return new MappedRegion(file, size, buf);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create region file " + file, e);
        }
    }

    public Path file() {
        return file;
    }

    public int size() {
        return size;
    }

    public BufferMemory memory() {
        return memory;
    }

    /** A copy of every byte, read plainly (for diffs and hex dumps of a quiescent region). */
    public byte[] snapshot() {
        byte[] copy = new byte[size];
        ByteBuffer b = memory.buffer();
        b.get(0, copy, 0, size);
        return copy;
    }

    /** The file is deleted; the mapping goes away with the buffer (the JDK has no unmap). */
    @Override
    public void close() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // a leftover file in the run's temp directory is harmless
        }
    }
}
