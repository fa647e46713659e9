package dev.vboost.impl.line;

import dev.vboost.api.GuestSlotSnapshot;
import dev.vboost.api.ReadStatus;
import dev.vboost.api.WireError;
import dev.vboost.api.layout.GuestSlotLayout;
import dev.vboost.api.layout.RegionLayout;
import dev.vboost.api.memory.SharedMemory;
import dev.vboost.impl.memory.Fences;

/**
 * Host-side reader of one slot's guest line (spec §3.4). The guest is untrusted: the copy is validated
 * ({@link GuestSlotSnapshot#validate()}) before it is reported OK, and the retry loop is bounded.
 *
 * <p><b>Threading:</b> holds no mutable state; safe from any thread with a snapshot per thread.
 * <b>Ordering:</b> seqlock reader steps R1..R5 of spec §4.3. <b>Ownership:</b> never writes.
 * <b>Allocation:</b> none.
 */
public final class GuestRequestReader {
    private final SharedMemory memory;
    private final Fences fences;
    /** Offset of the line; fields are at constant offsets from it, so the hot loop keeps one index. */
    private final int line;

    public GuestRequestReader(SharedMemory memory, int slot) {
        this.memory = memory;
        this.fences = Fences.of(memory);
        this.line = RegionLayout.guestLineOffset(slot);
    }

    /** The line's counter, for cheap change detection (spec §5.2). */
    public int seq() {
        // R1 alone: pairs with guest W4 release (spec §4.3, §5.2)
        return memory.getIntAcquire(line + GuestSlotLayout.GUEST_SEQ_OFFSET);
    }

    /**
     * Takes a consistent copy into {@code dst} in at most {@link RegionLayout#MAX_READ_ATTEMPTS} attempts.
     *
     * @return OK (consistent and valid), INVALID (consistent, {@code dst.error()} says which rule failed) or
     *     BUSY ({@code dst} untouched)
     */
    public ReadStatus read(GuestSlotSnapshot dst) {
        // memory, fences and offsets in locals, read once: a field load after R4 could not reuse one from before it
        final SharedMemory m = memory;
        final Fences f = fences;
        final int base = line;
        final int seqIndex = base + GuestSlotLayout.GUEST_SEQ_OFFSET;
        for (int attempt = 0; attempt < RegionLayout.MAX_READ_ATTEMPTS; attempt++) {
            final int s1 = m.getIntAcquire(seqIndex);                     // R1: pairs with guest W4 release (spec §4.3)
            if ((s1 & 1) != 0) {                                          // R2: odd, guest inside W1..W4 (spec §4.3)
                Thread.onSpinWait();
                continue;
            }
            final int word = m.getInt(base + RequestWord.OFFSET);         // R3: plain copy, maybe torn (spec §4.3); 0x04..0x07 in one load
            final int reasons = m.getInt(base + GuestSlotLayout.REASONS_OFFSET);
            final long requestId = m.getLong(base + GuestSlotLayout.REQUEST_ID_OFFSET);
            final long hostBoostAck = m.getLong(base + GuestSlotLayout.HOST_BOOST_ACK_OFFSET);
            f.acquireFence();                                             // R4: R3 loads before R5 (spec §4.3)
            final int s2 = m.getInt(seqIndex);                            // R5: same as R1, so no guest W1 between (spec §4.3)
            if (s1 == s2) {
                // request u8, policy u8, priority u8, nice s8 at 0x04..0x07 (spec §3.4), decoded only once consistent
                dst.set(s1, RequestWord.u8At4(word), RequestWord.u8At5(word), RequestWord.u8At6(word),
                        RequestWord.s8At7(word), reasons, requestId, hostBoostAck);
                return dst.validate() == WireError.NONE ? ReadStatus.OK : ReadStatus.INVALID;
            }
            Thread.onSpinWait();
        }
        return ReadStatus.BUSY;
    }
}
