package dev.vboost.conformance.testee;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vboost.api.layout.RegionLayout;
import dev.vboost.conformance.region.BufferMemory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Testee protocol §5.5 in the Java testee: the writer stopped after W1 or W2, the reader held before R5. */
class StepControlMemoryTest {
    private static final int LINE = RegionLayout.hostLineOffset(1);
    private static final int OTHER = RegionLayout.hostLineOffset(0);

    private final BufferMemory raw = new BufferMemory(ByteBuffer.allocateDirect((int) RegionLayout.regionSize(2)));
    private final StepControlMemory m = new StepControlMemory(raw);

    /** A writer's W1..W4 on the line, counter from 6: odd, data, even with release. */
    private void write(int data) {
        m.putIntOpaque(LINE, 7);
        m.putInt(LINE + 4, data);
        m.putLong(LINE + 0x10, data);
        m.putIntRelease(LINE, 8);
    }

    @Test
    void afterW1OnlyTheOddCounterReachesMemory() {
        raw.putInt(LINE, 6);
        m.stopAfter(LINE, StepControlMemory.Step.W1);
        write(0x55);
        m.putInt(OTHER + 4, 9);
        assertEquals(7, raw.getInt(LINE), "W1 stored");
        assertEquals(0, raw.getInt(LINE + 4), "no data after W1");
        assertEquals(0, raw.getLong(LINE + 0x10));
        assertEquals(9, raw.getInt(OTHER + 4), "another line is not gated");
        m.clear();
        write(0x66);
        assertEquals(8, raw.getInt(LINE), "after clear every store passes");
        assertEquals(0x66, raw.getInt(LINE + 4));
    }

    @Test
    void afterW2TheDataIsStoredAndTheCounterStaysOdd() {
        raw.putInt(LINE, 6);
        m.stopAfter(LINE, StepControlMemory.Step.W2);
        write(0x55);
        m.putInt(LINE + 8, 3); // after the (dropped) W4: a writer killed at W2 never gets here
        assertEquals(7, raw.getInt(LINE));
        assertEquals(0x55, raw.getInt(LINE + 4));
        assertEquals(0x55, raw.getLong(LINE + 0x10));
        assertEquals(0, raw.getInt(LINE + 8));
    }

    @Test
    void aWriterThatStoresDataFirstLeavesItsDataBehindAtW1() {
        raw.putInt(LINE, 6);
        m.stopAfter(LINE, StepControlMemory.Step.W1);
        m.putInt(LINE + 4, 0x55);          // the bug: data before the odd counter
        m.putIntOpaque(LINE, 7);
        m.putIntRelease(LINE, 8);
        assertEquals(0x55, raw.getInt(LINE + 4), "what the writer did before W1 stays visible to the runner");
        assertEquals(7, raw.getInt(LINE));
    }

    @Test
    void w4OrNoStepIsTheWholeWriter() {
        assertEquals(StepControlMemory.Step.W4, StepControlMemory.Step.parse(null));
        assertEquals(StepControlMemory.Step.W2, StepControlMemory.Step.parse("W2"));
        assertThrows(IllegalArgumentException.class, () -> StepControlMemory.Step.parse("W3"));
        m.stopAfter(LINE, StepControlMemory.Step.W4);
        write(0x44);
        assertEquals(8, raw.getInt(LINE));
        assertEquals(0x44, raw.getInt(LINE + 4));
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void theReadWaitsBeforeR5UntilThePauseFileIsGone(@TempDir Path dir) throws Exception {
        Path pause = dir.resolve("read.pause");
        m.pauseBeforeRecheck(LINE, pause);
        CompletableFuture<Integer> read = CompletableFuture.supplyAsync(() -> {
            int s1 = m.getIntAcquire(LINE);   // R1
            m.getInt(LINE + 4);               // R3
            return m.getInt(LINE) - s1;       // R5: held until the runner has republished
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!Files.exists(pause) && System.nanoTime() - deadline < 0) {
            Thread.sleep(1);
        }
        assertTrue(Files.exists(pause), "the reader created the pause file between R3 and R5");
        assertFalse(read.isDone(), "the reader waits while the file exists");
        raw.putInt(LINE, 2);                  // the runner republishes
        Files.delete(pause);
        assertEquals(2, read.get(10, TimeUnit.SECONDS), "R5 loaded after the republication");
        assertTrue(m.paused());
        m.getInt(LINE);                       // a retry does not pause again
        assertFalse(Files.exists(pause));
    }
}
