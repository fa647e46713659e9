package dev.vboost.impl.contract;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vboost.api.GuestHeader;
import dev.vboost.api.GuestSlotSnapshot;
import dev.vboost.api.HostHeader;
import dev.vboost.api.HostSlotSnapshot;
import dev.vboost.api.ReadStatus;
import dev.vboost.api.VboostException;
import dev.vboost.api.WireError;
import dev.vboost.api.layout.GuestSlotLayout;
import dev.vboost.api.layout.HostHeaderLayout;
import dev.vboost.api.layout.RegionLayout;
import dev.vboost.api.memory.SharedMemory;
import dev.vboost.api.role.GuestEndpoint;
import dev.vboost.api.role.HostEndpoint;
import dev.vboost.api.wire.AttachState;
import dev.vboost.api.wire.BoostReason;
import dev.vboost.api.wire.BoostRequest;
import dev.vboost.api.wire.DenialReason;
import dev.vboost.api.wire.Feature;
import dev.vboost.api.wire.HostBoostFlag;
import dev.vboost.api.wire.RegionState;
import dev.vboost.api.wire.SchedPolicy;
import dev.vboost.api.wire.SlotStatus;
import dev.vboost.impl.HostRegionConfig;
import dev.vboost.impl.Regions;
import dev.vboost.impl.line.GuestRequestReader;
import dev.vboost.impl.line.HostStateReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The guest/host handshake over a backend: region creation and attach (every attach error), requests,
 * acknowledgements, host boosts, restart, disable, detach, a threaded run of a million lock-step rounds with
 * tearing checks, and the handshake across two JVMs over one mapped file. A backend's test extends this class
 * and supplies {@link #newMemory(int)} and {@link #openMapped(Path)}; it needs a public or package-private
 * no-argument constructor (the cross-process child instantiates it to get the backend).
 */
public abstract class HandshakeContractTest {
    /** Request/acknowledge rounds of the threaded handshake; {@code -Dvboost.handshake.rounds=...} overrides. */
    static final long THREADED_ROUNDS = Long.getLong("vboost.handshake.rounds", 1_000_000L);
    /** Slots the threaded handshake drives (its rounds are spread over them). */
    static final int THREADED_SLOTS = 32;
    /** Rounds per slot of each cross-process handshake (over {@link #SLOTS} slots). */
    static final long CROSS_PROCESS_ROUNDS = Long.getLong("vboost.crossprocess.rounds", 5_000L);
    /** Snapshots the observer of the threaded handshake takes before it stops competing for the processors. */
    static final long OBSERVER_SNAPSHOTS = 200_000;
    static final int SLOTS = 4;
    static final long ALL = Feature.DEFINED_MASK;

    /** Fresh, zeroed memory of {@code size} bytes whose start is at least 8-byte aligned. */
    protected abstract SharedMemory newMemory(int size);

    /** Maps the whole of an existing file read-write; the cross-process child calls this too. */
    protected abstract SharedMemory openMapped(Path file);

    /** Releases memory from {@link #newMemory} or {@link #openMapped}; default: nothing to do. */
    protected void release(SharedMemory memory) {
    }

    private SharedMemory regionMemory(int slots) {
        return newMemory((int) RegionLayout.regionSize(slots));
    }

    /** A test body over fresh region memory. */
    @FunctionalInterface
    interface RegionBody {
        void run(SharedMemory m) throws Exception;
    }

    /** Runs {@code body} over fresh memory for a region of {@code slots} slots, released afterwards. */
    private void withRegion(int slots, RegionBody body) throws Exception {
        withMemory(regionMemory(slots), body);
    }

    /** Runs {@code body} over {@code m}, released afterwards. */
    private void withMemory(SharedMemory m, RegionBody body) throws Exception {
        try {
            body.run(m);
        } finally {
            release(m);
        }
    }

    private static HostRegionConfig config(int slots) {
        return new HostRegionConfig(slots, ALL, 40, 2_000);
    }

    // --- creation, attach, negotiation ---------------------------------------------------------------------

    @Test
    void hostPublishesAValidHeaderAndGuestAttaches() throws Exception {
        withRegion(SLOTS, m -> {
            HostEndpoint host = Regions.createHost(m, config(SLOTS));
            assertEquals(1, host.generation());
            assertEquals(RegionState.READY.code(), m.getIntAcquire(HostHeaderLayout.REGION_STATE_OFFSET));
            assertFalse(host.guestAttached());

            GuestEndpoint guest = Regions.attachGuest(m, ALL);
            HostHeader h = guest.hostHeader();
            assertEquals(Integer.toUnsignedLong(RegionLayout.MAGIC), h.magic());
            assertEquals(RegionLayout.ABI_MAJOR, h.abiMajor());
            assertEquals(RegionLayout.ABI_MINOR, h.abiMinor());
            assertEquals(RegionLayout.HEADER_SIZE, h.headerSize());
            assertEquals(RegionLayout.SLOT_SIZE, h.slotSize());
            assertEquals(SLOTS, h.slotCount());
            assertEquals(ALL, h.hostFeatures());
            assertEquals(1, h.hostGeneration());
            assertEquals(RegionState.READY, h.regionState());
            assertEquals(40, h.prioCeiling());
            assertEquals(2_000, h.maxBoostUs());
            assertEquals(RegionLayout.regionSize(SLOTS), h.regionSize());
            assertEquals(SLOTS, guest.slotCount());
            assertFalse(guest.hostRestarted());

            assertTrue(host.guestAttached());
            GuestHeader g = host.readGuestHeader();
            assertNotNull(g);
            assertEquals(AttachState.ATTACHED, g.attachState());
            assertEquals(1, g.attachedGeneration());
            assertEquals(RegionLayout.ABI_MAJOR, g.guestAbiMajor());
            assertEquals(RegionLayout.ABI_MINOR, g.guestAbiMinor());
            assertEquals(ALL & ~Feature.DOORBELL.bit(), g.acceptedFeatures(), "no doorbell: not accepted (§12.2)");
            assertEquals(0, g.guestSeq() & 1);
        });
    }

    @Test
    void featuresAreTheIntersectionOfOfferAndGuest() throws Exception {
        withRegion(1, m -> {
            long offer = Feature.HOST_BOOST.bit() | Feature.BUDGET_REPORT.bit();
            HostEndpoint host = Regions.createHost(m, new HostRegionConfig(1, offer, 10, 100));
            long wanted = Feature.HOST_BOOST.bit() | Feature.NICE_HINTS.bit();
            GuestEndpoint guest = Regions.attachGuest(m, wanted);
            assertEquals(Feature.HOST_BOOST.bit(), guest.acceptedFeatures());
            GuestHeader g = host.readGuestHeader();
            assertNotNull(g);
            assertEquals(Feature.HOST_BOOST.bit(), g.acceptedFeatures());
            assertTrue(host.guestAttached());
            assertThrows(IllegalArgumentException.class,
                    () -> guest.requestBoost(0, SchedPolicy.NORMAL, 0, -5, BoostReason.USER_HINT.bit()),
                    "NICE_HINTS was not negotiated");
        });
    }

    @Test
    void attachReportsEachBrokenRuleWithItsOwnError() throws Exception {
        expectAttachError(WireError.BAD_MAGIC, m -> m.putInt(HostHeaderLayout.MAGIC_OFFSET, 0x12345678));
        expectAttachError(WireError.UNSUPPORTED_MAJOR, m -> m.putShort(HostHeaderLayout.ABI_MAJOR_OFFSET, (short) 2));
        expectAttachError(WireError.BAD_GEOMETRY, m -> m.putShort(HostHeaderLayout.HEADER_SIZE_OFFSET, (short) 64));
        expectAttachError(WireError.BAD_GEOMETRY, m -> m.putShort(HostHeaderLayout.SLOT_SIZE_OFFSET, (short) 256));
        expectAttachError(WireError.BAD_SLOT_COUNT, m -> m.putInt(HostHeaderLayout.SLOT_COUNT_OFFSET, 0));
        expectAttachError(WireError.BAD_SLOT_COUNT, m -> m.putInt(HostHeaderLayout.SLOT_COUNT_OFFSET, 4097));
        expectAttachError(WireError.BAD_SLOT_COUNT, m -> m.putInt(HostHeaderLayout.SLOT_COUNT_OFFSET, -1));
        expectAttachError(WireError.TRUNCATED, m -> m.putLong(HostHeaderLayout.REGION_SIZE_OFFSET, 8192));
        expectAttachError(WireError.TRUNCATED, m -> {
            m.putInt(HostHeaderLayout.SLOT_COUNT_OFFSET, 40);   // 40 slots need 8192 bytes; memory has 4096
            m.putLong(HostHeaderLayout.REGION_SIZE_OFFSET, 8192);
        });
        expectAttachError(WireError.NOT_READY, m -> m.putIntRelease(HostHeaderLayout.REGION_STATE_OFFSET, 0));
        expectAttachError(WireError.NOT_READY, m -> m.putInt(HostHeaderLayout.HOST_GENERATION_OFFSET, 0));
        expectAttachError(WireError.DISABLED, m -> m.putIntRelease(HostHeaderLayout.REGION_STATE_OFFSET, 2));
        expectAttachError(WireError.BAD_STATE, m -> m.putIntRelease(HostHeaderLayout.REGION_STATE_OFFSET, 3));
        expectAttachError(WireError.RESERVED_BITS, m -> m.putLong(HostHeaderLayout.HOST_FEATURES_OFFSET, 1L << 40));
        expectAttachError(WireError.INVALID_VALUE, m -> m.putInt(HostHeaderLayout.PRIO_CEILING_OFFSET, 0));
        expectAttachError(WireError.INVALID_VALUE, m -> m.putInt(HostHeaderLayout.PRIO_CEILING_OFFSET, 100));
        expectAttachError(WireError.INVALID_VALUE, m -> m.putInt(HostHeaderLayout.MAX_BOOST_US_OFFSET, 0));
    }

    @Test
    void aNewerMinorIsAcceptedWithItsUnknownFeaturesMaskedOut() throws Exception {
        withRegion(1, m -> {
            Regions.createHost(m, config(1));
            m.putShort(HostHeaderLayout.ABI_MINOR_OFFSET, (short) 3);
            m.putLong(HostHeaderLayout.HOST_FEATURES_OFFSET, ALL | 1L << 20);
            GuestEndpoint guest = Regions.attachGuest(m, ALL);
            assertEquals(ALL & ~Feature.DOORBELL.bit(), guest.acceptedFeatures(), "no doorbell: not accepted");
            assertEquals(3, guest.hostHeader().abiMinor());
        });
    }

    @Test
    void memoryTooSmallForTheHostHeaderIsTruncated() throws Exception {
        withMemory(newMemory(32), m -> {
            VboostException e = assertThrows(VboostException.class, () -> Regions.attachGuest(m, ALL));
            assertEquals(WireError.TRUNCATED, e.error(), "spec §6.2 C1");
        });
        withMemory(newMemory(64), hostHeaderOnly -> {
            VboostException e = assertThrows(VboostException.class, () -> Regions.attachGuest(hostHeaderOnly, ALL));
            assertEquals(WireError.BAD_MAGIC, e.error(), "spec §6.2: C2 comes before C9 checks the size");
        });
    }

    @Test
    void zeroedMemoryIsBadMagicAndAHostNeedsEnoughMemory() throws Exception {
        withMemory(newMemory(4096), m -> {
            VboostException e = assertThrows(VboostException.class, () -> Regions.attachGuest(m, ALL));
            assertEquals(WireError.BAD_MAGIC, e.error());
            assertTrue(e.getMessage().startsWith("E_BAD_MAGIC: "), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> Regions.createHost(m, config(64)));
        });
    }

    private void expectAttachError(WireError expected, Consumer<SharedMemory> corrupt) throws Exception {
        withRegion(SLOTS, m -> {
            Regions.createHost(m, config(SLOTS));
            corrupt.accept(m);
            VboostException e = assertThrows(VboostException.class, () -> Regions.attachGuest(m, ALL),
                    "expected " + expected);
            assertEquals(expected, e.error(), e.getMessage());
            assertEquals(expected, Regions.checkRegion(m));
            assertTrue(e.getMessage().startsWith(expected.code() + ": "), e.getMessage());
        });
    }

    /**
     * Spec §5.2, §5.9: a host that re-initialises the region while a guest attaches (here: right after the
     * guest published its header, W4) leaves the guest attached to a generation that no longer exists; the
     * attach must say so with E_STALE_GENERATION, and attaching again succeeds at the new generation.
     */
    @Test
    void aHostRestartDuringAttachIsAStaleGeneration() {
        SharedMemory raw = regionMemory(1);
        try {
            HostEndpoint host = Regions.createHost(raw, config(1));
            RecordingSharedMemory m = new RecordingSharedMemory(raw);
            AtomicBoolean restarted = new AtomicBoolean();
            m.onAccess(a -> {
                if (a.mode() == RecordingSharedMemory.Mode.RELEASE_WRITE && a.offset() == RegionLayout.GUEST_HEADER_OFFSET
                        && restarted.compareAndSet(false, true)) {
                    host.restart();
                }
            });
            VboostException e = assertThrows(VboostException.class, () -> Regions.attachGuest(m, ALL));
            assertTrue(restarted.get(), "the restart hook ran");
            assertEquals(WireError.STALE_GENERATION, e.error(), e.getMessage());
            assertTrue(e.getMessage().startsWith("E_STALE_GENERATION: "), e.getMessage());
            assertEquals(2, Regions.attachGuest(raw, ALL).hostHeader().hostGeneration());
            assertTrue(host.guestAttached());
        } finally {
            release(raw);
        }
    }

    /** Spec §5.2: a guest that starts before the host waits (bounded) for READY; the wait gives up loudly. */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void attachWithATimeoutWaitsForTheHostAndGivesUpLoudly() throws Exception {
        withRegion(1, m -> {
            long t0 = System.nanoTime();
            VboostException e = assertThrows(VboostException.class,
                    () -> Regions.attachGuest(m, ALL, java.time.Duration.ofMillis(50)));
            assertEquals(WireError.BAD_MAGIC, e.error(), "zeroed memory: nothing published yet");
            assertTrue(System.nanoTime() - t0 >= TimeUnit.MILLISECONDS.toNanos(50), "waited the timeout");

            AtomicReference<GuestEndpoint> attached = new AtomicReference<>();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            java.util.concurrent.CountDownLatch waiting = new java.util.concurrent.CountDownLatch(1);
            Thread guestThread = new Thread(() -> {
                try {
                    waiting.countDown();
                    attached.set(Regions.attachGuest(m, ALL, java.time.Duration.ofSeconds(30)));
                } catch (Throwable t) {
                    failure.set(t);
                }
            }, "vboost-early-guest");
            guestThread.start();
            assertTrue(waiting.await(30, TimeUnit.SECONDS));
            HostEndpoint host = Regions.createHost(m, config(1));
            guestThread.join(TimeUnit.SECONDS.toMillis(40));
            assertFalse(guestThread.isAlive(), "the guest is still waiting");
            if (failure.get() != null) {
                throw new AssertionError("attach failed", failure.get());
            }
            assertNotNull(attached.get());
            assertEquals(host.generation(), attached.get().hostHeader().hostGeneration());
            assertTrue(host.guestAttached());

            host.disable();
            VboostException disabled = assertThrows(VboostException.class,
                    () -> Regions.attachGuest(m, ALL, java.time.Duration.ofSeconds(30)));
            assertEquals(WireError.DISABLED, disabled.error(), "a disabled region is an answer, not a wait");
            host.restart();
            m.putShort(HostHeaderLayout.ABI_MAJOR_OFFSET, (short) 2);
            long t1 = System.nanoTime();
            VboostException major = assertThrows(VboostException.class,
                    () -> Regions.attachGuest(m, ALL, java.time.Duration.ofSeconds(30)));
            assertEquals(WireError.UNSUPPORTED_MAJOR, major.error(), "a READY region of another major is an answer");
            assertTrue(System.nanoTime() - t1 < TimeUnit.SECONDS.toNanos(20), "waited for a wrong major");
        });
    }

    // --- requests, state, host boosts ----------------------------------------------------------------------

    @Test
    void boostRequestIsSeenActedOnAndAwaited() throws Exception {
        withRegion(SLOTS, m -> {
            HostEndpoint host = Regions.createHost(m, config(SLOTS));
            GuestEndpoint guest = Regions.attachGuest(m, ALL);
            int[] changed = new int[SLOTS];
            host.pollChangedSlots(changed);      // attach touched every line once

            assertEquals(0, host.pollChangedSlots(changed));
            int reasons = BoostReason.IRQ.bit() | BoostReason.RT_TASK.bit();
            long id = guest.requestBoost(2, SchedPolicy.FIFO, 30, 0, reasons);
            assertEquals(1, id);
            assertEquals(1, host.pollChangedSlots(changed));
            assertEquals(2, changed[0]);
            assertEquals(0, host.pollChangedSlots(changed));

            GuestSlotSnapshot req = new GuestSlotSnapshot();
            assertEquals(ReadStatus.OK, host.readRequest(2, req));
            assertEquals(BoostRequest.BOOST, req.request());
            assertEquals(SchedPolicy.FIFO, req.policy());
            assertEquals(30, req.priority());
            assertEquals(reasons, req.reasons());
            assertEquals(id, req.requestId());
            assertEquals(0, req.hostBoostAck());

            HostSlotSnapshot st = new HostSlotSnapshot();
            assertFalse(guest.awaitActed(2, id, TimeUnit.MILLISECONDS.toNanos(5), st), "host has not acted yet");
            host.publishState(2, new HostSlotSnapshot().set(SlotStatus.BOOSTED, SchedPolicy.FIFO, 30,
                    DenialReason.NONE, 0, 1_500, id, 0));
            assertTrue(guest.awaitActed(2, id, TimeUnit.SECONDS.toNanos(5), st));
            assertEquals(SlotStatus.BOOSTED, st.status());
            assertEquals(30, st.priority());
            assertEquals(1_500, st.budgetRemainingUs());
            assertEquals(id, st.actedRequestId());

            long unboost = guest.release(2);
            assertEquals(2, unboost);
            assertEquals(ReadStatus.OK, host.readRequest(2, req));
            assertEquals(BoostRequest.UNBOOST, req.request());
            assertEquals(0, req.priority());
            assertEquals(0, req.reasons());
            host.publishState(2, new HostSlotSnapshot().set(SlotStatus.NORMAL, SchedPolicy.NORMAL, 0,
                    DenialReason.NONE, 0, 1_500, unboost, 0));
            assertEquals(ReadStatus.OK, guest.readHostState(2, st));
            assertEquals(SlotStatus.NORMAL, st.status());
            assertEquals(unboost, st.actedRequestId());

            // other slots untouched
            assertEquals(ReadStatus.OK, guest.readHostState(1, st));
            assertEquals(0, st.actedRequestId());
            assertEquals(ReadStatus.OK, host.readRequest(1, req));
            assertEquals(BoostRequest.NONE, req.request());
        });
    }

    @Test
    void hostBoostIsPublishedAndAcknowledged() throws Exception {
        withRegion(SLOTS, m -> {
            HostEndpoint host = Regions.createHost(m, config(SLOTS));
            GuestEndpoint guest = Regions.attachGuest(m, ALL);
            int flags = HostBoostFlag.IRQ_INJECTED.bit() | HostBoostFlag.HALT_WAKEUP.bit();
            long hb = host.startHostBoost(0, flags, SchedPolicy.RR, 40);
            assertEquals(1, hb);
            HostSlotSnapshot st = new HostSlotSnapshot();
            assertEquals(ReadStatus.OK, guest.readHostState(0, st));
            assertEquals(SlotStatus.BOOSTED, st.status());
            assertEquals(SchedPolicy.RR, st.policy());
            assertEquals(flags, st.hostBoostFlags());
            assertEquals(hb, st.hostBoostId());

            int[] changed = new int[SLOTS];
            host.pollChangedSlots(changed);
            guest.acknowledgeHostBoost(0, st.hostBoostId());
            assertEquals(1, host.pollChangedSlots(changed));
            GuestSlotSnapshot req = new GuestSlotSnapshot();
            assertEquals(ReadStatus.OK, host.readRequest(0, req));
            assertEquals(hb, req.hostBoostAck());
            assertEquals(0, req.requestId(), "an acknowledgement is not a request");
            guest.acknowledgeHostBoost(0, hb);      // same id again: nothing written
            assertEquals(0, host.pollChangedSlots(changed));

            assertEquals(2, host.startHostBoost(0, HostBoostFlag.TIMER.bit(), SchedPolicy.FIFO, 1));
            assertThrows(IllegalArgumentException.class, () -> host.startHostBoost(0, 0, SchedPolicy.FIFO, 1));
            assertThrows(IllegalArgumentException.class, () -> host.startHostBoost(0, 1, SchedPolicy.FIFO, 41));
            assertThrows(IllegalArgumentException.class, () -> host.startHostBoost(0, 1, SchedPolicy.NORMAL, 0));
            assertThrows(IllegalArgumentException.class, () -> host.startHostBoost(0, 1 << 9, SchedPolicy.FIFO, 1));
        });
    }

    @Test
    void hostBoostNeedsTheFeature() throws Exception {
        withRegion(1, m -> {
            HostEndpoint host = Regions.createHost(m, new HostRegionConfig(1, 0, 10, 100));
            assertThrows(IllegalStateException.class, () -> host.startHostBoost(0, 1, SchedPolicy.FIFO, 5));
        });
    }

    @Test
    void invalidGuestLineIsReportedInvalidNotOk() throws Exception {
        withRegion(1, m -> {
            HostEndpoint host = Regions.createHost(m, config(1));
            Regions.attachGuest(m, ALL);
            GuestSlotSnapshot req = new GuestSlotSnapshot();
            int line = RegionLayout.guestLineOffset(0);
            // a hostile guest: even counter, reserved reason bit set
            m.putInt(line + GuestSlotLayout.REASONS_OFFSET, 1 << 30);
            assertEquals(ReadStatus.INVALID, host.readRequest(0, req));
            assertEquals(WireError.RESERVED_BITS, req.error());
            m.putInt(line + GuestSlotLayout.REASONS_OFFSET, 1);
            m.putByte(line + GuestSlotLayout.REQUEST_OFFSET, (byte) 1);
            m.putByte(line + GuestSlotLayout.POLICY_OFFSET, (byte) 1);
            m.putByte(line + GuestSlotLayout.PRIORITY_OFFSET, (byte) 0);
            assertEquals(ReadStatus.INVALID, host.readRequest(0, req));
            assertEquals(WireError.INVALID_VALUE, req.error());
            m.putByte(line + GuestSlotLayout.PRIORITY_OFFSET, (byte) 200);
            assertEquals(ReadStatus.INVALID, host.readRequest(0, req));
            m.putByte(line + GuestSlotLayout.PRIORITY_OFFSET, (byte) 99);
            m.putLong(line + GuestSlotLayout.REQUEST_ID_OFFSET, Long.MIN_VALUE);
            assertEquals(ReadStatus.INVALID, host.readRequest(0, req));
            assertEquals(WireError.INVALID_VALUE, req.error());
            m.putLong(line + GuestSlotLayout.REQUEST_ID_OFFSET, 5);
            assertEquals(ReadStatus.OK, host.readRequest(0, req));
            assertEquals(99, req.priority());
        });
    }

    @Test
    void aCounterLeftOddReadsBusyAfterTheBoundedAttempts() throws Exception {
        withRegion(1, m -> {
            HostEndpoint host = Regions.createHost(m, config(1));
            GuestEndpoint guest = Regions.attachGuest(m, ALL);
            long id = guest.requestBoost(0, SchedPolicy.FIFO, 7, 0, BoostReason.IRQ.bit());
            host.publishState(0, new HostSlotSnapshot().set(SlotStatus.BOOSTED, SchedPolicy.FIFO, 7,
                    DenialReason.NONE, 0, 0, id, 0));
            GuestSlotSnapshot req = new GuestSlotSnapshot();
            HostSlotSnapshot st = new HostSlotSnapshot();
            assertEquals(ReadStatus.OK, host.readRequest(0, req));
            assertEquals(ReadStatus.OK, guest.readHostState(0, st));

            // a writer stuck inside W1..W4 (spec §4.3): the bounded reader gives up with BUSY, and the
            // snapshot keeps the last consistent copy instead of half of a new one
            int guestSeq = RegionLayout.guestLineOffset(0) + GuestSlotLayout.GUEST_SEQ_OFFSET;
            int evenGuest = m.getInt(guestSeq);
            m.putIntRelease(guestSeq, evenGuest + 1);
            m.putLong(RegionLayout.guestLineOffset(0) + GuestSlotLayout.REQUEST_ID_OFFSET, 99);
            assertEquals(ReadStatus.BUSY, host.readRequest(0, req));
            assertEquals(id, req.requestId(), "BUSY leaves the snapshot as it was");
            int hostSeq = RegionLayout.hostLineOffset(0);
            int evenHost = m.getInt(hostSeq);
            m.putIntRelease(hostSeq, evenHost + 1);
            assertEquals(ReadStatus.BUSY, guest.readHostState(0, st));
            assertEquals(id, st.actedRequestId(), "BUSY leaves the snapshot as it was");
            HostSlotSnapshot wait = new HostSlotSnapshot();
            assertFalse(guest.awaitActed(0, id, TimeUnit.MILLISECONDS.toNanos(20), wait),
                    "a host line held odd is never taken as the host having acted");

            // the writer finishes (W4): the next read is OK again
            m.putIntRelease(guestSeq, evenGuest + 2);
            assertEquals(ReadStatus.OK, host.readRequest(0, req));
            assertEquals(99, req.requestId());
            m.putIntRelease(hostSeq, evenHost + 2);
            assertEquals(ReadStatus.OK, guest.readHostState(0, st));
            assertTrue(guest.awaitActed(0, id, 0, wait));
        });
    }

    // --- lifecycle -----------------------------------------------------------------------------------------

    @Test
    void hostRestartMovesTheGenerationOnAndTheGuestNotices() throws Exception {
        withRegion(SLOTS, m -> {
            HostEndpoint host = Regions.createHost(m, config(SLOTS));
            GuestEndpoint guest = Regions.attachGuest(m, ALL);
            long first = guest.requestBoost(1, SchedPolicy.FIFO, 10, 0, BoostReason.IRQ.bit());
            host.publishState(1, new HostSlotSnapshot().set(SlotStatus.BOOSTED, SchedPolicy.FIFO, 10,
                    DenialReason.NONE, 0, 0, first, 0));

            host.restart();
            assertEquals(2, host.generation());
            assertTrue(guest.hostRestarted());
            byte[] lineBefore = new byte[RegionLayout.LINE_SIZE];
            m.getBytes(RegionLayout.guestLineOffset(1), lineBefore, 0, lineBefore.length);
            VboostException stale = assertThrows(VboostException.class,
                    () -> guest.requestBoost(1, SchedPolicy.FIFO, 10, 0, BoostReason.IRQ.bit()));
            assertEquals(WireError.STALE_GENERATION, stale.error(), "§5.3: a stale guest refuses to request");
            assertEquals(WireError.STALE_GENERATION, assertThrows(VboostException.class, () -> guest.release(1)).error());
            byte[] lineAfter = new byte[RegionLayout.LINE_SIZE];
            m.getBytes(RegionLayout.guestLineOffset(1), lineAfter, 0, lineAfter.length);
            assertArrayEquals(lineBefore, lineAfter, "a refused request writes nothing");
            assertFalse(host.guestAttached(), "the guest header names generation 1");
            GuestHeader g = host.readGuestHeader();
            assertNotNull(g);
            assertEquals(1, g.attachedGeneration());
            HostSlotSnapshot st = new HostSlotSnapshot();
            assertEquals(ReadStatus.OK, guest.readHostState(1, st));
            assertEquals(first, st.actedRequestId(), "§5.9 step 3: the restarted host takes the guest's current id, "
                    + "so the request standing from before the restart is void");
            assertEquals(SlotStatus.NORMAL, st.status());
            assertEquals(0, st.hostBoostFlags());

            GuestEndpoint again = Regions.attachGuest(m, ALL);
            assertFalse(again.hostRestarted());
            assertEquals(2, again.hostHeader().hostGeneration());
            assertTrue(host.guestAttached());
            assertEquals(first + 1, again.requestBoost(1, SchedPolicy.FIFO, 10, 0, BoostReason.IRQ.bit()),
                    "request ids continue across re-attach");
        });
    }

    @Test
    void aSecondHostOnTheSameMemoryIsARestart() throws Exception {
        withRegion(SLOTS, m -> {
            Regions.createHost(m, config(SLOTS));
            GuestEndpoint guest = Regions.attachGuest(m, ALL);
            long pending = guest.requestBoost(0, SchedPolicy.RR, 5, 0, BoostReason.SOFTIRQ.bit());
            HostEndpoint second = Regions.createHost(m, config(SLOTS));
            assertEquals(2, second.generation());
            HostSlotSnapshot published = new HostSlotSnapshot();
            second.lastPublished(0, published);
            assertEquals(pending, published.actedRequestId(), "§5.9 step 3: a request never acted on before the "
                    + "restart is void: the new host's acted id is the guest's current one");
            second.lastPublished(1, published);
            assertEquals(0, published.actedRequestId(), "a slot the guest never wrote has nothing to void");
            assertTrue(guest.hostRestarted());
            int[] changed = new int[SLOTS];
            int n = second.pollChangedSlots(changed);
            assertTrue(n == SLOTS, "a restarted host looks at every slot a guest has written, got " + n);
            GuestSlotSnapshot req = new GuestSlotSnapshot();
            assertEquals(ReadStatus.OK, second.readRequest(0, req));
            assertEquals(BoostRequest.BOOST, req.request(), "the guest's line survives a host restart");

            HostEndpoint resized = Regions.createHost(m, config(SLOTS - 1));
            assertEquals(3, resized.generation());
            assertEquals(ReadStatus.OK, resized.readRequest(0, req));
            assertEquals(BoostRequest.NONE, req.request(), "a different geometry starts from zero");
        });
    }

    @Test
    void disableStopsTheGuestAndNewAttaches() throws Exception {
        withRegion(1, m -> {
            HostEndpoint host = Regions.createHost(m, config(1));
            GuestEndpoint guest = Regions.attachGuest(m, ALL);
            host.disable();
            assertTrue(guest.hostRestarted());
            VboostException e = assertThrows(VboostException.class, () -> Regions.attachGuest(m, ALL));
            assertEquals(WireError.DISABLED, e.error());
            host.restart();
            assertEquals(2, Regions.attachGuest(m, ALL).hostHeader().hostGeneration());
            host.close();
            host.close();
            assertEquals(WireError.DISABLED, Regions.checkRegion(m));
            assertThrows(IllegalStateException.class, host::restart);
        });
    }

    @Test
    void detachIsVisibleToTheHostAndEndsTheEndpoint() throws Exception {
        withRegion(1, m -> {
            HostEndpoint host = Regions.createHost(m, config(1));
            GuestEndpoint guest = Regions.attachGuest(m, ALL);
            assertTrue(host.guestAttached());
            guest.detach();
            guest.close();
            assertFalse(host.guestAttached());
            GuestHeader g = host.readGuestHeader();
            assertNotNull(g);
            assertEquals(AttachState.DETACHED, g.attachState());
            // §3.3, §5.8 D1: while DETACHED the other fields are written as zero
            assertEquals(0, g.attachedGeneration());
            assertEquals(0, g.guestAbiMajor());
            assertEquals(0, g.guestAbiMinor());
            assertEquals(0, g.acceptedFeatures());
            assertThrows(IllegalStateException.class, () -> guest.release(0));
            assertThrows(IllegalStateException.class, () -> guest.acknowledgeHostBoost(0, 1));
        });
    }

    @Test
    void guestHeaderHeldOddReadsAsBusy() throws Exception {
        withRegion(1, m -> {
            HostEndpoint host = Regions.createHost(m, config(1));
            Regions.attachGuest(m, ALL);
            int seq = RegionLayout.GUEST_HEADER_OFFSET;
            m.putIntRelease(seq, m.getInt(seq) + 1);
            assertNull(host.readGuestHeader());
            assertFalse(host.guestAttached());
        });
    }

    @Test
    void awaitActedStopsWhenTheHostRestarts() throws Exception {
        withRegion(1, m -> {
            HostEndpoint host = Regions.createHost(m, config(1));
            GuestEndpoint guest = Regions.attachGuest(m, ALL);
            long id = guest.requestBoost(0, SchedPolicy.FIFO, 5, 0, 1);
            host.restart();
            long t0 = System.nanoTime();
            assertFalse(guest.awaitActed(0, id, TimeUnit.SECONDS.toNanos(30), new HostSlotSnapshot()));
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(10), "returned at once, not at the timeout");
        });
    }

    /**
     * {@code awaitActed} is bounded: it returns false once the timeout has passed (not before), returns at once
     * for a timeout of zero, and answers an interrupt with {@link InterruptedException}.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void awaitActedIsBoundedByItsTimeoutAndInterruptible() throws Exception {
        withRegion(1, m -> {
            Regions.createHost(m, config(1));
            GuestEndpoint guest = Regions.attachGuest(m, ALL);
            long id = guest.requestBoost(0, SchedPolicy.FIFO, 5, 0, BoostReason.RT_TASK.bit());
            HostSlotSnapshot st = new HostSlotSnapshot();

            long t0 = System.nanoTime();
            assertFalse(guest.awaitActed(0, id, TimeUnit.MILLISECONDS.toNanos(200), st));
            long waited = System.nanoTime() - t0;
            assertTrue(waited >= TimeUnit.MILLISECONDS.toNanos(200), "returned early after " + waited + " ns");
            assertEquals(ReadStatus.OK, guest.readHostState(0, st));
            assertEquals(0, st.actedRequestId(), "dst holds the last state read");

            assertFalse(guest.awaitActed(0, id, 0, st));
            assertFalse(guest.awaitActed(0, id, -1, st));

            AtomicReference<Throwable> outcome = new AtomicReference<>();
            java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
            Thread waiter = new Thread(() -> {
                started.countDown();
                try {
                    guest.awaitActed(0, id, TimeUnit.SECONDS.toNanos(50), new HostSlotSnapshot());
                    outcome.set(new AssertionError("awaitActed returned instead of throwing"));
                } catch (Throwable t) {
                    outcome.set(t);
                }
            }, "vboost-waiter");
            waiter.start();
            assertTrue(started.await(30, TimeUnit.SECONDS));
            waiter.interrupt();
            waiter.join(TimeUnit.SECONDS.toMillis(30));
            assertFalse(waiter.isAlive(), "the interrupted waiter is still waiting");
            assertTrue(outcome.get() instanceof InterruptedException, String.valueOf(outcome.get()));
        });
    }

    /**
     * A guest parked in {@code awaitActed} (past its spin and yield phases) wakes when a host thread acts,
     * well before its timeout.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void awaitActedReturnsWhenAnotherThreadActs() throws Exception {
        withRegion(1, m -> {
            HostEndpoint host = Regions.createHost(m, config(1));
            GuestEndpoint guest = Regions.attachGuest(m, ALL);
            long id = guest.requestBoost(0, SchedPolicy.RR, 9, 0, BoostReason.LOCK_HOLDER.bit());
            java.util.concurrent.CountDownLatch waiting = new java.util.concurrent.CountDownLatch(1);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread hostThread = new Thread(() -> {
                try {
                    assertTrue(waiting.await(30, TimeUnit.SECONDS));
                    GuestSlotSnapshot req = new GuestSlotSnapshot();
                    assertEquals(ReadStatus.OK, host.readRequest(0, req));
                    host.publishState(0, new HostSlotSnapshot().set(SlotStatus.BOOSTED, SchedPolicy.RR, 9,
                            DenialReason.NONE, 0, 0, req.requestId(), 0));
                } catch (Throwable t) {
                    failure.set(t);
                }
            }, "vboost-host");
            hostThread.start();
            HostSlotSnapshot st = new HostSlotSnapshot();
            assertFalse(guest.awaitActed(0, id, TimeUnit.MILLISECONDS.toNanos(30), st), "nobody acted yet");
            waiting.countDown();
            long t0 = System.nanoTime();
            boolean acted = guest.awaitActed(0, id, TimeUnit.SECONDS.toNanos(40), st);
            long waited = System.nanoTime() - t0;
            hostThread.join(TimeUnit.SECONDS.toMillis(30));
            if (failure.get() != null) {
                throw new AssertionError("host thread failed", failure.get());
            }
            assertTrue(acted, "host acted but the guest did not see it");
            assertEquals(id, st.actedRequestId());
            assertEquals(SlotStatus.BOOSTED, st.status());
            assertTrue(waited < TimeUnit.SECONDS.toNanos(30), "woke only after " + waited + " ns");
        });
    }

    // --- concurrency ---------------------------------------------------------------------------------------

    /**
     * A guest thread and a host thread run {@link #THREADED_ROUNDS} request/acknowledge rounds over
     * {@link #THREADED_SLOTS} slots while an observer thread keeps reading those lines: every copy any of them
     * takes must be untorn (each field is derived from the id it carries), and the host must see every request
     * id of every slot once, in order.
     */
    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void millionRoundThreadedHandshakeIsOrderedAndNeverTorn() throws Exception {
        int slots = THREADED_SLOTS;
        long perSlot = (THREADED_ROUNDS + slots - 1) / slots;
        withRegion(slots, m -> {
            HostEndpoint host = Regions.createHost(m, config(slots));
            GuestEndpoint guest = Regions.attachGuest(m, ALL);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicBoolean done = new AtomicBoolean();
            AtomicLong observed = new AtomicLong();
            AtomicLong busy = new AtomicLong();
            Thread hostThread = new Thread(() -> {
                try {
                    busy.set(HandshakeRounds.host(host, 0, slots, perSlot, 280_000));
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            }, "vboost-host");
            Thread observer = new Thread(() -> {
                GuestRequestReader[] requests = new GuestRequestReader[slots];
                HostStateReader[] states = new HostStateReader[slots];
                for (int i = 0; i < slots; i++) {
                    requests[i] = new GuestRequestReader(m, i);
                    states[i] = new HostStateReader(m, i);
                }
                GuestSlotSnapshot req = new GuestSlotSnapshot();
                HostSlotSnapshot st = new HostSlotSnapshot();
                long n = 0;
                try {
                    for (int i = 0; !done.get() && n < OBSERVER_SNAPSHOTS; i = (i + 1) % slots) {
                        if (requests[i].read(req) == ReadStatus.OK) {
                            HandshakeRounds.checkGuestLine(req);
                            n++;
                        }
                        if (states[i].read(st) == ReadStatus.OK) {
                            HandshakeRounds.checkHostLine(st);
                            n++;
                        }
                        Thread.yield();
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
                observed.set(n);
            }, "vboost-observer");
            hostThread.start();
            observer.start();
            long acknowledged;
            long t0 = System.nanoTime();
            try {
                acknowledged = HandshakeRounds.guest(guest, 0, slots, perSlot, 60_000);
            } finally {
                done.set(true);
                hostThread.join(TimeUnit.SECONDS.toMillis(30));
                observer.join(TimeUnit.SECONDS.toMillis(30));
            }
            if (failure.get() != null) {
                throw new AssertionError("handshake failed", failure.get());
            }
            System.out.printf("threaded handshake (%s): %d rounds on %d slots in %d ms; %d busy reads retried; "
                    + "observer took %d snapshots%n", getClass().getSimpleName(), acknowledged, slots,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), busy.get(), observed.get());
            assertFalse(hostThread.isAlive() || observer.isAlive(), "threads did not finish");
            assertTrue(acknowledged >= THREADED_ROUNDS, "acknowledged " + acknowledged);
            assertTrue(observed.get() > 0, "the observer took no snapshot");
            GuestSlotSnapshot req = new GuestSlotSnapshot();
            for (int i = 0; i < slots; i++) {
                assertEquals(ReadStatus.OK, host.readRequest(i, req));
                assertEquals(perSlot, req.requestId(), "slot " + i);
            }
        });
    }

    /** Parent JVM is the host, a child JVM the guest, over one mapped file. */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void crossProcessChildGuestParentHost(@TempDir Path dir) throws Exception {
        Path file = SharedMemoryContractTest.zeroFile(dir.resolve("guest-child.region"), RegionLayout.regionSize(SLOTS));
        withMemory(openMapped(file), m -> {
            HostEndpoint host = Regions.createHost(m, config(SLOTS));
            Process child = CrossProcessPeer.start(getClass(), "guest", file, CROSS_PROCESS_ROUNDS, SLOTS);
            try {
                HandshakeRounds.host(host, 0, SLOTS, CROSS_PROCESS_ROUNDS, 90_000, child::isAlive);
            } catch (Throwable e) {
                throw CrossProcessPeer.failed(child, file, "guest", e);
            }
            CrossProcessPeer.awaitSuccess(child, file, "guest", 60_000);
            GuestSlotSnapshot req = new GuestSlotSnapshot();
            for (int i = 0; i < SLOTS; i++) {
                assertEquals(ReadStatus.OK, host.readRequest(i, req));
                assertEquals(CROSS_PROCESS_ROUNDS, req.requestId(), "slot " + i + ": the child's last request id");
            }
            GuestHeader g = host.readGuestHeader();
            assertNotNull(g);
            assertEquals(AttachState.DETACHED, g.attachState(), "the child detached before exiting");
        });
    }

    /**
     * The harness fails loudly and fast: a child given a role it does not know exits at once, the parent host
     * notices the dead peer long before its 90 s timeout, and the error carries the child's own output.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void crossProcessFailureIsFastAndCarriesTheChildOutput(@TempDir Path dir) throws Exception {
        Path file = SharedMemoryContractTest.zeroFile(dir.resolve("dead-child.region"), RegionLayout.regionSize(SLOTS));
        withMemory(openMapped(file), m -> {
            HostEndpoint host = Regions.createHost(m, config(SLOTS));
            Process child = CrossProcessPeer.start(getClass(), "bogus", file, CROSS_PROCESS_ROUNDS, SLOTS);
            long t0 = System.nanoTime();
            AssertionError e = assertThrows(AssertionError.class, () -> {
                try {
                    HandshakeRounds.host(host, 0, SLOTS, CROSS_PROCESS_ROUNDS, 90_000, child::isAlive);
                } catch (Throwable t) {
                    throw CrossProcessPeer.failed(child, file, "bogus", t);
                }
            });
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(80), "noticed only at the timeout");
            assertTrue(e.getMessage().contains("the guest is gone"), e.getMessage());
            assertTrue(e.getMessage().contains("unknown role bogus"), "child output missing: " + e.getMessage());
            assertFalse(child.isAlive());
        });
    }

    /** Parent JVM is the guest, a child JVM the host, over one mapped file. */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void crossProcessChildHostParentGuest(@TempDir Path dir) throws Exception {
        Path file = SharedMemoryContractTest.zeroFile(dir.resolve("host-child.region"), RegionLayout.regionSize(SLOTS));
        withMemory(openMapped(file), m -> {
            Process child = CrossProcessPeer.start(getClass(), "host", file, CROSS_PROCESS_ROUNDS, SLOTS);
            GuestEndpoint guest;
            try {
                guest = Regions.attachGuest(m, ALL, java.time.Duration.ofSeconds(60));
                assertEquals(CROSS_PROCESS_ROUNDS * SLOTS,
                        HandshakeRounds.guest(guest, 0, SLOTS, CROSS_PROCESS_ROUNDS, 30_000, child::isAlive));
            } catch (Throwable e) {
                throw CrossProcessPeer.failed(child, file, "host", e);
            }
            CrossProcessPeer.awaitSuccess(child, file, "host", 60_000);
            HostSlotSnapshot st = new HostSlotSnapshot();
            for (int i = 0; i < SLOTS; i++) {
                assertEquals(ReadStatus.OK, guest.readHostState(i, st));
                assertEquals(CROSS_PROCESS_ROUNDS, st.actedRequestId(), "slot " + i + ": the child acted on all");
            }
            guest.detach();
            byte[] magic = new byte[4];
            m.getBytes(0, magic, 0, 4);
            assertArrayEquals(new byte[] {'V', 'B', 'S', 'T'}, magic);
        });
    }
}
