package dev.vboost.agent.actuator;

/**
 * The scheduling attributes of one Linux thread that the agent changes and restores: policy, real-time
 * priority, nice value and the {@code sched_flags} the kernel reports, with Linux's own codes ({@code sched(7)}).
 *
 * <p>Only the policies the agent can put back exactly are representable: {@code SCHED_OTHER},
 * {@code SCHED_FIFO}, {@code SCHED_RR}, {@code SCHED_BATCH} and {@code SCHED_IDLE}. A real-time policy carries
 * a priority 1..99 and nice 0; the others carry priority 0 and a nice value. This mirrors what
 * {@code sched_getattr(2)} reports: under a real-time policy Linux keeps the thread's nice value hidden
 * (it reappears when the thread returns to a fair policy) and reports 0.
 *
 * @param policy   Linux policy code ({@link #SCHED_OTHER}, {@link #SCHED_FIFO}, ...)
 * @param priority {@code sched_priority}: 1..99 for FIFO and RR, 0 otherwise
 * @param nice     -20..19 for the non-real-time policies, 0 for FIFO and RR
 * @param flags    {@code sched_flags}: 0 or {@link #SCHED_FLAG_RESET_ON_FORK}, the only flag {@code sched_getattr}
 *                 reports for these policies. Part of a thread's original, so it is restored exactly (§8.6).
 */
public record ThreadAttributes(int policy, int priority, int nice, long flags) {
    public static final int SCHED_OTHER = 0;
    public static final int SCHED_FIFO = 1;
    public static final int SCHED_RR = 2;
    public static final int SCHED_BATCH = 3;
    public static final int SCHED_IDLE = 5;
    /** Not representable: a deadline thread's runtime, deadline and period would be lost. */
    public static final int SCHED_DEADLINE = 6;

    public static final int RT_PRIORITY_MIN = 1;
    public static final int RT_PRIORITY_MAX = 99;
    public static final int NICE_MIN = -20;
    public static final int NICE_MAX = 19;
    /**
     * A child thread or process starts at {@code SCHED_OTHER} nice 0 instead of inheriting a real-time
     * policy or a negative nice value: every boost carries it, so a boosted vCPU thread cannot hand its boost on.
     */
    public static final long SCHED_FLAG_RESET_ON_FORK = 0x01;

    /** A default thread: {@code SCHED_OTHER}, nice 0. */
    public static final ThreadAttributes DEFAULT = new ThreadAttributes(SCHED_OTHER, 0, 0);

    /** Attributes without flags. */
    public ThreadAttributes(int policy, int priority, int nice) {
        this(policy, priority, nice, 0L);
    }

    public ThreadAttributes {
        if ((flags & ~SCHED_FLAG_RESET_ON_FORK) != 0) {
            throw new IllegalArgumentException("unsupported sched_flags 0x" + Long.toHexString(flags));
        }
        if (!isSupportedPolicy(policy)) {
            throw new IllegalArgumentException("unsupported scheduling policy " + policy);
        }
        if (isRealTime(policy)) {
            if (priority < RT_PRIORITY_MIN || priority > RT_PRIORITY_MAX) {
                throw new IllegalArgumentException(policyName(policy) + " priority " + priority + " outside 1..99");
            }
            if (nice != 0) {
                throw new IllegalArgumentException(policyName(policy) + " carries nice 0, got " + nice);
            }
        } else if (priority != 0) {
            throw new IllegalArgumentException(policyName(policy) + " priority must be 0, got " + priority);
        }
        if (nice < NICE_MIN || nice > NICE_MAX) {
            throw new IllegalArgumentException("nice " + nice + " outside -20..19");
        }
    }

    /** {@code SCHED_OTHER} with the given nice value. */
    public static ThreadAttributes normal(int nice) {
        return new ThreadAttributes(SCHED_OTHER, 0, nice);
    }

    /** {@code SCHED_FIFO} at {@code priority} (1..99), reset on fork: a real-time boost as the actuator applies it. */
    public static ThreadAttributes fifo(int priority) {
        return new ThreadAttributes(SCHED_FIFO, priority, 0, SCHED_FLAG_RESET_ON_FORK);
    }

    /** {@code SCHED_RR} at {@code priority} (1..99), reset on fork: a real-time boost as the actuator applies it. */
    public static ThreadAttributes rr(int priority) {
        return new ThreadAttributes(SCHED_RR, priority, 0, SCHED_FLAG_RESET_ON_FORK);
    }

    /** The same attributes with {@code flags}. */
    public ThreadAttributes withFlags(long newFlags) {
        return newFlags == flags ? this : new ThreadAttributes(policy, priority, nice, newFlags);
    }

    /**
     * The same attributes with {@link #SCHED_FLAG_RESET_ON_FORK} set: how a boost target is built (the
     * actuator adds it to real-time raises anyway; a nice boost needs it from here).
     */
    public ThreadAttributes asBoost() {
        return withFlags(flags | SCHED_FLAG_RESET_ON_FORK);
    }

    /** True if {@link #SCHED_FLAG_RESET_ON_FORK} is set. */
    public boolean resetOnFork() {
        return (flags & SCHED_FLAG_RESET_ON_FORK) != 0;
    }

    /**
     * True if a thread with these attributes would get more CPU than one with {@code other}: a real-time
     * policy beats every other and a higher real-time priority beats a lower; among {@code SCHED_OTHER} and
     * {@code SCHED_BATCH} a lower nice value wins; {@code SCHED_IDLE} is below everything. Flags do not count.
     */
    public boolean isAbove(ThreadAttributes other) {
        return rank() > other.rank();
    }

    /** A total order of strength, see {@link #isAbove}. */
    private int rank() {
        if (isRealTime()) {
            return 1000 + priority;
        }
        if (policy == SCHED_IDLE) {
            return 0;
        }
        return 100 - nice; // nice -20 -> 120, 19 -> 81
    }

    /** True for {@code SCHED_FIFO} and {@code SCHED_RR}. */
    public boolean isRealTime() {
        return isRealTime(policy);
    }

    public static boolean isRealTime(int policy) {
        return policy == SCHED_FIFO || policy == SCHED_RR;
    }

    public static boolean isSupportedPolicy(int policy) {
        return policy == SCHED_OTHER || policy == SCHED_FIFO || policy == SCHED_RR || policy == SCHED_BATCH
                || policy == SCHED_IDLE;
    }

    /** {@code SCHED_FIFO} etc. for a policy code; {@code SCHED_?(n)} for others. */
    public static String policyName(int policy) {
        switch (policy) {
            case SCHED_OTHER:
                return "SCHED_OTHER";
            case SCHED_FIFO:
                return "SCHED_FIFO";
            case SCHED_RR:
                return "SCHED_RR";
            case SCHED_BATCH:
                return "SCHED_BATCH";
            case SCHED_IDLE:
                return "SCHED_IDLE";
            case SCHED_DEADLINE:
                return "SCHED_DEADLINE";
            default:
                return "SCHED_?(" + policy + ")";
        }
    }

    @Override
    public String toString() {
        String base = isRealTime() ? policyName(policy) + "/" + priority + " (nice " + nice + ")"
                : policyName(policy) + " nice " + nice;
        return resetOnFork() ? base + " reset-on-fork" : base;
    }
}
