package dev.vboost.agent.actuator;

/**
 * Reads and changes the scheduling attributes of a registered thread. A thread is registered once
 * ({@link #identify}); every later read or change first proves that its id still names that same thread
 * (process and start time), so a thread id reused by an unrelated thread or process is never touched: the
 * call fails with {@link ThreadGoneException} instead. Implementations must be safe to call from any thread.
 */
public interface PriorityActuator {

    /**
     * The identity of thread {@code tid} now (its process and start time), to be kept and passed to every later
     * call.
     *
     * @param tid the Linux thread id
     * @return its identity
     * @throws ThreadGoneException if there is no such thread
     * @throws ActuatorException   if the identity cannot be read for another reason
     */
    VcpuThread identify(int tid) throws ActuatorException;

    /**
     * The thread's current attributes, flags included.
     *
     * @param t the thread, as identified before
     * @return its attributes now
     * @throws ThreadGoneException if the thread is not {@code t} any more
     * @throws ActuatorException   if they cannot be read (permission, an unsupported policy)
     */
    ThreadAttributes read(VcpuThread t) throws ActuatorException;

    /**
     * Sets the thread's policy, priority, nice value and flags so that a following {@link #read} returns
     * {@code attributes}, with one exception that makes every real-time boost safe: a change to a real-time
     * policy that raises the thread ({@link ThreadAttributes#isAbove}) always carries
     * {@link ThreadAttributes#SCHED_FLAG_RESET_ON_FORK}, so threads and processes it creates while boosted do not
     * inherit the boost. Every other change (a restore, a nice value) sets exactly the given flags: a nice boost
     * asks for the flag itself ({@link ThreadAttributes#asBoost}). A real-time policy leaves the thread's hidden
     * nice value as it was (Linux semantics).
     *
     * @param t          the thread, as identified before
     * @param attributes what to set
     * @throws ThreadGoneException if the thread is not {@code t} any more; nothing was changed
     * @throws ActuatorException   if the kernel refused the change (permission, invalid values)
     */
    void apply(VcpuThread t, ThreadAttributes attributes) throws ActuatorException;

    /**
     * As {@link #apply(VcpuThread, ThreadAttributes)} for a caller that knows the thread's attributes now because
     * it has just read them or set them itself: whether the change raises the thread (and so carries
     * {@link ThreadAttributes#SCHED_FLAG_RESET_ON_FORK}) is decided against {@code current}, which an
     * implementation may use instead of reading the thread again. The identity is proved as by the other form.
     * Default: ignores {@code current} and calls {@link #apply(VcpuThread, ThreadAttributes)}.
     *
     * @param t          the thread, as identified before
     * @param attributes what to set
     * @param current    what the caller last read from or set on the thread
     * @throws ThreadGoneException if the thread is not {@code t} any more; nothing was changed
     * @throws ActuatorException   if the kernel refused the change (permission, invalid values)
     */
    default void apply(VcpuThread t, ThreadAttributes attributes, ThreadAttributes current) throws ActuatorException {
        apply(t, attributes);
    }

    /**
     * The caller will not pass {@code t} again: an implementation may free what it keeps for the thread (an
     * open descriptor). A later call with {@code t} still works, at the cost of the slower check. Default:
     * nothing kept, nothing to do.
     *
     * @param t a thread this actuator identified
     */
    default void release(VcpuThread t) {
    }
}
