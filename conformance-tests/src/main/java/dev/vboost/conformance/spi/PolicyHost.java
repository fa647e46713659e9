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
        BUSY, IGNORED, UNCHANGED, ACTED, DETACHED;

        /** The testee protocol's word for it. */
        public String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Sets a slot's thread attributes before any boost: what every restore returns to (§8.6). */
    void setThread(int slot, int policy, int priority, int nice);

    /** Looks at the slot: guest header (CG1..CG7), then HA1..HA5 and HB3. */
    Outcome serve(int slot);

    /** A host-initiated boost (HB1, HB2); the new host boost id, or 0 when the host may not boost. */
    long boost(int slot, int flags, int policy, int priority);

    /** The current host boost id of the slot. */
    long hostBoostId(int slot);

    /** Advances the host clock by {@code elapsedUs}: budget, expiry, host boost timeouts, window refills. */
    void tick(long elapsedUs);

    /** The slot's thread attributes now: policy, priority, nice. */
    int[] thread(int slot);

    /** Per-slot counters: busy, ignored, invalid, acks_out_of_range, id_jumps. */
    Map<String, Long> counters(int slot);

    /** What the last {@link #serve}, {@link #boost} or {@link #tick} did, in order: {@code apply@0,publish@0}. */
    String actions();
}
