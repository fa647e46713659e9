package dev.vboost.api.image;

import static dev.vboost.api.layout.HostHeaderLayout.ABI_MAJOR_OFFSET;
import static dev.vboost.api.layout.HostHeaderLayout.ABI_MINOR_OFFSET;
import static dev.vboost.api.layout.HostHeaderLayout.HEADER_SIZE_OFFSET;
import static dev.vboost.api.layout.HostHeaderLayout.HOST_FEATURES_OFFSET;
import static dev.vboost.api.layout.HostHeaderLayout.HOST_GENERATION_OFFSET;
import static dev.vboost.api.layout.HostHeaderLayout.MAGIC_OFFSET;
import static dev.vboost.api.layout.HostHeaderLayout.MAX_BOOST_US_OFFSET;
import static dev.vboost.api.layout.HostHeaderLayout.PRIO_CEILING_OFFSET;
import static dev.vboost.api.layout.HostHeaderLayout.REGION_SIZE_OFFSET;
import static dev.vboost.api.layout.HostHeaderLayout.REGION_STATE_OFFSET;
import static dev.vboost.api.layout.HostHeaderLayout.SLOT_COUNT_OFFSET;
import static dev.vboost.api.layout.HostHeaderLayout.SLOT_SIZE_OFFSET;

import dev.vboost.api.HostHeader;
import dev.vboost.api.WireError;
import dev.vboost.api.layout.RegionLayout;
import dev.vboost.api.wire.Feature;
import dev.vboost.api.wire.RegionState;
import java.nio.ByteBuffer;
import org.checkerframework.checker.nullness.qual.Nullable;

/** Decodes the host header of an image and applies the region checks C1..C13 of spec §6.2, in that order. */
final class HostHeaderCheck {

    private HostHeaderCheck() {
    }

    /** The header as stored; the caller has checked that the image holds at least 64 bytes. */
    static HostHeader decode(ByteBuffer b) {
        return new HostHeader(u32(b, MAGIC_OFFSET), u16(b, ABI_MAJOR_OFFSET), u16(b, ABI_MINOR_OFFSET),
                u16(b, HEADER_SIZE_OFFSET), u16(b, SLOT_SIZE_OFFSET), u32(b, SLOT_COUNT_OFFSET),
                b.getLong(HOST_FEATURES_OFFSET), u32(b, HOST_GENERATION_OFFSET),
                RegionState.fromCode((int) Math.min(u32(b, REGION_STATE_OFFSET), Integer.MAX_VALUE)),
                u32(b, PRIO_CEILING_OFFSET), u32(b, MAX_BOOST_US_OFFSET), b.getLong(REGION_SIZE_OFFSET));
    }

    /**
     * The first region rule {@code h} breaks for an image of {@code length} bytes, or null. A NOT_READY header
     * passes once magic, major and state are known: its other fields may be half written (spec §4.4).
     */
    static @Nullable ImageError check(HostHeader h, int length) {
        if (h.magic() != Integer.toUnsignedLong(RegionLayout.MAGIC)) {
            return at(WireError.BAD_MAGIC, MAGIC_OFFSET);
        }
        if (h.abiMajor() != RegionLayout.ABI_MAJOR) {
            return at(WireError.UNSUPPORTED_MAJOR, ABI_MAJOR_OFFSET);
        }
        if (h.regionState() == RegionState.UNKNOWN) {
            return at(WireError.BAD_STATE, REGION_STATE_OFFSET);
        }
        if (h.regionState() == RegionState.NOT_READY) {
            return null;
        }
        if (h.headerSize() != RegionLayout.HEADER_SIZE) {
            return at(WireError.BAD_GEOMETRY, HEADER_SIZE_OFFSET);
        }
        if (h.slotSize() != RegionLayout.SLOT_SIZE) {
            return at(WireError.BAD_GEOMETRY, SLOT_SIZE_OFFSET);
        }
        if (h.slotCount() < 1 || h.slotCount() > RegionLayout.MAX_SLOTS) {
            return at(WireError.BAD_SLOT_COUNT, SLOT_COUNT_OFFSET);
        }
        long expectedSize = RegionLayout.regionSize((int) h.slotCount());
        if (h.regionSize() != expectedSize) {
            return at(WireError.TRUNCATED, REGION_SIZE_OFFSET);
        }
        if (length < expectedSize) {
            return new ImageError(WireError.TRUNCATED, ImageStruct.REGION, -1, length);
        }
        if (h.regionState() == RegionState.READY && h.hostGeneration() == 0) {
            return at(WireError.NOT_READY, HOST_GENERATION_OFFSET);
        }
        if (h.abiMinor() <= RegionLayout.ABI_MINOR && Feature.hasUndefinedBits(h.hostFeatures(), h.abiMinor())) {
            return at(WireError.RESERVED_BITS, HOST_FEATURES_OFFSET);
        }
        if (h.prioCeiling() < 1 || h.prioCeiling() > RegionLayout.PRIO_MAX) {
            return at(WireError.INVALID_VALUE, PRIO_CEILING_OFFSET);
        }
        if (h.maxBoostUs() == 0) {
            return at(WireError.INVALID_VALUE, MAX_BOOST_US_OFFSET);
        }
        return null;
    }

    private static ImageError at(WireError e, int fieldOffset) {
        return new ImageError(e, ImageStruct.HOST_HEADER, -1, RegionLayout.HOST_HEADER_OFFSET + fieldOffset);
    }

    static long u32(ByteBuffer b, int index) {
        return Integer.toUnsignedLong(b.getInt(index));
    }

    static int u16(ByteBuffer b, int index) {
        return Short.toUnsignedInt(b.getShort(index));
    }
}
