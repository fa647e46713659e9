package dev.vboost.hardening.support;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vboost.agent.actuator.ActuatorException;
import dev.vboost.agent.actuator.LinuxPriorityActuator;
import dev.vboost.agent.actuator.LinuxThreads;
import dev.vboost.agent.actuator.ThreadAttributes;
import java.util.Locale;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Whether tests that change real thread priorities can run here: Linux, a known architecture, and the right
 * to set SCHED_FIFO (root or CAP_SYS_NICE). Locally they skip with the reason; under {@code CI=true} a missing
 * capability fails the test instead.
 */
public final class Realtime {
    private static @Nullable String missing;
    private static boolean probed;

    private Realtime() {
    }

    public static boolean onCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** Skips the calling test (fails it under CI=true) unless real-time priorities can be set. */
    public static void assume() {
        String why = probe();
        if (why != null && onCi()) {
            throw new AssertionError("CI=true but this test needs real-time priorities: " + why);
        }
        assumeTrue(why == null, () -> "skipped: " + why);
    }

    private static synchronized @Nullable String probe() {
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
            String[] error = {"probe thread did not finish"};
            Thread t = new Thread(() -> {
                try {
                    int tid = LinuxThreads.currentTid();
                    ThreadAttributes before = actuator.read(tid);
                    actuator.apply(tid, ThreadAttributes.fifo(1));
                    actuator.apply(tid, before);
                    error[0] = null;
                } catch (ActuatorException e) {
                    error[0] = e.getMessage();
                }
            }, "rt-probe");
            t.start();
            t.join(10_000);
            missing = error[0] == null ? null : "cannot set SCHED_FIFO: " + error[0];
        } catch (UnsupportedOperationException | InterruptedException | LinkageError e) {
            missing = e.toString();
        }
        return missing;
    }
}
