package dev.vboost.agent.ivshmem;

/**
 * How the agent loop waits for its next moment. The same contract as the agent's own loop-waiter interface
 * (being introduced with the HostAgent rewrite); {@link EventfdLoopWaiter} implements this copy until that
 * lands and then implements the agent's.
 */
public interface LoopWaiter {
    /**
     * Returns at the latest when {@link System#nanoTime()} reaches {@code deadlineNanos}, earlier on
     * {@link #wakeUp()} or when the implementation has work (a ring). May return early for no reason.
     */
    void awaitUntil(long deadlineNanos) throws InterruptedException;

    /** Makes the current or next {@link #awaitUntil} return promptly; any thread. */
    void wakeUp();
}
