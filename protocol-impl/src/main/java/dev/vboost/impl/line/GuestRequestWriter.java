package dev.vboost.impl.line;

import dev.vboost.api.layout.GuestSlotLayout;
import dev.vboost.api.layout.RegionLayout;
import dev.vboost.api.memory.SharedMemory;
import dev.vboost.api.wire.BoostRequest;
import dev.vboost.api.wire.SchedPolicy;
import dev.vboost.impl.memory.Fences;

/**
 * Guest-side writer of one slot's guest line (spec §3.4), the line's only writer. Keeps the line's current
 * values, so every publication rewrites the whole line from local state and never reads shared memory.
 *
 * <p><b>Threading:</b> not thread-safe; the vCPU that owns the slot drives it. <b>Ordering:</b> seqlock writer
 * steps W1..W4 of spec §4.2. <b>Allocation:</b> none after construction.
 */
public final class GuestRequestWriter {
    private final SharedMemory memory;
    private final Fences fences;
    private final int seqIndex;
    private final int requestWordIndex;
    private final int reasonsIndex;
    private final int reserved0Index;
    private final int requestIdIndex;
    private final int hostBoostAckIndex;
    private final int reserved1Index;

    private int seq;
    private int request;
    private int policy;
    private int priority;
    private int nice;
    private int reasons;
    private long requestId;
    private long hostBoostAck;

    public GuestRequestWriter(SharedMemory memory, int slot) {
        this.memory = memory;
        this.fences = Fences.of(memory);
        int base = RegionLayout.guestLineOffset(slot);
        this.seqIndex = base + GuestSlotLayout.GUEST_SEQ_OFFSET;
        this.requestWordIndex = base + RequestWord.OFFSET;
        this.reasonsIndex = base + GuestSlotLayout.REASONS_OFFSET;
        this.reserved0Index = base + GuestSlotLayout.RESERVED0_OFFSET;
        this.requestIdIndex = base + GuestSlotLayout.REQUEST_ID_OFFSET;
        this.hostBoostAckIndex = base + GuestSlotLayout.HOST_BOOST_ACK_OFFSET;
        this.reserved1Index = base + GuestSlotLayout.RESERVED1_OFFSET;
    }

    /**
     * Takes the line over at attach (spec §5.2): continues its counter and ids from what an earlier guest left
     * (so ids stay monotonic across re-attach), then publishes it with no request and zeroed reserved bytes.
     * A counter left odd by a guest that died mid-write is moved on to the next even value.
     */
    public void claim() {
        // the guest is this line's only writer: its own earlier values need no ordering
        int current = memory.getInt(seqIndex);
        seq = (current & 1) == 0 ? current : current + 1;
        long id = memory.getLong(requestIdIndex);
        long ack = memory.getLong(hostBoostAckIndex);
        requestId = id < 0 ? 0 : id;
        hostBoostAck = ack < 0 ? 0 : ack;
        request = BoostRequest.NONE.code();
        policy = SchedPolicy.NORMAL.code();
        priority = 0;
        nice = 0;
        reasons = 0;
        publish(true);
    }

    /**
     * Publishes a BOOST request with the next request id (spec §5.3 G1); arguments must already be valid.
     *
     * @return the new request id
     */
    public long boost(int policyCode, int rtPriority, int niceValue, int reasonMask) {
        long id = nextRequestId();
        request = BoostRequest.BOOST.code();
        policy = policyCode;
        priority = rtPriority;
        nice = niceValue;
        reasons = reasonMask;
        requestId = id;
        publish(false);
        return id;
    }

    /** Publishes an UNBOOST request with the next request id (spec §5.4). */
    public long unboost() {
        long id = nextRequestId();
        request = BoostRequest.UNBOOST.code();
        policy = SchedPolicy.NORMAL.code();
        priority = 0;
        nice = 0;
        reasons = 0;
        requestId = id;
        publish(false);
        return id;
    }

    /**
     * Acknowledges host boost {@code hostBoostId} (spec §5.5) without making a new request. An id not newer
     * than the one already acknowledged writes nothing.
     *
     * @return true if the line was republished
     */
    public boolean acknowledge(long hostBoostId) {
        if (hostBoostId <= hostBoostAck) {
            return false;
        }
        hostBoostAck = hostBoostId;
        publish(false);
        return true;
    }

    private long nextRequestId() {
        if (requestId == Long.MAX_VALUE) {
            throw new IllegalStateException("request ids exhausted (2^63 - 1 reached)");
        }
        return requestId + 1;
    }

    private void publish(boolean withReserved) {
        // memory and the counter index in locals, read once for the whole W1..W4 sequence
        final SharedMemory m = memory;
        final int seqIndex = this.seqIndex;
        final int s = seq;
        m.putIntOpaque(seqIndex, s + 1);                  // W1: odd; host R2 sees it and retries (spec §4.2)
        fences.storeStoreFence();                          // W1: odd count before every W2 store; pairs with host R4/R5 (spec §4.2)
        // W2: plain data stores (spec §4.2); host R3 may copy them torn, its R5 re-check then rejects the copy.
        // request, policy, priority, nice (0x04..0x07) as one little-endian int: the same four bytes
        m.putInt(requestWordIndex, RequestWord.pack(request, policy, priority, nice));
        m.putInt(reasonsIndex, reasons);
        m.putLong(requestIdIndex, requestId);
        m.putLong(hostBoostAckIndex, hostBoostAck);
        if (withReserved) {
            m.putInt(reserved0Index, 0);
            m.setMemory(reserved1Index, GuestSlotLayout.RESERVED1_LENGTH, (byte) 0);
        }
        // W3: nothing between the data and the closing store; its release orders them
        m.putIntRelease(seqIndex, s + 2);                 // W4: even, release; pairs with host R1 acquire (spec §4.2)
        seq = s + 2;
    }

    /** Counter value after the last publication (even). */
    public int seq() {
        return seq;
    }

    public long requestId() {
        return requestId;
    }

    public long hostBoostAck() {
        return hostBoostAck;
    }

    public int request() {
        return request;
    }
}
