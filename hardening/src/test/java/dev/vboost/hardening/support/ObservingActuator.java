package dev.vboost.hardening.support;

import dev.vboost.agent.actuator.ActuatorException;
import dev.vboost.agent.actuator.PriorityActuator;
import dev.vboost.agent.actuator.ThreadAttributes;
import dev.vboost.agent.actuator.VcpuThread;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A real actuator (normally {@code LinuxPriorityActuator}) with a log of what the agent applied and when: every
 * boost interval per thread (raised to a real-time policy until put back to a fair one), the highest priority
 * ever applied, and the time of every change for the rate check. The host's invariants are checked on this
 * log; {@link PolicySampler} checks the same from the kernel's side.
 */
public final class ObservingActuator implements PriorityActuator {
    /** One boost of one thread on the host clock ({@link System#nanoTime()}); {@code end} 0 while open. */
    public static final class Boost {
        public final int tid;
        public final int priority;
        public final long start;
        long end;

        Boost(int tid, int priority, long start) {
            this.tid = tid;
            this.priority = priority;
            this.start = start;
        }

        public long end() {
            return end;
        }

        public boolean open() {
            return end == 0;
        }

        public long nanos() {
            return end - start;
        }

        @Override
        public String toString() {
            return "boost of tid " + tid + " at priority " + priority + " lasting "
                    + (open() ? "(open)" : (nanos() / 1000) + " us");
        }
    }

    private final PriorityActuator real;
    private final List<Boost> boosts = new ArrayList<>();
    private final Map<Integer, Boost> openBoost = new HashMap<>();
    private final Map<Integer, List<Long>> changes = new HashMap<>();
    private final List<String> failures = new ArrayList<>();
    private final List<String> log = new ArrayList<>();
    private final long origin = System.nanoTime();
    private int maxPriority;
    private long longestApply;
    /** Every successful call as [call, return]: the agent is one thread, so these delay its other work. */
    private final List<long[]> applyIntervals = new ArrayList<>();

    public ObservingActuator(PriorityActuator real) {
        this.real = real;
    }

    @Override
    public VcpuThread identify(int tid) throws ActuatorException {
        return real.identify(tid);
    }

    @Override
    public ThreadAttributes read(VcpuThread t) throws ActuatorException {
        long before = System.nanoTime();
        ThreadAttributes a = real.read(t);
        long after = System.nanoTime();
        synchronized (this) {
            applyIntervals.add(new long[] {before, after});
        }
        return a;
    }

    @Override
    public void apply(VcpuThread t, ThreadAttributes attributes) throws ActuatorException {
        int tid = t.tid();
        long before = System.nanoTime();
        try {
            real.apply(t, attributes);
        } catch (ActuatorException e) {
            synchronized (this) {
                failures.add(tid + " <- " + attributes + ": " + e.getMessage());
            }
            throw e;
        }
        long now = System.nanoTime();
        synchronized (this) {
            longestApply = Math.max(longestApply, now - before);
            applyIntervals.add(new long[] {before, now});
            changes.computeIfAbsent(tid, k -> new ArrayList<>()).add(now);
            log.add(String.format("%9d us  tid %d <- %s (by %s)", (now - origin) / 1000, tid, attributes,
                    Thread.currentThread().getName()));
            Boost open = openBoost.get(tid);
            if (attributes.isRealTime()) {
                maxPriority = Math.max(maxPriority, attributes.priority());
                if (open == null) {
                    Boost b = new Boost(tid, attributes.priority(), now);
                    boosts.add(b);
                    openBoost.put(tid, b);
                }
            } else if (open != null) {
                open.end = now;
                openBoost.remove(tid);
            }
        }
    }

    /**
     * Time the agent spent inside {@code sched_setattr} and {@code sched_getattr} calls during {@code [from, to]}: one agent thread serves
     * every slot, so an expiry that falls due while it changes other threads waits for those calls.
     */
    private long busyIn(long from, long to) {
        long sum = 0;
        for (long[] a : applyIntervals) {
            long x = Math.max(from, a[0]);
            long y = Math.min(to, a[1]);
            if (y > x) {
                sum += y - x;
            }
        }
        return sum;
    }

    private String around(Boost b) {
        StringBuilder sb = new StringBuilder();
        long from = (b.start - origin) / 1000 - 5_000;
        long to = (b.end - origin) / 1000 + 5_000;
        for (String line : log) {
            long t = Long.parseLong(line.substring(0, 9).trim());
            if (t >= from && t <= to && line.contains("tid " + b.tid + " ")) {
                sb.append(line).append('\n');
            }
        }
        return sb.toString();
    }

    /** Highest real-time priority the agent ever applied. */
    public synchronized int maxPriority() {
        return maxPriority;
    }

    public synchronized List<Boost> boosts() {
        return new ArrayList<>(boosts);
    }

    public synchronized List<Boost> boostsOf(int tid) {
        List<Boost> r = new ArrayList<>();
        for (Boost b : boosts) {
            if (b.tid == tid) {
                r.add(b);
            }
        }
        return r;
    }

    /** Boosts still running (the agent has not put the thread back). */
    public synchronized List<Boost> openBoosts() {
        return new ArrayList<>(openBoost.values());
    }

    public synchronized List<String> failures() {
        return new ArrayList<>(failures);
    }

    /**
     * Largest number of priority changes to {@code tid} inside any interval of one second minus {@code skewNanos}
     * (the log's time stamps trail the agent's decision times by a varying few microseconds to milliseconds).
     */
    public synchronized int maxChangesPerSecond(int tid, long skewNanos) {
        List<Long> times = changes.getOrDefault(tid, List.of());
        long window = 1_000_000_000L - skewNanos;
        int best = 0;
        int lo = 0;
        for (int hi = 0; hi < times.size(); hi++) {
            while (times.get(hi) - times.get(lo) >= window) {
                lo++;
            }
            best = Math.max(best, hi - lo + 1);
        }
        return best;
    }

    public synchronized int changes(int tid) {
        return changes.getOrDefault(tid, List.of()).size();
    }

    /**
     * Fails unless every boost has ended and lasted at most {@code boundNanos + slackNanos} plus the stall time
     * {@code paused} reports for its interval (see {@link LatencyCanary}) plus the time the agent spent in
     * {@code sched_setattr} after the boost's deadline, and no priority above {@code ceiling} was ever applied.
     * The slack covers the agent thread's wake-up latency only; boosts that began before {@code warmupEndNanos}
     * get {@code warmupSlackNanos} more (the agent's first passes through a code path load and interpret it).
     */
    public synchronized void assertBoundsHeld(int ceiling, long boundNanos, long slackNanos,
            java.util.function.LongBinaryOperator paused, long warmupEndNanos, long warmupSlackNanos) {
        if (maxPriority > ceiling) {
            throw new AssertionError("priority " + maxPriority + " applied above the ceiling " + ceiling);
        }
        for (Boost b : boosts) {
            if (b.open()) {
                throw new AssertionError("a boost never ended: " + b);
            }
            long pause = paused.applyAsLong(b.start, b.end);
            long busy = busyIn(b.start + boundNanos, b.end);
            long slack = b.start - warmupEndNanos < 0 ? slackNanos + warmupSlackNanos : slackNanos;
            if (b.nanos() > boundNanos + slack + pause + busy) {
                throw new AssertionError(b + " outlived its bound of " + boundNanos / 1000 + " us (+"
                        + slack / 1000 + " us slack + " + pause / 1000 + " us the canary stalled meanwhile + "
                        + busy / 1000 + " us the agent spent in sched_*attr after the deadline); "
                        + "longest sched_setattr " + longestApply / 1000 + " us; changes around it:\n" + around(b));
            }
        }
    }
}
