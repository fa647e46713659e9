package dev.vboost.api.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.vboost.api.HostHeader;
import dev.vboost.api.WireError;
import dev.vboost.api.image.ImageError;
import dev.vboost.api.image.LineImage;
import dev.vboost.api.image.RegionImage;
import dev.vboost.api.image.SlotImage;
import dev.vboost.api.layout.RegionLayout;
import dev.vboost.api.wire.RegionState;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzes {@link RegionImage#decode}, the reader behind {@code vboost inspect} and the golden vectors: any bytes
 * a file may hold (spec §6, threat model T9, T10, T20). Seeds are golden vectors from {@code spec/vectors/v1.0}.
 *
 * <p>Invariants on every input: decoding never throws and finishes within the timeout; the slot list is empty
 * for a rejected or NOT_READY region and otherwise has exactly {@code slot_count} (at most
 * {@link RegionLayout#MAX_SLOTS}) entries that all lie inside the image; every error names a byte inside the
 * image; {@code accepted()}, {@code firstError()} and {@code attachOutcome()} agree; and the result does not
 * depend on where the bytes sit in a buffer.
 */
class RegionImageFuzzTest {

    @FuzzTest(maxDuration = "60s")
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void decode(byte[] raw) {
        RegionImage image = RegionImage.decode(raw);
        assertEquals(raw.length, image.length());

        HostHeader host = image.hostHeader();
        ImageError regionError = image.regionError();
        if (host == null) {
            assertNotNull(regionError, "no header means a region error");
            assertEquals(WireError.TRUNCATED, regionError.error(), "only a short image has no header");
        }
        if (regionError != null || (host != null && host.regionState() == RegionState.NOT_READY)) {
            assertTrue(image.slots().isEmpty(), "no slot is read from a rejected or NOT_READY region");
            assertNull(image.guestHeader(), "no guest header is read from a rejected or NOT_READY region");
        } else {
            assertNotNull(host);
            long count = host.slotCount();
            assertTrue(count >= 1 && count <= RegionLayout.MAX_SLOTS, "accepted slot count " + count);
            assertTrue(RegionLayout.regionSize((int) count) <= raw.length, "accepted slots lie inside the image");
            assertEquals(count, image.slots().size(), "one entry per slot");
            for (int i = 0; i < image.slots().size(); i++) {
                SlotImage s = image.slots().get(i);
                assertEquals(i, s.index());
                checkLine(s.guest(), raw.length);
                checkLine(s.host(), raw.length);
            }
            LineImage<?> g = image.guestHeader();
            assertNotNull(g, "a READY or DISABLED region has a guest header line");
            checkLine(g, raw.length);
        }
        if (regionError != null) {
            checkError(regionError, raw.length);
        }

        ImageError first = image.firstError();
        assertEquals(first == null, image.accepted());
        if (regionError != null) {
            assertEquals(regionError, first, "a region error comes first");
            assertEquals(regionError.error(), image.attachOutcome());
        } else {
            WireError outcome = image.attachOutcome();
            assertTrue(outcome == WireError.NONE || outcome == WireError.NOT_READY || outcome == WireError.DISABLED,
                    "a header that passed gives NONE, NOT_READY or DISABLED, got " + outcome);
            assertNotNull(host);
            assertEquals(host.regionState() == RegionState.READY, outcome == WireError.NONE);
        }
        assertNotNull(image.toString());

        // the same bytes at an offset inside a larger buffer decode the same way
        byte[] padded = new byte[raw.length + 11];
        System.arraycopy(raw, 0, padded, 7, raw.length);
        ByteBuffer view = ByteBuffer.wrap(padded, 7, raw.length);
        RegionImage again = RegionImage.decode(view);
        assertEquals(image.toString(), again.toString());
        assertEquals(image.firstError(), again.firstError());
        assertEquals(7, view.position(), "decode leaves the buffer's position alone");
    }

    private static void checkLine(LineImage<?> line, int length) {
        ImageError e = line.error();
        if (e != null) {
            checkError(e, length);
        }
        if (line.value() == null) {
            assertTrue(e != null && e.error() == WireError.BUSY, "only a busy line has no value");
        }
    }

    private static void checkError(ImageError e, int length) {
        assertTrue(e.error() != WireError.NONE, "an error is not NONE");
        assertTrue(e.offset() >= 0 && e.offset() <= length, () -> "error offset outside the image: " + e);
    }
}
