package dev.vboost.agent.actuator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vboost.agent.testing.ChildJvm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A real {@code EPERM}: the agent runs in a child JVM started by {@code setpriv} without {@code CAP_SYS_NICE}
 * (dropped from its bounding set, so even root cannot set SCHED_FIFO). The actuator reports PERMISSION, the
 * agent publishes ACTUATOR_FAILED, counts it and keeps serving.
 */
class ActuatorPermissionTest {

    @Test
    void missingPermissionIsReportedNeverThrownThroughTheLoop() throws Exception {
        RealtimeCapability.assumeRealtimeAllowed(); // root, so setpriv may drop capabilities
        boolean setpriv = Files.isExecutable(Paths.get("/usr/bin/setpriv")) || Files.isExecutable(Paths.get("/bin/setpriv"));
        if (!setpriv && RealtimeCapability.onCi()) {
            throw new AssertionError("CI=true but setpriv (util-linux) is missing");
        }
        assumeTrue(setpriv, "skipped: setpriv (util-linux) not installed");
        try (ChildJvm child = startWithoutSysNice()) {
            assertEquals("direct=PERMISSION/1", child.awaitLine("direct=", 60, TimeUnit.SECONDS), child::output);
            assertEquals("round1=true/NORMAL/ACTUATOR_FAILED", child.awaitLine("round1=", 30, TimeUnit.SECONDS));
            assertEquals("round2=true/NORMAL/ACTUATOR_FAILED", child.awaitLine("round2=", 30, TimeUnit.SECONDS),
                    "the loop survived the first failure");
            assertEquals("counters=2/2/0", child.awaitLine("counters=", 30, TimeUnit.SECONDS));
            assertEquals("lastError=PERMISSION", child.awaitLine("lastError=", 30, TimeUnit.SECONDS));
            assertEquals("thread=unchanged", child.awaitLine("thread=", 30, TimeUnit.SECONDS));
            child.awaitLine("DONE", 30, TimeUnit.SECONDS);
            assertEquals(0, child.awaitExit(30, TimeUnit.SECONDS), child.output());
        }
    }

    private static ChildJvm startWithoutSysNice() throws IOException {
        return ChildJvm.startWrapped(new String[] {"setpriv", "--bounding-set", "-sys_nice", "--inh-caps", "-sys_nice"},
                NoPermissionAgentMain.class);
    }
}
