package dev.vboost.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vboost.api.GuestSlotSnapshot;
import dev.vboost.api.HostSlotSnapshot;
import dev.vboost.api.ReadStatus;
import dev.vboost.api.layout.RegionLayout;
import dev.vboost.api.memory.SharedMemory;
import dev.vboost.api.role.GuestEndpoint;
import dev.vboost.api.role.HostEndpoint;
import dev.vboost.api.wire.DenialReason;
import dev.vboost.api.wire.Feature;
import dev.vboost.api.wire.SchedPolicy;
import dev.vboost.api.wire.SlotStatus;
import dev.vboost.impl.contract.BackendTest;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The hot paths allocate nothing after warm-up: the guest's request, release, acknowledge, read and wait
 * paths, and the host's poll, read, publish and host-boost paths. Measured with the thread's allocated-bytes
 * counter over {@value #MEASURED} rounds, each of which takes every one of those paths at least once.
 *
 * <p>The threshold: the smallest heap object is 16 bytes, so a path that allocated on every call would show at
 * least {@code 16 * MEASURED} bytes. The test allows fewer than {@code MEASURED} bytes in total (under one byte
 * per round): that is what a rare JVM event costs (a deoptimisation re-materialising scalar-replaced objects,
 * seen as 0, 160 or 2,736 bytes in whole runs on a loaded machine), and never enough to hide an allocation
 * per call.
 */
public class AllocationFreeTest extends BackendTest {
    static final int WARM_UP = 100_000;
    static final int MEASURED = 100_000;

    private static com.sun.management.ThreadMXBean threads() {
        java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        Assumptions.assumeTrue(bean instanceof com.sun.management.ThreadMXBean
                && ((com.sun.management.ThreadMXBean) bean).isThreadAllocatedMemorySupported(),
                "this JVM cannot count allocated bytes per thread");
        com.sun.management.ThreadMXBean b = (com.sun.management.ThreadMXBean) bean;
        b.setThreadAllocatedMemoryEnabled(true);
        return b;
    }

    /** One full round on both sides, driven from one thread so one counter sees it all. */
    private static long round(GuestEndpoint guest, HostEndpoint host, int[] changed, GuestSlotSnapshot req,
            HostSlotSnapshot pub, HostSlotSnapshot seen, int i) throws InterruptedException {
        int slot = i & 3;
        long id = (i & 1) == 0
                ? guest.requestBoost(slot, SchedPolicy.FIFO, 1 + (i % 99), 0, 1 + (i % 127))
                : guest.release(slot);
        int n = host.pollChangedSlots(changed);
        long sum = n;
        for (int k = 0; k < n; k++) {
            if (host.readRequest(changed[k], req) == ReadStatus.OK) {
                host.lastPublished(changed[k], pub);
                pub.set(SlotStatus.BOOSTED, SchedPolicy.FIFO, 1, DenialReason.NONE, 0, i, req.requestId(),
                        pub.hostBoostId());
                host.publishState(changed[k], pub);
                sum += req.requestId();
            }
        }
        if (guest.readHostState(slot, seen) == ReadStatus.OK) {
            sum += seen.actedRequestId();
        }
        if (!guest.awaitActed(slot, id, 1_000_000_000L, seen)) {
            throw new AssertionError("host did not act on " + id);
        }
        sum += guest.hostRestarted() ? 1 : 0;
        if ((i & 3) == 0) {
            // spec §5.5 on slot 3: host boost, the guest reads it and acknowledges; a request-free line change
            long hb = host.startHostBoost(3, 1, SchedPolicy.FIFO, 1);
            if (guest.readHostState(3, seen) == ReadStatus.OK && seen.hostBoostId() == hb) {
                guest.acknowledgeHostBoost(3, hb);
            }
            n = host.pollChangedSlots(changed);
            for (int k = 0; k < n; k++) {
                if (host.readRequest(changed[k], req) == ReadStatus.OK) {
                    sum += req.hostBoostAck();
                }
            }
        }
        return sum;
    }

    @Test
    void requestAndReadPathsAllocateNothingAfterWarmUp() throws InterruptedException {
        measure(Doorbell.NONE);
    }

    /** The same paths with a doorbell rung after every publication (spec §12.4). */
    @Test
    void ringingPathsAllocateNothingAfterWarmUp() throws InterruptedException {
        long[] rings = new long[1];
        measure(() -> rings[0]++);
        // attach, one per request or release, one per acknowledgement (every fourth round)
        long rounds = WARM_UP + MEASURED;
        assertEquals(1 + rounds + rounds / 4, rings[0], "one ring per publication");
    }

    private void measure(Doorbell doorbell) throws InterruptedException {
        com.sun.management.ThreadMXBean bean = threads();
        long self = Thread.currentThread().getId();
        SharedMemory m = memory((int) RegionLayout.regionSize(4));
        // offers DOORBELL, as a host waiting on one does (§12.2): a guest with a doorbell accepts it and rings
        HostEndpoint host = Regions.createHost(m, new HostRegionConfig(4, Feature.DEFINED_MASK, 50, 3000));
        GuestEndpoint guest = Regions.attachGuest(m, Feature.DEFINED_MASK, doorbell);
        int[] changed = new int[4];
        GuestSlotSnapshot req = new GuestSlotSnapshot();
        HostSlotSnapshot pub = new HostSlotSnapshot();
        HostSlotSnapshot seen = new HostSlotSnapshot();
        long sink = 0;
        for (int i = 0; i < WARM_UP; i++) {
            sink += round(guest, host, changed, req, pub, seen, i);
        }
        bean.getThreadAllocatedBytes(self);      // the counter call itself warmed up too
        long before = bean.getThreadAllocatedBytes(self);
        for (int i = WARM_UP; i < WARM_UP + MEASURED; i++) {
            sink += round(guest, host, changed, req, pub, seen, i);
        }
        long allocated = bean.getThreadAllocatedBytes(self) - before;
        System.out.printf("allocation check: %d bytes in %d rounds after warm-up%n", allocated, MEASURED);
        assertTrue(sink != 0);
        GuestSlotSnapshot last = new GuestSlotSnapshot();
        assertEquals(ReadStatus.OK, host.readRequest(3, last));
        assertEquals((WARM_UP + MEASURED) / 4, last.hostBoostAck(), "every host boost was acknowledged");
        assertTrue(allocated < MEASURED, allocated + " bytes allocated by " + MEASURED
                + " rounds after warm-up: some path allocates on every call");
    }
}
