package dev.vboost.agent.actuator;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import dev.vboost.agent.linux.Libc;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Real thread priorities through {@code sched_getattr(2)} and {@code sched_setattr(2)}, called with JNA
 * through libc's {@code syscall} ({@link Libc}). Before and after every call it proves that the thread id still names
 * the registered thread ({@link VcpuThread}): one read of the thread's {@code comm} file kept open since
 * {@link #identify} ({@link TaskFiles}), or for an identity it keeps nothing for, its start time read from
 * {@code /proc}. Every raise carries
 * {@code SCHED_FLAG_RESET_ON_FORK}. Raising a thread to a real-time policy needs root or {@code CAP_SYS_NICE};
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

    /** The comm file of each identified thread, kept open: the cheap form of the identity check. */
    private final TaskFiles taskFiles = new TaskFiles();
    /** One native buffer per calling thread: no allocation per call, no sharing between threads. */
    private final ThreadLocal<@Nullable Memory> buffer = new ThreadLocal<>();

    /**
     * An actuator for this host, calling {@code sched_getattr}/{@code sched_setattr} directly.
     *
     * @throws UnsupportedOperationException off Linux or on an architecture without known syscall numbers
     */
    public LinuxPriorityActuator() {
        Libc.requireSupported("the Linux priority actuator");
    }

    @Override
    public VcpuThread identify(int tid) throws ActuatorException {
        checkTid(tid);
        int tgid = ProcThreadStat.tgidOf(tid);
        long start = tgid > 0 ? ProcThreadStat.startTime(tgid, tid) : -1;
        if (start < 0) {
            throw new ActuatorException(ActuatorException.Kind.NO_SUCH_THREAD, ActuatorException.ESRCH,
                    "no thread " + tid + " in /proc");
        }
        VcpuThread t = new VcpuThread(tgid, tid, start);
        taskFiles.open(t); // kept until release(t); without it every check takes the path through /proc
        return t;
    }

    /** Closes the file kept for {@code t}; later calls with {@code t} check through the path. */
    @Override
    public void release(VcpuThread t) {
        taskFiles.release(t);
    }

    /** Number of task files kept open (tests). */
    int taskFilesOpen() {
        return taskFiles.size();
    }

    /**
     * The calling thread's identity: for an agent that sets its own thread's attributes.
     *
     * @return the identity of the thread calling this
     * @throws ActuatorException if {@code /proc} cannot be read
     */
    public VcpuThread currentThread() throws ActuatorException {
        return identify(LinuxThreads.currentTid());
    }

    /**
     * Reads thread {@code tid} as it is now, without an identity kept from before: only for threads the caller
     * owns and knows to be alive (its own, a test's). An agent keeps the {@link VcpuThread} from registration.
     *
     * @param tid the Linux thread id
     * @return its attributes now
     * @throws ActuatorException if there is no such thread or its attributes cannot be read
     */
    public ThreadAttributes read(int tid) throws ActuatorException {
        VcpuThread t = identify(tid);
        try {
            return read(t);
        } finally {
            release(t);
        }
    }

    /**
     * As {@link #read(int)}: {@link #apply(VcpuThread, ThreadAttributes)} on the thread {@code tid} names now.
     *
     * @param tid        the Linux thread id
     * @param attributes what to set
     * @throws ActuatorException if there is no such thread or the kernel refused the change
     */
    public void apply(int tid, ThreadAttributes attributes) throws ActuatorException {
        VcpuThread t = identify(tid);
        try {
            apply(t, attributes);
        } finally {
            release(t);
        }
    }

    @Override
    public ThreadAttributes read(VcpuThread t) throws ActuatorException {
        prove(t, "before reading");
        ThreadAttributes a = getattr(t);
        prove(t, "while reading"); // the id was reused between the check and the read: the values are not t's
        return a;
    }

    @Override
    public void apply(VcpuThread t, ThreadAttributes attributes) throws ActuatorException {
        prove(t, "nothing changed");
        change(t, attributes, getattr(t));
    }

    /** As {@link #apply(VcpuThread, ThreadAttributes)} without reading the attributes first: one system call less. */
    @Override
    public void apply(VcpuThread t, ThreadAttributes attributes, ThreadAttributes current) throws ActuatorException {
        prove(t, "nothing changed");
        change(t, attributes, current);
    }

    /** The change itself, {@code t} proved just before; proved again after. */
    private void change(VcpuThread t, ThreadAttributes attributes, ThreadAttributes current) throws ActuatorException {
        long flags = attributes.flags();
        if (attributes.isRealTime() && attributes.isAbove(current)) {
            flags |= ThreadAttributes.SCHED_FLAG_RESET_ON_FORK; // every real-time raise: no child inherits it
        }
        if (attributes.policy() == ThreadAttributes.SCHED_IDLE) {
            // Linux sets the nice value only for SCHED_OTHER and SCHED_BATCH, yet reports it for SCHED_IDLE:
            // set it under SCHED_OTHER first so the thread ends exactly as asked
            setattr(t, ThreadAttributes.SCHED_OTHER, 0, attributes.nice(), flags);
        }
        setattr(t, attributes.policy(), attributes.priority(), attributes.nice(), flags);
        // Narrows the window in which the id could have been handed to another thread to the two system calls
        // above; a pid space that wraps within microseconds is the only way through it.
        prove(t, "after the change: the thread exited meanwhile");
    }

    /**
     * Throws unless {@code t} is still the thread its id names: through the file kept open since {@link #identify}
     * (a read fails once that very task exited, whatever its id names now: no start time to compare), or, for an
     * identity this actuator did not take or has released, by the start time in {@code /proc/<tgid>/task/<tid>/stat}.
     */
    private void prove(VcpuThread t, String what) throws ThreadGoneException {
        TaskFiles.Entry kept = taskFiles.find(t);
        if (kept != null) {
            if (!TaskFiles.alive(kept)) {
                throw new ThreadGoneException(t, "exited (" + what + ")");
            }
            return;
        }
        long now = ProcThreadStat.startTime(t.tgid(), t.tid());
        if (now < 0) {
            throw new ThreadGoneException(t, "exited (" + what + ")");
        }
        if (now != t.startTime()) {
            throw new ThreadGoneException(t, "its id now names a thread started at tick " + now + " (" + what + ")");
        }
    }

    private ThreadAttributes getattr(VcpuThread t) throws ActuatorException {
        int tid = t.tid();
        Memory attr = buffer();
        try {
            Libc.syscall(Libc.SYS_SCHED_GETATTR, tid, Pointer.nativeValue(attr), ATTR_SIZE, 0, 0);
        } catch (LastErrorException e) {
            if (e.getErrorCode() == ActuatorException.ESRCH) {
                throw new ThreadGoneException(t, "sched_getattr: ESRCH");
            }
            throw ActuatorException.fromErrno(e.getErrorCode(), "sched_getattr(" + tid + ") failed");
        }
        int policy = attr.getInt(OFF_POLICY);
        int priority = attr.getInt(OFF_PRIORITY);
        long flags = attr.getLong(OFF_FLAGS);
        // Linux reports nice 0 under a real-time policy; never trust a value there
        int nice = ThreadAttributes.isRealTime(policy) ? 0 : attr.getInt(OFF_NICE);
        if (!ThreadAttributes.isSupportedPolicy(policy)) {
            throw new ActuatorException(ActuatorException.Kind.INVALID, 0, "thread " + tid + " runs "
                    + ThreadAttributes.policyName(policy) + ", which the actuator cannot restore exactly");
        }
        try {
            return ThreadAttributes.of(policy, priority, nice, flags); // shared: a read allocates nothing
        } catch (IllegalArgumentException e) {
            throw new ActuatorException(ActuatorException.Kind.INVALID, 0,
                    "sched_getattr(" + tid + ") returned values the actuator cannot restore exactly: " + e.getMessage());
        }
    }

    private void setattr(VcpuThread t, int policy, int priority, int nice, long flags) throws ActuatorException {
        int tid = t.tid();
        Memory attr = buffer();
        attr.setInt(OFF_SIZE, ATTR_SIZE);
        attr.setInt(OFF_POLICY, policy);
        attr.setLong(OFF_FLAGS, flags);
        attr.setInt(OFF_NICE, nice);
        attr.setInt(OFF_PRIORITY, priority);
        try {
            // attr stays reachable through the thread-local across the call
            Libc.syscall(Libc.SYS_SCHED_SETATTR, tid, Pointer.nativeValue(attr), 0, 0, 0);
        } catch (LastErrorException e) {
            if (e.getErrorCode() == ActuatorException.ESRCH) {
                throw new ThreadGoneException(t, "sched_setattr: ESRCH");
            }
            throw ActuatorException.fromErrno(e.getErrorCode(), "sched_setattr(" + tid + ", "
                    + ThreadAttributes.policyName(policy) + "/" + priority + " nice " + nice + " flags 0x"
                    + Long.toHexString(flags) + ") failed");
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
