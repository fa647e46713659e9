package dev.vboost.agent.actuator;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import dev.vboost.agent.linux.Libc;
import java.lang.ref.Reference;

/**
 * Where and how precisely the calling thread runs: CPU affinity and timer slack. Not part of boosting (the
 * actuator never moves a thread); the demo and benchmarks use it to put a measured thread on a chosen CPU.
 * Calls go through the module's one libc binding ({@link Libc}).
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
        Libc.requireSupported("sched_setaffinity");
        Memory mask = new Memory(Long.BYTES); // a cpu_set_t of one unsigned long, native order
        mask.setLong(0, 1L << cpu);
        try {
            Libc.syscall(Libc.SYS_SCHED_SETAFFINITY, 0, Long.BYTES, Pointer.nativeValue(mask), 0, 0);
        } catch (LastErrorException e) {
            throw new IllegalStateException("sched_setaffinity(cpu " + cpu + ") failed, errno " + e.getErrorCode(), e);
        } finally {
            Reference.reachabilityFence(mask); // passed by address: keep it alive until the call returned
        }
    }

    /**
     * Sets the calling thread's timer slack to 1 ns ({@code prctl(PR_SET_TIMERSLACK)}), so that its timed waits
     * are not rounded up by the default 50 µs. Best effort: a refusal leaves the default.
     *
     * @throws UnsupportedOperationException off Linux or on an unsupported architecture
     */
    public static void minimiseTimerSlack() {
        Libc.requireSupported("prctl");
        try {
            Libc.syscall(Libc.SYS_PRCTL, PR_SET_TIMERSLACK, 1, 0, 0, 0);
        } catch (LastErrorException e) {
            // the default slack only makes the demo's timing coarser
        }
    }
}
