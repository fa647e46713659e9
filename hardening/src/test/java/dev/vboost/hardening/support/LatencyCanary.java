package dev.vboost.hardening.support;

import dev.vboost.agent.actuator.ActuatorException;
import dev.vboost.agent.actuator.LinuxPriorityActuator;
import dev.vboost.agent.actuator.LinuxThreads;
import dev.vboost.agent.actuator.ThreadAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A cyclictest-like thread in this JVM at the agent's own priority: it asks to wake every millisecond and records
 * each stretch it woke late by more than a millisecond. Whatever held it off (a JVM safepoint or collection, RT
 * throttling, the kernel's fair server, the hypervisor) held the agent thread off too, and during that time the
 * agent could not end a boost. The bound checks add the stalls that overlapped a boost to its slack, measured
 * instead of guessed.
 */
public final class LatencyCanary implements AutoCloseable {
    private static final long PERIOD = TimeUnit.MILLISECONDS.toNanos(1);

    private final Thread thread;
    private final CountDownLatch running = new CountDownLatch(1);
    private volatile boolean stop;
    private volatile String error = "";
    /** Stalls as [expected wake-up, actual wake-up] on the {@link System#nanoTime()} scale. */
    private final List<long[]> stalls = new ArrayList<>();
    private long longest;

    public LatencyCanary(int priority) throws InterruptedException {
        thread = new Thread(() -> run(priority), "latency-canary");
        thread.setDaemon(true);
        thread.start();
        if (!running.await(10, TimeUnit.SECONDS)) {
            throw new AssertionError("latency canary did not start");
        }
    }

    private void run(int priority) {
        try {
            new LinuxPriorityActuator().apply(LinuxThreads.currentTid(), ThreadAttributes.fifo(priority));
        } catch (ActuatorException | RuntimeException e) {
            error = "canary could not raise itself: " + e;
        }
        running.countDown();
        long next = System.nanoTime() + PERIOD;
        while (!stop) {
            long wait = next - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
                continue;
            }
            long now = System.nanoTime();
            if (now - next > PERIOD) {
                synchronized (this) {
                    stalls.add(new long[] {next, now});
                    longest = Math.max(longest, now - next);
                }
            }
            next = now + PERIOD;
        }
    }

    /** Total stall time overlapping {@code [from, to]} ({@link System#nanoTime()} values). */
    public synchronized long stalledNanos(long from, long to) {
        long sum = 0;
        for (long[] s : stalls) {
            long a = Math.max(from, s[0]);
            long b = Math.min(to, s[1]);
            if (b > a) {
                sum += b - a;
            }
        }
        return sum;
    }

    public synchronized long longestNanos() {
        return longest;
    }

    public synchronized int stallCount() {
        return stalls.size();
    }

    public String error() {
        return error;
    }

    @Override
    public void close() throws InterruptedException {
        stop = true;
        LockSupport.unpark(thread);
        thread.join(10_000);
    }
}
