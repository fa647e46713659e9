package dev.vboost.agent.core;

/** What one policy decision meant, for counters and events. */
public enum Outcome {
    /** Nothing but {@link Decision#notes()} to count (a stale, ignored or repeated line, an idle tick). */
    NONE,
    /** A guest boost was granted: the thread is raised. */
    GRANTED,
    /** A guest boost request arrived while the slot was already boosted; acknowledged, nothing changed. */
    JOINED,
    /** A guest boost request was refused; {@link Decision#denial()} says why. */
    DENIED,
    /** The guest released its boost. */
    RELEASED,
    /** A boost reached its longest duration and was ended by the host. */
    EXPIRED,
    /** A boost used up the window's budget and was ended by the host. */
    THROTTLED,
    /** A host-initiated boost was started. */
    HOST_GRANTED,
    /** A host-initiated boost was refused (disabled, not accepted, budget, rate, actuator). */
    HOST_DENIED,
    /** The guest acknowledged a host-initiated boost and did not hold one itself: ended. */
    HOST_ACKED,
    /** A host-initiated boost reached its own timeout. */
    HOST_TIMED_OUT,
    /** The guest line broke a rule (spec §5.3 HA3): answered INVALID_REQUEST, a guest-requested boost ended. */
    INVALID
}
