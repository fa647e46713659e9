package dev.vboost.agent.actuator;

import com.sun.jna.LastErrorException;
import java.util.Locale;

/**
 * Where and how precisely the calling thread runs: CPU affinity and timer slack. Not part of boosting (the
 * actuator never moves a thread); the demo and benchmarks use it to put a measured thread on a chosen CPU.
 * Calls go through the same libc binding as the actuator ({@link LinuxSyscalls}), so the project has one.
 */
public final class LinuxCpuPlacement {
    private static final long PR_SET_TIMERSLACK = 29;

    private LinuxCpuPlacement() {
    }

    /**
     * Pins the calling thread to one CPU ({@code sched_setaffinity(2)}).
     *
     * @param cpu the CPU, 0..63
     * @throws IllegalArgumentException if {@code cpu} is outside 0..63
     * @throws IllegalStateException if the kernel refuses (for example a CPU that is offline or not allowed)
     * @throws UnsupportedOperationException off Linux or on an unsupported architecture
     */
    public static void pinCurrentThread(int cpu) {
        if (cpu < 0 || cpu > 63) {
            throw new IllegalArgumentException("cpu " + cpu + " outside 0..63");
        }
        LinuxSyscalls sys = LinuxSyscalls.get();
        long[] mask = {1L << cpu};
        try {
            sys.libc.syscall(number("sched_setaffinity", 203, 122), 0L, (long) Long.BYTES, mask);
        } catch (LastErrorException e) {
            throw new IllegalStateException("sched_setaffinity(cpu " + cpu + ") failed, errno " + e.getErrorCode(), e);
        }
    }

    /**
     * Sets the calling thread's timer slack to 1 ns ({@code prctl(PR_SET_TIMERSLACK)}), so that its timed waits
     * are not rounded up by the default 50 µs. Best effort: a refusal leaves the default.
     *
     * @throws UnsupportedOperationException off Linux or on an unsupported architecture
     */
    public static void minimiseTimerSlack() {
        LinuxSyscalls sys = LinuxSyscalls.get();
        try {
            sys.libc.syscall(number("prctl", 157, 167), PR_SET_TIMERSLACK, 1L, 0L, 0L, 0L);
        } catch (LastErrorException e) {
            // the default slack only makes the demo's timing coarser
        }
    }

    /** The system call number on this architecture (x86_64 and aarch64, the ones {@link LinuxSyscalls} knows). */
    static long number(String name, long x8664, long aarch64) {
        String arch = System.getProperty("os.arch", "?");
        switch (arch.toLowerCase(Locale.ROOT)) {
            case "amd64":
            case "x86_64":
                return x8664;       // arch/x86/entry/syscalls/syscall_64.tbl
            case "aarch64":
            case "arm64":
                return aarch64;     // include/uapi/asm-generic/unistd.h
            default:
                throw new UnsupportedOperationException("no " + name + " syscall number known for " + arch);
        }
    }
}
