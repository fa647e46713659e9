package dev.vboost.conformance.spi;

/**
 * The per-VM policy a host enforces besides the header's limits (testee protocol §5.3 {@code host.set_policy},
 * spec §8): {@code allowedPolicies} has bit {@code 1 << code} per allowed {@code sched_policy}; budgets, bounds
 * and windows are in microseconds of the host clock; {@code rateLimit} counts granted changes per slot per
 * {@code rateWindowUs}.
 *
 * @param maxPriority highest real-time priority granted (1..99)
 * @param allowedPolicies bit {@code 1 << code} per allowed policy
 * @param allowedReasons reason bits that may be granted
 * @param maxBoostUs longest single boost
 * @param hostBoostTimeoutUs longest host-initiated boost without an acknowledgement (0: none)
 * @param budgetUs boosted time allowed per budget window
 * @param budgetWindowUs the budget window
 * @param rateLimit granted changes allowed per slot per rate window
 * @param rateWindowUs the rate window
 */
public record HostPolicy(int maxPriority, int allowedPolicies, int allowedReasons, long maxBoostUs,
        long hostBoostTimeoutUs, long budgetUs, long budgetWindowUs, int rateLimit, long rateWindowUs) {

    /**
     * Refuses inconsistent limits (a budget larger than its window, a zero window, a priority outside 1..99).
     *
     * @param maxPriority highest real-time priority granted (1..99)
     * @param allowedPolicies bit {@code 1 << code} per allowed policy
     * @param allowedReasons reason bits that may be granted
     * @param maxBoostUs longest single boost
     * @param hostBoostTimeoutUs longest host-initiated boost without an acknowledgement (0: none)
     * @param budgetUs boosted time allowed per budget window
     * @param budgetWindowUs the budget window
     * @param rateLimit granted changes allowed per slot per rate window
     * @param rateWindowUs the rate window
     */
    public HostPolicy {
        if (maxPriority < 1 || maxPriority > 99 || maxBoostUs <= 0 || budgetWindowUs <= 0 || rateWindowUs <= 0
                || budgetUs < 0 || budgetUs > budgetWindowUs || rateLimit < 0 || hostBoostTimeoutUs < 0) {
            throw new IllegalArgumentException("inconsistent host policy " + this);
        }
    }
}
