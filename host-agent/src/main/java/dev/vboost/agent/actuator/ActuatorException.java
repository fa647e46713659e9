package dev.vboost.agent.actuator;

/**
 * A thread's scheduling attributes could not be read or changed. The agent loop catches it, records
 * {@code ACTUATOR_FAILED} on the slot and counts it; it never ends the loop.
 */
public class ActuatorException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Linux errno "operation not permitted": not root and no {@code CAP_SYS_NICE}, or another user's thread. */
    public static final int EPERM = 1;
    /** Linux errno "no such process": the thread id names no thread. */
    public static final int ESRCH = 3;
    /** Linux errno "permission denied", e.g. a {@code /proc} file the agent may not open. */
    public static final int EACCES = 13;
    /** Linux errno "invalid argument": the kernel rejected the attributes. */
    public static final int EINVAL = 22;

    /** What went wrong, coarsely. */
    public enum Kind {
        /** The caller lacks the right to change the thread ({@code EPERM}, {@code EACCES}): not root, no CAP_SYS_NICE. */
        PERMISSION,
        /** The thread does not exist (any more): {@code ESRCH}. */
        NO_SUCH_THREAD,
        /** The kernel or the actuator rejected the values: {@code EINVAL}, or a policy that cannot be restored. */
        INVALID,
        /** Anything else. */
        OTHER
    }

    /** The coarse kind, derived from {@link #errno} or set by the actuator. */
    private final Kind kind;
    /** The Linux errno, 0 if the failure did not come from the kernel. */
    private final int errno;

    /**
     * An exception with an explicit kind.
     *
     * @param kind    what went wrong, coarsely
     * @param errno   the Linux errno, or 0 if the failure did not come from the kernel
     * @param message what was attempted on which thread
     */
    public ActuatorException(Kind kind, int errno, String message) {
        super(message);
        this.kind = kind;
        this.errno = errno;
    }

    /**
     * An exception whose kind follows from a Linux errno.
     *
     * @param errno   the errno the system call reported
     * @param message what was attempted; the errno and its name are appended
     * @return the exception, not thrown
     */
    public static ActuatorException fromErrno(int errno, String message) {
        return new ActuatorException(kindOf(errno), errno, message + " (errno " + errno + " " + errnoName(errno) + ")");
    }

    /**
     * What went wrong, coarsely.
     *
     * @return the kind
     */
    public Kind kind() {
        return kind;
    }

    /**
     * The Linux errno.
     *
     * @return the errno, or 0 if the failure did not come from the kernel
     */
    public int errno() {
        return errno;
    }

    static Kind kindOf(int errno) {
        switch (errno) {
            case EPERM:
            case EACCES:
                return Kind.PERMISSION;
            case ESRCH:
                return Kind.NO_SUCH_THREAD;
            case EINVAL:
                return Kind.INVALID;
            default:
                return Kind.OTHER;
        }
    }

    private static String errnoName(int errno) {
        switch (errno) {
            case EPERM:
                return "EPERM";
            case ESRCH:
                return "ESRCH";
            case EACCES:
                return "EACCES";
            case EINVAL:
                return "EINVAL";
            case 16:
                return "EBUSY";
            case 14:
                return "EFAULT";
            case 7:
                return "E2BIG";
            default:
                return "?";
        }
    }
}
