package dev.vboost.api.image;

import static dev.vboost.api.image.HostHeaderCheck.u16;
import static dev.vboost.api.image.HostHeaderCheck.u32;

import dev.vboost.api.GuestHeader;
import dev.vboost.api.GuestRequest;
import dev.vboost.api.HostHeader;
import dev.vboost.api.HostState;
import dev.vboost.api.WireError;
import dev.vboost.api.layout.GuestHeaderLayout;
import dev.vboost.api.layout.GuestSlotLayout;
import dev.vboost.api.layout.HostSlotLayout;
import dev.vboost.api.layout.RegionLayout;
import dev.vboost.api.wire.AttachState;
import dev.vboost.api.wire.BoostReason;
import dev.vboost.api.wire.BoostRequest;
import dev.vboost.api.wire.DenialReason;
import dev.vboost.api.wire.Feature;
import dev.vboost.api.wire.HostBoostFlag;
import dev.vboost.api.wire.SchedPolicy;
import dev.vboost.api.wire.SlotStatus;
import java.nio.ByteBuffer;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Decodes and judges the seqlock lines of an image: the guest header (checks CG1..CG7 of spec §6.3), a slot's
 * guest line (CS1..CS5) and its host line (CK1..CK3). Each line is judged alone; an odd counter means the line
 * is not used at all.
 */
final class LineCheck {

    private LineCheck() {
    }

    static LineImage<GuestHeader> guestHeader(ByteBuffer b, HostHeader host) {
        int base = RegionLayout.GUEST_HEADER_OFFSET;
        long seq = u32(b, base + GuestHeaderLayout.GUEST_SEQ_OFFSET);
        if ((seq & 1) != 0) {
            return new LineImage<>(seq, null, at(WireError.BUSY, ImageStruct.GUEST_HEADER, -1, base));
        }
        long stateCode = u32(b, base + GuestHeaderLayout.ATTACH_STATE_OFFSET);
        AttachState state = AttachState.fromCode((int) Math.min(stateCode, Integer.MAX_VALUE));
        GuestHeader h = new GuestHeader(seq, state, u16(b, base + GuestHeaderLayout.GUEST_ABI_MAJOR_OFFSET),
                u16(b, base + GuestHeaderLayout.GUEST_ABI_MINOR_OFFSET),
                u32(b, base + GuestHeaderLayout.ATTACHED_GENERATION_OFFSET),
                b.getLong(base + GuestHeaderLayout.ACCEPTED_FEATURES_OFFSET));
        Fault f = guestHeaderFault(h, host);
        return new LineImage<>(seq, h, f == null ? null
                : at(f.error(), ImageStruct.GUEST_HEADER, -1, base + f.offset()));
    }

    /** A broken rule and the offset of its field inside the line. */
    private record Fault(WireError error, int offset) {
    }

    private static @Nullable Fault guestHeaderFault(GuestHeader h, HostHeader host) {
        if (h.attachState() == AttachState.UNKNOWN) {
            return new Fault(WireError.INVALID_VALUE, GuestHeaderLayout.ATTACH_STATE_OFFSET);
        }
        if (strictMinor(h.guestAbiMinor()) && Feature.hasUndefinedBits(h.acceptedFeatures(), h.guestAbiMinor())) {
            return new Fault(WireError.RESERVED_BITS, GuestHeaderLayout.ACCEPTED_FEATURES_OFFSET);
        }
        if (h.attachState() != AttachState.ATTACHED) {
            return null;
        }
        if (h.attachedGeneration() != host.hostGeneration()) {
            return new Fault(WireError.STALE_GENERATION, GuestHeaderLayout.ATTACHED_GENERATION_OFFSET);
        }
        if (h.guestAbiMajor() != host.abiMajor()) {
            return new Fault(WireError.UNSUPPORTED_MAJOR, GuestHeaderLayout.GUEST_ABI_MAJOR_OFFSET);
        }
        if (h.guestAbiMinor() > host.abiMinor()) {
            return new Fault(WireError.INVALID_VALUE, GuestHeaderLayout.GUEST_ABI_MINOR_OFFSET);
        }
        if ((h.acceptedFeatures() & ~host.hostFeatures()) != 0) {
            return new Fault(WireError.INVALID_VALUE, GuestHeaderLayout.ACCEPTED_FEATURES_OFFSET);
        }
        return null;
    }

    static LineImage<GuestRequest> slotGuest(ByteBuffer b, int slot, int negotiatedMinor) {
        int base = RegionLayout.guestLineOffset(slot);
        long seq = u32(b, base + GuestSlotLayout.GUEST_SEQ_OFFSET);
        if ((seq & 1) != 0) {
            return new LineImage<>(seq, null, at(WireError.BUSY, ImageStruct.SLOT_GUEST_LINE, slot, base));
        }
        int request = b.get(base + GuestSlotLayout.REQUEST_OFFSET) & 0xFF;
        int policy = b.get(base + GuestSlotLayout.POLICY_OFFSET) & 0xFF;
        int priority = b.get(base + GuestSlotLayout.PRIORITY_OFFSET) & 0xFF;
        int nice = b.get(base + GuestSlotLayout.NICE_OFFSET);
        int reasons = b.getInt(base + GuestSlotLayout.REASONS_OFFSET);
        long requestId = b.getLong(base + GuestSlotLayout.REQUEST_ID_OFFSET);
        long ack = b.getLong(base + GuestSlotLayout.HOST_BOOST_ACK_OFFSET);
        GuestRequest r = new GuestRequest(BoostRequest.fromCode(request), SchedPolicy.fromCode(policy), priority,
                nice, reasons, requestId, ack);
        int field = slotGuestFault(r, strictMinor(negotiatedMinor));
        WireError e = field == GuestSlotLayout.REASONS_OFFSET ? WireError.RESERVED_BITS : WireError.INVALID_VALUE;
        return new LineImage<>(seq, r, field < 0 ? null : at(e, ImageStruct.SLOT_GUEST_LINE, slot, base + field));
    }

    /** Offset inside the guest line of the first field breaking a rule, or -1; same order as GuestSlotSnapshot. */
    private static int slotGuestFault(GuestRequest r, boolean strict) {
        if (strict && BoostReason.hasUndefinedBits(r.reasons())) {
            return GuestSlotLayout.REASONS_OFFSET;
        }
        if (r.requestId() < 0) {
            return GuestSlotLayout.REQUEST_ID_OFFSET;
        }
        if (r.hostBoostAck() < 0) {
            return GuestSlotLayout.HOST_BOOST_ACK_OFFSET;
        }
        if (r.request() == BoostRequest.UNKNOWN) {
            return GuestSlotLayout.REQUEST_OFFSET;
        }
        if (r.request() != BoostRequest.BOOST) {
            return -1;
        }
        switch (r.policy()) {
            case FIFO:
            case RR:
                return r.priority() >= 1 && r.priority() <= RegionLayout.PRIO_MAX ? -1 : GuestSlotLayout.PRIORITY_OFFSET;
            case NORMAL:
                if (r.priority() != 0) {
                    return GuestSlotLayout.PRIORITY_OFFSET;
                }
                return r.nice() >= RegionLayout.NICE_MIN && r.nice() <= RegionLayout.NICE_MAX
                        ? -1 : GuestSlotLayout.NICE_OFFSET;
            default:
                return GuestSlotLayout.POLICY_OFFSET;
        }
    }

    static LineImage<HostState> slotHost(ByteBuffer b, int slot, int negotiatedMinor) {
        int base = RegionLayout.hostLineOffset(slot);
        long seq = u32(b, base + HostSlotLayout.HOST_SEQ_OFFSET);
        if ((seq & 1) != 0) {
            return new LineImage<>(seq, null, at(WireError.BUSY, ImageStruct.SLOT_HOST_LINE, slot, base));
        }
        int flags = b.getInt(base + HostSlotLayout.HOST_BOOST_FLAGS_OFFSET);
        HostState s = new HostState(SlotStatus.fromCode(b.get(base + HostSlotLayout.STATUS_OFFSET) & 0xFF),
                SchedPolicy.fromCode(b.get(base + HostSlotLayout.POLICY_OFFSET) & 0xFF),
                b.get(base + HostSlotLayout.PRIORITY_OFFSET) & 0xFF,
                DenialReason.fromCode(b.get(base + HostSlotLayout.DENIAL_OFFSET) & 0xFF), flags,
                u32(b, base + HostSlotLayout.BUDGET_REMAINING_US_OFFSET),
                b.getLong(base + HostSlotLayout.ACTED_REQUEST_ID_OFFSET),
                b.getLong(base + HostSlotLayout.HOST_BOOST_ID_OFFSET));
        int field = -1;
        WireError e = WireError.INVALID_VALUE;
        if (strictMinor(negotiatedMinor) && HostBoostFlag.hasUndefinedBits(flags)) {
            field = HostSlotLayout.HOST_BOOST_FLAGS_OFFSET;
            e = WireError.RESERVED_BITS;
        } else if (s.actedRequestId() < 0) {
            field = HostSlotLayout.ACTED_REQUEST_ID_OFFSET;
        } else if (s.hostBoostId() < 0) {
            field = HostSlotLayout.HOST_BOOST_ID_OFFSET;
        }
        return new LineImage<>(seq, s, field < 0 ? null : at(e, ImageStruct.SLOT_HOST_LINE, slot, base + field));
    }

    /** Bit sets are checked against this reader's masks only if their writer spoke no newer minor (spec §10). */
    private static boolean strictMinor(int writerMinor) {
        return writerMinor <= RegionLayout.ABI_MINOR;
    }

    private static ImageError at(WireError e, ImageStruct struct, int slot, int offset) {
        return new ImageError(e, struct, slot, offset);
    }
}
