package dev.vboost.api.image;

import dev.vboost.api.GuestHeader;
import dev.vboost.api.HostHeader;
import dev.vboost.api.WireError;
import dev.vboost.api.layout.HostHeaderLayout;
import dev.vboost.api.layout.RegionLayout;
import dev.vboost.api.wire.RegionState;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * A region image decoded by a v1.0 reader under the checks of spec §6, in the order the spec lists them: first
 * the host header (a failure there rejects the whole image), then the guest header and every slot's two lines,
 * each judged alone. Immutable.
 *
 * <p>{@link #decode} never throws for any byte content: every read is bounds-checked before it happens and
 * the slot loop is bounded by {@link RegionLayout#MAX_SLOTS}. It applies no memory ordering: it is for bytes at
 * rest (a file, a copy, a test vector), not for a region a peer is writing.
 */
public final class RegionImage {
    private final int length;
    private final @Nullable HostHeader hostHeader;
    private final @Nullable ImageError regionError;
    private final @Nullable LineImage<GuestHeader> guestHeader;
    private final List<SlotImage> slots;

    private RegionImage(int length, @Nullable HostHeader hostHeader, @Nullable ImageError regionError,
            @Nullable LineImage<GuestHeader> guestHeader, List<SlotImage> slots) {
        this.length = length;
        this.hostHeader = hostHeader;
        this.regionError = regionError;
        this.guestHeader = guestHeader;
        this.slots = List.copyOf(slots);
    }

    /**
     * Decodes {@code image}; the array is not kept. Null is a programming error (NullPointerException).
     *
     * @param image the region's bytes
     * @return the decoded image
     */
    public static RegionImage decode(byte[] image) {
        return decode(ByteBuffer.wrap(Objects.requireNonNull(image, "image")));
    }

    /**
     * Decodes the bytes from {@code image}'s position to its limit. The buffer's position, limit and byte
     * order are left as they were; bytes past the size the header gives are ignored.
     *
     * @param image the region's bytes
     * @return the decoded image
     */
    public static RegionImage decode(ByteBuffer image) {
        ByteBuffer b = image.slice().order(ByteOrder.LITTLE_ENDIAN);
        int length = b.remaining();
        if (length < HostHeaderLayout.LENGTH) {
            return new RegionImage(length, null, new ImageError(WireError.TRUNCATED, ImageStruct.REGION, -1, length),
                    null, List.of());
        }
        HostHeader host = HostHeaderCheck.decode(b);
        ImageError error = HostHeaderCheck.check(host, length);
        if (error != null || host.regionState() == RegionState.NOT_READY) {
            return new RegionImage(length, host, error, null, List.of());
        }
        LineImage<GuestHeader> guest = LineCheck.guestHeader(b, host);
        GuestHeader g = guest.value();
        // §6.4: a guest cannot raise the negotiated minor above the host's by claiming more (that fails CG6)
        int negotiatedMinor = g != null ? Math.min(g.guestAbiMinor(), host.abiMinor()) : RegionLayout.ABI_MINOR;
        // slotCount is 1..MAX_SLOTS here and the image holds regionSize(slotCount) bytes (checks C7, C9)
        int count = (int) host.slotCount();
        List<SlotImage> slots = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            slots.add(new SlotImage(i, LineCheck.slotGuest(b, i, negotiatedMinor),
                    LineCheck.slotHost(b, i, negotiatedMinor)));
        }
        return new RegionImage(length, host, null, guest, slots);
    }

    /**
     * Bytes in the image.
     *
     * @return the length in bytes
     */
    public int length() {
        return length;
    }

    /**
     * The host header as stored, or null if the image is shorter than a header. Present even when rejected.
     *
     * @return the header, or null
     */
    public @Nullable HostHeader hostHeader() {
        return hostHeader;
    }

    /**
     * The rule that rejects the image as a whole, or null if the host header passed.
     *
     * @return the error, or null
     */
    public @Nullable ImageError regionError() {
        return regionError;
    }

    /**
     * The guest header line; null when the region was rejected or is NOT_READY.
     *
     * @return the line, or null
     */
    public @Nullable LineImage<GuestHeader> guestHeader() {
        return guestHeader;
    }

    /**
     * Every slot in index order; empty when the region was rejected or is NOT_READY.
     *
     * @return the slots
     */
    public List<SlotImage> slots() {
        return slots;
    }

    /**
     * The region error if any, else the first line error in region order (guest header, slot 0 guest, ...).
     *
     * @return the first error, or null if there is none
     */
    public @Nullable ImageError firstError() {
        if (regionError != null) {
            return regionError;
        }
        if (guestHeader != null && guestHeader.error() != null) {
            return guestHeader.error();
        }
        for (SlotImage s : slots) {
            if (s.guest().error() != null) {
                return s.guest().error();
            }
            if (s.host().error() != null) {
                return s.host().error();
            }
        }
        return null;
    }

    /**
     * True if no rule was broken anywhere in the image.
     *
     * @return true if the image is accepted
     */
    public boolean accepted() {
        return firstError() == null;
    }

    /**
     * What a guest attaching to this region is told (spec §5.2): the region error, {@code NOT_READY},
     * {@code DISABLED}, or {@link WireError#NONE} for a READY region. Line errors do not change it.
     *
     * @return the error a guest would get, or {@link WireError#NONE}
     */
    public WireError attachOutcome() {
        HostHeader h = hostHeader;
        if (regionError != null || h == null) {
            return regionError != null ? regionError.error() : WireError.TRUNCATED;
        }
        switch (h.regionState()) {
            case READY:
                return WireError.NONE;
            case DISABLED:
                return WireError.DISABLED;
            default:
                return WireError.NOT_READY;
        }
    }

    @Override
    public String toString() {
        ImageError e = firstError();
        return "RegionImage{" + length + " bytes, " + (hostHeader == null ? "no header" : hostHeader.regionState())
                + ", " + slots.size() + " slots, " + (e == null ? "accepted" : e.toString()) + "}";
    }
}
