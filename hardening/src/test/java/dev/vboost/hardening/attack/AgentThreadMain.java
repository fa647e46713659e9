package dev.vboost.hardening.attack;

import dev.vboost.agent.HostAgent;
import dev.vboost.agent.actuator.LinuxPriorityActuator;
import dev.vboost.agent.actuator.LinuxThreads;
import dev.vboost.agent.actuator.ThreadAttributes;
import dev.vboost.agent.policy.PolicyConfig;
import dev.vboost.api.layout.RegionLayout;
import dev.vboost.impl.HostRegionConfig;
import dev.vboost.impl.Regions;
import dev.vboost.impl.memory.MappedRegionFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;

/**
 * An agent started as an embedder starts it (default actuator, no thread attributes given), in a process of its
 * own so that the test can take CAP_SYS_NICE away from it. Prints the agent thread's attributes as the kernel
 * reports them ({@code agent-thread policy=P priority=N}); its log (stderr) is the start-up message under test.
 */
public final class AgentThreadMain {
    private AgentThreadMain() {
    }

    public static void main(String[] args) throws Exception {
        Path region = Paths.get(args[0]);
        try (MappedRegionFile file = MappedRegionFile.create(region, RegionLayout.regionSize(1))) {
            HostAgent agent = HostAgent.builder()
                    .addVm("vm", Regions.createHost(file.memory(), HostRegionConfig.defaults(1)),
                            PolicyConfig.defaults(), Map.of(0, LinuxThreads.currentTid()))
                    .build().start(); // returns once the agent thread has applied its attributes and warmed up
            try {
                ThreadAttributes a = new LinuxPriorityActuator().read(agentTid());
                System.out.println("agent-thread policy=" + a.policy() + " priority=" + a.priority());
            } finally {
                agent.stop();
            }
        }
        System.out.flush();
    }

    private static int agentTid() throws Exception {
        try (var tasks = Files.list(Paths.get("/proc/self/task"))) {
            for (Path t : (Iterable<Path>) tasks::iterator) {
                if (Files.readString(t.resolve("comm"), StandardCharsets.UTF_8).trim().equals("vboost-agent")) {
                    return Integer.parseInt(t.getFileName().toString());
                }
            }
        }
        throw new IllegalStateException("no vboost-agent thread");
    }
}
