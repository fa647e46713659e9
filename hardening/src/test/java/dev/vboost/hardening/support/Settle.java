package dev.vboost.hardening.support;

import dev.vboost.api.HostSlotSnapshot;
import dev.vboost.api.role.GuestEndpoint;

/**
 * Proof that the agent has handled everything written before a point: a well-behaved UNBOOST on a witness
 * slot, acknowledged, twice. The first acknowledgement can come from the iteration that also handles the
 * earlier write; the second is written after it and so is handled in a later iteration.
 */
public final class Settle {
    private Settle() {
    }

    public static void settle(GuestEndpoint guest, int witnessSlot) throws InterruptedException {
        HostSlotSnapshot seen = new HostSlotSnapshot();
        for (int i = 0; i < 2; i++) {
            long id = guest.release(witnessSlot);
            if (!guest.awaitActed(witnessSlot, id, 5_000_000_000L, seen)) {
                throw new AssertionError("witness slot " + witnessSlot + " request " + id
                        + " not acted on within 5 s: the agent stopped serving; last seen " + seen);
            }
        }
    }
}
