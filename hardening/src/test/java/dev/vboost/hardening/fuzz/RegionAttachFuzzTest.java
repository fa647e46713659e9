package dev.vboost.hardening.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.vboost.api.HostHeader;
import dev.vboost.api.HostSlotSnapshot;
import dev.vboost.api.ReadStatus;
import dev.vboost.api.VboostException;
import dev.vboost.api.WireError;
import dev.vboost.api.image.LineImage;
import dev.vboost.api.image.RegionImage;
import dev.vboost.api.layout.RegionLayout;
import dev.vboost.api.memory.SharedMemory;
import dev.vboost.api.role.GuestEndpoint;
import dev.vboost.api.wire.Feature;
import dev.vboost.impl.Regions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzes the guest's attach (spec §5.2, §6) over arbitrary region bytes: {@link Regions#attachGuest} on a
 * direct-memory region holding the input (threat model T9, T10, T20). Seeds: golden vectors.
 *
 * <p>Invariants on every input: attach either succeeds or throws {@link VboostException} naming a rule (no
 * other exception, no hang); it agrees with {@link Regions#checkRegion} and with the independent reader
 * {@link RegionImage#attachOutcome()}; a refused attach writes nothing; a successful one writes only the guest
 * header and guest lines, leaves a region whose guest side decodes valid, negotiates only features both offered,
 * and every slot's host line then reads with the status the image reader predicts.
 */
class RegionAttachFuzzTest {

    @FuzzTest(maxDuration = "60s")
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void attach(FuzzedDataProvider data) {
        long guestFeatures = data.consumeLong() & Feature.DEFINED_MASK;
        byte[] raw = data.consumeRemainingAsBytes();
        RegionImage image = RegionImage.decode(raw);
        if (raw.length == 0) {
            assertEquals(WireError.TRUNCATED, image.attachOutcome());
            return;
        }
        SharedMemory memory = FuzzMemory.holding(raw);
        WireError checked = Regions.checkRegion(memory);
        assertArrayEquals(raw, FuzzMemory.copy(memory), "checkRegion only reads");

        GuestEndpoint guest;
        try {
            guest = Regions.attachGuest(memory, guestFeatures);
        } catch (VboostException e) {
            assertNotEquals(WireError.NONE, e.error(), "a refusal names a rule");
            assertEquals(checked, e.error(), "attach and checkRegion agree");
            assertEquals(image.attachOutcome(), e.error(), "attach agrees with the image reader");
            assertArrayEquals(raw, FuzzMemory.copy(memory), "a refused attach writes nothing");
            return;
        }
        assertEquals(WireError.NONE, checked);
        assertEquals(WireError.NONE, image.attachOutcome(), "attach agrees with the image reader");
        HostHeader host = image.hostHeader();
        assertNotNull(host);
        int slots = (int) host.slotCount();
        assertEquals(slots, guest.slotCount());
        long accepted = guest.acceptedFeatures();
        assertEquals(0, accepted & ~guestFeatures, "accepted only what the guest implements");
        assertEquals(0, accepted & ~host.hostFeatures(), "accepted only what the host offers");

        byte[] after = FuzzMemory.copy(memory);
        assertHostBytesUnchanged(raw, after, slots);
        RegionImage attached = RegionImage.decode(after);
        LineImage<?> gh = attached.guestHeader();
        assertNotNull(gh);
        assertTrue(gh.ok(), () -> "the guest header written at attach is valid: " + gh);
        HostSlotSnapshot snap = new HostSlotSnapshot();
        for (int i = 0; i < slots; i++) {
            LineImage<?> gl = attached.slots().get(i).guest();
            assertTrue(gl.ok(), "guest line " + i + " taken over at attach is valid: " + gl);
            ReadStatus st = guest.readHostState(i, snap);
            assertEquals(FuzzMemory.expectedStatus(attached.slots().get(i).host()), st,
                    "host line " + i + " reads as the image reader judges it");
        }
        assertTrue(!guest.hostRestarted(), "nothing changed the host header");
        guest.detach();
    }

    /** The guest owns only the guest header (0x40..0x80) and the first half of each slot. */
    private static void assertHostBytesUnchanged(byte[] before, byte[] after, int slots) {
        for (int i = 0; i < before.length; i++) {
            boolean guestOwned = (i >= RegionLayout.GUEST_HEADER_OFFSET && i < RegionLayout.HEADER_SIZE)
                    || (i >= RegionLayout.SLOTS_OFFSET && i < RegionLayout.regionSize(slots)
                            && (i - RegionLayout.SLOTS_OFFSET) % RegionLayout.SLOT_SIZE < RegionLayout.SLOT_HOST_LINE_OFFSET);
            if (!guestOwned) {
                int at = i;
                assertEquals(before[i], after[i], () -> "attach wrote host-owned byte 0x" + Integer.toHexString(at));
            }
        }
    }
}
