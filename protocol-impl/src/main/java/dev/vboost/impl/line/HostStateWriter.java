package dev.vboost.impl.line;

import dev.vboost.api.layout.HostSlotLayout;
import dev.vboost.api.layout.RegionLayout;
import dev.vboost.api.memory.SharedMemory;
import dev.vboost.api.wire.DenialReason;
import dev.vboost.api.wire.SchedPolicy;
import dev.vboost.api.wire.SlotStatus;
import dev.vboost.impl.memory.Fences;

/**
 * Host-side writer of one slot's host line (spec §3.5), the line's only writer. Keeps the values last
 * published so a partial change (a new host boost id, say) rewrites the line from local state.
 *
 * <p><b>Threading:</b> not thread-safe; the host thread that owns the endpoint drives it.
 * <b>Ordering:</b> seqlock writer steps W1..W4 of spec §4.2. <b>Allocation:</b> none after construction.
 */
public final class HostStateWriter {
    private final SharedMemory memory;
    private final Fences fences;
    private final int seqIndex;
    private final int stateWordIndex;
    private final int hostBoostFlagsIndex;
    private final int budgetIndex;
    private final int actedRequestIdIndex;
    private final int hostBoostIdIndex;
    private final int reserved0Index;

    private int seq;
    private int status;
    private int policy;
    private int priority;
    private int denial;
    private int hostBoostFlags;
    private int budgetRemainingUs;
    private long actedRequestId;
    private long hostBoostId;

    public HostStateWriter(SharedMemory memory, int slot) {
        this.memory = memory;
        this.fences = Fences.of(memory);
        int base = RegionLayout.hostLineOffset(slot);
        this.seqIndex = base + HostSlotLayout.HOST_SEQ_OFFSET;
        this.stateWordIndex = base + RequestWord.OFFSET;
        this.hostBoostFlagsIndex = base + HostSlotLayout.HOST_BOOST_FLAGS_OFFSET;
        this.budgetIndex = base + HostSlotLayout.BUDGET_REMAINING_US_OFFSET;
        this.actedRequestIdIndex = base + HostSlotLayout.ACTED_REQUEST_ID_OFFSET;
        this.hostBoostIdIndex = base + HostSlotLayout.HOST_BOOST_ID_OFFSET;
        this.reserved0Index = base + HostSlotLayout.RESERVED0_OFFSET;
    }

    /**
     * (Re)initialises the line for a new generation (spec §5.9 step 3, H2): status NORMAL, no host boost in force,
     * reserved bytes zero, {@code acted_request_id} = the id standing in the guest line (so a request pending from
     * before the restart is void and the guest's next request is newer), {@code host_boost_id} kept if valid (below
     * 2^63; else 0) so host boost ids never go back across a restart. The counter continues from memory (rounded
     * up to even if an earlier host died mid-write), so a guest still reading the old generation never sees a
     * counter go back.
     *
     * @param guestRequestId the guest line's {@code request_id} if a bounded read (R1..R5) gave a consistent copy
     *     and it is a valid id, else 0 (the caller reads the guest line; negative values are taken as 0)
     */
    public void reset(long guestRequestId) {
        int current = memory.getInt(seqIndex);               // this host is the line's only writer
        seq = (current & 1) == 0 ? current : current + 1;
        status = SlotStatus.NORMAL.code();
        policy = SchedPolicy.NORMAL.code();
        priority = 0;
        denial = DenialReason.NONE.code();
        hostBoostFlags = 0;
        budgetRemainingUs = 0;
        actedRequestId = Math.max(0, guestRequestId);               // §5.9 step 3: pending requests void
        long previousBoostId = memory.getLong(hostBoostIdIndex); // W0: this host's own line (zero if fresh)
        hostBoostId = previousBoostId >= 0 ? previousBoostId : 0;
        publish(true);
    }

    /** Publishes the given state (raw wire codes; the caller has validated them). */
    public void publish(int statusCode, int policyCode, int rtPriority, int denialCode, int flags, int budgetUs,
            long acted, long boostId) {
        status = statusCode;
        policy = policyCode;
        priority = rtPriority;
        denial = denialCode;
        hostBoostFlags = flags;
        budgetRemainingUs = budgetUs;
        actedRequestId = acted;
        hostBoostId = boostId;
        publish(false);
    }

    private void publish(boolean withReserved) {
        // memory and the counter index in locals, read once for the whole W1..W4 sequence
        final SharedMemory m = memory;
        final int seqIndex = this.seqIndex;
        final int s = seq;
        m.putIntOpaque(seqIndex, s + 1);                       // W1: odd; guest R2 sees it and retries (spec §4.2)
        fences.storeStoreFence();                              // W1: odd count before every W2 store; pairs with guest R4/R5 (spec §4.2)
        // W2: plain data stores (spec §4.2); guest R3 may copy them torn, its R5 re-check then rejects the copy.
        // status, policy, priority, denial (0x04..0x07) as one little-endian int: the same four bytes
        m.putInt(stateWordIndex, RequestWord.pack(status, policy, priority, denial));
        m.putInt(hostBoostFlagsIndex, hostBoostFlags);
        m.putInt(budgetIndex, budgetRemainingUs);
        m.putLong(actedRequestIdIndex, actedRequestId);
        m.putLong(hostBoostIdIndex, hostBoostId);
        if (withReserved) {
            m.setMemory(reserved0Index, HostSlotLayout.RESERVED0_LENGTH, (byte) 0);
        }
        // W3: nothing between the data and the closing store; its release orders them
        m.putIntRelease(seqIndex, s + 2);                      // W4: even, release; pairs with guest R1 acquire (spec §4.2)
        seq = s + 2;
    }

    public int seq() {
        return seq;
    }

    public int status() {
        return status;
    }

    public int policy() {
        return policy;
    }

    public int priority() {
        return priority;
    }

    public int denial() {
        return denial;
    }

    public int hostBoostFlags() {
        return hostBoostFlags;
    }

    public int budgetRemainingUs() {
        return budgetRemainingUs;
    }

    public long actedRequestId() {
        return actedRequestId;
    }

    public long hostBoostId() {
        return hostBoostId;
    }
}
