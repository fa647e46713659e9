package dev.vboost.conformance.region;

import dev.vboost.api.layout.GuestHeaderLayout;
import dev.vboost.api.layout.GuestSlotLayout;
import dev.vboost.api.layout.HostHeaderLayout;
import dev.vboost.api.layout.HostSlotLayout;
import dev.vboost.api.layout.RegionLayout;
import dev.vboost.api.memory.SharedMemory;
import dev.vboost.api.wire.RegionState;
import java.lang.invoke.VarHandle;

/**
 * The runner's reference reader and writer of a region, written from the spec for the suite alone. It
 * plays the host when the testee is a guest and the guest when the testee is a host, and it can put the
 * region into states a correct peer never produces (odd counters at rest, reserved bits, unknown codes).
 */
public final class RefRegion {
    private final SharedMemory mem;

    public RefRegion(SharedMemory mem) {
        this.mem = mem;
    }

    public SharedMemory memory() {
        return mem;
    }

    // ---- host header (§3.2, §4.4) ----

    /** H1..H4: NOT_READY, fence, fields, then the header's own state with release. */
    public void writeHostHeader(HeaderImage h) {
        int base = RegionLayout.HOST_HEADER_OFFSET;
        mem.putIntOpaque(base + HostHeaderLayout.REGION_STATE_OFFSET, RegionState.NOT_READY.code()); // H1
        VarHandle.storeStoreFence(); // H1: NOT_READY before any field
        mem.putInt(base + HostHeaderLayout.MAGIC_OFFSET, h.magic());
        mem.putShort(base + HostHeaderLayout.ABI_MAJOR_OFFSET, (short) h.abiMajor());
        mem.putShort(base + HostHeaderLayout.ABI_MINOR_OFFSET, (short) h.abiMinor());
        mem.putShort(base + HostHeaderLayout.HEADER_SIZE_OFFSET, (short) h.headerSize());
        mem.putShort(base + HostHeaderLayout.SLOT_SIZE_OFFSET, (short) h.slotSize());
        mem.putInt(base + HostHeaderLayout.SLOT_COUNT_OFFSET, h.slotCount());
        mem.putLong(base + HostHeaderLayout.HOST_FEATURES_OFFSET, h.hostFeatures());
        mem.putInt(base + HostHeaderLayout.HOST_GENERATION_OFFSET, h.hostGeneration());
        mem.putInt(base + HostHeaderLayout.PRIO_CEILING_OFFSET, h.prioCeiling());
        mem.putInt(base + HostHeaderLayout.MAX_BOOST_US_OFFSET, h.maxBoostUs());
        mem.putLong(base + HostHeaderLayout.REGION_SIZE_OFFSET, h.regionSize());
        mem.putIntRelease(base + HostHeaderLayout.REGION_STATE_OFFSET, h.regionState()); // H4: pairs with reader acquire
    }

    public void setRegionState(int state) {
        mem.putIntRelease(RegionLayout.HOST_HEADER_OFFSET + HostHeaderLayout.REGION_STATE_OFFSET, state);
    }

    public HeaderImage readHostHeader() {
        int b = RegionLayout.HOST_HEADER_OFFSET;
        int state = mem.getIntAcquire(b + HostHeaderLayout.REGION_STATE_OFFSET);
        return new HeaderImage(mem.getInt(b + HostHeaderLayout.MAGIC_OFFSET),
                Short.toUnsignedInt(mem.getShort(b + HostHeaderLayout.ABI_MAJOR_OFFSET)),
                Short.toUnsignedInt(mem.getShort(b + HostHeaderLayout.ABI_MINOR_OFFSET)),
                Short.toUnsignedInt(mem.getShort(b + HostHeaderLayout.HEADER_SIZE_OFFSET)),
                Short.toUnsignedInt(mem.getShort(b + HostHeaderLayout.SLOT_SIZE_OFFSET)),
                mem.getInt(b + HostHeaderLayout.SLOT_COUNT_OFFSET), mem.getLong(b + HostHeaderLayout.HOST_FEATURES_OFFSET),
                mem.getInt(b + HostHeaderLayout.HOST_GENERATION_OFFSET), state,
                mem.getInt(b + HostHeaderLayout.PRIO_CEILING_OFFSET), mem.getInt(b + HostHeaderLayout.MAX_BOOST_US_OFFSET),
                mem.getLong(b + HostHeaderLayout.REGION_SIZE_OFFSET));
    }

    // ---- guest header (§3.3) ----

    /** Publishes the guest header with W1..W4 (the runner playing the guest). */
    public void writeGuestHeader(int attachState, int major, int minor, int generation, long features) {
        int b = RegionLayout.GUEST_HEADER_OFFSET;
        int seqAt = b + GuestHeaderLayout.GUEST_SEQ_OFFSET;
        int even = begin(seqAt);
        mem.putInt(b + GuestHeaderLayout.ATTACH_STATE_OFFSET, attachState);
        mem.putShort(b + GuestHeaderLayout.GUEST_ABI_MAJOR_OFFSET, (short) major);
        mem.putShort(b + GuestHeaderLayout.GUEST_ABI_MINOR_OFFSET, (short) minor);
        mem.putInt(b + GuestHeaderLayout.ATTACHED_GENERATION_OFFSET, generation);
        mem.putLong(b + GuestHeaderLayout.ACCEPTED_FEATURES_OFFSET, features);
        mem.putIntRelease(seqAt, even); // W4
    }

    public int guestHeaderSeq() {
        return mem.getIntAcquire(RegionLayout.GUEST_HEADER_OFFSET + GuestHeaderLayout.GUEST_SEQ_OFFSET);
    }

    public void setGuestHeaderSeq(int v) {
        mem.putIntRelease(RegionLayout.GUEST_HEADER_OFFSET + GuestHeaderLayout.GUEST_SEQ_OFFSET, v);
    }

    // ---- host lines (§3.5) ----

    /** W1..W4 publication of a host line, as a correct host does. */
    public void publishHostLine(int slot, HostLine l) {
        int b = RegionLayout.hostLineOffset(slot);
        int seqAt = b + HostSlotLayout.HOST_SEQ_OFFSET;
        int even = begin(seqAt);
        putHostData(b, l);
        mem.putIntRelease(seqAt, even); // W4: pairs with the reader's R1 acquire
    }

    /** Writes the line's data and counter exactly as given, without the seqlock steps (for states at rest). */
    public void putHostLineRaw(int slot, HostLine l) {
        int b = RegionLayout.hostLineOffset(slot);
        putHostData(b, l);
        mem.putIntRelease(b + HostSlotLayout.HOST_SEQ_OFFSET, l.seq());
    }

    private void putHostData(int b, HostLine l) {
        mem.putByte(b + HostSlotLayout.STATUS_OFFSET, (byte) l.status());
        mem.putByte(b + HostSlotLayout.POLICY_OFFSET, (byte) l.policy());
        mem.putByte(b + HostSlotLayout.PRIORITY_OFFSET, (byte) l.priority());
        mem.putByte(b + HostSlotLayout.DENIAL_OFFSET, (byte) l.denial());
        mem.putInt(b + HostSlotLayout.HOST_BOOST_FLAGS_OFFSET, l.hostBoostFlags());
        mem.putInt(b + HostSlotLayout.BUDGET_REMAINING_US_OFFSET, l.budgetRemainingUs());
        mem.putLong(b + HostSlotLayout.ACTED_REQUEST_ID_OFFSET, l.actedRequestId());
        mem.putLong(b + HostSlotLayout.HOST_BOOST_ID_OFFSET, l.hostBoostId());
    }

    /** Plain read of a quiescent host line (after {@code sync}). */
    public HostLine hostLineAtRest(int slot) {
        int b = RegionLayout.hostLineOffset(slot);
        return new HostLine(mem.getIntAcquire(b + HostSlotLayout.HOST_SEQ_OFFSET), Byte.toUnsignedInt(mem.getByte(b + HostSlotLayout.STATUS_OFFSET)),
                Byte.toUnsignedInt(mem.getByte(b + HostSlotLayout.POLICY_OFFSET)),
                Byte.toUnsignedInt(mem.getByte(b + HostSlotLayout.PRIORITY_OFFSET)),
                Byte.toUnsignedInt(mem.getByte(b + HostSlotLayout.DENIAL_OFFSET)),
                mem.getInt(b + HostSlotLayout.HOST_BOOST_FLAGS_OFFSET), mem.getInt(b + HostSlotLayout.BUDGET_REMAINING_US_OFFSET),
                mem.getLong(b + HostSlotLayout.ACTED_REQUEST_ID_OFFSET), mem.getLong(b + HostSlotLayout.HOST_BOOST_ID_OFFSET));
    }

    /** R1..R5 seqlock read of a host line another process may be writing; null when busy for all attempts. */
    public @org.checkerframework.checker.nullness.qual.Nullable HostLine readHostLine(int slot) {
        int seqAt = RegionLayout.hostLineOffset(slot) + HostSlotLayout.HOST_SEQ_OFFSET;
        for (int attempt = 0; attempt < RegionLayout.MAX_READ_ATTEMPTS; attempt++) {
            int s1 = mem.getIntAcquire(seqAt); // R1: pairs with the writer's W4
            if ((s1 & 1) != 0) {
                continue; // R2
            }
            HostLine copy = hostLineAtRest(slot); // R3
            VarHandle.acquireFence(); // R4
            if (mem.getInt(seqAt) == s1) { // R5
                return copy.withSeq(s1);
            }
        }
        return null;
    }

    // ---- guest lines (§3.4) ----

    public void publishGuestLine(int slot, GuestLine l) {
        int b = RegionLayout.guestLineOffset(slot);
        int seqAt = b + GuestSlotLayout.GUEST_SEQ_OFFSET;
        int even = begin(seqAt);
        putGuestData(b, l);
        mem.putIntRelease(seqAt, even); // W4
    }

    public void putGuestLineRaw(int slot, GuestLine l) {
        int b = RegionLayout.guestLineOffset(slot);
        putGuestData(b, l);
        mem.putIntRelease(b + GuestSlotLayout.GUEST_SEQ_OFFSET, l.seq());
    }

    private void putGuestData(int b, GuestLine l) {
        mem.putByte(b + GuestSlotLayout.REQUEST_OFFSET, (byte) l.request());
        mem.putByte(b + GuestSlotLayout.POLICY_OFFSET, (byte) l.policy());
        mem.putByte(b + GuestSlotLayout.PRIORITY_OFFSET, (byte) l.priority());
        mem.putByte(b + GuestSlotLayout.NICE_OFFSET, (byte) l.nice());
        mem.putInt(b + GuestSlotLayout.REASONS_OFFSET, l.reasons());
        mem.putLong(b + GuestSlotLayout.REQUEST_ID_OFFSET, l.requestId());
        mem.putLong(b + GuestSlotLayout.HOST_BOOST_ACK_OFFSET, l.hostBoostAck());
    }

    public GuestLine guestLineAtRest(int slot) {
        int b = RegionLayout.guestLineOffset(slot);
        return new GuestLine(mem.getIntAcquire(b + GuestSlotLayout.GUEST_SEQ_OFFSET),
                Byte.toUnsignedInt(mem.getByte(b + GuestSlotLayout.REQUEST_OFFSET)),
                Byte.toUnsignedInt(mem.getByte(b + GuestSlotLayout.POLICY_OFFSET)),
                Byte.toUnsignedInt(mem.getByte(b + GuestSlotLayout.PRIORITY_OFFSET)),
                mem.getByte(b + GuestSlotLayout.NICE_OFFSET), mem.getInt(b + GuestSlotLayout.REASONS_OFFSET),
                mem.getLong(b + GuestSlotLayout.REQUEST_ID_OFFSET), mem.getLong(b + GuestSlotLayout.HOST_BOOST_ACK_OFFSET));
    }

    public @org.checkerframework.checker.nullness.qual.Nullable GuestLine readGuestLine(int slot) {
        int seqAt = RegionLayout.guestLineOffset(slot) + GuestSlotLayout.GUEST_SEQ_OFFSET;
        for (int attempt = 0; attempt < RegionLayout.MAX_READ_ATTEMPTS; attempt++) {
            int s1 = mem.getIntAcquire(seqAt); // R1
            if ((s1 & 1) != 0) {
                continue; // R2
            }
            GuestLine copy = guestLineAtRest(slot); // R3
            VarHandle.acquireFence(); // R4
            if (mem.getInt(seqAt) == s1) { // R5
                return copy.withSeq(s1);
            }
        }
        return null;
    }

    /** W1: counter odd, then a store-store fence; returns the even value W4 will publish. */
    private int begin(int seqAt) {
        int s = mem.getIntOpaque(seqAt);
        if ((s & 1) != 0) {
            s++;
        }
        mem.putIntOpaque(seqAt, s + 1); // W1
        VarHandle.storeStoreFence(); // W1: odd value ordered before the data stores
        return s + 2;
    }
}
