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
import dev.vboost.api.wire.BoostRequest;
import dev.vboost.api.wire.DenialReason;
import dev.vboost.api.wire.Feature;
import dev.vboost.api.wire.SchedPolicy;
import dev.vboost.api.wire.SlotStatus;
import dev.vboost.impl.contract.BackendTest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The guest endpoint rings once per publication, and only after it: when the doorbell rings, the host already
 * reads the line it announces (spec §12.4). The doorbell here reads the region as the host would, at the
 * moment of the ring.
 */
class GuestDoorbellTest extends BackendTest {

    @Test
    void everyPublicationRingsOnceAfterItsW4() throws InterruptedException {
        SharedMemory m = memory((int) RegionLayout.regionSize(2));
        HostEndpoint host = Regions.createHost(m, HostRegionConfig.defaults(2));
        GuestSlotSnapshot line = new GuestSlotSnapshot();
        List<String> seenAtRing = new ArrayList<>();
        Doorbell bell = () -> {
            // what a host woken by this ring reads
            String attached = host.guestAttached() ? "attached" : "detached";
            ReadStatus st = host.readRequest(1, line);
            seenAtRing.add(attached + " " + st + " " + line.request() + " " + line.requestId() + " ack "
                    + line.hostBoostAck());
        };
        GuestEndpoint guest = Regions.attachGuest(m, Feature.DEFINED_MASK, bell);
        long boost = guest.requestBoost(1, SchedPolicy.FIFO, 5, 0, 1);
        long hb = host.startHostBoost(1, 1, SchedPolicy.FIFO, 5);
        guest.acknowledgeHostBoost(1, hb);
        long release = guest.release(1);
        guest.detach();
        assertEquals(List.of(
                "attached OK NONE 0 ack 0",
                "attached OK BOOST " + boost + " ack 0",
                "attached OK BOOST " + boost + " ack " + hb,
                "attached OK UNBOOST " + release + " ack " + hb,
                "detached OK UNBOOST " + release + " ack " + hb), seenAtRing);
    }

    @Test
    void withoutADoorbellNothingRingsAndTheProtocolIsUnchanged() throws InterruptedException {
        SharedMemory m = memory((int) RegionLayout.regionSize(1));
        HostEndpoint host = Regions.createHost(m, HostRegionConfig.defaults(1));
        GuestEndpoint guest = Regions.attachGuest(m, Feature.DEFINED_MASK);
        long id = guest.requestBoost(0, SchedPolicy.RR, 3, 0, 1);
        int[] changed = new int[1];
        assertEquals(1, host.pollChangedSlots(changed));
        GuestSlotSnapshot line = new GuestSlotSnapshot();
        assertEquals(ReadStatus.OK, host.readRequest(0, line));
        assertEquals(BoostRequest.BOOST, line.request());
        HostSlotSnapshot pub = new HostSlotSnapshot();
        pub.set(SlotStatus.BOOSTED, SchedPolicy.RR, 3, DenialReason.NONE, 0, 0, id, 0);
        host.publishState(0, pub);
        HostSlotSnapshot seen = new HostSlotSnapshot();
        assertTrue(guest.awaitActed(0, id, 1_000_000_000L, seen));
    }
}
