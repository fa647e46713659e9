package dev.vboost.agent.policy;

import dev.vboost.api.wire.BoostReason;
import dev.vboost.api.wire.SchedPolicy;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The host's boost policy for one VM (docs/architecture.md §5, spec §8). The guest's words are hints; these limits are the
 * host's. Immutable; build with {@link #builder()} or load from a {@code key=value} properties file with
 * {@link #load(Path)} (keys in {@link #KEYS}, see host-agent/README.md).
 *
 * @param enabled                 false: every request is denied {@code DISABLED}
 * @param allowedReasons          bit set of {@link BoostReason}; a request needs at least one of them
 * @param boostPolicy             {@link SchedPolicy#FIFO} or {@link SchedPolicy#RR}: what a boost applies,
 *                                whatever real-time class the guest named
 * @param priorityCeiling         1..99; a requested priority is clamped to it; host boosts use it
 * @param niceFloor               -20..19; a nice hint (a NORMAL request) is raised to at least this
 * @param maxBoostNanos           longest single boost (RFC default 3 ms)
 * @param budgetNanos             boosted time allowed per window, per vCPU
 * @param windowNanos             budget window
 * @param maxTransitionsPerSecond priority changes (boost or unboost) allowed per vCPU in any one-second interval
 * @param hostBoostEnabled        whether the host may boost on its own (spec §5.5)
 * @param hostBoostTimeoutNanos   how long a host-initiated boost lasts without the guest taking it over
 * @param vmBudgetNanos           boosted time allowed per window for all vCPUs of the VM together (spec §8.3
 *                                SHOULD); 0: no per-VM budget, only the per-vCPU one
 */
public record PolicyConfig(boolean enabled, int allowedReasons, SchedPolicy boostPolicy, int priorityCeiling,
        int niceFloor, long maxBoostNanos, long budgetNanos, long windowNanos, int maxTransitionsPerSecond,
        boolean hostBoostEnabled, long hostBoostTimeoutNanos, long vmBudgetNanos) {

    /** Upper limit of {@code maxBoostNanos}: 60 s. */
    public static final long MAX_BOOST_LIMIT_NANOS = TimeUnit.SECONDS.toNanos(60);
    /** Upper limit of {@code windowNanos}: 60 s. */
    public static final long MAX_WINDOW_NANOS = TimeUnit.SECONDS.toNanos(60);
    /** Upper limit of {@code maxTransitionsPerSecond}. */
    public static final int MAX_TRANSITIONS_LIMIT = 100_000;
    /** Default host-boost timeout (1 ms, or the longest boost if that is shorter). */
    public static final long DEFAULT_HOST_BOOST_TIMEOUT_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    /** The properties-file keys, in the order the README lists them. */
    public static final Set<String> KEYS = Set.of("enabled", "allowed.reasons", "boost.policy", "priority.ceiling",
            "nice.floor", "boost.max.us", "budget.us", "budget.window.us", "transitions.per.second",
            "host.boost.enabled", "host.boost.timeout.us", "budget.vm.us");

    /**
     * Checks every limit.
     *
     * @param enabled see the record component
     * @param allowedReasons see the record component
     * @param boostPolicy see the record component
     * @param priorityCeiling see the record component
     * @param niceFloor see the record component
     * @param maxBoostNanos see the record component
     * @param budgetNanos see the record component
     * @param windowNanos see the record component
     * @param maxTransitionsPerSecond see the record component
     * @param hostBoostEnabled see the record component
     * @param hostBoostTimeoutNanos see the record component
     * @param vmBudgetNanos 0 (no per-VM budget) or 1 µs .. 4096 windows' worth
     * @throws IllegalArgumentException naming the value outside its range
     */
    public PolicyConfig {
        if (BoostReason.hasUndefinedBits(allowedReasons)) {
            throw new IllegalArgumentException("allowed reasons 0x" + Integer.toHexString(allowedReasons)
                    + " has bits no BoostReason defines");
        }
        if (boostPolicy != SchedPolicy.FIFO && boostPolicy != SchedPolicy.RR) {
            throw new IllegalArgumentException("boost policy must be FIFO or RR, got " + boostPolicy);
        }
        requireRange("priority ceiling", priorityCeiling, 1, 99);
        requireRange("nice floor", niceFloor, -20, 19);
        requireRange("longest boost (ns)", maxBoostNanos, 1_000, MAX_BOOST_LIMIT_NANOS);
        requireRange("budget window (ns)", windowNanos, 1_000, MAX_WINDOW_NANOS);
        requireRange("budget (ns)", budgetNanos, 1_000, windowNanos);
        requireRange("transitions per second", maxTransitionsPerSecond, 2, MAX_TRANSITIONS_LIMIT);
        requireRange("host boost timeout (ns)", hostBoostTimeoutNanos, 1_000, maxBoostNanos);
        if (vmBudgetNanos != 0) {
            requireRange("VM budget (ns)", vmBudgetNanos, 1_000, MAX_WINDOW_NANOS * 4096);
        }
    }

    /**
     * RFC-like defaults: RR at most 8, 3 ms per boost, 50 ms per 100 ms, 1000 changes per second, host boosts 1 ms.
     *
     * @return the default policy
     */
    public static PolicyConfig defaults() {
        return builder().build();
    }

    /**
     * A builder holding the defaults.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder preset with this config's values.
     *
     * @return a new builder
     */
    public Builder toBuilder() {
        return new Builder().enabled(enabled).allowedReasons(allowedReasons).boostPolicy(boostPolicy)
                .priorityCeiling(priorityCeiling).niceFloor(niceFloor).maxBoostNanos(maxBoostNanos)
                .budget(budgetNanos, windowNanos).maxTransitionsPerSecond(maxTransitionsPerSecond)
                .hostBoostEnabled(hostBoostEnabled).vmBudgetNanos(vmBudgetNanos)
                // a default timeout stays the default, so it follows a shorter longest boost set later
                .hostBoostTimeoutNanos(hostBoostTimeoutNanos == Math.min(DEFAULT_HOST_BOOST_TIMEOUT_NANOS, maxBoostNanos)
                        ? -1 : hostBoostTimeoutNanos);
    }

    /**
     * Whether a request with these reasons may be granted (spec §8.5).
     *
     * @param reasons bit set of {@link BoostReason}
     * @return true if {@code reasons} names at least one allowed reason
     */
    public boolean allows(int reasons) {
        return (reasons & allowedReasons) != 0;
    }

    /**
     * Loads a policy from a {@code key=value} file (java.util.Properties syntax, UTF-8). Missing keys keep
     * their defaults; an unknown key or a bad value is an {@link IllegalArgumentException} naming the file
     * and the key.
     *
     * @param file the properties file
     * @return the policy it describes
     * @throws IOException if the file cannot be read
     */
    public static PolicyConfig load(Path file) throws IOException {
        return PolicyProperties.load(file);
    }

    /**
     * Reads the keys under {@code prefix} (e.g. {@code ""} or {@code "vm.web."}); keys outside the prefix
     * are ignored, unknown keys inside it rejected.
     *
     * @param p      the properties
     * @param prefix the key prefix of this VM
     * @return the policy, defaults where a key is missing
     */
    public static PolicyConfig fromProperties(Properties p, String prefix) {
        return fromProperties(p, prefix, defaults());
    }

    /**
     * As {@link #fromProperties(Properties, String)}, keys not present keep the values of {@code base}.
     *
     * @param p      the properties
     * @param prefix the key prefix of this VM
     * @param base   the values of keys not present
     * @return the policy
     */
    public static PolicyConfig fromProperties(Properties p, String prefix, PolicyConfig base) {
        return PolicyProperties.read(p, prefix, base);
    }

    /**
     * Loads a file holding several VMs: keys without a {@code vm.} prefix are the defaults for all, and
     * {@code vm.<name>.<key>} overrides them for VM {@code name}. Returns name → policy; the defaults alone
     * appear under the name {@code ""}.
     *
     * @param file the properties file
     * @return VM name to policy
     * @throws IOException if the file cannot be read
     */
    public static Map<String, PolicyConfig> loadAll(Path file) throws IOException {
        return PolicyProperties.loadAll(file);
    }

    /**
     * This policy as properties-file text.
     *
     * @return text loadable by {@link #load(Path)}
     */
    public String toPropertiesText() {
        return PolicyProperties.text(this);
    }

    private static void requireRange(String what, long v, long min, long max) {
        if (v < min || v > max) {
            throw new IllegalArgumentException(what + " " + v + " outside " + min + ".." + max);
        }
    }

    /** Mutable builder; {@link #build()} validates. */
    public static final class Builder {
        private boolean enabled = true;
        private int allowedReasons = BoostReason.DEFINED_MASK;
        private SchedPolicy boostPolicy = SchedPolicy.RR;
        private int priorityCeiling = 8;
        private int niceFloor = -5;
        private long maxBoostNanos = TimeUnit.MICROSECONDS.toNanos(3000);
        long budgetNanos = TimeUnit.MILLISECONDS.toNanos(50);
        long windowNanos = TimeUnit.MILLISECONDS.toNanos(100);
        private int maxTransitionsPerSecond = 1000;
        private boolean hostBoostEnabled = true;
        /** -1: the default, 1 ms or the longest boost if that is shorter. */
        private long hostBoostTimeoutNanos = -1;
        private long vmBudgetNanos;

        /** A builder holding the values of {@link PolicyConfig#defaults()}; same as {@link PolicyConfig#builder()}. */
        public Builder() {
        }

        /**
         * False: every request is denied DISABLED.
         *
         * @param v the value
         * @return this builder
         */
        public Builder enabled(boolean v) {
            enabled = v;
            return this;
        }

        /**
         * The reasons a request needs at least one of, as a bit set of {@link BoostReason}.
         *
         * @param mask the value
         * @return this builder
         */
        public Builder allowedReasons(int mask) {
            allowedReasons = mask;
            return this;
        }

        /**
         * The reasons a request needs at least one of.
         *
         * @param reasons the value
         * @return this builder
         */
        public Builder allowedReasons(Set<BoostReason> reasons) {
            allowedReasons = BoostReason.encode(reasons);
            return this;
        }

        /**
         * FIFO or RR: what a boost applies.
         *
         * @param v the value
         * @return this builder
         */
        public Builder boostPolicy(SchedPolicy v) {
            boostPolicy = v;
            return this;
        }

        /**
         * Highest real-time priority a boost applies, 1..99.
         *
         * @param v the value
         * @return this builder
         */
        public Builder priorityCeiling(int v) {
            priorityCeiling = v;
            return this;
        }

        /**
         * Lowest nice a nice hint gets, -20..19.
         *
         * @param v the value
         * @return this builder
         */
        public Builder niceFloor(int v) {
            niceFloor = v;
            return this;
        }

        /**
         * Longest single boost.
         *
         * @param v the value
         * @return this builder
         */
        public Builder maxBoostNanos(long v) {
            maxBoostNanos = v;
            return this;
        }

        /**
         * Boosted time allowed per vCPU per window.
         *
         * @param budget the value
         * @param window the value
         * @return this builder
         */
        public Builder budget(long budget, long window) {
            budgetNanos = budget;
            windowNanos = window;
            return this;
        }

        /**
         * Priority changes allowed per vCPU in any one-second interval.
         *
         * @param v the value
         * @return this builder
         */
        public Builder maxTransitionsPerSecond(int v) {
            maxTransitionsPerSecond = v;
            return this;
        }

        /**
         * Whether the host may boost on its own (spec §5.5).
         *
         * @param v the value
         * @return this builder
         */
        public Builder hostBoostEnabled(boolean v) {
            hostBoostEnabled = v;
            return this;
        }

        /**
         * How long a host-initiated boost lasts without the guest taking it over.
         *
         * @param v the value
         * @return this builder
         */
        public Builder hostBoostTimeoutNanos(long v) {
            hostBoostTimeoutNanos = v;
            return this;
        }

        /**
         * Boosted time allowed per window for all vCPUs of the VM together (spec §8.3); 0 (default): none.
         *
         * @param v nanoseconds per window, or 0
         * @return this builder
         */
        public Builder vmBudgetNanos(long v) {
            vmBudgetNanos = v;
            return this;
        }

        /**
         * The policy.
         *
         * @return a new policy
         * @throws IllegalArgumentException naming a value outside its range
         */
        public PolicyConfig build() {
            return new PolicyConfig(enabled, allowedReasons, boostPolicy, priorityCeiling, niceFloor, maxBoostNanos,
                    budgetNanos, windowNanos, maxTransitionsPerSecond, hostBoostEnabled,
                    hostBoostTimeoutNanos < 0 ? Math.min(DEFAULT_HOST_BOOST_TIMEOUT_NANOS, maxBoostNanos)
                            : hostBoostTimeoutNanos, vmBudgetNanos);
        }
    }
}
