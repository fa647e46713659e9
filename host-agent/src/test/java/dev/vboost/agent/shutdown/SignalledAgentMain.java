package dev.vboost.agent.shutdown;

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
 * The child JVM of {@link SignalShutdownTest}: an agent with a journal, the real actuator and
 * {@link HostAgent#installShutdownHook()}, serving one region whose vCPU threads live in the test's process.
 * Prints {@code READY}, then waits for a signal. Boosts last up to a minute, so they are held when it comes.
 *
 * <p>Arguments: region file, journal file, then one thread id per slot.
 */
public final class SignalledAgentMain {
    private SignalledAgentMain() {
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
        PolicyConfig policy = PolicyConfig.builder().boostPolicy(SchedPolicy.RR).priorityCeiling(8)
                .maxBoostNanos(minute).budget(minute, minute).build();
        HostAgent.builder()
                .addVm("vm", endpoint, policy, tids)
                .actuator(new LinuxPriorityActuator())
                .journal(journal)
                .build()
                .installShutdownHook()
                .start();
        System.out.println("READY pid=" + ProcessHandle.current().pid());
        System.out.flush();
        Thread.sleep(TimeUnit.MINUTES.toMillis(2)); // ended by the test's signal
        System.out.println("NOT SIGNALLED");
    }
}
