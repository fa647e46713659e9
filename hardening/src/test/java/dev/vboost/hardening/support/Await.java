package dev.vboost.hardening.support;

import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Bounded waits that fail loudly: polls a condition until it holds or the deadline passes. */
public final class Await {
    private Await() {
    }

    public static void until(long timeoutMillis, BooleanSupplier condition, Supplier<String> what) {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not within " + timeoutMillis + " ms: " + what.get());
            }
            java.util.concurrent.locks.LockSupport.parkNanos(200_000L);
        }
    }
}
