package dev.vboost.hardening.support;

import dev.vboost.api.layout.GuestSlotLayout;
import dev.vboost.api.layout.RegionLayout;
import dev.vboost.api.memory.SharedMemory;
import dev.vboost.api.wire.BoostReason;
import dev.vboost.api.wire.BoostRequest;
import dev.vboost.api.wire.SchedPolicy;

/**
 * A hostile guest's pen: writes one slot's guest line (spec §3.4) byte by byte with whatever counter and ids it
 * likes, bypassing every rule {@code GuestRequestWriter} keeps. Offsets come from {@link GuestSlotLayout}.
 */
public final class RawGuestLine {
    private final SharedMemory memory;
    private final int base;

    public RawGuestLine(SharedMemory memory, int slot) {
        this.memory = memory;
        this.base = RegionLayout.guestLineOffset(slot);
    }

    public int seq() {
        return memory.getIntAcquire(base + GuestSlotLayout.GUEST_SEQ_OFFSET);
    }

    /** Stores the counter as given (odd, backwards, anything), with release. */
    public void seq(int value) {
        memory.putIntRelease(base + GuestSlotLayout.GUEST_SEQ_OFFSET, value);
    }

    /**
     * Writes a whole line under a seqlock whose counter goes {@code seqBefore} (odd, W1) then {@code seqAfter}
     * (W4), whatever the values: a backwards or jumping counter is the caller's choice.
     */
    public void write(int seqBefore, int seqAfter, BoostRequest request, SchedPolicy policy, int priority, int reasons,
            long requestId, long hostBoostAck) {
        memory.putIntRelease(base + GuestSlotLayout.GUEST_SEQ_OFFSET, seqBefore);
        memory.putByte(base + GuestSlotLayout.REQUEST_OFFSET, (byte) request.code());
        memory.putByte(base + GuestSlotLayout.POLICY_OFFSET, (byte) policy.code());
        memory.putByte(base + GuestSlotLayout.PRIORITY_OFFSET, (byte) priority);
        memory.putByte(base + GuestSlotLayout.NICE_OFFSET, (byte) 0);
        memory.putInt(base + GuestSlotLayout.REASONS_OFFSET, reasons);
        memory.putLong(base + GuestSlotLayout.REQUEST_ID_OFFSET, requestId);
        memory.putLong(base + GuestSlotLayout.HOST_BOOST_ACK_OFFSET, hostBoostAck);
        memory.putIntRelease(base + GuestSlotLayout.GUEST_SEQ_OFFSET, seqAfter);
    }

    /** A BOOST (FIFO 99, reason RT task) with {@code requestId}, the counter moving from its value +1 to +2. */
    public void boost(long requestId) {
        int s = seq();
        write(s + 1, s + 2, BoostRequest.BOOST, SchedPolicy.FIFO, 99, BoostReason.RT_TASK.bit(), requestId, 0);
    }

    /** An UNBOOST with {@code requestId}. */
    public void unboost(long requestId) {
        int s = seq();
        write(s + 1, s + 2, BoostRequest.UNBOOST, SchedPolicy.NORMAL, 0, 0, requestId, 0);
    }
}
