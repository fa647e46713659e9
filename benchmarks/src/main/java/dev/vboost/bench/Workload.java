package dev.vboost.bench;

import dev.vboost.api.wire.BoostReason;
import dev.vboost.api.wire.BoostRequest;
import dev.vboost.api.wire.SchedPolicy;

/** What every benchmark publishes and reads, so protocol code and baselines do the same work. */
final class Workload {
    /** Slots in the region of the single-thread benchmarks: the spec's maximum, as the scan needs. */
    static final int SLOTS = 4096;
    /** The slot the single-slot benchmarks use. */
    static final int SLOT = 7;
    static final SchedPolicy POLICY = SchedPolicy.FIFO;
    static final int PRIORITY = 10;
    static final int NICE = 0;
    static final int REASONS = BoostReason.RT_TASK.bit();

    private Workload() {
    }

    /** request, policy, priority and nice as the four little-endian bytes at guest-line offset 0x04. */
    static int requestWord() {
        return (BoostRequest.BOOST.code() & 0xFF)
                | (POLICY.code() & 0xFF) << 8
                | (PRIORITY & 0xFF) << 16
                | (NICE & 0xFF) << 24;
    }
}
