package dev.vboost.hardening.attack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vboost.agent.actuator.ThreadAttributes;
import dev.vboost.agent.policy.PolicyConfig;
import dev.vboost.hardening.support.Realtime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16 row 4: the agent thread runs at SCHED_FIFO one above the ceiling by default, so a boosted vCPU on its
 * CPU cannot starve the thread that ends the boost; where the kernel refuses that (no CAP_SYS_NICE, here taken
 * away with {@code setpriv}), the agent says so at start-up and runs on. Real processes, real priorities.
 */
class AgentThreadPriorityTest {
    private static final String WARNING = "the agent thread runs at its inherited priority";

    @TempDir
    Path dir;

    @Test
    void theAgentThreadRunsAboveTheCeilingByDefault() throws Exception {
        Realtime.assume();
        String[] run = agent(false);
        assertEquals("agent-thread policy=" + ThreadAttributes.SCHED_FIFO + " priority="
                + (PolicyConfig.defaults().priorityCeiling() + 1), run[0], run[1]);
        assertFalse(run[1].contains(WARNING), run[1]);
    }

    @Test
    void whereRealTimeIsRefusedTheAgentSaysSoAtStartUp() throws Exception {
        Realtime.assume(); // root with CAP_SYS_NICE: setpriv can then take it away
        ForeignPeer.assumeAvailable();
        String[] run = agent(true);
        assertEquals("agent-thread policy=" + ThreadAttributes.SCHED_OTHER + " priority=0", run[0], run[1]);
        assertTrue(run[1].contains("WARNING") && run[1].contains(WARNING), "the start-up log says so:\n" + run[1]);
    }

    /** Runs {@link AgentThreadMain}; returns its agent-thread line and its stderr. */
    private String[] agent(boolean withoutSysNice) throws Exception {
        List<String> cmd = new ArrayList<>();
        if (withoutSysNice) {
            cmd.addAll(List.of("setpriv", "--bounding-set", "-sys_nice", "--inh-caps", "-sys_nice", "--"));
        }
        cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        if (Runtime.version().feature() >= 22) {
            cmd.add("--enable-native-access=ALL-UNNAMED");
        }
        cmd.addAll(List.of("-Xmx64m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                AgentThreadMain.class.getName(), dir.resolve(withoutSysNice ? "r-nocap" : "r").toString()));
        Path err = dir.resolve(withoutSysNice ? "nocap.stderr" : "stderr");
        Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the agent did not finish within 60 s");
        }
        String log = Files.readString(err);
        assertEquals(0, p.exitValue(), out + log);
        String line = out.lines().filter(l -> l.startsWith("agent-thread ")).findFirst().orElse("(none)");
        return new String[] {line, log};
    }
}
