package dev.vboost.agent.journal;

import dev.vboost.agent.HostAgent;
import dev.vboost.agent.testing.JournaledAgentChild;
import dev.vboost.api.wire.SchedPolicy;
import java.util.concurrent.TimeUnit;

/**
 * The child JVM of {@link AgentCrashRecoveryTest}: a host agent with a lease journal and the real Linux
 * actuator ({@link JournaledAgentChild}), serving one region file whose vCPU threads live in another process.
 * Prints {@code READY} once the agent runs, then waits to be killed while its boosts are active.
 *
 * <p>Arguments: region file, journal file, then one thread id per slot.
 */
public final class CrashingAgentMain {
    private CrashingAgentMain() {
    }

    public static void main(String[] args) throws Exception {
        HostAgent agent = JournaledAgentChild.builder(args, "crash", SchedPolicy.FIFO, 10).build().start();
        JournaledAgentChild.ready();
        // never stopped: the test kills this JVM with SIGKILL while the boosts are active
        Thread.sleep(TimeUnit.MINUTES.toMillis(5));
        agent.stop();
        System.out.println("NOT KILLED");
    }
}
