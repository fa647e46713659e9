package dev.vboost.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vboost.api.GuestHeader;
import dev.vboost.api.GuestSlotSnapshot;
import dev.vboost.api.HostSlotSnapshot;
import dev.vboost.api.ReadStatus;
import dev.vboost.api.VboostException;
import dev.vboost.api.WireError;
import dev.vboost.api.layout.RegionLayout;
import dev.vboost.api.role.GuestEndpoint;
import dev.vboost.api.role.HostEndpoint;
import dev.vboost.api.wire.AttachState;
import dev.vboost.api.wire.BoostReason;
import dev.vboost.api.wire.DenialReason;
import dev.vboost.api.wire.Feature;
import dev.vboost.api.wire.SchedPolicy;
import dev.vboost.api.wire.SlotStatus;
import dev.vboost.impl.memory.MappedRegionFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The region lifecycle over a real file in the default place (tmpfs {@code /dev/shm} where present), each
 * side with its own mapping as two processes would have: create and publish, attach, a request acted on,
 * a host restart seen through the generation, re-attach, detach, disable.
 */
class RegionFileLifecycleTest {

    @Test
    void hostCreatesInTheDefaultDirectoryAndAGuestAttachesThroughItsOwnMapping() throws Exception {
        String name = "vboost-lifecycle-" + ProcessHandle.current().pid() + "-" + System.nanoTime() + ".region";
        MappedRegionFile hostFile = MappedRegionFile.createInDefaultDirectory(name, RegionLayout.regionSize(2));
        Path path = hostFile.path();
        try {
            assertEquals(MappedRegionFile.defaultDirectory().resolve(name), path);
            assertEquals(RegionLayout.regionSize(2), Files.size(path));
            HostEndpoint host = Regions.createHost(hostFile.memory(), HostRegionConfig.defaults(2));

            MappedRegionFile guestFile = MappedRegionFile.open(path);
            GuestEndpoint guest = Regions.attachGuest(guestFile.memory(), Feature.DEFINED_MASK);
            assertEquals(1, guest.hostHeader().hostGeneration());
            assertTrue(host.guestAttached());

            long id = guest.requestBoost(1, SchedPolicy.FIFO, 20, 0, BoostReason.RT_TASK.bit());
            int[] changed = new int[2];
            host.pollChangedSlots(changed);
            GuestSlotSnapshot req = new GuestSlotSnapshot();
            assertEquals(ReadStatus.OK, host.readRequest(1, req));
            assertEquals(id, req.requestId());
            host.publishState(1, new HostSlotSnapshot().set(SlotStatus.BOOSTED, SchedPolicy.FIFO, 20,
                    DenialReason.NONE, 0, 0, id, 0));
            HostSlotSnapshot st = new HostSlotSnapshot();
            assertTrue(guest.awaitActed(1, id, 1_000_000_000L, st));
            assertEquals(SlotStatus.BOOSTED, st.status());

            // a new host (as after an agent restart) maps the same file: generation 2, guest notices
            MappedRegionFile restartedFile = MappedRegionFile.open(path);
            HostEndpoint restarted = Regions.createHost(restartedFile.memory(), HostRegionConfig.defaults(2));
            assertEquals(2, restarted.generation());
            assertTrue(guest.hostRestarted());
            assertFalse(restarted.guestAttached(), "the guest is still attached to generation 1");
            GuestEndpoint again = Regions.attachGuest(guestFile.memory(), Feature.DEFINED_MASK);
            assertEquals(2, again.hostHeader().hostGeneration());
            assertTrue(restarted.guestAttached());
            assertEquals(id + 1, again.release(1), "request ids continue across the restart");

            again.detach();
            GuestHeader g = restarted.readGuestHeader();
            assertNotNull(g);
            assertEquals(AttachState.DETACHED, g.attachState());
            restarted.disable();
            VboostException e = assertThrows(VboostException.class,
                    () -> Regions.attachGuest(guestFile.memory(), Feature.DEFINED_MASK));
            assertEquals(WireError.DISABLED, e.error());
        } finally {
            hostFile.close();
            Files.deleteIfExists(path);
        }
    }

    @Test
    void theDefaultFileNameMustBePlain() {
        assertThrows(IllegalArgumentException.class, () -> MappedRegionFile.createInDefaultDirectory("a/b", 4096));
        assertThrows(IllegalArgumentException.class, () -> MappedRegionFile.createInDefaultDirectory("..", 4096));
        assertThrows(IllegalArgumentException.class, () -> MappedRegionFile.createInDefaultDirectory("", 4096));
        assertThrows(IllegalArgumentException.class, () -> MappedRegionFile.createInDefaultDirectory("/x", 4096));
    }
}
