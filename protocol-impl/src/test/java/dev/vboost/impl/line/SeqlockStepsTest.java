package dev.vboost.impl.line;

import static dev.vboost.impl.contract.RecordingSharedMemory.Mode.ACQUIRE_FENCE;
import static dev.vboost.impl.contract.RecordingSharedMemory.Mode.ACQUIRE_READ;
import static dev.vboost.impl.contract.RecordingSharedMemory.Mode.OPAQUE_WRITE;
import static dev.vboost.impl.contract.RecordingSharedMemory.Mode.PLAIN_READ;
import static dev.vboost.impl.contract.RecordingSharedMemory.Mode.PLAIN_WRITE;
import static dev.vboost.impl.contract.RecordingSharedMemory.Mode.RELEASE_WRITE;
import static dev.vboost.impl.contract.RecordingSharedMemory.Mode.STORE_STORE_FENCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vboost.api.GuestSlotSnapshot;
import dev.vboost.api.HostSlotSnapshot;
import dev.vboost.api.ReadStatus;
import dev.vboost.api.layout.GuestSlotLayout;
import dev.vboost.api.layout.HostSlotLayout;
import dev.vboost.api.layout.RegionLayout;
import dev.vboost.api.wire.BoostRequest;
import dev.vboost.api.wire.SchedPolicy;
import dev.vboost.impl.contract.BackendTest;
import dev.vboost.impl.contract.RecordingSharedMemory;
import dev.vboost.impl.contract.RecordingSharedMemory.Access;
import dev.vboost.impl.contract.RecordingSharedMemory.Mode;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The seqlock steps of spec §4.2 (W1..W4) and §4.3 (R1..R5), checked access by access on a recording memory:
 * which mode, which offset, which value, in which order, and where the fences sit. The recording memory
 * delegates to the backend under test, so the values read back after each step are that backend's.
 */
public class SeqlockStepsTest extends BackendTest {
    static final int SLOT = 2;
    static final int GUEST_LINE = RegionLayout.guestLineOffset(SLOT);
    static final int HOST_LINE = RegionLayout.hostLineOffset(SLOT);
    static final int GUEST_SEQ = GUEST_LINE + GuestSlotLayout.GUEST_SEQ_OFFSET;
    static final int HOST_SEQ = HOST_LINE + HostSlotLayout.HOST_SEQ_OFFSET;

    private RecordingSharedMemory recording() {
        return new RecordingSharedMemory(memory((int) RegionLayout.regionSize(4)));
    }

    /**
     * W0 (optional) plain loads of the writer's own line; W1 odd counter (opaque) then store-store fence; W2
     * plain stores inside the line only; W4 even with release.
     */
    private static void assertWriterSteps(List<Access> all, int line, int seqIndex, int seqBefore) {
        int w0 = 0;
        while (w0 < all.size() && all.get(w0).mode() == PLAIN_READ) {
            Access a = all.get(w0++);
            assertTrue(a.offset() >= line && a.offset() + a.width() <= line + RegionLayout.LINE_SIZE,
                    "W0: a writer reads only its own line: " + a);
        }
        List<Access> log = all.subList(w0, all.size());
        assertTrue(log.size() >= 4, log.toString());
        assertEquals(new Access(OPAQUE_WRITE, seqIndex, 4, seqBefore + 1), log.get(0), "W1: odd counter first");
        assertEquals(STORE_STORE_FENCE, log.get(1).mode(), "W1: store-store fence right after the odd counter");
        Access last = log.get(log.size() - 1);
        assertEquals(new Access(RELEASE_WRITE, seqIndex, 4, seqBefore + 2), last, "W4: even counter last, release");
        for (Access a : log.subList(2, log.size() - 1)) {
            assertEquals(PLAIN_WRITE, a.mode(), "W2: only plain data stores inside the window: " + a);
            assertTrue(a.offset() > seqIndex && a.offset() + a.width() <= line + RegionLayout.LINE_SIZE,
                    "W2: store outside the line's data: " + a);
        }
    }

    /** R1 acquire of the counter; R3 plain loads inside the line; R4 acquire fence; R5 plain re-read. */
    private static void assertReaderSteps(List<Access> log, int line, int seqIndex, int seq) {
        assertEquals(new Access(ACQUIRE_READ, seqIndex, 4, seq), log.get(0), "R1: counter with acquire");
        assertEquals(new Access(PLAIN_READ, seqIndex, 4, seq), log.get(log.size() - 1), "R5: plain re-read last");
        assertEquals(ACQUIRE_FENCE, log.get(log.size() - 2).mode(), "R4: acquire fence before the re-read");
        for (Access a : log.subList(1, log.size() - 2)) {
            assertEquals(PLAIN_READ, a.mode(), "R3: plain copy: " + a);
            assertTrue(a.offset() > seqIndex && a.offset() + a.width() <= line + RegionLayout.LINE_SIZE,
                    "R3: load outside the line's data: " + a);
        }
    }

    @Test
    void guestRequestWriterFollowsW1ToW4AndWritesEveryField() {
        RecordingSharedMemory m = recording();
        GuestRequestWriter w = new GuestRequestWriter(m, SLOT);
        w.claim();
        assertWriterSteps(m.log(), GUEST_LINE, GUEST_SEQ, 0);
        m.clear();
        long id = w.boost(SchedPolicy.RR.code(), 42, 0, 0b101);
        assertEquals(1, id);
        assertWriterSteps(m.log(), GUEST_LINE, GUEST_SEQ, 2);
        assertEquals(List.of(
                // request, policy, priority, nice at 0x04..0x07 as one little-endian int
                new Access(PLAIN_WRITE, GUEST_LINE + GuestSlotLayout.REQUEST_OFFSET, 4,
                        BoostRequest.BOOST.code() | SchedPolicy.RR.code() << 8 | 42 << 16 | 0 << 24),
                new Access(PLAIN_WRITE, GUEST_LINE + GuestSlotLayout.REASONS_OFFSET, 4, 0b101),
                new Access(PLAIN_WRITE, GUEST_LINE + GuestSlotLayout.REQUEST_ID_OFFSET, 8, 1),
                new Access(PLAIN_WRITE, GUEST_LINE + GuestSlotLayout.HOST_BOOST_ACK_OFFSET, 8, 0)),
                m.log().subList(2, m.log().size() - 1));
        assertEquals(4, m.delegate().getInt(GUEST_SEQ));
        assertEquals(4, w.seq());
    }

    @Test
    void claimZeroesReservedBytesAndRepairsAnOddCounter() {
        RecordingSharedMemory m = recording();
        m.delegate().putInt(GUEST_SEQ, 7);              // a guest died inside W1..W4
        m.delegate().putLong(GUEST_LINE + GuestSlotLayout.REQUEST_ID_OFFSET, 41);
        m.delegate().putInt(GUEST_LINE + GuestSlotLayout.RESERVED0_OFFSET, -1);
        m.delegate().putLong(GUEST_LINE + GuestSlotLayout.RESERVED1_OFFSET + 24, -1);
        GuestRequestWriter w = new GuestRequestWriter(m, SLOT);
        w.claim();
        assertWriterSteps(m.log(), GUEST_LINE, GUEST_SEQ, 8);
        assertEquals(10, m.delegate().getInt(GUEST_SEQ));
        assertEquals(0, m.delegate().getInt(GUEST_LINE + GuestSlotLayout.RESERVED0_OFFSET));
        assertEquals(0, m.delegate().getLong(GUEST_LINE + GuestSlotLayout.RESERVED1_OFFSET + 24));
        assertEquals(42, w.unboost(), "ids continue from the line");
    }

    @Test
    void hostStateWriterFollowsW1ToW4() {
        RecordingSharedMemory m = recording();
        HostStateWriter w = new HostStateWriter(m, SLOT);
        w.reset(0);
        assertWriterSteps(m.log(), HOST_LINE, HOST_SEQ, 0);
        m.clear();
        w.publish(2, 1, 10, 0, 3, 777, 5, 6);
        assertWriterSteps(m.log(), HOST_LINE, HOST_SEQ, 2);
        assertEquals(List.of(
                // status, policy, priority, denial at 0x04..0x07 as one little-endian int
                new Access(PLAIN_WRITE, HOST_LINE + HostSlotLayout.STATUS_OFFSET, 4, 2 | 1 << 8 | 10 << 16 | 0 << 24),
                new Access(PLAIN_WRITE, HOST_LINE + HostSlotLayout.HOST_BOOST_FLAGS_OFFSET, 4, 3),
                new Access(PLAIN_WRITE, HOST_LINE + HostSlotLayout.BUDGET_REMAINING_US_OFFSET, 4, 777),
                new Access(PLAIN_WRITE, HOST_LINE + HostSlotLayout.ACTED_REQUEST_ID_OFFSET, 8, 5),
                new Access(PLAIN_WRITE, HOST_LINE + HostSlotLayout.HOST_BOOST_ID_OFFSET, 8, 6)),
                m.log().subList(2, m.log().size() - 1));
    }

    @Test
    void guestHeaderWriterFollowsW1ToW4() {
        RecordingSharedMemory m = recording();
        GuestHeaderWriter w = new GuestHeaderWriter(m);
        m.clear();
        w.attach(0, 3, 5);
        assertWriterSteps(m.log(), RegionLayout.GUEST_HEADER_OFFSET, RegionLayout.GUEST_HEADER_OFFSET, 0);
        m.clear();
        w.detach();
        assertWriterSteps(m.log(), RegionLayout.GUEST_HEADER_OFFSET, RegionLayout.GUEST_HEADER_OFFSET, 2);
    }

    @Test
    void guestRequestReaderFollowsR1ToR5() {
        RecordingSharedMemory m = recording();
        GuestRequestWriter w = new GuestRequestWriter(m, SLOT);
        w.claim();
        w.boost(SchedPolicy.FIFO.code(), 7, 0, 1);
        m.clear();
        GuestSlotSnapshot s = new GuestSlotSnapshot();
        assertEquals(ReadStatus.OK, new GuestRequestReader(m, SLOT).read(s));
        assertReaderSteps(m.log(), GUEST_LINE, GUEST_SEQ, 4);
        assertEquals(4, s.seq());
        assertEquals(7, s.priority());
        assertEquals(1, s.requestId());
    }

    @Test
    void hostStateReaderFollowsR1ToR5() {
        RecordingSharedMemory m = recording();
        HostStateWriter w = new HostStateWriter(m, SLOT);
        w.reset(0);
        w.publish(2, 2, 99, 1, 0, -1, 8, 0);
        m.clear();
        HostSlotSnapshot s = new HostSlotSnapshot();
        assertEquals(ReadStatus.OK, new HostStateReader(m, SLOT).read(s));
        assertReaderSteps(m.log(), HOST_LINE, HOST_SEQ, 4);
        assertEquals(99, s.priority());
        assertEquals(-1, s.budgetRemainingUs(), "u32 budget kept raw");
        assertEquals(8, s.actedRequestId());
    }

    @Test
    void guestHeaderReaderFollowsR1ToR5() {
        RecordingSharedMemory m = recording();
        new GuestHeaderWriter(m).attach(0, 1, 1);
        m.clear();
        GuestHeaderReader r = new GuestHeaderReader(m);
        assertEquals(ReadStatus.OK, r.read());
        assertReaderSteps(m.log(), RegionLayout.GUEST_HEADER_OFFSET, RegionLayout.GUEST_HEADER_OFFSET, 2);
    }

    @Test
    void anOddCounterIsRetriedAndReportedBusyAfterTheBound() {
        RecordingSharedMemory m = recording();
        m.delegate().putInt(GUEST_SEQ, 5);
        GuestSlotSnapshot s = new GuestSlotSnapshot();
        assertEquals(ReadStatus.BUSY, new GuestRequestReader(m, SLOT).read(s));
        assertEquals(RegionLayout.MAX_READ_ATTEMPTS, m.log().size(), "R2: no data load while the counter is odd");
        assertTrue(m.log().stream().allMatch(a -> a.equals(new Access(ACQUIRE_READ, GUEST_SEQ, 4, 5))));
        assertEquals(0, s.requestId(), "a BUSY read leaves the snapshot alone");
    }

    @Test
    void aCounterThatMovesDuringTheCopyMakesTheReaderRetry() {
        RecordingSharedMemory m = recording();
        GuestRequestWriter w = new GuestRequestWriter(m.delegate(), SLOT);
        w.claim();
        w.boost(SchedPolicy.FIFO.code(), 10, 0, 1);
        // the guest publishes a new request while the host copies: after the host's first data load (R3)
        AtomicInteger writes = new AtomicInteger();
        m.onAccess(a -> {
            if (a.mode() == PLAIN_READ && a.offset() == GUEST_LINE + GuestSlotLayout.REQUEST_OFFSET
                    && writes.getAndIncrement() == 0) {
                w.boost(SchedPolicy.RR.code(), 20, 0, 2);
            }
        });
        GuestSlotSnapshot s = new GuestSlotSnapshot();
        assertEquals(ReadStatus.OK, new GuestRequestReader(m, SLOT).read(s));
        long firstAttemptR5 = m.log().stream().filter(a -> a.offset() == GUEST_SEQ && a.mode() == PLAIN_READ).count();
        assertEquals(2, firstAttemptR5, "the first copy failed R5 and was taken again");
        assertEquals(2, s.requestId());
        assertEquals(SchedPolicy.RR, s.policy());
        assertEquals(20, s.priority(), "the copy is the second version, whole");
        assertEquals(2, s.reasons());
    }

    @Test
    void aCounterThatNeverSettlesIsBusyAfterTheBound() {
        RecordingSharedMemory m = recording();
        GuestRequestWriter w = new GuestRequestWriter(m.delegate(), SLOT);
        w.claim();
        m.onAccess(a -> {
            if (a.mode() == ACQUIRE_FENCE) {
                w.unboost();          // a new version after every copy
            }
        });
        assertEquals(ReadStatus.BUSY, new GuestRequestReader(m, SLOT).read(new GuestSlotSnapshot()));
        long attempts = m.log().stream().filter(a -> a.mode() == ACQUIRE_READ).count();
        assertEquals(RegionLayout.MAX_READ_ATTEMPTS, attempts);
    }

    @Test
    void counterWrapsAndStaysConsistent() {
        RecordingSharedMemory m = recording();
        m.delegate().putInt(HOST_SEQ, -2);               // 0xFFFFFFFE: the next publication wraps
        HostStateWriter w = new HostStateWriter(m, SLOT);
        w.reset(0);
        assertEquals(0, m.delegate().getInt(HOST_SEQ), "u32 wrap: equality only");
        HostSlotSnapshot s = new HostSlotSnapshot();
        assertEquals(ReadStatus.OK, new HostStateReader(m, SLOT).read(s));
        Mode first = m.log().get(0).mode();
        assertEquals(PLAIN_READ, first, "the writer reads its own counter plainly before W1");
    }
}
