package dev.vboost.tools.daemon;

import dev.vboost.agent.HostAgent;
import dev.vboost.agent.actuator.PriorityActuator;
import dev.vboost.agent.policy.PolicyConfig;
import dev.vboost.agent.stats.VmCounters;
import dev.vboost.api.role.HostEndpoint;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The daemon's {@link VmHost}: one started {@link HostAgent} (one agent thread, one journal) serving every VM,
 * forwarding to its {@code addVm}/{@code removeVm}/{@code remapVcpus}, which the agent thread applies between
 * iterations without disturbing the other VMs.
 */
final class SharedAgentHost implements VmHost {
    private final HostAgent agent;
    private boolean closed;

    /**
     * Builds and starts the agent: restores what a crashed agent left in {@code journal} first.
     *
     * @param actuator the actuator (the Linux one outside tests)
     * @param journal  the lease journal, or {@code null} for none
     */
    SharedAgentHost(PriorityActuator actuator, @Nullable Path journal) {
        HostAgent.Builder b = HostAgent.builder().actuator(actuator);
        if (journal != null) {
            b.journal(journal);
        }
        this.agent = b.build().start();
    }

    HostAgent agent() {
        return agent;
    }

    @Override
    public dev.vboost.agent.stats.LoopCounters loopCounters() {
        return agent.loopCounters();
    }

    @Override
    public synchronized void addVm(String name, HostEndpoint endpoint, PolicyConfig policy, Map<Integer, Integer> slotToTid) {
        if (closed) {
            throw new IllegalStateException("host closed");
        }
        agent.addVm(name, endpoint, policy, slotToTid);
    }

    @Override
    public synchronized void removeVm(String name) {
        agent.removeVm(name);
    }

    @Override
    public synchronized void remapVcpus(String name, Map<Integer, Integer> slotToTid) {
        agent.remapVcpus(name, slotToTid);
    }

    @Override
    public List<String> vmNames() {
        return agent.vmNames();
    }

    @Override
    public @Nullable VmCounters counters(String name) {
        try {
            return agent.counters(name);
        } catch (IllegalArgumentException e) {
            return null; // removed between vmNames() and now
        }
    }

    @Override
    public @Nullable Throwable lastError() {
        return agent.lastError();
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        agent.stop();
    }
}
