package dev.vboost.hardening.support;

import dev.vboost.agent.actuator.ActuatorException;
import dev.vboost.agent.actuator.LinuxPriorityActuator;
import dev.vboost.agent.actuator.LinuxThreads;
import dev.vboost.agent.actuator.ThreadAttributes;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Reads the threads' scheduling attributes with {@code sched_getattr} at a fixed rate from its own thread
 * (raised to SCHED_FIFO so a boosted guest thread cannot starve it) and keeps, per thread, the highest
 * real-time priority seen and the longest run of consecutive real-time samples. A run (first to last real-time
 * sample) is never longer than the real-time stretch it saw, though two boosts separated by less than a period
 * merge into one run; a pass that comes late (the sampler itself was held off) ends every run.
 */
public final class PolicySampler implements AutoCloseable {
    private final int[] tids;
    private final long periodNanos;
    private final int ownPriority;
    private final LinuxPriorityActuator actuator = new LinuxPriorityActuator();
    private final Thread thread;
    private final CountDownLatch firstPass = new CountDownLatch(1);
    private volatile boolean running = true;
    private volatile String error = "";
    // written by the sampler thread only, read after close() joined it
    private final int[] maxPriority;
    private final long[] runStart;
    private final long[] runLast;
    private long longestRun;
    private int longestRunTid;
    private long samples;
    private long realtimeSamples;
    private long gaps;
    private final long maxGapNanos;

    public PolicySampler(int[] tids, long periodNanos, int ownPriority) {
        this.tids = tids.clone();
        this.periodNanos = periodNanos;
        this.maxGapNanos = Math.max(4 * periodNanos, 1_000_000L);
        this.ownPriority = ownPriority;
        this.maxPriority = new int[tids.length];
        this.runStart = new long[tids.length];
        this.runLast = new long[tids.length];
        this.thread = new Thread(this::run, "policy-sampler");
        thread.setDaemon(true);
    }

    public PolicySampler start() throws InterruptedException {
        thread.start();
        if (!firstPass.await(10, TimeUnit.SECONDS)) {
            throw new AssertionError("sampler did not complete a pass within 10 s: " + error);
        }
        return this;
    }

    private void run() {
        try {
            actuator.apply(LinuxThreads.currentTid(), ThreadAttributes.fifo(ownPriority));
        } catch (ActuatorException e) {
            error = "sampler could not raise itself: " + e.getMessage();
        }
        long previous = 0;
        while (running) {
            long now = System.nanoTime();
            if (previous != 0 && now - previous > maxGapNanos) {
                // this thread was held off the CPU: what happened meanwhile is unknown, so no run continues
                gaps++;
                java.util.Arrays.fill(runStart, 0);
            }
            previous = now;
            for (int i = 0; i < tids.length; i++) {
                ThreadAttributes a;
                try {
                    a = actuator.read(tids[i]);
                } catch (ActuatorException e) {
                    continue; // a guest thread that exited: nothing left to check
                }
                samples++;
                if (a.isRealTime()) {
                    realtimeSamples++;
                    maxPriority[i] = Math.max(maxPriority[i], a.priority());
                    if (runStart[i] == 0) {
                        runStart[i] = now;
                    }
                    runLast[i] = now;
                    long run = runLast[i] - runStart[i];
                    if (run > longestRun) {
                        longestRun = run;
                        longestRunTid = tids[i];
                    }
                } else {
                    runStart[i] = 0;
                }
            }
            firstPass.countDown();
            LockSupport.parkNanos(periodNanos);
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(10_000);
        if (thread.isAlive()) {
            throw new AssertionError("sampler thread did not stop");
        }
    }

    /** Highest real-time priority sampled on any thread (after {@link #close()}). */
    public int maxPriority() {
        int m = 0;
        for (int p : maxPriority) {
            m = Math.max(m, p);
        }
        return m;
    }

    public long longestRunNanos() {
        return longestRun;
    }

    public int longestRunTid() {
        return longestRunTid;
    }

    public long samples() {
        return samples;
    }

    /** Passes that came later than the period allows; runs do not continue across them. */
    public long gaps() {
        return gaps;
    }

    public long realtimeSamples() {
        return realtimeSamples;
    }

    public String error() {
        return error;
    }
}
