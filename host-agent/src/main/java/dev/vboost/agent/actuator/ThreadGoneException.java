package dev.vboost.agent.actuator;

/**
 * The registered thread is gone: it exited ({@code ESRCH}), or its thread id now names another thread (a
 * different process or start time). Nothing was changed. Its kind is {@link Kind#NO_SUCH_THREAD}.
 */
public final class ThreadGoneException extends ActuatorException {
    private static final long serialVersionUID = 1L;

    private final transient VcpuThread thread;

    public ThreadGoneException(VcpuThread thread, String why) {
        super(Kind.NO_SUCH_THREAD, ESRCH, thread + ": " + why);
        this.thread = thread;
    }

    /** The identity that no longer holds. */
    public VcpuThread thread() {
        return thread;
    }
}
