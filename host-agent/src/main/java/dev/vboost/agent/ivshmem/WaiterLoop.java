package dev.vboost.agent.ivshmem;

import dev.vboost.agent.LoopWaiter;
import dev.vboost.agent.HostAgent;
import java.util.concurrent.atomic.AtomicBoolean;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Runs a prepared {@link HostAgent} ({@link HostAgent#prepare()}, not started) on its own thread, waiting
 * between iterations in a {@link LoopWaiter} instead of parking for the poll period: the agent sleeps until
 * its next deadline (a boost's expiry, a retry), a ring, or the safety poll, whichever is first. A stand-in
 * for the agent's own waiter option while that is being built; the measurements of spec §12 were made with it.
 */
public final class WaiterLoop implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(WaiterLoop.class.getName());
    private final HostAgent agent;
    private final LoopWaiter waiter;
    private final long safetyPollNanos;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private @Nullable Thread thread;
    private volatile @Nullable Throwable lastError;

    private WaiterLoop(HostAgent agent, LoopWaiter waiter, long safetyPollNanos) {
        this.agent = agent;
        this.waiter = waiter;
        this.safetyPollNanos = safetyPollNanos;
    }

    /**
     * Starts the loop. The agent's clock must be {@link System#nanoTime()} (the waiter's deadlines are on it).
     *
     * @param agent           the agent whose {@link HostAgent#runOnce()} each iteration calls
     * @param waiter          sleeps until a doorbell ring, {@code wakeUp} or the next deadline
     * @param safetyPollNanos longest sleep without a ring or deadline: lines that changed without a ring (a
     *     guest in lazy mode, a lost doorbell) are seen at least this often
     * @return the running loop, on a daemon thread
     */
    public static WaiterLoop start(HostAgent agent, LoopWaiter waiter, long safetyPollNanos) {
        if (safetyPollNanos <= 0) {
            throw new IllegalArgumentException("safety poll must be positive: " + safetyPollNanos);
        }
        WaiterLoop l = new WaiterLoop(agent, waiter, safetyPollNanos);
        Thread t = new Thread(l::loop, "vboost-agent-waiter-loop");
        t.setDaemon(true);
        l.thread = t;
        t.start();
        return l;
    }

    private void loop() {
        while (running.get()) {
            long now = System.nanoTime();
            long next;
            try {
                next = agent.runOnce();
            } catch (RuntimeException | Error e) {
                lastError = e;
                LOG.log(System.Logger.Level.ERROR, "agent iteration failed; continuing", e);
                next = now + safetyPollNanos;
            }
            long deadline = next - now > safetyPollNanos ? now + safetyPollNanos : next;
            try {
                waiter.awaitUntil(deadline);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /**
     * The last exception an iteration threw; the loop logs it and goes on.
     *
     * @return the exception, or null if none was thrown
     */
    public @Nullable Throwable lastError() {
        return lastError;
    }

    /** Stops the loop (waking the waiter) and waits for the thread; the agent is left prepared, not stopped. */
    @Override
    public void close() {
        running.set(false);
        waiter.wakeUp();
        Thread t = thread;
        try {
            if (t != null) {
                t.join(10_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
