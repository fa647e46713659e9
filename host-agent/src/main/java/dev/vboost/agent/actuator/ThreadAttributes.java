package dev.vboost.agent.actuator;

import org.checkerframework.checker.nullness.qual.Nullable;

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
    /** Linux's default time-sharing policy (CFS/EEVDF), weighted by the nice value. */
    public static final int SCHED_OTHER = 0;
    /** Real-time first-in first-out: runs until it blocks or a higher real-time priority preempts it. */
    public static final int SCHED_FIFO = 1;
    /** Real-time round robin: like {@link #SCHED_FIFO} with a time slice among equal priorities. */
    public static final int SCHED_RR = 2;
    /** Time-sharing for batch work: like {@link #SCHED_OTHER} but treated as CPU-bound by the scheduler. */
    public static final int SCHED_BATCH = 3;
    /** Lowest-weight policy: runs only when nothing else wants the CPU; the nice value is ignored. */
    public static final int SCHED_IDLE = 5;
    /** Not representable: a deadline thread's runtime, deadline and period would be lost. */
    public static final int SCHED_DEADLINE = 6;

    /** Lowest {@code sched_priority} of a real-time policy. */
    public static final int RT_PRIORITY_MIN = 1;
    /** Highest {@code sched_priority} of a real-time policy. */
    public static final int RT_PRIORITY_MAX = 99;
    /** Strongest nice value (most CPU weight). */
    public static final int NICE_MIN = -20;
    /** Weakest nice value (least CPU weight). */
    public static final int NICE_MAX = 19;
    /**
     * A child thread or process starts at {@code SCHED_OTHER} nice 0 instead of inheriting a real-time
     * policy or a negative nice value: every boost carries it, so a boosted vCPU thread cannot hand its boost on.
     */
    public static final long SCHED_FLAG_RESET_ON_FORK = 0x01;

    /** A default thread: {@code SCHED_OTHER}, nice 0. */
    public static final ThreadAttributes DEFAULT = new ThreadAttributes(SCHED_OTHER, 0, 0);

    /**
     * Attributes without flags ({@code sched_flags} 0).
     *
     * @param policy   Linux policy code, one of the supported ones
     * @param priority 1..99 for FIFO and RR, 0 otherwise
     * @param nice     -20..19 for the non-real-time policies, 0 for FIFO and RR
     * @throws IllegalArgumentException if the combination is not representable (see the canonical constructor)
     */
    public ThreadAttributes(int policy, int priority, int nice) {
        this(policy, priority, nice, 0L);
    }

    /**
     * Validates the combination.
     *
     * @param policy   Linux policy code
     * @param priority 1..99 for FIFO and RR, 0 otherwise
     * @param nice     -20..19, 0 for FIFO and RR
     * @param flags    0 or {@link #SCHED_FLAG_RESET_ON_FORK}
     * @throws IllegalArgumentException on an unsupported policy or flag, a priority outside 1..99 for FIFO/RR
     *                                  or non-zero otherwise, a nice value outside -20..19, or a non-zero nice
     *                                  value with a real-time policy
     */
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

    /**
     * {@code SCHED_OTHER} with the given nice value, no flags.
     *
     * @param nice -20..19
     * @return the attributes
     * @throws IllegalArgumentException if {@code nice} is out of range
     */
    public static ThreadAttributes normal(int nice) {
        return of(SCHED_OTHER, 0, nice, 0L);
    }

    /**
     * The attributes with these values, validated as by the canonical constructor; every valid combination is
     * one shared instance, built once, so the actuator's reads and the agent's boost targets allocate nothing.
     *
     * @param policy   Linux policy code
     * @param priority 1..99 for FIFO and RR, 0 otherwise
     * @param nice     -20..19, 0 for FIFO and RR
     * @param flags    0 or {@link #SCHED_FLAG_RESET_ON_FORK}
     * @return the shared instance
     * @throws IllegalArgumentException as the canonical constructor
     */
    public static ThreadAttributes of(int policy, int priority, int nice, long flags) {
        int i = Shared.index(policy, priority, nice, flags);
        ThreadAttributes a = i < 0 ? null : Shared.ALL[i];
        return a != null ? a : new ThreadAttributes(policy, priority, nice, flags); // throws: not a valid one
    }

    /** Every valid combination, built on first use of {@link #of}. */
    private static final class Shared {
        /** Per policy (OTHER, FIFO, RR, BATCH, IDLE) 100 levels (priority, or nice + 20) times 2 flag values. */
        static final @Nullable ThreadAttributes[] ALL = new ThreadAttributes[5 * 100 * 2];

        static {
            int[] policies = {SCHED_OTHER, SCHED_FIFO, SCHED_RR, SCHED_BATCH, SCHED_IDLE};
            for (int policy : policies) {
                for (long flags = 0; flags <= SCHED_FLAG_RESET_ON_FORK; flags++) {
                    if (isRealTime(policy)) {
                        for (int p = RT_PRIORITY_MIN; p <= RT_PRIORITY_MAX; p++) {
                            ALL[index(policy, p, 0, flags)] = new ThreadAttributes(policy, p, 0, flags);
                        }
                    } else {
                        for (int n = NICE_MIN; n <= NICE_MAX; n++) {
                            ALL[index(policy, 0, n, flags)] = new ThreadAttributes(policy, 0, n, flags);
                        }
                    }
                }
            }
        }

        /** The place of a combination, or -1 outside every table; a place may hold null (not valid). */
        static int index(int policy, int priority, int nice, long flags) {
            int p;
            switch (policy) {
                case SCHED_OTHER:
                    p = 0;
                    break;
                case SCHED_FIFO:
                    p = 1;
                    break;
                case SCHED_RR:
                    p = 2;
                    break;
                case SCHED_BATCH:
                    p = 3;
                    break;
                case SCHED_IDLE:
                    p = 4;
                    break;
                default:
                    return -1;
            }
            if ((flags & ~SCHED_FLAG_RESET_ON_FORK) != 0) {
                return -1;
            }
            int level;
            if (isRealTime(policy)) {
                if (nice != 0 || priority < RT_PRIORITY_MIN || priority > RT_PRIORITY_MAX) {
                    return -1;
                }
                level = priority;
            } else {
                if (priority != 0 || nice < NICE_MIN || nice > NICE_MAX) {
                    return -1;
                }
                level = nice - NICE_MIN;
            }
            return (p * 100 + level) * 2 + (int) flags;
        }
    }

    /**
     * {@code SCHED_FIFO} at {@code priority}, reset on fork: a real-time boost as the actuator applies it.
     *
     * @param priority 1..99
     * @return the attributes
     * @throws IllegalArgumentException if {@code priority} is out of range
     */
    public static ThreadAttributes fifo(int priority) {
        return of(SCHED_FIFO, priority, 0, SCHED_FLAG_RESET_ON_FORK);
    }

    /**
     * {@code SCHED_RR} at {@code priority}, reset on fork: a real-time boost as the actuator applies it.
     *
     * @param priority 1..99
     * @return the attributes
     * @throws IllegalArgumentException if {@code priority} is out of range
     */
    public static ThreadAttributes rr(int priority) {
        return of(SCHED_RR, priority, 0, SCHED_FLAG_RESET_ON_FORK);
    }

    /**
     * The same attributes with other {@code sched_flags}.
     *
     * @param newFlags 0 or {@link #SCHED_FLAG_RESET_ON_FORK}
     * @return {@code this} if the flags are unchanged, else a copy with {@code newFlags}
     * @throws IllegalArgumentException on an unsupported flag
     */
    public ThreadAttributes withFlags(long newFlags) {
        return newFlags == flags ? this : of(policy, priority, nice, newFlags);
    }

    /**
     * The same attributes with {@link #SCHED_FLAG_RESET_ON_FORK} set: how a boost target is built (the
     * actuator adds it to real-time raises anyway; a nice boost needs it from here).
     *
     * @return these attributes with reset-on-fork set
     */
    public ThreadAttributes asBoost() {
        return withFlags(flags | SCHED_FLAG_RESET_ON_FORK);
    }

    /**
     * Whether a child of the thread falls back to the default policy.
     *
     * @return true if {@link #SCHED_FLAG_RESET_ON_FORK} is set
     */
    public boolean resetOnFork() {
        return (flags & SCHED_FLAG_RESET_ON_FORK) != 0;
    }

    /**
     * True if a thread with these attributes would get more CPU than one with {@code other}: a real-time
     * policy beats every other and a higher real-time priority beats a lower; among {@code SCHED_OTHER} and
     * {@code SCHED_BATCH} a lower nice value wins; {@code SCHED_IDLE} is below everything. Flags do not count.
     *
     * @param other the attributes to compare with
     * @return true if these are strictly stronger
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

    /**
     * Whether the policy is real-time.
     *
     * @return true for {@code SCHED_FIFO} and {@code SCHED_RR}
     */
    public boolean isRealTime() {
        return isRealTime(policy);
    }

    /**
     * Whether a Linux policy code is real-time.
     *
     * @param policy a Linux policy code
     * @return true for {@code SCHED_FIFO} and {@code SCHED_RR}
     */
    public static boolean isRealTime(int policy) {
        return policy == SCHED_FIFO || policy == SCHED_RR;
    }

    /**
     * Whether a policy can be represented here, i.e. restored exactly ({@code SCHED_DEADLINE} cannot).
     *
     * @param policy a Linux policy code
     * @return true for OTHER, FIFO, RR, BATCH and IDLE
     */
    public static boolean isSupportedPolicy(int policy) {
        return policy == SCHED_OTHER || policy == SCHED_FIFO || policy == SCHED_RR || policy == SCHED_BATCH
                || policy == SCHED_IDLE;
    }

    /**
     * The name of a policy code for messages and logs.
     *
     * @param policy a Linux policy code, any value
     * @return {@code SCHED_FIFO} etc.; {@code SCHED_?(n)} for an unknown code
     */
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
