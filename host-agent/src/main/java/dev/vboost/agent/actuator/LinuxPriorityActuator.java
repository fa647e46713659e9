package dev.vboost.agent.actuator;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Real thread priorities through {@code sched_getattr(2)} and {@code sched_setattr(2)}, called with JNA
 * through libc's {@code syscall}. Raising a thread to a real-time policy needs root or {@code CAP_SYS_NICE};
 * without it the kernel answers {@code EPERM}, reported as {@link ActuatorException.Kind#PERMISSION}.
 * A thread that has exited gives {@link ActuatorException.Kind#NO_SUCH_THREAD}. Thread-safe.
 */
public final class LinuxPriorityActuator implements PriorityActuator {

    /**
     * {@code struct sched_attr} (include/uapi/linux/sched/types.h), SCHED_ATTR_SIZE_VER1. Offsets literal,
     * native byte order (the kernel's).
     */
    static final int ATTR_SIZE = 56;
    static final int OFF_SIZE = 0;           // u32 size
    static final int OFF_POLICY = 4;         // u32 sched_policy
    static final int OFF_FLAGS = 8;          // u64 sched_flags
    static final int OFF_NICE = 16;          // s32 sched_nice
    static final int OFF_PRIORITY = 20;      // u32 sched_priority
    // 24 u64 sched_runtime, 32 u64 sched_deadline, 40 u64 sched_period (SCHED_DEADLINE only)
    // 48 u32 sched_util_min, 52 u32 sched_util_max (used only with SCHED_FLAG_UTIL_CLAMP_*: left alone)

    private final LinuxSyscalls sys;
    /** One native buffer per calling thread: no allocation per call, no sharing between threads. */
    private final ThreadLocal<@Nullable Memory> buffer = new ThreadLocal<>();

    /**
     * @throws UnsupportedOperationException off Linux or on an architecture without known syscall numbers
     */
    public LinuxPriorityActuator() {
        this.sys = LinuxSyscalls.get();
    }

    @Override
    public ThreadAttributes read(int tid) throws ActuatorException {
        checkTid(tid);
        Memory attr = buffer();
        try {
            sys.libc.syscall(sys.schedGetattr, (long) tid, attr, (long) ATTR_SIZE, 0L);
        } catch (LastErrorException e) {
            throw ActuatorException.fromErrno(e.getErrorCode(), "sched_getattr(" + tid + ") failed");
        }
        int policy = attr.getInt(OFF_POLICY);
        int priority = attr.getInt(OFF_PRIORITY);
        // Linux reports nice 0 under a real-time policy; never trust a value there
        int nice = ThreadAttributes.isRealTime(policy) ? 0 : attr.getInt(OFF_NICE);
        if (!ThreadAttributes.isSupportedPolicy(policy)) {
            throw new ActuatorException(ActuatorException.Kind.INVALID, 0, "thread " + tid + " runs "
                    + ThreadAttributes.policyName(policy) + ", which the actuator cannot restore exactly");
        }
        try {
            return new ThreadAttributes(policy, priority, nice);
        } catch (IllegalArgumentException e) {
            throw new ActuatorException(ActuatorException.Kind.INVALID, 0,
                    "sched_getattr(" + tid + ") returned values out of range: " + e.getMessage());
        }
    }

    @Override
    public void apply(int tid, ThreadAttributes attributes) throws ActuatorException {
        checkTid(tid);
        if (attributes.policy() == ThreadAttributes.SCHED_IDLE) {
            // Linux sets the nice value only for SCHED_OTHER and SCHED_BATCH, yet reports it for SCHED_IDLE:
            // set it under SCHED_OTHER first so the thread ends exactly as asked
            setattr(tid, ThreadAttributes.normal(attributes.nice()));
        }
        setattr(tid, attributes);
    }

    private void setattr(int tid, ThreadAttributes attributes) throws ActuatorException {
        Memory attr = buffer();
        attr.setInt(OFF_SIZE, ATTR_SIZE);
        attr.setInt(OFF_POLICY, attributes.policy());
        attr.setLong(OFF_FLAGS, 0L);
        attr.setInt(OFF_NICE, attributes.nice());
        attr.setInt(OFF_PRIORITY, attributes.priority());
        try {
            sys.libc.syscall(sys.schedSetattr, (long) tid, attr, 0L);
        } catch (LastErrorException e) {
            throw ActuatorException.fromErrno(e.getErrorCode(), "sched_setattr(" + tid + ", " + attributes + ") failed");
        }
    }

    private Memory buffer() {
        Memory attr = buffer.get();
        if (attr == null) {
            attr = new Memory(ATTR_SIZE);
            buffer.set(attr);
        }
        attr.clear();
        return attr;
    }

    /** tid 0 would mean "the calling thread" to the kernel: never what the agent wants. */
    private static void checkTid(int tid) throws ActuatorException {
        if (tid <= 0) {
            throw new ActuatorException(ActuatorException.Kind.INVALID, 0, "thread id must be positive, got " + tid);
        }
    }
}
