package dev.vboost.agent.journal;

import dev.vboost.agent.HostAgent;
import dev.vboost.agent.actuator.LinuxPriorityActuator;
import dev.vboost.agent.policy.PolicyConfig;
import dev.vboost.api.role.HostEndpoint;
import dev.vboost.api.wire.SchedPolicy;
import dev.vboost.impl.HostRegionConfig;
import dev.vboost.impl.Regions;
import dev.vboost.impl.memory.MappedRegionFile;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The child JVM of {@link AgentCrashRecoveryTest}: a host agent with a lease journal and the real Linux
 * actuator, serving one region file whose vCPU threads live in another process. Prints {@code READY} once the
 * agent runs, then waits to be killed. Boosts last up to a minute, so they are still active when the test
 * kills this process.
 *
 * <p>Arguments: region file, journal file, then one thread id per slot.
 */
public final class CrashingAgentMain {
    private CrashingAgentMain() {
    }

    public static void main(String[] args) throws Exception {
        Path region = Paths.get(args[0]);
        Path journal = Paths.get(args[1]);
        int slots = args.length - 2;
        Map<Integer, Integer> tids = new HashMap<>();
        for (int i = 0; i < slots; i++) {
            tids.put(i, Integer.parseInt(args[2 + i]));
        }
        MappedRegionFile file = MappedRegionFile.create(region, HostRegionConfig.defaults(slots).regionSize());
        HostEndpoint endpoint = Regions.createHost(file.memory(), HostRegionConfig.defaults(slots));
        long minute = TimeUnit.MINUTES.toNanos(1);
        PolicyConfig policy = PolicyConfig.builder().boostPolicy(SchedPolicy.FIFO).priorityCeiling(10)
                .maxBoostNanos(minute).budget(minute, minute).build();
        HostAgent agent = HostAgent.builder()
                .addVm("crash", endpoint, policy, tids)
                .actuator(new LinuxPriorityActuator())
                .journal(journal)
                .build()
                .start();
        System.out.println("READY pid=" + ProcessHandle.current().pid());
        System.out.flush();
        // never stopped: the test kills this JVM with SIGKILL while the boosts are active
        Thread.sleep(TimeUnit.MINUTES.toMillis(5));
        agent.stop();
        System.out.println("NOT KILLED");
    }
}
