package dev.vboost.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vboost.agent.actuator.LinuxPriorityActuator;
import dev.vboost.agent.actuator.ThreadAttributes;
import dev.vboost.api.HostSlotSnapshot;
import dev.vboost.api.ReadStatus;
import dev.vboost.api.role.GuestEndpoint;
import dev.vboost.api.wire.BoostReason;
import dev.vboost.api.wire.Feature;
import dev.vboost.api.wire.SchedPolicy;
import dev.vboost.api.wire.SlotStatus;
import dev.vboost.impl.Regions;
import dev.vboost.impl.memory.MappedRegionFile;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one-VM {@code vboost agent} (the CLI in a child JVM) stopped by {@code SIGTERM} or {@code SIGINT} while it
 * holds a real boost (a {@code sleep} process stands in for the vCPU thread): exit 0, its "stopped" line, and the
 * thread back at SCHED_OTHER as read from /proc. Several rounds, alternating the signal (issue 13, issue 16 row 8).
 */
class AgentSignalStopTest {
    private static final int ROUNDS = 6;

    @TempDir
    Path tmp;

    private final LinuxPriorityActuator proc = new LinuxPriorityActuator();

    @Test
    void aSignalWhileBoostedRestoresTheThreadAndExitsZero() throws Exception {
        if (!"true".equals(System.getenv("CI"))) {
            String noRt = DemoEndToEndTest.realtimeUnavailable();
            assumeTrue(noRt == null, () -> "cannot set real-time priorities here: " + noRt + " (CI=true forces the test)");
        }
        Path policy = tmp.resolve("rr.policy");
        Files.writeString(policy, "boost.policy=RR\npriority.ceiling=3\nboost.max.us=30000000\n"
                + "budget.window.us=60000000\nbudget.us=60000000\n");
        Process vcpu = new ProcessBuilder("sleep", "600").start();
        try {
            for (int round = 0; round < ROUNDS; round++) {
                round(policy, (int) vcpu.pid(), round % 2 == 0 ? "TERM" : "INT", round);
            }
        } finally {
            vcpu.destroyForcibly();
        }
    }

    private void round(Path policy, int tid, String signal, int round) throws Exception {
        Path region = tmp.resolve("r" + round); // a fresh file: the guest must not attach to the last round's
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), VboostCli.class.getName(), "agent", "--region",
                region.toString(), "--vcpu", "0=" + tid, "--policy", policy.toString(), "--stats", "0");
        pb.redirectErrorStream(true);
        Process agent = pb.start();
        StringBuffer log = new StringBuffer();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(agent.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    log.append(line).append('\n');
                }
            } catch (java.io.IOException e) {
                log.append("(reader: ").append(e).append(")\n");
            }
        });
        reader.start();
        try {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (log.indexOf("vboost agent: region ") < 0) {
                assertTrue(agent.isAlive(), () -> "agent exited early\n" + log);
                assertTrue(System.nanoTime() - until < 0, () -> "agent not serving within 30 s\n" + log);
                Thread.sleep(10);
            }
            try (MappedRegionFile m = MappedRegionFile.open(region)) {
                GuestEndpoint guest = Regions.attachGuest(m.memory(), Feature.DEFINED_MASK, Duration.ofSeconds(30));
                long id = guest.requestBoost(0, SchedPolicy.RR, 3, 0, BoostReason.RT_TASK.bit());
                HostSlotSnapshot s = new HostSlotSnapshot();
                long answer = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (!(guest.readHostState(0, s) == ReadStatus.OK && s.actedRequestId() >= id)) {
                    assertTrue(System.nanoTime() - answer < 0, () -> "no answer to request " + id + "\n" + log);
                    Thread.sleep(1);
                }
                assertEquals(SlotStatus.BOOSTED, s.status(), () -> s + "\n" + log);
                assertEquals(ThreadAttributes.SCHED_RR, proc.read(tid).policy(), "the boost is real");

                new ProcessBuilder("kill", "-" + signal, Long.toString(agent.pid())).inheritIO().start().waitFor();
                assertTrue(agent.waitFor(30, TimeUnit.SECONDS), () -> "agent did not exit on SIG" + signal + "\n" + log);
            }
            reader.join(TimeUnit.SECONDS.toMillis(10));
            assertEquals(0, agent.exitValue(), () -> "round " + round + ", SIG" + signal + "\n" + log);
            ThreadAttributes a = proc.read(tid);
            assertEquals(ThreadAttributes.SCHED_OTHER, a.policy(), () -> "round " + round + ": thread left at " + a
                    + " after SIG" + signal + "\n" + log);
            assertTrue(log.indexOf("stopped by SIG" + signal + ", every boosted thread restored") >= 0, log::toString);
        } finally {
            agent.destroyForcibly();
        }
    }
}
