package dev.vboost.agent.actuator;

/**
 * The registered thread is gone: it exited ({@code ESRCH}), or its thread id now names another thread (a
 * different process or start time). Nothing was changed. Its kind is {@link Kind#NO_SUCH_THREAD}.
 */
public final class ThreadGoneException extends ActuatorException {
    private static final long serialVersionUID = 1L;

    /** The identity that no longer holds; transient, so a deserialized exception has {@code null} here. */
    private final transient VcpuThread thread;

    /**
     * A thread that is gone.
     *
     * @param thread the identity the caller held
     * @param why    what was found instead ("exited", the start time now)
     */
    public ThreadGoneException(VcpuThread thread, String why) {
        super(Kind.NO_SUCH_THREAD, ESRCH, thread + ": " + why);
        this.thread = thread;
    }

    /**
     * The identity that no longer holds.
     *
     * @return the thread as the caller identified it
     */
    public VcpuThread thread() {
        return thread;
    }
}
