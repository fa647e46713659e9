package dev.vboost.hardening.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.vboost.api.GuestHeader;
import dev.vboost.api.GuestSlotSnapshot;
import dev.vboost.api.HostSlotSnapshot;
import dev.vboost.api.ReadStatus;
import dev.vboost.api.image.ImageError;
import dev.vboost.api.image.LineImage;
import dev.vboost.api.image.RegionImage;
import dev.vboost.api.layout.GuestHeaderLayout;
import dev.vboost.api.layout.HostHeaderLayout;
import dev.vboost.api.layout.RegionLayout;
import dev.vboost.api.memory.SharedMemory;
import dev.vboost.api.role.GuestEndpoint;
import dev.vboost.api.role.HostEndpoint;
import dev.vboost.api.wire.AttachState;
import dev.vboost.api.wire.Feature;
import dev.vboost.impl.HostRegionConfig;
import dev.vboost.impl.Regions;
import dev.vboost.impl.memory.ByteBufferSharedMemory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzes the seqlock readers of slot lines (spec §3.4, §3.5, §4.3) through protocol-impl's endpoints: a real
 * region, then the peer's lines overwritten with fuzzed bytes, then read as the other side reads them
 * (threat model T1, T7, T13, T14, T20, T24).
 *
 * <p>{@link #hostReadsGuestLines}: the host's {@code pollChangedSlots}, {@code readRequest},
 * {@code readGuestHeader} and {@code guestAttached} over a hostile guest header and guest lines.
 * {@link #guestReadsHostLines}: an attached guest's {@code readHostState} over hostile host lines.
 *
 * <p>Invariants on every input: nothing throws, every read returns within the timeout (the retry bound
 * holds), the status is the one the independent image reader ({@link RegionImage}) predicts for the same
 * bytes, an INVALID snapshot names the same rule, and polling reports only slots in range, each once.
 */
class SlotSnapshotFuzzTest {

    private static final int MAX_SLOTS = 4;

    @FuzzTest(maxDuration = "60s")
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void hostReadsGuestLines(FuzzedDataProvider data) {
        int slots = data.consumeInt(1, MAX_SLOTS);
        SharedMemory memory = ByteBufferSharedMemory.allocateDirect((int) RegionLayout.regionSize(slots));
        HostEndpoint host = Regions.createHost(memory, HostRegionConfig.defaults(slots));
        // the hostile guest: its header and every guest line are whatever the input says
        overwrite(memory, RegionLayout.GUEST_HEADER_OFFSET, GuestHeaderLayout.LENGTH, data);
        for (int i = 0; i < slots; i++) {
            overwrite(memory, RegionLayout.guestLineOffset(i), RegionLayout.LINE_SIZE, data);
        }
        RegionImage image = RegionImage.decode(hostView(FuzzMemory.copy(memory)));
        assertNull(image.regionError(), "the host's own header stays valid");

        int[] changed = new int[slots];
        int n = host.pollChangedSlots(changed);
        assertTrue(n >= 0 && n <= slots);
        Set<Integer> seen = new HashSet<>();
        for (int k = 0; k < n; k++) {
            assertTrue(changed[k] >= 0 && changed[k] < slots, "polled slot in range");
            assertTrue(seen.add(changed[k]), "each slot reported once");
        }

        GuestSlotSnapshot snap = new GuestSlotSnapshot();
        for (int i = 0; i < slots; i++) {
            LineImage<?> line = image.slots().get(i).guest();
            ReadStatus st = host.readRequest(i, snap);
            assertEquals(FuzzMemory.expectedStatus(line), st, "slot " + i + " guest line " + line);
            if (st == ReadStatus.INVALID) {
                ImageError e = line.error();
                assertNotNull(e);
                assertEquals(e.error(), snap.error(), "the snapshot names the rule the image reader found");
            }
        }

        LineImage<GuestHeader> ghLine = image.guestHeader();
        assertNotNull(ghLine);
        GuestHeader gh = host.readGuestHeader();
        assertEquals(ghLine.value() == null, gh == null, "null exactly when the guest holds the header busy");
        boolean attached = host.guestAttached();
        if (attached) {
            assertTrue(ghLine.ok(), "attached only over a valid guest header");
            GuestHeader v = ghLine.value();
            assertNotNull(v);
            assertEquals(AttachState.ATTACHED, v.attachState());
            assertEquals(host.generation(), v.attachedGeneration(), "attached to this generation only");
            assertEquals(RegionLayout.ABI_MAJOR, v.guestAbiMajor());
        }
        host.close();
    }

    @FuzzTest(maxDuration = "60s")
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void guestReadsHostLines(FuzzedDataProvider data) {
        int slots = data.consumeInt(1, MAX_SLOTS);
        SharedMemory memory = ByteBufferSharedMemory.allocateDirect((int) RegionLayout.regionSize(slots));
        HostEndpoint host = Regions.createHost(memory, HostRegionConfig.defaults(slots));
        GuestEndpoint guest = Regions.attachGuest(memory, Feature.DEFINED_MASK);
        for (int i = 0; i < slots; i++) {
            overwrite(memory, RegionLayout.hostLineOffset(i), RegionLayout.LINE_SIZE, data);
        }
        RegionImage image = RegionImage.decode(FuzzMemory.copy(memory));
        HostSlotSnapshot snap = new HostSlotSnapshot();
        for (int i = 0; i < slots; i++) {
            LineImage<?> line = image.slots().get(i).host();
            ReadStatus st = guest.readHostState(i, snap);
            assertEquals(FuzzMemory.expectedStatus(line), st, "slot " + i + " host line " + line);
            if (st == ReadStatus.INVALID) {
                ImageError e = line.error();
                assertNotNull(e);
                assertEquals(e.error(), snap.error(), "the snapshot names the rule the image reader found");
            }
        }
        assertFalse(guest.hostRestarted(), "host lines do not move the generation");
        guest.detach();
        host.close();
    }

    /**
     * The bytes as the host must judge them. The negotiated minor can never exceed the host's (spec §5.2), so a
     * guest header claiming a higher minor must not relax the slot checks (CS2 applies whenever the negotiated
     * minor is at most the reader's): the oracle reads the image with the claimed minor clamped to the host's.
     * ({@link RegionImage} itself takes the claimed minor as negotiated; found by this target, input
     * {@code guest-minor-above-host-relaxes-image-checks}.)
     */
    private static byte[] hostView(byte[] image) {
        ByteBuffer b = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
        int at = RegionLayout.GUEST_HEADER_OFFSET + GuestHeaderLayout.GUEST_ABI_MINOR_OFFSET;
        int hostMinor = b.getShort(HostHeaderLayout.ABI_MINOR_OFFSET) & 0xFFFF;
        if ((b.getShort(at) & 0xFFFF) > hostMinor) {
            b.putShort(at, (short) hostMinor);
        }
        return image;
    }

    /** Writes up to {@code length} fuzzed bytes at {@code offset}; fewer if the input runs out (rest unchanged). */
    private static void overwrite(SharedMemory memory, int offset, int length, FuzzedDataProvider data) {
        byte[] b = data.consumeBytes(length);
        memory.putBytes(offset, b, 0, b.length);
    }
}
