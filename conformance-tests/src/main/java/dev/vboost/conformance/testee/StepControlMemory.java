package dev.vboost.conformance.testee;

import dev.vboost.api.layout.RegionLayout;
import dev.vboost.api.memory.SharedMemory;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The testee protocol's step control (spec/testee-protocol.md §5.5) for a JVM implementation that the testee
 * cannot change: a {@link SharedMemory} between the implementation and its mapping that watches the
 * implementation's own accesses to one line.
 *
 * <ul>
 *   <li>{@link #stopAfter}: the implementation's stores to the line reach memory up to and including W1 (its first
 *       store of an odd value to the counter) or W2 (every store before the counter's next even value), and none
 *       after, so the line is left as a writer killed at that step would leave it. The stop point is found in the
 *       implementation's own store sequence: a writer that stores data before its counter is odd, or that never
 *       makes it odd, leaves exactly what it did, and the runner's checks see it.</li>
 *   <li>{@link #pauseBeforeRecheck}: on the read's first attempt, after it has loaded the counter (R1) and then line
 *       data (R3), its next load of the counter alone (R5) is held until the runner deletes a file the testee
 *       created, so the runner can republish the line in between. (R4 is a fence, not an access: "before R5" is
 *       the nearest point that can be seen from memory.)</li>
 * </ul>
 * Outside an operation that asks for step control it forwards every access unchanged.
 *
 * <p><b>Threading:</b> the testee runs one operation at a time; the fields are set and cleared by that thread.
 */
final class StepControlMemory implements SharedMemory {
    /** Longest wait for the runner to delete the pause file (testee protocol §5.5). */
    static final long PAUSE_LIMIT_NANOS = TimeUnit.SECONDS.toNanos(10);

    /** The writer step after which stores stop reaching memory. */
    enum Step {
        W1, W2, W4;

        /** {@code W1}, {@code W2}, {@code W4} or absent (the whole writer). */
        static Step parse(@Nullable String value) {
            if (value == null || value.isEmpty()) {
                return W4;
            }
            switch (value) {
                case "W1":
                    return W1;
                case "W2":
                    return W2;
                case "W4":
                    return W4;
                default:
                    throw new IllegalArgumentException("stop_after must be W1, W2 or W4, not '" + value + "'");
            }
        }
    }

    private final SharedMemory inner;
    /** The line whose stores are gated, or -1. */
    private int gatedLine = -1;
    private Step stop = Step.W4;
    /** The stop point has been passed: later stores to the line are dropped. */
    private boolean stopped;
    /** The line whose reader pauses, or -1, and the file that signals the pause. */
    private int pausedLine = -1;
    private @Nullable Path pauseFile;
    private boolean counterLoaded;
    private boolean dataLoaded;
    private boolean paused;

    StepControlMemory(SharedMemory inner) {
        this.inner = inner;
    }

    /** Gates the stores of the line at {@code line} (its region offset) until {@link #clear()}. */
    void stopAfter(int line, Step step) {
        gatedLine = step == Step.W4 ? -1 : line;
        stop = step;
        stopped = false;
    }

    /** Arms the pause of the read of the line at {@code line} until {@link #clear()}. */
    void pauseBeforeRecheck(int line, Path file) {
        pausedLine = line;
        pauseFile = file;
        counterLoaded = false;
        dataLoaded = false;
        paused = false;
    }

    /** Whether the armed read paused (it reached its R5 after an R1 and an R3). */
    boolean paused() {
        return paused;
    }

    /** Runs {@code write} with its stores to {@code line} stopped after {@code stopAfter} (absent: none stopped). */
    <T> T stopping(int line, @Nullable String stopAfter, Supplier<T> write) {
        stopAfter(line, Step.parse(stopAfter));
        try {
            return write.get();
        } finally {
            clear();
        }
    }

    /** Runs {@code read} with its R5 on {@code line} held by {@code pauseFile} (absent: no pause). */
    <T> T pausing(int line, @Nullable String pauseFile, Supplier<T> read) {
        if (pauseFile != null) {
            pauseBeforeRecheck(line, Path.of(pauseFile));
        }
        try {
            return read.get();
        } finally {
            clear();
        }
    }

    /** Ends step control; every access is forwarded again. */
    void clear() {
        gatedLine = -1;
        stopped = false;
        pausedLine = -1;
        pauseFile = null;
    }

    // ---- stores ----------------------------------------------------------------------------------------------

    /** Whether a store of {@code width} bytes at {@code index} may reach memory; {@code value} is the store's. */
    private boolean pass(int index, int width, long value) {
        final int line = gatedLine;
        if (line < 0 || index + width <= line || index >= line + RegionLayout.LINE_SIZE) {
            return true;
        }
        if (stopped) {
            return false;
        }
        boolean counter = index == line && width == 4;
        if (stop == Step.W1 && counter && (value & 1) != 0) {
            stopped = true;                  // W1 itself reaches memory, nothing after it
            return true;
        }
        if (stop == Step.W2 && counter && (value & 1) == 0) {
            stopped = true;                  // the closing even store (W4) and everything after are dropped
            return false;
        }
        return true;
    }

    @Override
    public void putByte(int index, byte value) {
        if (pass(index, 1, value)) {
            inner.putByte(index, value);
        }
    }

    @Override
    public void putShort(int index, short value) {
        if (pass(index, 2, value)) {
            inner.putShort(index, value);
        }
    }

    @Override
    public void putInt(int index, int value) {
        if (pass(index, 4, value)) {
            inner.putInt(index, value);
        }
    }

    @Override
    public void putLong(int index, long value) {
        if (pass(index, 8, value)) {
            inner.putLong(index, value);
        }
    }

    @Override
    public void putIntOpaque(int index, int value) {
        if (pass(index, 4, value)) {
            inner.putIntOpaque(index, value);
        }
    }

    @Override
    public void putIntRelease(int index, int value) {
        if (pass(index, 4, value)) {
            inner.putIntRelease(index, value);
        }
    }

    @Override
    public void putBytes(int index, byte[] src, int offset, int length) {
        if (pass(index, length, length == 4 && index == gatedLine ? src[offset] : 0)) {
            inner.putBytes(index, src, offset, length);
        }
    }

    @Override
    public void setMemory(int index, int length, byte value) {
        if (pass(index, length, length == 4 && index == gatedLine ? value : 0)) {
            inner.setMemory(index, length, value);
        }
    }

    // ---- loads -----------------------------------------------------------------------------------------------

    /** Before a load: R1 and R3 are noted; the first counter-only load after them (R5) waits for the runner. */
    private void load(int index, int width) {
        final int line = pausedLine;
        if (line < 0 || paused || index + width <= line || index >= line + RegionLayout.LINE_SIZE) {
            return;
        }
        boolean counterOnly = index == line && width <= 4;
        if (counterOnly && dataLoaded) {
            paused = true;
            holdUntilDeleted(pauseFile);
        } else if (counterOnly) {
            counterLoaded = true;
        } else if (counterLoaded) {
            dataLoaded = true;
        }
    }

    private static void holdUntilDeleted(@Nullable Path file) {
        if (file == null) {
            return;
        }
        try {
            Files.createFile(file);
        } catch (FileAlreadyExistsException e) {
            // the runner's own file: waiting for its deletion is the same
        } catch (IOException e) {
            throw new IllegalStateException("cannot create the pause file " + file + ": " + e.getMessage(), e);
        }
        long deadline = System.nanoTime() + PAUSE_LIMIT_NANOS;
        long park = 10_000L;
        while (Files.exists(file) && System.nanoTime() - deadline < 0) {
            LockSupport.parkNanos(park);
            park = Math.min(park * 2, TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    @Override
    public byte getByte(int index) {
        load(index, 1);
        return inner.getByte(index);
    }

    @Override
    public short getShort(int index) {
        load(index, 2);
        return inner.getShort(index);
    }

    @Override
    public int getInt(int index) {
        load(index, 4);
        return inner.getInt(index);
    }

    @Override
    public long getLong(int index) {
        load(index, 8);
        return inner.getLong(index);
    }

    @Override
    public int getIntOpaque(int index) {
        load(index, 4);
        return inner.getIntOpaque(index);
    }

    @Override
    public int getIntAcquire(int index) {
        load(index, 4);
        return inner.getIntAcquire(index);
    }

    @Override
    public void getBytes(int index, byte[] dst, int offset, int length) {
        load(index, length);
        inner.getBytes(index, dst, offset, length);
    }

    @Override
    public int capacity() {
        return inner.capacity();
    }

    @Override
    public String toString() {
        return "StepControlMemory[" + inner + "]";
    }
}
