package dev.vboost.api.image;

import static dev.vboost.api.testutil.Seeds.describe;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vboost.api.GuestSlotSnapshot;
import dev.vboost.api.HostSlotSnapshot;
import dev.vboost.api.WireError;
import dev.vboost.api.layout.GuestHeaderLayout;
import dev.vboost.api.layout.GuestSlotLayout;
import dev.vboost.api.layout.HostHeaderLayout;
import dev.vboost.api.layout.HostSlotLayout;
import dev.vboost.api.layout.RegionLayout;
import dev.vboost.api.testutil.Seeds;
import dev.vboost.api.wire.AttachState;
import dev.vboost.api.wire.Feature;
import dev.vboost.api.wire.RegionState;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Properties of {@link RegionImage} beyond the golden vectors: robustness, bounds, agreement with the snapshots. */
class RegionImageTest {

    /** A valid READY image with {@code slots} idle slots and an attached guest, written with the descriptors. */
    static byte[] standard(int slots) {
        ByteBuffer b = ByteBuffer.allocate((int) RegionLayout.regionSize(slots)).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(HostHeaderLayout.MAGIC_OFFSET, RegionLayout.MAGIC);
        b.putShort(HostHeaderLayout.ABI_MAJOR_OFFSET, (short) RegionLayout.ABI_MAJOR);
        b.putShort(HostHeaderLayout.ABI_MINOR_OFFSET, (short) RegionLayout.ABI_MINOR); // every 1.1 feature is defined
        b.putShort(HostHeaderLayout.HEADER_SIZE_OFFSET, (short) RegionLayout.HEADER_SIZE);
        b.putShort(HostHeaderLayout.SLOT_SIZE_OFFSET, (short) RegionLayout.SLOT_SIZE);
        b.putInt(HostHeaderLayout.SLOT_COUNT_OFFSET, slots);
        b.putLong(HostHeaderLayout.HOST_FEATURES_OFFSET, Feature.DEFINED_MASK);
        b.putInt(HostHeaderLayout.HOST_GENERATION_OFFSET, 1);
        b.putInt(HostHeaderLayout.REGION_STATE_OFFSET, RegionState.READY.code());
        b.putInt(HostHeaderLayout.PRIO_CEILING_OFFSET, 50);
        b.putInt(HostHeaderLayout.MAX_BOOST_US_OFFSET, 3000);
        b.putLong(HostHeaderLayout.REGION_SIZE_OFFSET, RegionLayout.regionSize(slots));
        int g = RegionLayout.GUEST_HEADER_OFFSET;
        b.putInt(g + GuestHeaderLayout.ATTACH_STATE_OFFSET, AttachState.ATTACHED.code());
        b.putShort(g + GuestHeaderLayout.GUEST_ABI_MAJOR_OFFSET, (short) RegionLayout.ABI_MAJOR);
        b.putInt(g + GuestHeaderLayout.ATTACHED_GENERATION_OFFSET, 1);
        return b.array();
    }

    @Test
    void standardImageIsAcceptedWithEverySlot() {
        for (int n : new int[] {1, 2, 31, 32, 33, RegionLayout.MAX_SLOTS}) {
            RegionImage img = RegionImage.decode(standard(n));
            assertNull(img.firstError(), () -> "n=" + n + " " + img);
            assertEquals(n, img.slots().size());
            assertEquals(WireError.NONE, img.attachOutcome());
        }
    }

    @Test
    void randomBytesNeverThrowAndStayBounded() {
        long seed = Seeds.seed();
        SplittableRandom r = Seeds.random(seed);
        for (int i = 0; i < 3000; i++) {
            byte[] bytes = new byte[r.nextInt(0, 9000)];
            r.nextBytes(bytes);
            if (bytes.length >= 8 && r.nextBoolean()) {
                // keep the magic and major valid so the deeper rules are reached
                ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(0, RegionLayout.MAGIC).putShort(4, (short) 1);
            }
            RegionImage img = RegionImage.decode(bytes);
            assertTrue(img.slots().size() <= RegionLayout.MAX_SLOTS, describe(seed));
            assertEquals(img.regionError() == null && img.hostHeader() != null
                    && img.hostHeader().regionState() != RegionState.NOT_READY, img.guestHeader() != null,
                    describe(seed));
        }
    }

    @Test
    void mutatedValidImagesNeverThrowAndOnlyKnownErrorsAppear() {
        long seed = Seeds.seed();
        SplittableRandom r = Seeds.random(seed);
        for (int i = 0; i < 5000; i++) {
            byte[] bytes = standard(1 + r.nextInt(40));
            int flips = 1 + r.nextInt(8);
            for (int f = 0; f < flips; f++) {
                int at = r.nextInt(r.nextBoolean() ? 0x100 : bytes.length);
                bytes[at] = (byte) r.nextInt(256);
            }
            RegionImage img = RegionImage.decode(bytes);
            ImageError e = img.firstError();
            if (e != null) {
                assertTrue(e.offset() >= 0 && e.offset() <= bytes.length, describe(seed) + " " + e);
                assertTrue(e.error() != WireError.NONE, describe(seed));
            }
        }
    }

    @Test
    void everyTruncationIsReportedAndNothingIsReadPastTheEnd() {
        byte[] full = standard(3);
        for (int len = 0; len < full.length; len++) {
            byte[] cut = java.util.Arrays.copyOf(full, len);
            RegionImage img = RegionImage.decode(cut);
            ImageError e = img.regionError();
            assertNotNull(e, "length " + len);
            assertEquals(WireError.TRUNCATED, e.error(), "length " + len);
            assertEquals(ImageStruct.REGION, e.struct());
            assertEquals(len, e.offset());
        }
        byte[] longer = java.util.Arrays.copyOf(full, full.length + 100);
        assertNull(RegionImage.decode(longer).firstError(), "bytes past region_size are ignored");
    }

    @Test
    void byteBufferInputIsReadFromPositionToLimitAndLeftAsItWas() {
        byte[] region = standard(2);
        ByteBuffer big = ByteBuffer.allocate(region.length + 64).order(ByteOrder.BIG_ENDIAN);
        big.position(64);
        big.put(region);
        big.position(64);
        RegionImage img = RegionImage.decode(big);
        assertNull(img.firstError(), img::toString);
        assertEquals(64, big.position());
        assertEquals(big.capacity(), big.limit());
        assertEquals(ByteOrder.BIG_ENDIAN, big.order());
        assertEquals(region.length, img.length());
    }

    @Test
    void guestLineRulesAgreeWithGuestSlotSnapshot() {
        long seed = Seeds.seed();
        SplittableRandom r = Seeds.random(seed);
        GuestSlotSnapshot snap = new GuestSlotSnapshot();
        for (int i = 0; i < 20_000; i++) {
            byte[] bytes = standard(1);
            ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            int base = RegionLayout.guestLineOffset(0);
            int request = r.nextInt(4);
            int policy = r.nextInt(4);
            int priority = r.nextBoolean() ? r.nextInt(0, 101) : r.nextInt(256);
            int nice = r.nextBoolean() ? r.nextInt(-21, 21) : (byte) r.nextInt(256);
            int reasons = r.nextInt(4) == 0 ? r.nextInt() : r.nextInt(0x80);
            long id = r.nextInt(8) == 0 ? r.nextLong() : r.nextLong(1L << 40);
            long ack = r.nextInt(8) == 0 ? r.nextLong() : r.nextLong(1L << 40);
            b.put(base + GuestSlotLayout.REQUEST_OFFSET, (byte) request);
            b.put(base + GuestSlotLayout.POLICY_OFFSET, (byte) policy);
            b.put(base + GuestSlotLayout.PRIORITY_OFFSET, (byte) priority);
            b.put(base + GuestSlotLayout.NICE_OFFSET, (byte) nice);
            b.putInt(base + GuestSlotLayout.REASONS_OFFSET, reasons);
            b.putLong(base + GuestSlotLayout.REQUEST_ID_OFFSET, id);
            b.putLong(base + GuestSlotLayout.HOST_BOOST_ACK_OFFSET, ack);
            LineImage<?> line = RegionImage.decode(bytes).slots().get(0).guest();
            WireError expected = snap.set(0, request, policy, priority, nice, reasons, id, ack).validate();
            WireError actual = line.error() == null ? WireError.NONE : line.error().error();
            assertEquals(expected, actual, () -> describe(seed) + " " + snap);
        }
    }

    @Test
    void hostLineRulesAgreeWithHostSlotSnapshot() {
        long seed = Seeds.seed();
        SplittableRandom r = Seeds.random(seed);
        HostSlotSnapshot snap = new HostSlotSnapshot();
        for (int i = 0; i < 20_000; i++) {
            byte[] bytes = standard(1);
            ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            int base = RegionLayout.hostLineOffset(0);
            int status = r.nextInt(256);
            int flags = r.nextInt(4) == 0 ? r.nextInt() : r.nextInt(0x20);
            long acted = r.nextInt(8) == 0 ? r.nextLong() : r.nextLong(1L << 40);
            long boostId = r.nextInt(8) == 0 ? r.nextLong() : r.nextLong(1L << 40);
            b.put(base + HostSlotLayout.STATUS_OFFSET, (byte) status);
            b.putInt(base + HostSlotLayout.HOST_BOOST_FLAGS_OFFSET, flags);
            b.putLong(base + HostSlotLayout.ACTED_REQUEST_ID_OFFSET, acted);
            b.putLong(base + HostSlotLayout.HOST_BOOST_ID_OFFSET, boostId);
            LineImage<?> line = RegionImage.decode(bytes).slots().get(0).host();
            WireError expected = snap.set(0, status, 0, 0, 0, flags, 0, acted, boostId).validate();
            WireError actual = line.error() == null ? WireError.NONE : line.error().error();
            assertEquals(expected, actual, () -> describe(seed) + " " + snap);
        }
    }

    @Test
    void oddCountersMakeOnlyTheirLineBusy() {
        byte[] bytes = standard(3);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(RegionLayout.hostLineOffset(1), 0xFFFF_FFFF);
        RegionImage img = RegionImage.decode(bytes);
        assertEquals(WireError.BUSY, img.slots().get(1).host().error().error());
        assertNull(img.slots().get(1).host().value());
        assertEquals(0xFFFF_FFFFL, img.slots().get(1).host().seq());
        assertTrue(img.slots().get(0).host().ok());
        assertTrue(img.slots().get(2).host().ok());
        assertTrue(img.slots().get(1).guest().ok());
        assertEquals(WireError.NONE, img.attachOutcome(), "line errors do not change the attach outcome");
    }
}
