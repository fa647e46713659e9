package dev.vboost.api;

import dev.vboost.api.wire.BoostRequest;
import dev.vboost.api.wire.SchedPolicy;

/**
 * A guest line's request, decoded (spec §3.4).
 *
 * @param request     BOOST, UNBOOST or NONE
 * @param policy      the scheduling policy asked for
 * @param priority    real-time priority asked for (FIFO, RR)
 * @param nice        nice value asked for (NORMAL)
 * @param reasons     bit set of {@link dev.vboost.api.wire.BoostReason}
 * @param requestId   +1 per request; 0 = none yet
 * @param hostBoostAck newest host boost id the guest acknowledged
 */
public record GuestRequest(BoostRequest request, SchedPolicy policy, int priority, int nice, int reasons,
        long requestId, long hostBoostAck) {
}
