package dev.vboost.hardening.adversarial;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vboost.agent.HostAgent;
import dev.vboost.agent.hypercall.HypercallDispatcher;
import dev.vboost.api.GuestSlotSnapshot;
import dev.vboost.api.HostSlotSnapshot;
import dev.vboost.api.ReadStatus;
import dev.vboost.api.VboostException;
import dev.vboost.api.WireError;
import dev.vboost.api.hypercall.HypercallExit;
import dev.vboost.api.hypercall.HypercallNumbers;
import dev.vboost.api.hypercall.KvmError;
import dev.vboost.api.layout.HostHeaderLayout;
import dev.vboost.api.layout.RegionLayout;
import dev.vboost.api.memory.SharedMemory;
import dev.vboost.api.role.GuestEndpoint;
import dev.vboost.api.wire.BoostReason;
import dev.vboost.api.wire.DenialReason;
import dev.vboost.api.wire.Feature;
import dev.vboost.api.wire.SchedPolicy;
import dev.vboost.api.wire.SlotStatus;
import dev.vboost.hardening.support.Await;
import dev.vboost.hardening.support.HostUnderTest;
import dev.vboost.hardening.support.RawGuestLine;
import dev.vboost.hardening.support.Realtime;
import dev.vboost.hardening.support.Settle;
import dev.vboost.impl.Regions;
import dev.vboost.impl.line.GuestRequestReader;
import dev.vboost.impl.memory.MappedRegionFile;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile guests against the real agent: real vCPU threads, real {@code sched_setattr}, the region in a
 * memory-mapped file written through a second mapping. Every test ends with the host's invariants: no
 * priority above the ceiling, every boost ended within its bound, the originals back, and the agent still
 * serving a well-behaved slot.
 */
class HostileGuestTest {
    private static final long ACK = TimeUnit.SECONDS.toNanos(5);
    private static final int RT = BoostReason.RT_TASK.bit();
    /**
     * The rate limit is kept on the agent's clock at decision time; the log stamps changes after the syscall.
     * Their difference varies by a few ms, so the log's one-second windows are shortened by this much.
     */
    private static final long SKEW_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private static boolean backToOriginal(HostUnderTest host, HostUnderTest.Vm vm, int slot) {
        try {
            return host.linux().read(vm.tid(slot)).equals(vm.originals.get(vm.tid(slot)));
        } catch (Exception e) {
            return false;
        }
    }

    private static boolean realtime(HostUnderTest host, HostUnderTest.Vm vm, int slot) {
        try {
            return host.linux().read(vm.tid(slot)).isRealTime();
        } catch (Exception e) {
            return false;
        }
    }

    /** A well-behaved boost and release on {@code slot}: the agent still serves it. */
    private static void servedNormally(GuestEndpoint guest, int slot) throws InterruptedException {
        HostSlotSnapshot seen = new HostSlotSnapshot();
        long b = guest.requestBoost(slot, SchedPolicy.FIFO, 99, 0, RT);
        assertTrue(guest.awaitActed(slot, b, ACK, seen), "slot " + slot + " no longer served");
        if (seen.denial() != DenialReason.EXPIRED) { // a slow guest may look only after the boost's bound
            assertEquals(SlotStatus.BOOSTED, seen.status(), () -> "slot " + slot + ": " + seen);
            assertEquals(HostUnderTest.CEILING, seen.priority(), "priority not clamped to the ceiling");
        }
        long r = guest.release(slot);
        assertTrue(guest.awaitActed(slot, r, ACK, seen), "slot " + slot + " release not acted on");
        assertEquals(SlotStatus.NORMAL, seen.status(), () -> "slot " + slot + ": " + seen);
    }

    private static HostSlotSnapshot hostLine(GuestEndpoint guest, int slot) {
        HostSlotSnapshot s = new HostSlotSnapshot();
        assertEquals(ReadStatus.OK, guest.readHostState(slot, s), "host line unreadable");
        return s;
    }

    @Test
    void counterStuckOddForever(@TempDir Path dir) throws Exception {
        Realtime.assume();
        try (HostUnderTest host = new HostUnderTest(HostUnderTest.testPolicy().build())) {
            HostUnderTest.Vm vm = host.addVm(dir, "vm", 3);
            HostAgent agent = host.start();
            GuestEndpoint guest = vm.attachGuest();
            HostSlotSnapshot seen = new HostSlotSnapshot();
            long id = guest.requestBoost(0, SchedPolicy.FIFO, 5, 0, RT);
            assertTrue(guest.awaitActed(0, id, ACK, seen));
            assertEquals(SlotStatus.BOOSTED, seen.status(), seen::toString);

            // the guest dies inside W1..W4 of slot 0 for good: the counter stays odd
            SharedMemory guestMemory = MappedRegionFile.open(vm.path).memory();
            RawGuestLine slot0 = new RawGuestLine(guestMemory, 0);
            slot0.seq(slot0.seq() + 1);
            assertTrue((slot0.seq() & 1) == 1);

            // a reader gives up after its bounded attempts and says BUSY, it does not spin forever
            assertEquals(ReadStatus.BUSY, new GuestRequestReader(guestMemory, 0).read(new GuestSlotSnapshot()));
            // the boost it held ends at its bound without the agent reading the line
            Await.until(2_000, () -> backToOriginal(host, vm, 0), () -> "slot 0 thread still boosted");
            assertEquals(1, host.actuator().boostsOf(vm.tid(0)).size());
            Await.until(2_000, () -> agent.counters("vm").busyReads() > 0, () -> "no busy read counted");
            // the agent restores the thread first, then publishes the end
            Await.until(2_000, () -> hostLine(guest, 0).status() == SlotStatus.NORMAL, () -> "expiry not published");
            assertEquals(DenialReason.EXPIRED, hostLine(guest, 0).denial());

            for (int round = 0; round < 3; round++) {
                servedNormally(guest, 1);
                servedNormally(guest, 2);
            }
            assertTrue(HostUnderTest.agentThreadAlive(), "agent thread died");
            assertFalse(realtime(host, vm, 0), "odd slot's thread raised again");
            host.stopAndCheck();
        }
    }

    @Test
    void counterGoingBackwards(@TempDir Path dir) throws Exception {
        Realtime.assume();
        try (HostUnderTest host = new HostUnderTest(HostUnderTest.testPolicy().build())) {
            HostUnderTest.Vm vm = host.addVm(dir, "vm", 2);
            HostAgent agent = host.start();
            GuestEndpoint guest = vm.attachGuest();
            servedNormally(guest, 0); // ids 1 (boost) and 2 (release) acted on
            long granted = agent.counters("vm").granted();
            RawGuestLine slot0 = new RawGuestLine(MappedRegionFile.open(vm.path).memory(), 0);
            int seq = slot0.seq();

            // counter back by 4, replaying the old BOOST id 1: a stale line, nothing may change
            slot0.write(seq - 5, seq - 4, dev.vboost.api.wire.BoostRequest.BOOST, SchedPolicy.FIFO, 5, RT, 1, 0);
            Settle.settle(guest, 1);
            assertEquals(granted, agent.counters("vm").granted(), "a replayed request id was granted");
            assertFalse(realtime(host, vm, 0), "thread raised by a stale line");
            assertEquals(2, hostLine(guest, 0).actedRequestId(), "acted id moved backwards");
            // spec §5.3 HA2, §8.12: the ignored line is counted
            Await.until(2_000, () -> agent.counters("vm").idsBackwards() > 0, () -> "an id going backwards not counted");

            // counter back again, but a new id: counters compare for equality only, so this one is acted on
            slot0.write(seq - 9, seq - 8, dev.vboost.api.wire.BoostRequest.BOOST, SchedPolicy.FIFO, 5, RT, 3, 0);
            Await.until(2_000, () -> hostLine(guest, 0).actedRequestId() == 3, () -> "new id behind a backwards counter ignored");
            assertEquals(granted + 1, agent.counters("vm").granted());
            // never released: it ends at its bound
            Await.until(2_000, () -> backToOriginal(host, vm, 0), () -> "boost did not end at its bound");
            // the agent restores the thread first, then publishes the end
            Await.until(2_000, () -> hostLine(guest, 0).status() == SlotStatus.NORMAL, () -> "end not published");
            servedNormally(guest, 1);
            host.stopAndCheck();
        }
    }

    @Test
    void floodOfRequestsHitsTheRateLimit(@TempDir Path dir) throws Exception {
        Realtime.assume();
        int limit = 20;
        try (HostUnderTest host = new HostUnderTest(HostUnderTest.testPolicy().maxTransitionsPerSecond(limit).build())) {
            HostUnderTest.Vm vm = host.addVm(dir, "vm", 2);
            HostAgent agent = host.start();
            GuestEndpoint guest = vm.attachGuest();
            HypercallDispatcher hypercalls = new HypercallDispatcher(agent.hypercallTarget("vm"));
            HostSlotSnapshot seen = new HostSlotSnapshot();
            int requests = 0;
            int rateLimitedSeen = 0;
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1_500);
            while (System.nanoTime() - end < 0) {
                long b = guest.requestBoost(0, SchedPolicy.FIFO, 99, 0, RT);
                // and a NOTIFY hypercall after every write, as a guest that wants attention at any cost
                assertTrue(hypercalls.dispatch(HypercallExit.of(HypercallNumbers.NOTIFY, 0,
                        HypercallNumbers.NOTIFY_REQUEST, 0, 0)).ok());
                assertTrue(guest.awaitActed(0, b, ACK, seen), "flood request " + b + " not acted on");
                if (seen.denial() == DenialReason.RATE_LIMITED) {
                    rateLimitedSeen++;
                }
                long r = guest.release(0);
                assertTrue(guest.awaitActed(0, r, ACK, seen), "flood release " + r + " not acted on");
                requests += 2;
            }
            int changes = host.actuator().maxChangesPerSecond(vm.tid(0), SKEW_NANOS);
            assertTrue(changes <= limit, "priority changed " + changes + " times in one second; limit " + limit);
            assertTrue(requests > 4 * limit, "the flood was too small to test the limit: " + requests + " requests");
            long throttled = agent.counters("vm").deniedFor(DenialReason.RATE_LIMITED);
            assertTrue(throttled > 0, "no request counted as rate limited: " + agent.counters("vm"));
            assertTrue(rateLimitedSeen > 0, "the guest never saw RATE_LIMITED");
            servedNormally(guest, 1);
            assertTrue(HostUnderTest.agentThreadAlive());
            host.stopAndCheck();
            assertTrue(host.actuator().maxChangesPerSecond(vm.tid(0), SKEW_NANOS) <= limit);
        }
    }

    @Test
    void requestIdsJumping(@TempDir Path dir) throws Exception {
        Realtime.assume();
        try (HostUnderTest host = new HostUnderTest(HostUnderTest.testPolicy()
                .maxBoostNanos(TimeUnit.SECONDS.toNanos(5)).build())) {
            HostUnderTest.Vm vm = host.addVm(dir, "vm", 2);
            HostAgent agent = host.start();
            GuestEndpoint guest = vm.attachGuest();
            RawGuestLine slot0 = new RawGuestLine(MappedRegionFile.open(vm.path).memory(), 0);

            slot0.boost(5);                                           // forward jump from 0
            Settle.settle(guest, 1);
            assertEquals(5, hostLine(guest, 0).actedRequestId());
            assertEquals(SlotStatus.BOOSTED, hostLine(guest, 0).status());
            assertTrue(realtime(host, vm, 0));

            slot0.unboost(1_000_000_000_000L);                        // a large forward jump: still a newer id
            Settle.settle(guest, 1);
            assertEquals(1_000_000_000_000L, hostLine(guest, 0).actedRequestId());
            assertTrue(backToOriginal(host, vm, 0));

            long granted = agent.counters("vm").granted();
            slot0.boost(3);                                           // backwards: stale, ignored
            Settle.settle(guest, 1);
            assertEquals(1_000_000_000_000L, hostLine(guest, 0).actedRequestId());
            assertEquals(granted, agent.counters("vm").granted());
            assertTrue(backToOriginal(host, vm, 0));

            slot0.boost(Long.MAX_VALUE);                              // the last valid id
            Settle.settle(guest, 1);
            assertEquals(Long.MAX_VALUE, hostLine(guest, 0).actedRequestId());
            assertTrue(realtime(host, vm, 0));

            long invalidIds = agent.counters("vm").invalidIds();
            slot0.boost(Long.MIN_VALUE);                              // wrapped past 2^63 - 1: bit 63 set, invalid
            Await.until(2_000, () -> agent.counters("vm").invalidIds() == invalidIds + 1,
                    () -> "an invalid id was not counted");
            HostSlotSnapshot line = hostLine(guest, 0);
            // spec §5.3 HA2, §6.6, T7: a line with an invalid id is ignored and counted, not answered
            assertEquals(DenialReason.NONE, line.denial(), line::toString);
            assertEquals(Long.MAX_VALUE, line.actedRequestId(), "an invalid id was taken as acted on");
            assertEquals(SlotStatus.BOOSTED, line.status(), "an ignored line ended the boost");
            // the boost it left in force ends at its bound, as every boost does
            Await.until(2_000, () -> backToOriginal(host, vm, 0), () -> "boost did not end at its bound");

            slot0.boost(0);                                           // wrapped to zero: stale
            slot0.boost(1);
            Settle.settle(guest, 1);
            assertEquals(Long.MAX_VALUE, hostLine(guest, 0).actedRequestId());
            assertTrue(backToOriginal(host, vm, 0));
            servedNormally(guest, 1);
            host.stopAndCheck();
        }
    }

    @Test
    void slotCountThatLies(@TempDir Path dir) throws Exception {
        Realtime.assume();
        try (HostUnderTest host = new HostUnderTest(HostUnderTest.testPolicy().build())) {
            HostUnderTest.Vm vm = host.addVm(dir, "vm", 2);
            HostAgent agent = host.start();
            GuestEndpoint guest = vm.attachGuest();
            HypercallDispatcher hypercalls = new HypercallDispatcher(agent.hypercallTarget("vm"));

            // the guest names slots the region does not have
            for (long slot : new long[] {2, 4095, 4096, -1, 1L << 32}) {
                HypercallDispatcher.Result r = hypercalls.dispatch(HypercallExit.of(HypercallNumbers.NOTIFY, slot,
                        HypercallNumbers.NOTIFY_REQUEST, 0, 0));
                assertEquals(KvmError.EINVAL, r.error(), () -> "NOTIFY slot " + slot + ": " + r);
            }
            assertFalse(agent.notifySlot(agent.vmIndex("vm"), 2, 1));
            assertEquals(2, hypercalls.dispatch(HypercallExit.of(HypercallNumbers.QUERY,
                    HypercallNumbers.QUERY_SLOT_COUNT, 0, 0, 0)).ret());

            // a well-formed "slot 2" line in the page's tail, beyond the last slot: nobody reads it
            RawGuestLine beyond = new RawGuestLine(MappedRegionFile.open(vm.path).memory(), 2);
            assertTrue(RegionLayout.guestLineOffset(2) + 64 <= vm.file.size());
            beyond.boost(1);
            Settle.settle(guest, 1);
            assertEquals(0, agent.counters("vm").granted() - agent.counters("vm").released(),
                    "something beyond the slot count was boosted");
            servedNormally(guest, 0);

            // the region's geometry lies (a copy of the file with a rewritten header): guests refuse to attach
            SharedMemory copy = lyingCopy(dir, vm, "more-slots", RegionLayout.MAX_SLOTS, -1);
            assertEquals(WireError.TRUNCATED, attachError(copy), "4096 slots claimed in one page");
            copy = lyingCopy(dir, vm, "too-many", RegionLayout.MAX_SLOTS + 1, -1);
            assertEquals(WireError.BAD_SLOT_COUNT, attachError(copy));
            copy = lyingCopy(dir, vm, "size-too", 100, RegionLayout.regionSize(100));
            assertEquals(WireError.TRUNCATED, attachError(copy), "size field larger than the file");
            copy = lyingCopy(dir, vm, "negative", -1, -1);
            assertEquals(WireError.BAD_SLOT_COUNT, attachError(copy), "slot count 2^32 - 1");

            // a host restarting over a region whose header claims another slot count trusts nothing in it
            SharedMemory lying = lyingCopy(dir, vm, "restart", 64, RegionLayout.regionSize(64));
            Regions.createHost(lying, vm.config);
            GuestEndpoint fresh = Regions.attachGuest(lying, Feature.DEFINED_MASK);
            assertEquals(2, fresh.slotCount());

            assertTrue(HostUnderTest.agentThreadAlive());
            servedNormally(guest, 1);
            host.stopAndCheck();
        }
    }

    /** A copy of the VM's region whose header claims {@code slots} slots (and region size, unless -1). */
    private static SharedMemory lyingCopy(Path dir, HostUnderTest.Vm vm, String name, int slots, long regionSize)
            throws Exception {
        Path p = dir.resolve(name + ".vboost");
        java.nio.file.Files.copy(vm.path, p);
        SharedMemory m = MappedRegionFile.open(p).memory();
        m.putInt(RegionLayout.HOST_HEADER_OFFSET + HostHeaderLayout.SLOT_COUNT_OFFSET, slots);
        if (regionSize >= 0) {
            m.putLong(RegionLayout.HOST_HEADER_OFFSET + HostHeaderLayout.REGION_SIZE_OFFSET, regionSize);
        }
        return m;
    }

    private static WireError attachError(SharedMemory m) {
        VboostException e = assertThrows(VboostException.class, () -> Regions.attachGuest(m, Feature.DEFINED_MASK));
        assertTrue(e.getMessage() != null && !e.getMessage().isEmpty(), "error without a message");
        return e.error();
    }
}
