package dev.vboost.agent.stats;

/** Why the agent thread's wait between two iterations ended, as {@link LoopCounters} counts it. */
public enum WakeCause {
    /** The idle poll interval ran out (nothing was due sooner). */
    POLL,
    /** A deadline ran out: a boost expiry, a throttle refill or a restore retry. */
    DEADLINE,
    /** A guest rang a doorbell (only with a waiter that wakes on rings). */
    RING,
    /** Work was queued for the agent: a NOTIFY, a host boost request, a VM change, stop. */
    SIGNAL,
    /** The wait ended early for none of those reasons (a spurious unpark, an interrupt). */
    OTHER
}
