package dev.vboost.agent;

/**
 * How the agent thread waits between iterations, chosen with {@link HostAgent.Builder#loopWaiter}. The default
 * parks the thread; a doorbell implementation can wait on an eventfd or {@code poll(2)} instead, so a guest's
 * ring wakes the agent without a hypercall.
 *
 * <p>{@link #awaitUntil} is called only by the agent thread; {@link #wakeUp} by any thread, at any time, also
 * before the agent thread waits (that wake-up must then end the next wait at once, or the agent sleeps up to
 * its deadline with work queued).
 */
public interface LoopWaiter {

    /**
     * Waits until {@code deadlineNanos} on the agent's clock (by default {@link System#nanoTime()}), or until
     * {@link #wakeUp()} is called, whichever is first. May return early.
     *
     * @param deadlineNanos the next boost expiry, throttle refill, restore retry or idle poll, whichever is first
     * @throws InterruptedException if the agent thread is interrupted while waiting
     */
    void awaitUntil(long deadlineNanos) throws InterruptedException;

    /** Ends the agent thread's current or next wait: work is queued for it. Thread-safe, allocation-free. */
    void wakeUp();

    /**
     * The agent thread reports that the iteration after the last {@link #awaitUntil} found no changed line, no
     * signal and no queued work: a doorbell waiter counts a wake-up by a ring as spurious. Agent thread only.
     * Default: nothing.
     */
    default void scanFoundNothing() {
    }

    /**
     * Whether the last {@link #awaitUntil} ended because a guest rang a doorbell (the loop's wake-up counters,
     * {@link dev.vboost.agent.stats.WakeCause#RING}). Agent thread only, right after {@link #awaitUntil}
     * returns. Default: false.
     *
     * @return true if that wait consumed at least one ring
     */
    default boolean lastWakeByRing() {
        return false;
    }

    /**
     * Whether this waiter wakes on the guests' own rings, so the agent's idle poll is only a safety net and may
     * be long (up to {@link HostAgent.Builder#MAX_DOORBELL_IDLE_NANOS}). Default: false.
     *
     * @return true for a doorbell waiter
     */
    default boolean wakesOnRings() {
        return false;
    }
}
