package dev.vboost.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.vboost.api.GuestSlotSnapshot;
import dev.vboost.api.HostSlotSnapshot;
import dev.vboost.api.ReadStatus;
import dev.vboost.api.layout.RegionLayout;
import dev.vboost.api.memory.SharedMemory;
import dev.vboost.api.role.GuestEndpoint;
import dev.vboost.api.role.HostEndpoint;
import dev.vboost.api.wire.BoostRequest;
import dev.vboost.api.wire.Feature;
import dev.vboost.api.wire.SchedPolicy;
import dev.vboost.impl.memory.ByteBufferSharedMemory;
import org.junit.jupiter.api.Test;

/** Arguments the spec forbids are refused before anything is written; the host's own values are checked too. */
class GuestEndpointArgumentsTest {
    private final SharedMemory m = ByteBufferSharedMemory.allocateDirect((int) RegionLayout.regionSize(2));
    private final HostEndpoint host = Regions.createHost(m, HostRegionConfig.defaults(2));
    private final GuestEndpoint guest = Regions.attachGuest(m, Feature.DEFINED_MASK);

    private void assertNothingWritten() {
        int[] changed = new int[2];
        host.pollChangedSlots(changed);
        GuestSlotSnapshot s = new GuestSlotSnapshot();
        assertEquals(ReadStatus.OK, host.readRequest(0, s));
        assertEquals(BoostRequest.NONE, s.request());
        assertEquals(0, s.requestId());
    }

    @Test
    void badBoostArgumentsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> guest.requestBoost(0, SchedPolicy.FIFO, 0, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> guest.requestBoost(0, SchedPolicy.RR, 100, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> guest.requestBoost(0, SchedPolicy.FIFO, 5, 3, 1));
        assertThrows(IllegalArgumentException.class, () -> guest.requestBoost(0, SchedPolicy.NORMAL, 1, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> guest.requestBoost(0, SchedPolicy.NORMAL, 0, -21, 1));
        assertThrows(IllegalArgumentException.class, () -> guest.requestBoost(0, SchedPolicy.NORMAL, 0, 20, 1));
        assertThrows(IllegalArgumentException.class, () -> guest.requestBoost(0, SchedPolicy.UNKNOWN, 5, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> guest.requestBoost(0, SchedPolicy.FIFO, 5, 0, 0x80));
        assertThrows(IndexOutOfBoundsException.class, () -> guest.requestBoost(2, SchedPolicy.FIFO, 5, 0, 1));
        assertThrows(IndexOutOfBoundsException.class, () -> guest.release(-1));
        assertThrows(IllegalArgumentException.class, () -> guest.acknowledgeHostBoost(0, -1));
        assertThrows(IllegalArgumentException.class, () -> Regions.attachGuest(m, 1L << 10));
        assertNothingWritten();
    }

    @Test
    void niceHintsWorkWhenNegotiated() {
        long id = guest.requestBoost(0, SchedPolicy.NORMAL, 0, -20, 1);
        GuestSlotSnapshot s = new GuestSlotSnapshot();
        assertEquals(ReadStatus.OK, host.readRequest(0, s));
        assertEquals(SchedPolicy.NORMAL, s.policy());
        assertEquals(-20, s.nice());
        assertEquals(id, s.requestId());
    }

    @Test
    void badHostStateIsRefused() {
        HostSlotSnapshot bad = new HostSlotSnapshot();
        assertThrows(IllegalArgumentException.class, () -> host.publishState(0, bad.set(0, 9, 0, 0, 0, 0, 0, 0, 0)));
        assertThrows(IllegalArgumentException.class, () -> host.publishState(0, bad.set(0, 1, 7, 0, 0, 0, 0, 0, 0)));
        assertThrows(IllegalArgumentException.class, () -> host.publishState(0, bad.set(0, 1, 0, 100, 0, 0, 0, 0, 0)));
        assertThrows(IllegalArgumentException.class, () -> host.publishState(0, bad.set(0, 1, 0, 0, 0, 1 << 7, 0, 0, 0)));
        assertThrows(IllegalArgumentException.class, () -> host.publishState(0, bad.set(0, 1, 0, 0, 0, 0, 0, -1, 0)));
        assertThrows(IndexOutOfBoundsException.class, () -> host.publishState(5, bad.set(0, 1, 0, 0, 0, 0, 0, 0, 0)));
        host.startHostBoost(1, 1, SchedPolicy.FIFO, 3);
        assertThrows(IllegalArgumentException.class, () -> host.publishState(1, bad.set(0, 1, 0, 0, 0, 0, 0, 0, 0)),
                "host boost id may not go back");
    }

    @Test
    void hostConfigIsValidated() {
        assertThrows(IllegalArgumentException.class, () -> new HostRegionConfig(0, 0, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new HostRegionConfig(4097, 0, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new HostRegionConfig(1, 1L << 5, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new HostRegionConfig(1, 0, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new HostRegionConfig(1, 0, 100, 1));
        assertThrows(IllegalArgumentException.class, () -> new HostRegionConfig(1, 0, 1, 0));
        assertEquals(8192, new HostRegionConfig(32, 0, 1, 1).regionSize());
    }
}
