package dev.vboost.agent.testing;

import dev.vboost.agent.HostAgent;
import dev.vboost.agent.actuator.LinuxPriorityActuator;
import dev.vboost.agent.policy.PolicyConfig;
import dev.vboost.api.role.HostEndpoint;
import dev.vboost.api.wire.SchedPolicy;
import dev.vboost.impl.HostRegionConfig;
import dev.vboost.impl.Regions;
import dev.vboost.impl.memory.MappedRegionFile;
import java.io.IOException;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What the child agents of the crash-recovery and signal tests share: arguments (region file, journal file, then
 * one thread id per slot), a new region there, and an agent with that journal and the real Linux actuator whose
 * boosts last up to a minute, so they are still held when the test kills or signals the child.
 */
public final class JournaledAgentChild {
    private JournaledAgentChild() {
    }

    /** An agent builder for {@code args}, serving VM {@code vm} under {@code policy} boosts up to {@code ceiling}. */
    public static HostAgent.Builder builder(String[] args, String vm, SchedPolicy policy, int ceiling)
            throws IOException {
        int slots = args.length - 2;
        Map<Integer, Integer> tids = new HashMap<>();
        for (int i = 0; i < slots; i++) {
            tids.put(i, Integer.parseInt(args[2 + i]));
        }
        HostRegionConfig config = HostRegionConfig.defaults(slots);
        MappedRegionFile file = MappedRegionFile.create(Paths.get(args[0]), config.regionSize());
        HostEndpoint endpoint = Regions.createHost(file.memory(), config);
        long minute = TimeUnit.MINUTES.toNanos(1);
        PolicyConfig p = PolicyConfig.builder().boostPolicy(policy).priorityCeiling(ceiling)
                .maxBoostNanos(minute).budget(minute, minute).build();
        return HostAgent.builder()
                .addVm(vm, endpoint, p, tids)
                .actuator(new LinuxPriorityActuator())
                .journal(Paths.get(args[1]));
    }

    /** Tells the test the agent runs: the line it waits for. */
    public static void ready() {
        System.out.println("READY pid=" + ProcessHandle.current().pid());
        System.out.flush();
    }
}
