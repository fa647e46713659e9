package dev.vboost.impl;

/**
 * How a guest tells the host "look at my changed lines" after it published a request or an acknowledgement
 * (spec §12). A ring carries no slot and no data: the host scans the lines whose counters moved, so a lost or
 * doubled ring changes nothing but latency. The guest endpoint rings after the line's W4 and a full fence.
 * Implementations must be allocation-free and safe to call from several threads (each vCPU rings for its own
 * slot).
 */
@FunctionalInterface
public interface Doorbell {
    /** No doorbell: the host finds the change at its next look (lazy mode, spec §5.10). */
    Doorbell NONE = () -> { };

    /** Rings once. Never blocks for long; failures are the host's problem, not the guest's (it polls anyway). */
    void ring();
}
