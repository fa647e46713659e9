package dev.vboost.agent;

import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The default {@link LoopWaiter}: parks the agent thread. A wake-up unparks it; one that comes before the wait
 * leaves the thread's permit set, so the next park returns at once.
 */
final class ParkingLoopWaiter implements LoopWaiter {
    private final LongSupplier clock;
    private volatile @Nullable Thread owner;

    ParkingLoopWaiter(LongSupplier clock) {
        this.clock = clock;
    }

    /** The thread that will wait, known before it first waits so no wake-up is lost. */
    void bind(Thread t) {
        owner = t;
    }

    @Override
    public void awaitUntil(long deadlineNanos) throws InterruptedException {
        if (owner == null) {
            owner = Thread.currentThread();
        }
        long wait = deadlineNanos - clock.getAsLong();
        if (wait > 0) {
            LockSupport.parkNanos(this, wait);
        }
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
    }

    @Override
    public void wakeUp() {
        Thread t = owner;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }
}
