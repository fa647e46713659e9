package dev.vboost.impl.line;

import static dev.vboost.impl.contract.RecordingSharedMemory.Mode.ACQUIRE_FENCE;
import static dev.vboost.impl.contract.RecordingSharedMemory.Mode.ACQUIRE_READ;
import static dev.vboost.impl.contract.RecordingSharedMemory.Mode.PLAIN_READ;
import static dev.vboost.impl.contract.RecordingSharedMemory.Mode.PLAIN_WRITE;
import static dev.vboost.impl.contract.RecordingSharedMemory.Mode.RELEASE_WRITE;
import static dev.vboost.impl.contract.RecordingSharedMemory.Mode.STORE_STORE_FENCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vboost.api.ReadStatus;
import dev.vboost.api.WireError;
import dev.vboost.api.layout.HostHeaderLayout;
import dev.vboost.api.layout.RegionLayout;
import dev.vboost.api.wire.RegionState;
import dev.vboost.impl.HostRegionConfig;
import dev.vboost.impl.Regions;
import dev.vboost.impl.contract.BackendTest;
import dev.vboost.impl.contract.RecordingSharedMemory;
import dev.vboost.impl.contract.RecordingSharedMemory.Access;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Host header publication H1..H4 (spec §4.4) and its reader's check, on a recording memory over the backend
 * under test.
 */
public class HostHeaderStepsTest extends BackendTest {
    static final int STATE = HostHeaderLayout.REGION_STATE_OFFSET;
    static final int GEN = HostHeaderLayout.HOST_GENERATION_OFFSET;

    private RecordingSharedMemory recording() {
        return new RecordingSharedMemory(memory((int) RegionLayout.regionSize(2)));
    }

    @Test
    void createHostPublishesNotReadyFirstAndReadyLast() {
        RecordingSharedMemory m = recording();
        Regions.createHost(m, HostRegionConfig.defaults(2));
        List<Access> log = m.log();
        int h1 = log.indexOf(new Access(RELEASE_WRITE, STATE, 4, RegionState.NOT_READY.code()));
        assertTrue(h1 >= 0, "H1 missing: " + log);
        assertEquals(STORE_STORE_FENCE, log.get(h1 + 1).mode(), "H1: fence right after NOT_READY");
        for (Access a : log.subList(0, h1)) {
            assertFalse(a.mode().isWrite(), "nothing is written before H1: " + a);
        }
        assertEquals(new Access(RELEASE_WRITE, STATE, 4, RegionState.READY.code()), log.get(log.size() - 1),
                "H4: READY is the last store, with release");
        assertEquals(new Access(PLAIN_WRITE, GEN, 4, 1), log.get(log.size() - 2), "H3: generation just before H4");
        // every header field and every host line is written between H1 and H3
        for (int off : new int[] {HostHeaderLayout.MAGIC_OFFSET, HostHeaderLayout.ABI_MAJOR_OFFSET,
                HostHeaderLayout.ABI_MINOR_OFFSET, HostHeaderLayout.HEADER_SIZE_OFFSET, HostHeaderLayout.SLOT_SIZE_OFFSET,
                HostHeaderLayout.SLOT_COUNT_OFFSET, HostHeaderLayout.HOST_FEATURES_OFFSET,
                HostHeaderLayout.PRIO_CEILING_OFFSET, HostHeaderLayout.MAX_BOOST_US_OFFSET,
                HostHeaderLayout.REGION_SIZE_OFFSET, HostHeaderLayout.RESERVED0_OFFSET}) {
            assertTrue(log.subList(h1 + 2, log.size() - 2).stream()
                    .anyMatch(a -> a.mode() == PLAIN_WRITE && a.offset() == off), "H2 field at 0x" + Integer.toHexString(off));
        }
        for (int slot = 0; slot < 2; slot++) {
            int seq = RegionLayout.hostLineOffset(slot);
            assertTrue(log.subList(h1 + 2, log.size() - 2).contains(new Access(RELEASE_WRITE, seq, 4, 2)),
                    "host line " + slot + " published before READY");
        }
    }

    @Test
    void readerTakesStateAndGenerationAroundTheFields() {
        RecordingSharedMemory m = recording();
        Regions.createHost(m.delegate(), HostRegionConfig.defaults(2));
        HostHeaderReader r = new HostHeaderReader(m);
        assertEquals(ReadStatus.OK, r.read());
        List<Access> log = m.log();
        assertEquals(new Access(ACQUIRE_READ, STATE, 4, 1), log.get(0));
        assertEquals(new Access(PLAIN_READ, GEN, 4, 1), log.get(1));
        assertEquals(ACQUIRE_FENCE, log.get(log.size() - 3).mode());
        assertEquals(new Access(ACQUIRE_READ, STATE, 4, 1), log.get(log.size() - 2));
        assertEquals(new Access(PLAIN_READ, GEN, 4, 1), log.get(log.size() - 1));
        assertEquals(WireError.NONE, r.validate(m.capacity()));
    }

    @Test
    void aRestartDuringTheReadIsNotMistakenForAConsistentHeader() {
        RecordingSharedMemory m = recording();
        Regions.createHost(m.delegate(), HostRegionConfig.defaults(2));
        // a second host re-initialises the region (2 slots -> 1) between the reader's field loads and its re-check
        AtomicBoolean once = new AtomicBoolean();
        m.onAccess(a -> {
            if (a.mode() == ACQUIRE_FENCE && once.compareAndSet(false, true)) {
                Regions.createHost(m.delegate(), HostRegionConfig.defaults(1));
            }
        });
        HostHeaderReader r = new HostHeaderReader(m);
        assertEquals(ReadStatus.OK, r.read());
        assertEquals(2, r.generation(), "the copy is of the new generation");
        assertEquals(1, r.slotCount(), "with the new generation's fields");
        List<Access> generations = m.log().stream().filter(a -> a.mode() == PLAIN_READ && a.offset() == GEN).toList();
        assertEquals(List.of(new Access(PLAIN_READ, GEN, 4, 1), new Access(PLAIN_READ, GEN, 4, 2),
                new Access(PLAIN_READ, GEN, 4, 2), new Access(PLAIN_READ, GEN, 4, 2)), generations,
                "first attempt saw generation 1 before the fields and 2 after: retried");
    }

    @Test
    void disableIsOneReleaseStoreOfTheState() {
        RecordingSharedMemory m = recording();
        HostHeaderWriter w = new HostHeaderWriter(m);
        w.disable();
        assertEquals(List.of(new Access(RELEASE_WRITE, STATE, 4, RegionState.DISABLED.code())), m.log());
    }

    @Test
    void generationSkipsZeroOnWrap() {
        assertEquals(1, HostHeaderWriter.nextGeneration(0));
        assertEquals(2, HostHeaderWriter.nextGeneration(1));
        assertEquals(1, HostHeaderWriter.nextGeneration(-1));
        assertEquals(Integer.MIN_VALUE, HostHeaderWriter.nextGeneration(Integer.MAX_VALUE));
    }
}
