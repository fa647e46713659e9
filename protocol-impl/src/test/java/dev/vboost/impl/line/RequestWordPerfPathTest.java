package dev.vboost.impl.line;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vboost.api.GuestSlotSnapshot;
import dev.vboost.api.HostSlotSnapshot;
import dev.vboost.api.ReadStatus;
import dev.vboost.api.WireError;
import dev.vboost.api.layout.GuestSlotLayout;
import dev.vboost.api.layout.HostSlotLayout;
import dev.vboost.api.layout.RegionLayout;
import dev.vboost.api.memory.SharedMemory;
import dev.vboost.api.role.HostEndpoint;
import dev.vboost.impl.HostRegionConfig;
import dev.vboost.impl.Regions;
import dev.vboost.impl.contract.BackendTest;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The fast paths: the four one-byte line fields moved as one little-endian int ({@link RequestWord}), and the
 * strided counter scan of {@code pollChangedSlots}, each checked against the byte-at-a-time / per-slot way it
 * replaces. Seeded: {@code -Dvboost.perfpath.seed=N} replays a failure (the seed is in every message).
 */
public class RequestWordPerfPathTest extends BackendTest {
    static final long SEED = Long.getLong("vboost.perfpath.seed", System.nanoTime());
    static final int SLOT = 3;

    private SharedMemory region(int slots) {
        return memory((int) RegionLayout.regionSize(slots));
    }

    @Test
    void theWordIsTheFourBytesLittleEndianForEveryByteValue() {
        SharedMemory m = region(1);
        int at = RegionLayout.guestLineOffset(0) + RequestWord.OFFSET;
        for (int v = 0; v < 256; v++) {
            int b4 = v;
            int b5 = 255 - v;
            int b6 = (v * 7) & 0xFF;
            int b7 = (v * 13 + 5) & 0xFF;
            m.putByte(at, (byte) b4);
            m.putByte(at + 1, (byte) b5);
            m.putByte(at + 2, (byte) b6);
            m.putByte(at + 3, (byte) b7);
            int word = m.getInt(at);
            String what = "bytes " + b4 + ", " + b5 + ", " + b6 + ", " + b7;
            assertEquals(RequestWord.pack(b4, b5, b6, b7), word, what);
            assertEquals(b4, RequestWord.u8At4(word), what);
            assertEquals(b5, RequestWord.u8At5(word), what);
            assertEquals(b6, RequestWord.u8At6(word), what);
            assertEquals(b7, RequestWord.u8At7(word), what);
            assertEquals((byte) b7, RequestWord.s8At7(word), what + ": s8 keeps its sign");
            // and back: one int store leaves the same four bytes
            m.putInt(at, 0);
            m.putInt(at, RequestWord.pack(b4, b5, b6, (byte) b7));
            byte[] got = new byte[4];
            m.getBytes(at, got, 0, 4);
            assertArrayEquals(new byte[] {(byte) b4, (byte) b5, (byte) b6, (byte) b7}, got, what);
        }
    }

    @Test
    void guestReaderDecodesBytesAGuestWroteOneByOne() {
        SharedMemory m = region(SLOT + 1);
        int line = RegionLayout.guestLineOffset(SLOT);
        GuestRequestReader reader = new GuestRequestReader(m, SLOT);
        GuestSlotSnapshot s = new GuestSlotSnapshot();
        // a NORMAL boost with nice -20 (0xEC): the sign must survive the word
        writeGuestBytes(m, line, 1, 0, 0, -20);
        assertEquals(ReadStatus.OK, reader.read(s), s.toString());
        assertEquals(1, s.requestCode());
        assertEquals(0, s.policyCode());
        assertEquals(-20, s.nice());
        // FIFO priority 200: unsigned, and out of range, so INVALID (validation stays on the fast path)
        writeGuestBytes(m, line, 1, 1, 200, 0);
        assertEquals(ReadStatus.INVALID, reader.read(s), s.toString());
        assertEquals(200, s.priority());
        assertEquals(WireError.INVALID_VALUE, s.error());
        // an unknown request code 0xFF is read unsigned and rejected
        writeGuestBytes(m, line, 0xFF, 2, 5, 0);
        assertEquals(ReadStatus.INVALID, reader.read(s), s.toString());
        assertEquals(0xFF, s.requestCode());
        // RR 99 with a byte of the next field set: each byte lands in its own field
        writeGuestBytes(m, line, 1, 2, 99, 0);
        m.putInt(line + GuestSlotLayout.REASONS_OFFSET, 1);
        assertEquals(ReadStatus.OK, reader.read(s), s.toString());
        assertEquals(2, s.policyCode());
        assertEquals(99, s.priority());
        assertEquals(1, s.reasons());
    }

    private static void writeGuestBytes(SharedMemory m, int line, int request, int policy, int priority, int nice) {
        int seq = m.getInt(line + GuestSlotLayout.GUEST_SEQ_OFFSET);
        m.putByte(line + GuestSlotLayout.REQUEST_OFFSET, (byte) request);
        m.putByte(line + GuestSlotLayout.POLICY_OFFSET, (byte) policy);
        m.putByte(line + GuestSlotLayout.PRIORITY_OFFSET, (byte) priority);
        m.putByte(line + GuestSlotLayout.NICE_OFFSET, (byte) nice);
        m.putIntRelease(line + GuestSlotLayout.GUEST_SEQ_OFFSET, seq + 2);
    }

    @Test
    void hostReaderDecodesTheFourBytesUnsigned() {
        SharedMemory m = region(SLOT + 1);
        int line = RegionLayout.hostLineOffset(SLOT);
        HostStateReader reader = new HostStateReader(m, SLOT);
        HostSlotSnapshot s = new HostSlotSnapshot();
        m.putByte(line + HostSlotLayout.STATUS_OFFSET, (byte) 2);
        m.putByte(line + HostSlotLayout.POLICY_OFFSET, (byte) 1);
        m.putByte(line + HostSlotLayout.PRIORITY_OFFSET, (byte) 42);
        m.putByte(line + HostSlotLayout.DENIAL_OFFSET, (byte) 0xFE);
        m.putIntRelease(line + HostSlotLayout.HOST_SEQ_OFFSET, 2);
        reader.read(s);
        assertEquals(2, s.statusCode());
        assertEquals(1, s.policyCode());
        assertEquals(42, s.priority());
        assertEquals(0xFE, s.denialCode(), "u8, not sign-extended");
    }

    /**
     * The strided two-run scan against the per-slot round-robin loop it replaced, over random counter changes
     * and random {@code dst} lengths (0 included), so every cursor position and stop point is met.
     */
    @Test
    void stridedScanReportsWhatThePerSlotRoundRobinReported() {
        SplittableRandom rnd = new SplittableRandom(SEED);
        int slots = 1 + rnd.nextInt(37);
        SharedMemory m = region(slots);
        HostEndpoint host = Regions.createHost(m, HostRegionConfig.defaults(slots));
        ReferenceScan ref = new ReferenceScan(m, slots);
        int[] got = new int[slots + 2];
        int[] want = new int[slots + 2];
        for (int round = 0; round < 2_000; round++) {
            int changes = rnd.nextInt(4);
            for (int c = 0; c < changes; c++) {
                int at = RegionLayout.guestLineOffset(rnd.nextInt(slots)) + GuestSlotLayout.GUEST_SEQ_OFFSET;
                m.putIntRelease(at, m.getInt(at) + 2);
            }
            int len = rnd.nextInt(slots + 3);
            int[] dst = Arrays.copyOf(got, len);
            int[] expected = Arrays.copyOf(want, len);
            int n = host.pollChangedSlots(dst);
            int e = ref.poll(expected);
            String where = "seed " + SEED + " (-Dvboost.perfpath.seed), " + slots + " slots, round " + round
                    + ", dst length " + len;
            assertEquals(e, n, where);
            assertArrayEquals(Arrays.copyOf(expected, e), Arrays.copyOf(dst, n), where);
        }
    }

    /** The scan as it was: one slot at a time, wrapping the cursor after each. */
    private static final class ReferenceScan {
        private final SharedMemory memory;
        private final int[] lastSeen;
        private int cursor;

        ReferenceScan(SharedMemory memory, int slots) {
            this.memory = memory;
            this.lastSeen = new int[slots];
        }

        int poll(int[] dst) {
            int n = 0;
            int count = lastSeen.length;
            for (int scanned = 0; scanned < count && n < dst.length; scanned++) {
                int i = cursor;
                cursor = i + 1 == count ? 0 : i + 1;
                int s = memory.getIntAcquire(RegionLayout.guestLineOffset(i) + GuestSlotLayout.GUEST_SEQ_OFFSET);
                if (s != lastSeen[i]) {
                    lastSeen[i] = s;
                    dst[n++] = i;
                }
            }
            return n;
        }
    }
}
