package dev.vboost.tools.demo;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;

/**
 * The few libc calls the demo needs that the JDK lacks: thread ids, CPU affinity and timer slack. Priority
 * changes do not live here: they go through the host agent's actuator like any boost.
 */
public final class Libc {
    private static final long SYS_GETTID_X86_64 = 186;
    private static final long SYS_GETTID_AARCH64 = 178;
    private static final int PR_SET_TIMERSLACK = 29;

    interface C extends Library {
        int sched_setaffinity(int pid, NativeLong size, long[] mask);

        int sched_getaffinity(int pid, NativeLong size, long[] mask);

        long syscall(long number);

        int prctl(int option, long arg2, long arg3, long arg4, long arg5);
    }

    private static final class Holder {
        static final C C_LIB = Native.load("c", C.class);
    }

    private Libc() {
    }

    /** The calling thread's kernel thread id. */
    public static int currentTid() {
        String arch = System.getProperty("os.arch", "");
        long nr = arch.contains("aarch64") ? SYS_GETTID_AARCH64 : SYS_GETTID_X86_64;
        return (int) Holder.C_LIB.syscall(nr);
    }

    /** Pins the calling thread to one CPU (0..63). */
    public static void pinCurrentThread(int cpu) {
        if (cpu < 0 || cpu > 63) {
            throw new IllegalArgumentException("cpu " + cpu + " outside 0..63");
        }
        long[] mask = {1L << cpu};
        if (Holder.C_LIB.sched_setaffinity(0, new NativeLong(8), mask) != 0) {
            throw new IllegalStateException("sched_setaffinity(cpu " + cpu + ") failed, errno " + Native.getLastError());
        }
    }

    /** Sets the calling thread's timer slack to 1 ns so its timed waits are not rounded up (default 50 µs). */
    public static void minimiseTimerSlack() {
        Holder.C_LIB.prctl(PR_SET_TIMERSLACK, 1, 0, 0, 0);
    }
}
