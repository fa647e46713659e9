package dev.vboost.impl.line;

import dev.vboost.api.HostSlotSnapshot;
import dev.vboost.api.ReadStatus;
import dev.vboost.api.WireError;
import dev.vboost.api.layout.HostSlotLayout;
import dev.vboost.api.layout.RegionLayout;
import dev.vboost.api.memory.SharedMemory;
import dev.vboost.impl.memory.Fences;

/**
 * Guest-side reader of one slot's host line (spec §3.5).
 *
 * <p><b>Threading:</b> holds no mutable state; safe from any thread with a snapshot per thread.
 * <b>Ordering:</b> seqlock reader steps R1..R5 of spec §4.3. <b>Ownership:</b> never writes.
 * <b>Peer values:</b> validated by {@link HostSlotSnapshot#validate()}; unknown codes decode to UNKNOWN.
 * <b>Allocation:</b> none.
 */
public final class HostStateReader {
    private final SharedMemory memory;
    private final Fences fences;
    private final int seqIndex;
    private final int statusIndex;
    private final int policyIndex;
    private final int priorityIndex;
    private final int denialIndex;
    private final int hostBoostFlagsIndex;
    private final int budgetIndex;
    private final int actedRequestIdIndex;
    private final int hostBoostIdIndex;

    public HostStateReader(SharedMemory memory, int slot) {
        this.memory = memory;
        this.fences = Fences.of(memory);
        int base = RegionLayout.hostLineOffset(slot);
        this.seqIndex = base + HostSlotLayout.HOST_SEQ_OFFSET;
        this.statusIndex = base + HostSlotLayout.STATUS_OFFSET;
        this.policyIndex = base + HostSlotLayout.POLICY_OFFSET;
        this.priorityIndex = base + HostSlotLayout.PRIORITY_OFFSET;
        this.denialIndex = base + HostSlotLayout.DENIAL_OFFSET;
        this.hostBoostFlagsIndex = base + HostSlotLayout.HOST_BOOST_FLAGS_OFFSET;
        this.budgetIndex = base + HostSlotLayout.BUDGET_REMAINING_US_OFFSET;
        this.actedRequestIdIndex = base + HostSlotLayout.ACTED_REQUEST_ID_OFFSET;
        this.hostBoostIdIndex = base + HostSlotLayout.HOST_BOOST_ID_OFFSET;
    }

    /**
     * Takes a consistent copy into {@code dst} in at most {@link RegionLayout#MAX_READ_ATTEMPTS} attempts.
     *
     * @return OK, INVALID ({@code dst.error()} names the rule) or BUSY ({@code dst} untouched)
     */
    public ReadStatus read(HostSlotSnapshot dst) {
        for (int attempt = 0; attempt < RegionLayout.MAX_READ_ATTEMPTS; attempt++) {
            final int s1 = memory.getIntAcquire(seqIndex);                // R1: pairs with host W4 (release)
            if ((s1 & 1) != 0) {                                          // R2: host inside W1..W4
                Thread.onSpinWait();
                continue;
            }
            final int status = memory.getByte(statusIndex) & 0xFF;        // R3: plain copy, maybe torn
            final int policy = memory.getByte(policyIndex) & 0xFF;
            final int priority = memory.getByte(priorityIndex) & 0xFF;
            final int denial = memory.getByte(denialIndex) & 0xFF;
            final int flags = memory.getInt(hostBoostFlagsIndex);
            final int budget = memory.getInt(budgetIndex);
            final long acted = memory.getLong(actedRequestIdIndex);
            final long boostId = memory.getLong(hostBoostIdIndex);
            fences.acquireFence();                                        // R4: R3 loads done before R5
            final int s2 = memory.getInt(seqIndex);                       // R5: unchanged means not torn
            if (s1 == s2) {
                dst.set(s1, status, policy, priority, denial, flags, budget, acted, boostId);
                return dst.validate() == WireError.NONE ? ReadStatus.OK : ReadStatus.INVALID;
            }
            Thread.onSpinWait();
        }
        return ReadStatus.BUSY;
    }
}
