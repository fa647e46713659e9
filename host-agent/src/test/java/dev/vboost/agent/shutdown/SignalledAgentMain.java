package dev.vboost.agent.shutdown;

import dev.vboost.agent.HostAgent;
import dev.vboost.agent.testing.JournaledAgentChild;
import dev.vboost.api.wire.SchedPolicy;
import java.util.concurrent.TimeUnit;

/**
 * The child JVM of {@link SignalShutdownTest}: an agent with a journal, the real actuator
 * ({@link JournaledAgentChild}) and {@link HostAgent#installShutdownHook()}, serving one region whose vCPU
 * threads live in the test's process. Prints {@code READY}, then waits for a signal while its boosts are held.
 *
 * <p>Arguments: region file, journal file, then one thread id per slot.
 */
public final class SignalledAgentMain {
    private SignalledAgentMain() {
    }

    public static void main(String[] args) throws Exception {
        JournaledAgentChild.builder(args, "vm", SchedPolicy.RR, 8).build().installShutdownHook().start();
        JournaledAgentChild.ready();
        Thread.sleep(TimeUnit.MINUTES.toMillis(2)); // ended by the test's signal
        System.out.println("NOT SIGNALLED");
    }
}
