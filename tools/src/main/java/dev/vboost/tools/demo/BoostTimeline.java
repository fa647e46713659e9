package dev.vboost.tools.demo;

import dev.vboost.agent.actuator.ActuatorException;
import dev.vboost.agent.actuator.PriorityActuator;
import dev.vboost.agent.actuator.ThreadAttributes;
import dev.vboost.agent.actuator.VcpuThread;
import org.HdrHistogram.Histogram;

/**
 * The agent's actuator, timing each boost of the vCPU thread against the guest's tick it serves: when the
 * thread was raised and when it was put back, relative to the tick's deadline (the nearest {@code t0 + k *
 * period}). Only boosts serving ticks in the measured window count. Boosts the VMM's timer started (its agent
 * iteration is marked with {@link #timerIteration}) are timed against their tick; the others, started by a
 * guest request, only by their length. Written under the demo host's agent lock (one agent iteration at a
 * time, the agent thread's or the hypercall thread's); read after both stopped.
 */
final class BoostTimeline implements PriorityActuator {
    private final PriorityActuator actuator;
    private volatile long t0;
    private volatile long period = 1;
    private volatile long measureFrom = Long.MAX_VALUE;
    private volatile long end = Long.MIN_VALUE;
    private long startedAt;
    private long deadline;
    private boolean raised;
    private boolean timerIteration;
    private volatile long exitAt;
    private volatile long raiseCallSum;
    private volatile long raiseCalls;
    private volatile long restoreCallSum;
    private volatile long restoreCalls;
    private volatile long exitToRestoreSum;
    private volatile long exitsTimed;
    private volatile long raiseToParkSum;
    private volatile long parksTimed;
    private boolean byTimer;
    private volatile long guestBoosts;
    private volatile long guestBoostedSum;
    private volatile long boosts;
    private volatile long leadSum;
    private volatile long tailSum;
    /** Restore after the deadline, ns, clamped to 0..1 s. */
    private final Histogram tails = new Histogram(1_000_000_000L, 2);

    BoostTimeline(PriorityActuator actuator) {
        this.actuator = actuator;
    }

    /** The guest's schedule and the measured window; before it, nothing is timed. */
    void schedule(long t0, long period, long measureFrom, long end) {
        this.t0 = t0;
        this.period = period;
        this.measureFrom = measureFrom;
        this.end = end;
    }

    @Override
    public VcpuThread identify(int tid) throws ActuatorException {
        return actuator.identify(tid);
    }

    @Override
    public ThreadAttributes read(VcpuThread t) throws ActuatorException {
        return actuator.read(t);
    }

    @Override
    public void apply(VcpuThread t, ThreadAttributes attributes) throws ActuatorException {
        long called = System.nanoTime();
        actuator.apply(t, attributes);
        long now = System.nanoTime();
        boolean rt = attributes.policy() == ThreadAttributes.SCHED_FIFO
                || attributes.policy() == ThreadAttributes.SCHED_RR;
        if (called - measureFrom >= 0 && called - end < 0 && rt != raised) {
            // one change of the thread's class: the actuator's own cost (identity checks and sched_setattr)
            if (rt) {
                raiseCallSum += now - called;
                raiseCalls++;
            } else {
                restoreCallSum += now - called;
                restoreCalls++;
                long exit = exitAt;
                if (exit != 0 && exit - startedAt > 0) {
                    exitToRestoreSum += called - exit;
                    exitsTimed++;
                }
            }
        }
        if (rt && !raised) {
            raised = true;
            byTimer = timerIteration;
            startedAt = now;
            long p = period;
            deadline = t0 + Math.round((now - t0) / (double) p) * p; // the tick this boost serves
        } else if (!rt && raised) {
            raised = false;
            if (!byTimer) {
                if (startedAt - measureFrom >= 0 && startedAt - end < 0) {
                    guestBoostedSum += now - startedAt;
                    guestBoosts++;
                }
            } else if (deadline - measureFrom >= 0 && deadline - end < 0) {
                leadSum += deadline - startedAt;
                tailSum += now - deadline;
                tails.recordValue(Math.max(0, Math.min(1_000_000_000L, now - deadline)));
                boosts++;
            }
        }
    }

    @Override
    public void release(VcpuThread t) {
        actuator.release(t);
    }

    /**
     * Marks the agent iterations that follow the VMM timer's host boost request: a raise inside one is the
     * timer's boost.
     */
    void timerIteration(boolean on) {
        timerIteration = on;
    }

    /** The hypercall thread took a guest's exit (its frame read) at {@code nanos}. */
    void exitReceived(long nanos) {
        exitAt = nanos;
    }

    /** The agent thread, done with the timer's iteration, is about to wait: the vCPU may run from here. */
    void agentParks(long nanos) {
        if (raised && byTimer && startedAt - measureFrom >= 0 && startedAt - end < 0 && nanos - startedAt > 0) {
            raiseToParkSum += nanos - startedAt;
            parksTimed++;
        }
    }

    /**
     * The host's side of a boosted tick, µs, for the report's note: the actuator per raise and per restore, the
     * timer's raise to its agent thread leaving the CPU, the guest's exit to the restore call.
     */
    String hostSplit() {
        return String.format(java.util.Locale.ROOT, "actuator %s us per raise, %s us per restore; timer's raise to "
                + "agent thread waiting %s us; guest's exit to restore call %s us", DemoReport.fmt(mean(raiseCallSum,
                raiseCalls)), DemoReport.fmt(mean(restoreCallSum, restoreCalls)), DemoReport.fmt(mean(raiseToParkSum,
                parksTimed)), DemoReport.fmt(mean(exitToRestoreSum, exitsTimed)));
    }

    private static double mean(long sum, long n) {
        return n == 0 ? Double.NaN : sum / 1e3 / n;
    }

    /** Boosts a guest request started (not the timer), started in the measured window and ended. */
    long guestBoosts() {
        return guestBoosts;
    }

    /** Mean length of those, µs. */
    double meanGuestBoostMicros() {
        long n = guestBoosts;
        return n == 0 ? Double.NaN : guestBoostedSum / 1e3 / n;
    }

    /** Timer boosts timed (started and ended, serving a measured tick). */
    long boosts() {
        return boosts;
    }

    /** Mean time from the boost's start to its tick's deadline, µs (negative: it started after the deadline). */
    double meanLeadMicros() {
        long n = boosts;
        return n == 0 ? Double.NaN : leadSum / 1e3 / n;
    }

    /** Median time from the tick's deadline to the thread's restore, µs (read after the agent stopped). */
    double medianTailMicros() {
        return boosts == 0 ? Double.NaN : tails.getValueAtPercentile(50) / 1e3;
    }

    /** Mean time from the tick's deadline to the thread's restore, µs. */
    double meanTailMicros() {
        long n = boosts;
        return n == 0 ? Double.NaN : tailSum / 1e3 / n;
    }
}
