package dev.vboost.tools.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vboost.agent.actuator.ActuatorException;
import dev.vboost.agent.actuator.PriorityActuator;
import dev.vboost.agent.actuator.ThreadAttributes;
import dev.vboost.agent.actuator.VcpuThread;
import dev.vboost.api.wire.SchedPolicy;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Without the right to set real-time priorities (an actuator refusing as Linux does with EPERM) the demo says
 * so, explains how to grant it, runs vanilla mode and labels the other modes as skipped, in the table and JSON.
 */
class DemoWithoutRealtimeTest {

    /** Reads like Linux, refuses every change like Linux without CAP_SYS_NICE. */
    private static final PriorityActuator NO_RIGHTS = new PriorityActuator() {
        @Override
        public VcpuThread identify(int tid) {
            return new VcpuThread(1, tid, 1);
        }

        @Override
        public ThreadAttributes read(VcpuThread t) {
            return ThreadAttributes.normal(0);
        }

        @Override
        public void apply(VcpuThread t, ThreadAttributes attributes) throws ActuatorException {
            throw ActuatorException.fromErrno(ActuatorException.EPERM, "sched_setattr(" + t.tid() + ") failed");
        }
    };

    @Test
    void runsVanillaOnlyAndSaysWhyAndHowToGrant(@TempDir Path out) throws Exception {
        DemoConfig config = new DemoConfig(500_000_000L, 1_000_000L, 20_000L, 100_000L, 3_000_000L, 100_000_000L, 0, 0,
                List.of(DemoMode.VANILLA, DemoMode.DYNAMIC, DemoMode.STATIC), out, 3, SchedPolicy.FIFO, 50);
        StringWriter text = new StringWriter();
        DemoOutcome o = new DemoRunner(config, new PrintWriter(text, true), JavaLauncher.current(),
                new RtControl(NO_RIGHTS)).run();
        String s = text.toString();
        assertTrue(s.contains("NOTE: this process may not set real-time priorities (PERMISSION"), s);
        assertTrue(s.contains("CAP_SYS_NICE") && s.contains("run as root"), s);
        assertTrue(s.contains("[dynamic] SKIPPED: no permission to set real-time priorities"), s);
        assertTrue(s.contains("[static] SKIPPED"), s);
        ModeResult vanilla = o.result(DemoMode.VANILLA);
        assertTrue(vanilla != null && vanilla.ok() && vanilla.ticks > 0, s);
        ModeResult dynamic = o.result(DemoMode.DYNAMIC);
        assertTrue(dynamic != null && "skipped".equals(dynamic.status), s);
        assertNull(dynamic.latency, s);
        String json = Files.readString(out.resolve("demo.json"));
        assertTrue(json.contains("\"realtime_available\": false"), json);
        assertEquals(2, json.split("\"status\": \"skipped\"", -1).length - 1, json);
        assertTrue(json.contains("\"status\": \"ok\""), json);
    }
}
