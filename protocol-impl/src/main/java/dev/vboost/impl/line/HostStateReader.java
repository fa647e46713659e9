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
    /** Offset of the line; fields are at constant offsets from it, so the hot loop keeps one index. */
    private final int line;

    public HostStateReader(SharedMemory memory, int slot) {
        this.memory = memory;
        this.fences = Fences.of(memory);
        this.line = RegionLayout.hostLineOffset(slot);
    }

    /**
     * Takes a consistent copy into {@code dst} in at most {@link RegionLayout#MAX_READ_ATTEMPTS} attempts.
     *
     * @return OK, INVALID ({@code dst.error()} names the rule) or BUSY ({@code dst} untouched)
     */
    public ReadStatus read(HostSlotSnapshot dst) {
        // memory, fences and offsets in locals, read once: a field load after R4 could not reuse one from before it
        final SharedMemory m = memory;
        final Fences f = fences;
        final int base = line;
        final int seqIndex = base + HostSlotLayout.HOST_SEQ_OFFSET;
        for (int attempt = 0; attempt < RegionLayout.MAX_READ_ATTEMPTS; attempt++) {
            final int s1 = m.getIntAcquire(seqIndex);                     // R1: pairs with host W4 release (spec §4.3)
            if ((s1 & 1) != 0) {                                          // R2: odd, host inside W1..W4 (spec §4.3)
                Thread.onSpinWait();
                continue;
            }
            final int word = m.getInt(base + RequestWord.OFFSET);         // R3: plain copy, maybe torn (spec §4.3); 0x04..0x07 in one load
            final int flags = m.getInt(base + HostSlotLayout.HOST_BOOST_FLAGS_OFFSET);
            final int budget = m.getInt(base + HostSlotLayout.BUDGET_REMAINING_US_OFFSET);
            final long acted = m.getLong(base + HostSlotLayout.ACTED_REQUEST_ID_OFFSET);
            final long boostId = m.getLong(base + HostSlotLayout.HOST_BOOST_ID_OFFSET);
            f.acquireFence();                                             // R4: R3 loads before R5 (spec §4.3)
            final int s2 = m.getInt(seqIndex);                            // R5: same as R1, so no host W1 between (spec §4.3)
            if (s1 == s2) {
                // status, policy, priority, denial: u8 each at 0x04..0x07 (spec §3.5), decoded only once consistent
                dst.set(s1, RequestWord.u8At4(word), RequestWord.u8At5(word), RequestWord.u8At6(word),
                        RequestWord.u8At7(word), flags, budget, acted, boostId);
                return dst.validate() == WireError.NONE ? ReadStatus.OK : ReadStatus.INVALID;
            }
            Thread.onSpinWait();
        }
        return ReadStatus.BUSY;
    }
}
