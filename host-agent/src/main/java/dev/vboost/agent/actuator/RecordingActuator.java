package dev.vboost.agent.actuator;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * An actuator for tests and dry runs: simulates threads in memory and records every call. As on Linux, an
 * unknown id is {@code ESRCH}, an identity whose start time no longer matches ({@link #replaceThread}: the id
 * was reused) is {@link ThreadGoneException}, and a real-time raise always carries
 * {@code SCHED_FLAG_RESET_ON_FORK}.
 * Failures can be injected per thread or for the next call. Thread-safe.
 *
 * <p>A test double, not used by the agent in production: it is exported so that tests in other modules
 * (conformance, hardening, tools) and {@code --dry-run} style tooling can drive the agent without root.
 */
public final class RecordingActuator implements PriorityActuator {
    /** The process every simulated thread belongs to. */
    public static final int TGID = 1;

    /** An actuator with no simulated threads and no calls recorded. */
    public RecordingActuator() {
    }

    /** Which operation a {@link Call} was. */
    public enum Op {
        /** A {@code read} of a thread's attributes. */
        READ,
        /** An {@code apply} of new attributes. */
        APPLY
    }

    /**
     * One call as the actuator saw it.
     *
     * @param op         which operation
     * @param tid        the thread id the call named
     * @param attributes what {@code read} returned or {@code apply} was given; {@code null} for a failed read
     * @param failure    the kind of failure reported, or {@code null} on success
     */
    public record Call(Op op, int tid, @Nullable ThreadAttributes attributes, ActuatorException.@Nullable Kind failure) {
        /**
         * Whether the call succeeded.
         *
         * @return true if no failure was reported
         */
        public boolean succeeded() {
            return failure == null;
        }
    }

    private final Map<Integer, ThreadAttributes> threads = new HashMap<>();
    private final Map<Integer, Long> startTimes = new HashMap<>();
    private final Map<Integer, ActuatorException.Kind> failingThreads = new HashMap<>();
    private final List<Call> calls = new ArrayList<>();
    private ActuatorException.@Nullable Kind failNext;
    private long nextStartTime = 1000;

    /**
     * Adds (or resets) a simulated thread with the given attributes; an existing one keeps its identity.
     *
     * @param tid        the simulated thread id, positive
     * @param attributes its attributes now
     * @return this, for chaining
     */
    public synchronized RecordingActuator addThread(int tid, ThreadAttributes attributes) {
        threads.put(tid, attributes);
        startTimes.computeIfAbsent(tid, k -> nextStartTime++);
        return this;
    }

    /**
     * The thread {@code tid} exits and an unrelated thread gets its id (a later start time): identities taken
     * before fail with {@link ThreadGoneException} from now on.
     *
     * @param tid        the reused thread id
     * @param attributes the new thread's attributes
     * @return this, for chaining
     */
    public synchronized RecordingActuator replaceThread(int tid, ThreadAttributes attributes) {
        threads.put(tid, attributes);
        startTimes.put(tid, nextStartTime++);
        return this;
    }

    /**
     * Makes the thread vanish: later calls on it fail with {@code NO_SUCH_THREAD}.
     *
     * @param tid the simulated thread id
     */
    public synchronized void removeThread(int tid) {
        threads.remove(tid);
        startTimes.remove(tid);
    }

    /**
     * Every call on {@code tid} fails with {@code kind} until {@link #clearFailure(int)}.
     *
     * @param tid  the simulated thread id
     * @param kind the failure to report
     */
    public synchronized void failOn(int tid, ActuatorException.Kind kind) {
        failingThreads.put(tid, kind);
    }

    /**
     * Ends a failure injected with {@link #failOn}.
     *
     * @param tid the simulated thread id
     */
    public synchronized void clearFailure(int tid) {
        failingThreads.remove(tid);
    }

    /**
     * The next call, on any thread, fails with {@code kind}.
     *
     * @param kind the failure to report once
     */
    public synchronized void failNextCall(ActuatorException.Kind kind) {
        failNext = kind;
    }

    /**
     * The simulated thread's attributes now.
     *
     * @param tid the simulated thread id
     * @return its attributes, or {@code null} if it does not exist
     */
    public synchronized @Nullable ThreadAttributes current(int tid) {
        return threads.get(tid);
    }

    /**
     * The calls so far.
     *
     * @return a copy, oldest first
     */
    public synchronized List<Call> calls() {
        return new ArrayList<>(calls);
    }

    /**
     * Number of successful {@code apply} calls so far.
     *
     * @return the count
     */
    public synchronized int successfulApplies() {
        int n = 0;
        for (Call c : calls) {
            if (c.op() == Op.APPLY && c.succeeded()) {
                n++;
            }
        }
        return n;
    }

    @Override
    public synchronized VcpuThread identify(int tid) throws ActuatorException {
        Long start = startTimes.get(tid);
        if (tid <= 0 || start == null) {
            throw noSuchThread(tid);
        }
        return new VcpuThread(TGID, tid, start);
    }

    /**
     * {@link #read(VcpuThread)} on the thread {@code tid} names now.
     *
     * @param tid the simulated thread id
     * @return its attributes
     * @throws ActuatorException {@code NO_SUCH_THREAD} for an unknown id, or an injected failure
     */
    public synchronized ThreadAttributes read(int tid) throws ActuatorException {
        ThreadAttributes now = threads.get(tid);
        Long start = startTimes.get(tid);
        if (now == null || start == null) {
            ActuatorException failure = injectedFailure(tid);
            ActuatorException e = failure != null ? failure : noSuchThread(tid);
            calls.add(new Call(Op.READ, tid, null, e.kind()));
            throw e;
        }
        return read(new VcpuThread(TGID, tid, start));
    }

    /**
     * {@link #apply(VcpuThread, ThreadAttributes)} on the thread {@code tid} names now.
     *
     * @param tid        the simulated thread id
     * @param attributes what to set; a real-time raise gets {@code SCHED_FLAG_RESET_ON_FORK} added
     * @throws ActuatorException {@code NO_SUCH_THREAD} for an unknown id, or an injected failure
     */
    public synchronized void apply(int tid, ThreadAttributes attributes) throws ActuatorException {
        Long start = startTimes.get(tid);
        if (start == null) {
            ActuatorException failure = injectedFailure(tid);
            ActuatorException e = failure != null ? failure : noSuchThread(tid);
            calls.add(new Call(Op.APPLY, tid, attributes, e.kind()));
            throw e;
        }
        apply(new VcpuThread(TGID, tid, start), attributes);
    }

    @Override
    public synchronized ThreadAttributes read(VcpuThread t) throws ActuatorException {
        ThreadAttributes now = current(t, Op.READ, null);
        calls.add(new Call(Op.READ, t.tid(), now, null));
        return now;
    }

    @Override
    public synchronized void apply(VcpuThread t, ThreadAttributes attributes) throws ActuatorException {
        int tid = t.tid();
        ThreadAttributes now = current(t, Op.APPLY, attributes);
        ThreadAttributes result = attributes.isRealTime() && attributes.isAbove(now)
                ? attributes.withFlags(attributes.flags() | ThreadAttributes.SCHED_FLAG_RESET_ON_FORK) : attributes;
        threads.put(tid, result);
        calls.add(new Call(Op.APPLY, tid, attributes, null));
    }

    /**
     * {@code t}'s attributes now, or the failure a real actuator would give (an injected one first, then a gone
     * or reused identity), recorded as a failed {@code op} call.
     */
    private ThreadAttributes current(VcpuThread t, Op op, @Nullable ThreadAttributes asked) throws ActuatorException {
        int tid = t.tid();
        ActuatorException failure = injectedFailure(tid);
        if (failure == null) {
            failure = identityFailure(t);
        }
        ThreadAttributes now = threads.get(tid);
        if (failure != null || now == null) {
            ActuatorException e = failure != null ? failure : noSuchThread(tid);
            calls.add(new Call(op, tid, asked, e.kind()));
            throw e;
        }
        return now;
    }

    private @Nullable ActuatorException identityFailure(VcpuThread t) {
        Long start = startTimes.get(t.tid());
        if (start == null) {
            return new ThreadGoneException(t, "exited");
        }
        if (t.tgid() != TGID || start != t.startTime()) {
            return new ThreadGoneException(t, "its id now names a thread started at tick " + start);
        }
        return null;
    }

    private @Nullable ActuatorException injectedFailure(int tid) {
        ActuatorException.Kind kind = failNext;
        if (kind != null) {
            failNext = null;
        } else {
            kind = failingThreads.get(tid);
        }
        return kind == null ? null : new ActuatorException(kind, errnoFor(kind), "injected " + kind + " on thread " + tid);
    }

    private static ActuatorException noSuchThread(int tid) {
        return new ActuatorException(ActuatorException.Kind.NO_SUCH_THREAD, ActuatorException.ESRCH,
                "no simulated thread " + tid);
    }

    private static int errnoFor(ActuatorException.Kind kind) {
        switch (kind) {
            case PERMISSION:
                return ActuatorException.EPERM;
            case NO_SUCH_THREAD:
                return ActuatorException.ESRCH;
            case INVALID:
                return ActuatorException.EINVAL;
            default:
                return 0;
        }
    }
}
