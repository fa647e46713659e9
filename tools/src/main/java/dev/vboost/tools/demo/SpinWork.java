package dev.vboost.tools.demo;

/** Busy CPU work of a given length, measured on the monotonic clock; what a vCPU burns while it computes. */
final class SpinWork {
    private long sink;

    /** Spins until {@code System.nanoTime()} reaches {@code untilNanos}; returns the time seen last. */
    long until(long untilNanos) {
        long now = System.nanoTime();
        long acc = sink;
        while (now - untilNanos < 0) {
            // a little arithmetic between clock reads, so the loop is work and not only vDSO calls
            for (int i = 0; i < 16; i++) {
                acc = acc * 6364136223846793005L + 1442695040888963407L;
            }
            now = System.nanoTime();
        }
        sink = acc;
        return now;
    }

    /** Result of the arithmetic, so the JIT cannot drop it. */
    long sink() {
        return sink;
    }
}
