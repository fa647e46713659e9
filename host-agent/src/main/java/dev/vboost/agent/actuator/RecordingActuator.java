package dev.vboost.agent.actuator;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * An actuator for tests and dry runs: simulates threads in memory (unknown ids are {@code ESRCH}, as on Linux) and records every call. Failures can be
 * injected per thread or for the next call. Thread-safe.
 */
public final class RecordingActuator implements PriorityActuator {

    /** Which operation a {@link Call} was. */
    public enum Op {
        READ,
        APPLY
    }

    /**
     * One call as the actuator saw it.
     *
     * @param attributes what {@code read} returned or {@code apply} was given; {@code null} for a failed read
     * @param failure    the kind of failure reported, or {@code null} on success
     */
    public record Call(Op op, int tid, @Nullable ThreadAttributes attributes, ActuatorException.@Nullable Kind failure) {
        public boolean succeeded() {
            return failure == null;
        }
    }

    private final Map<Integer, ThreadAttributes> threads = new HashMap<>();
    private final Map<Integer, ActuatorException.Kind> failingThreads = new HashMap<>();
    private final List<Call> calls = new ArrayList<>();
    private ActuatorException.@Nullable Kind failNext;

    /** Adds (or resets) a simulated thread with the given attributes. */
    public synchronized RecordingActuator addThread(int tid, ThreadAttributes attributes) {
        threads.put(tid, attributes);
        return this;
    }

    /** Makes the thread vanish: later calls on it fail with {@code NO_SUCH_THREAD}. */
    public synchronized void removeThread(int tid) {
        threads.remove(tid);
    }

    /** Every call on {@code tid} fails with {@code kind} until {@link #clearFailure(int)}. */
    public synchronized void failOn(int tid, ActuatorException.Kind kind) {
        failingThreads.put(tid, kind);
    }

    public synchronized void clearFailure(int tid) {
        failingThreads.remove(tid);
    }

    /** The next call, on any thread, fails with {@code kind}. */
    public synchronized void failNextCall(ActuatorException.Kind kind) {
        failNext = kind;
    }

    /** The simulated thread's attributes now, or {@code null} if it does not exist. */
    public synchronized @Nullable ThreadAttributes current(int tid) {
        return threads.get(tid);
    }

    /** A copy of the calls so far, oldest first. */
    public synchronized List<Call> calls() {
        return new ArrayList<>(calls);
    }

    /** Number of successful {@code apply} calls so far. */
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
    public synchronized ThreadAttributes read(int tid) throws ActuatorException {
        ActuatorException failure = injectedFailure(tid);
        ThreadAttributes now = threads.get(tid);
        if (failure == null && now == null) {
            failure = noSuchThread(tid);
        }
        if (failure != null || now == null) {
            calls.add(new Call(Op.READ, tid, null, failure == null ? ActuatorException.Kind.OTHER : failure.kind()));
            throw failure != null ? failure : noSuchThread(tid);
        }
        calls.add(new Call(Op.READ, tid, now, null));
        return now;
    }

    @Override
    public synchronized void apply(int tid, ThreadAttributes attributes) throws ActuatorException {
        ActuatorException failure = injectedFailure(tid);
        ThreadAttributes now = threads.get(tid);
        if (failure == null && now == null) {
            failure = noSuchThread(tid);
        }
        if (failure != null || now == null) {
            calls.add(new Call(Op.APPLY, tid, attributes, failure == null ? ActuatorException.Kind.OTHER : failure.kind()));
            throw failure != null ? failure : noSuchThread(tid);
        }
        threads.put(tid, attributes);
        calls.add(new Call(Op.APPLY, tid, attributes, null));
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
