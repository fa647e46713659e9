package dev.vboost.tools.daemon;

import dev.vboost.agent.HostAgent;
import dev.vboost.agent.actuator.PriorityActuator;
import dev.vboost.agent.policy.PolicyConfig;
import dev.vboost.agent.stats.VmCounters;
import dev.vboost.api.role.HostEndpoint;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Interim {@link VmHost}: one started {@link HostAgent} per VM, for as long as {@code HostAgent} cannot add and
 * remove VMs while it runs. Correct (a removed VM's agent is stopped, which restores its threads; a re-map
 * restarts that VM's agent only) but it costs one agent thread per VM; a forwarder over the agent's own {@code addVm}/{@code removeVm} replaces it.
 */
final class AgentPerVmHost implements VmHost {
    private final Supplier<PriorityActuator> actuators;
    private final @Nullable Path journal;
    private final Map<String, Served> vms = new LinkedHashMap<>();
    private boolean closed;

    private static final class Served {
        final HostEndpoint endpoint;
        final PolicyConfig policy;
        HostAgent agent;

        Served(HostEndpoint endpoint, PolicyConfig policy, HostAgent agent) {
            this.endpoint = endpoint;
            this.policy = policy;
            this.agent = agent;
        }
    }

    AgentPerVmHost(Supplier<PriorityActuator> actuators, @Nullable Path journal) {
        this.actuators = actuators;
        this.journal = journal;
    }

    private HostAgent startAgent(String name, HostEndpoint endpoint, PolicyConfig policy, Map<Integer, Integer> map) {
        HostAgent.Builder b = HostAgent.builder().actuator(actuators.get()).addVm(name, endpoint, policy, map);
        Path j = journal;
        if (j != null) {
            // one journal per agent while each VM has its own agent: FILE.NAME beside the journal named
            b.journal(j.resolveSibling(j.getFileName() + "." + name));
        }
        return b.build().start();
    }

    @Override
    public synchronized void addVm(String name, HostEndpoint endpoint, PolicyConfig policy, Map<Integer, Integer> slotToTid) {
        if (closed) {
            throw new IllegalStateException("host closed");
        }
        if (vms.containsKey(name)) {
            throw new IllegalArgumentException("VM '" + name + "' already served");
        }
        vms.put(name, new Served(endpoint, policy, startAgent(name, endpoint, policy, slotToTid)));
    }

    @Override
    public synchronized void removeVm(String name) {
        Served s = vms.remove(name);
        if (s == null) {
            throw new IllegalArgumentException("no VM named '" + name + "'");
        }
        s.agent.stop();
    }

    @Override
    public synchronized void remapVcpus(String name, Map<Integer, Integer> slotToTid) {
        Served s = vms.get(name);
        if (s == null) {
            throw new IllegalArgumentException("no VM named '" + name + "'");
        }
        s.agent.stop();
        s.agent = startAgent(name, s.endpoint, s.policy, slotToTid);
    }

    @Override
    public synchronized List<String> vmNames() {
        return new ArrayList<>(vms.keySet());
    }

    @Override
    public synchronized @Nullable VmCounters counters(String name) {
        Served s = vms.get(name);
        return s == null ? null : s.agent.counters(name);
    }

    @Override
    public synchronized @Nullable Throwable lastError() {
        for (Served s : vms.values()) {
            Throwable t = s.agent.lastError();
            if (t != null) {
                return t;
            }
        }
        return null;
    }

    @Override
    public synchronized void close() {
        closed = true;
        for (Served s : vms.values()) {
            s.agent.stop();
        }
        vms.clear();
    }
}
