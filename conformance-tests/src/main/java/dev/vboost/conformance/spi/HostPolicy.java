package dev.vboost.conformance.spi;

/**
 * The per-VM policy a host enforces besides the header's limits (testee protocol §5.3 {@code host.set_policy},
 * spec §8): {@code allowedPolicies} has bit {@code 1 << code} per allowed {@code sched_policy}; budgets, bounds
 * and windows are in microseconds of the host clock; {@code rateLimit} counts granted changes per slot per
 * {@code rateWindowUs}.
 */
public record HostPolicy(int maxPriority, int allowedPolicies, int allowedReasons, long maxBoostUs,
        long hostBoostTimeoutUs, long budgetUs, long budgetWindowUs, int rateLimit, long rateWindowUs) {

    public HostPolicy {
        if (maxPriority < 1 || maxPriority > 99 || maxBoostUs <= 0 || budgetWindowUs <= 0 || rateWindowUs <= 0
                || budgetUs < 0 || budgetUs > budgetWindowUs || rateLimit < 0 || hostBoostTimeoutUs < 0) {
            throw new IllegalArgumentException("inconsistent host policy " + this);
        }
    }
}
