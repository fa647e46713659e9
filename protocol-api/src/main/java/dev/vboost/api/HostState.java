package dev.vboost.api;

import dev.vboost.api.wire.DenialReason;
import dev.vboost.api.wire.SchedPolicy;
import dev.vboost.api.wire.SlotStatus;

/**
 * A slot's host line, decoded (spec §3.5).
 *
 * @param status            what the host did: NORMAL, BOOSTED, THROTTLED or DISABLED
 * @param policy            the policy granted
 * @param priority          the priority granted
 * @param denial            why a request was refused or cut, or NONE
 * @param hostBoostFlags    bit set of {@link dev.vboost.api.wire.HostBoostFlag}
 * @param budgetRemainingUs boosted time left in the budget window
 * @param actedRequestId    newest guest request id acted on
 * @param hostBoostId       newest host-initiated boost id; 0 = none yet
 */
public record HostState(SlotStatus status, SchedPolicy policy, int priority, DenialReason denial,
        int hostBoostFlags, long budgetRemainingUs, long actedRequestId, long hostBoostId) {
}
