package dev.vboost.conformance.spi;

import java.util.Map;

/**
 * A host that decides (spec §5.3 HA1..HA5, §5.5 HB1..HB3, §5.6, §5.8, §8) under a {@link HostPolicy}, with a
 * clock only {@link #tick} moves, applying scheduling attributes to one simulated vCPU thread per slot. What the
 * testee protocol's {@code host-policy} operations call (§5.3 of spec/testee-protocol.md).
 */
public interface PolicyHost {

    /** What {@link #serve} did. */
    enum Outcome {
        /** The guest line could not be read within the bounded retries. */
        BUSY,
        /** The line was invalid or its request id not newer (HA2): counted, nothing done. */
        IGNORED,
        /** The line holds nothing new to act on. */
        UNCHANGED,
        /** The host acted on the request and published its answer. */
        ACTED,
        /** The guest is not attached at the current generation: its slots are not served. */
        DETACHED;

        /**
         * The testee protocol's word for it.
         *
         * @return the lower-case name
         */
        public String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * Sets a slot's thread attributes before any boost: what every restore returns to (§8.6).
     *
     * @param slot the slot
     * @param policy the thread's {@code sched_policy} code
     * @param priority its real-time priority (0 for a fair policy)
     * @param nice its nice value
     */
    void setThread(int slot, int policy, int priority, int nice);

    /**
     * Looks at the slot: guest header (CG1..CG7), then HA1..HA5 and HB3.
     *
     * @param slot the slot
     * @return what the host did
     */
    Outcome serve(int slot);

    /**
     * A host-initiated boost (HB1, HB2).
     *
     * @param slot the slot
     * @param flags the host-boost flags to publish
     * @param policy the policy to boost to
     * @param priority the priority to boost to, before clamping
     * @return the new host boost id, or 0 when the host may not boost
     */
    long boost(int slot, int flags, int policy, int priority);

    /**
     * The current host boost id of the slot.
     *
     * @param slot the slot
     * @return the id, 0 before the first host boost
     */
    long hostBoostId(int slot);

    /**
     * Advances the host clock: budget, expiry, host boost timeouts, window refills.
     *
     * @param elapsedUs microseconds to advance
     */
    void tick(long elapsedUs);

    /**
     * The slot's thread attributes now.
     *
     * @param slot the slot
     * @return policy, priority and nice, in that order
     */
    int[] thread(int slot);

    /**
     * Per-slot counters.
     *
     * @param slot the slot
     * @return busy, ignored, invalid, acks_out_of_range and id_jumps by name
     */
    Map<String, Long> counters(int slot);

    /**
     * What the last {@link #serve}, {@link #boost} or {@link #tick} did.
     *
     * @return the actions in order, e.g. {@code apply@0,publish@0}
     */
    String actions();
}
