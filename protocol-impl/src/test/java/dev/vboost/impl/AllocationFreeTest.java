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
import dev.vboost.impl.memory.ByteBufferSharedMemory;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The hot paths allocate nothing after warm-up: the guest's request, release, acknowledge, read and wait
 * paths, and the host's poll, read, publish and host-boost paths. Measured with the thread's allocated-bytes
 * counter over many iterations; any growth fails.
 */
class AllocationFreeTest {
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
        return sum;
    }

    @Test
    void requestAndReadPathsAllocateNothingAfterWarmUp() throws InterruptedException {
        com.sun.management.ThreadMXBean bean = threads();
        long self = Thread.currentThread().getId();
        SharedMemory m = ByteBufferSharedMemory.allocateDirect((int) RegionLayout.regionSize(4));
        HostEndpoint host = Regions.createHost(m, HostRegionConfig.defaults(4));
        GuestEndpoint guest = Regions.attachGuest(m, Feature.DEFINED_MASK);
        int[] changed = new int[4];
        GuestSlotSnapshot req = new GuestSlotSnapshot();
        HostSlotSnapshot pub = new HostSlotSnapshot();
        HostSlotSnapshot seen = new HostSlotSnapshot();
        long sink = 0;
        for (int i = 0; i < WARM_UP; i++) {
            sink += round(guest, host, changed, req, pub, seen, i);
        }
        long hostBoosts = 0;
        bean.getThreadAllocatedBytes(self);      // the counter call itself warmed up too
        long before = bean.getThreadAllocatedBytes(self);
        for (int i = WARM_UP; i < WARM_UP + MEASURED; i++) {
            sink += round(guest, host, changed, req, pub, seen, i);
            if ((i & 1023) == 0) {
                hostBoosts = host.startHostBoost(0, 1, SchedPolicy.FIFO, 1);
                guest.acknowledgeHostBoost(0, hostBoosts);
            }
        }
        long after = bean.getThreadAllocatedBytes(self);
        assertTrue(sink != 0);
        assertTrue(hostBoosts > 0);
        assertEquals(0, after - before, "bytes allocated by " + MEASURED + " rounds after warm-up");
    }
}
