package dev.vboost.agent.actuator;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Locale;

/**
 * Decides whether tests that change real thread priorities can run here. They need Linux on a supported
 * architecture and the right to set SCHED_FIFO (root or CAP_SYS_NICE). Locally they skip with the reason;
 * with {@code CI=true} they must run, so a missing capability fails instead.
 */
public final class RealtimeCapability {
    private static volatile String missing;
    private static volatile boolean probed;

    private RealtimeCapability() {
    }

    public static boolean onCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** Skips the calling test (or fails it on CI) unless real-time priorities can be set. */
    public static void assumeRealtimeAllowed() {
        String why = probe();
        if (why != null && onCi()) {
            throw new AssertionError("CI=true but real-thread tests cannot run: " + why);
        }
        assumeTrue(why == null, () -> "skipped: " + why);
    }

    private static synchronized String probe() {
        if (probed) {
            return missing;
        }
        probed = true;
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux")) {
            missing = "not Linux";
            return missing;
        }
        try {
            LinuxPriorityActuator actuator = new LinuxPriorityActuator();
            int[] result = new int[1];
            String[] error = new String[1];
            Thread t = new Thread(() -> {
                try {
                    int tid = LinuxThreads.currentTid();
                    ThreadAttributes before = actuator.read(tid);
                    actuator.apply(tid, ThreadAttributes.fifo(1));
                    actuator.apply(tid, before);
                    result[0] = 1;
                } catch (ActuatorException e) {
                    error[0] = e.getMessage();
                }
            }, "rt-probe");
            t.start();
            t.join(10_000);
            if (result[0] != 1) {
                missing = "cannot set SCHED_FIFO: " + error[0];
            }
        } catch (UnsupportedOperationException | InterruptedException | LinkageError e) {
            missing = e.toString();
        }
        return missing;
    }
}
