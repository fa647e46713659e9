package dev.vboost.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
        // a host that waits on the doorbell offers DOORBELL (§12.2)
        HostEndpoint host = Regions.createHost(m, new HostRegionConfig(2, Feature.DEFINED_MASK, 50, 3000));
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
        assertTrue(Feature.DOORBELL.in(guest.acceptedFeatures()), "accepted: offered, implemented, can ring");
        assertTrue(host.guestAttached());
        assertTrue(Feature.DOORBELL.in(host.acceptedFeatures()));
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
    void aGuestThatCanRingNeverRingsAHostThatDidNotOfferTheDoorbell() throws InterruptedException {
        SharedMemory m = memory((int) RegionLayout.regionSize(1));
        HostEndpoint host = Regions.createHost(m, HostRegionConfig.defaults(1)); // no doorbell: not offered
        assertFalse(HostRegionConfig.defaults(1).offers(Feature.DOORBELL));
        int[] rings = new int[1];
        GuestEndpoint guest = Regions.attachGuest(m, Feature.DEFINED_MASK, () -> rings[0]++);
        assertFalse(Feature.DOORBELL.in(guest.acceptedFeatures()));
        guest.acknowledgeHostBoost(0, host.startHostBoost(0, 1, SchedPolicy.FIFO, 5));
        guest.release(0);
        guest.detach();
        assertEquals(0, rings[0], "a guest that did not accept DOORBELL never rings");
    }

    @Test
    void againstA10HostTheGuestNegotiatesMinor0AndNeverRings() {
        SharedMemory m = memory((int) RegionLayout.regionSize(1));
        HostEndpoint host = Regions.createHost(m, HostRegionConfig.defaults(1));
        // what a 1.0 host writes (H2 happens before READY; patched here for the test): minor 0, 1.0 features only
        m.putShort(dev.vboost.api.layout.HostHeaderLayout.ABI_MINOR_OFFSET, (short) 0);
        int[] rings = new int[1];
        GuestEndpoint guest = Regions.attachGuest(m, Feature.DEFINED_MASK, () -> rings[0]++);
        assertEquals(Feature.DEFINED_MASK_1_0, guest.acceptedFeatures());
        assertTrue(host.guestAttached());
        assertEquals(0, host.readGuestHeader().guestAbiMinor(), "A2: min(1, 0)");
        guest.release(0);
        assertEquals(0, rings[0]);
    }

    @Test
    void aGuestWithoutADoorbellNeverAcceptsItEvenWhenOffered() {
        SharedMemory m = memory((int) RegionLayout.regionSize(1));
        Regions.createHost(m, new HostRegionConfig(1, Feature.DEFINED_MASK, 50, 3000));
        GuestEndpoint guest = Regions.attachGuest(m, Feature.DEFINED_MASK);
        assertEquals(Feature.ALL_BUT_DOORBELL, guest.acceptedFeatures(), "§12.2: only a guest that can ring");
        assertEquals(1, guest.hostHeader().abiMinor(), "a 1.1 host writes abi_minor 1");
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
