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
    private final DaemonDoorbells doorbells;
    private boolean closed;

    /**
     * As {@link #SharedAgentHost(PriorityActuator, Path, long)} with the default safety poll.
     *
     * @param actuator the actuator (the Linux one outside tests)
     * @param journal  the lease journal, or {@code null} for none
     */
    SharedAgentHost(PriorityActuator actuator, @Nullable Path journal) {
        this(actuator, journal, AgentDaemon.DEFAULT_SAFETY_POLL_NANOS);
    }

    /**
     * Builds and starts the agent: restores what a crashed agent left in {@code journal} first. Its thread sleeps
     * on every doorbell VM's eventfd ({@link DaemonDoorbells}), polling at the lazy period while any served guest
     * cannot ring (the agent decides that per VM) and at {@code safetyPollNanos} otherwise.
     *
     * @param actuator        the actuator (the Linux one outside tests)
     * @param journal         the lease journal, or {@code null} for none
     * @param safetyPollNanos the longest sleep while every served VM rings, 1 ms..10 s
     */
    SharedAgentHost(PriorityActuator actuator, @Nullable Path journal, long safetyPollNanos) {
        DaemonDoorbells bells = new DaemonDoorbells(safetyPollNanos);
        HostAgent.Builder b = HostAgent.builder().actuator(actuator);
        bells.configure(b);
        if (journal != null) {
            b.journal(journal);
        }
        try {
            this.agent = b.build().start();
        } catch (RuntimeException | Error e) {
            bells.close();
            throw e;
        }
        this.doorbells = bells;
    }

    @Override
    public DaemonDoorbells doorbells() {
        return doorbells;
    }

    HostAgent agent() {
        return agent;
    }

    @Override
    public dev.vboost.agent.stats.LoopCounters loopCounters() {
        return agent.loopCounters();
    }

    @Override
    public synchronized void addVm(String name, HostEndpoint endpoint, PolicyConfig policy, Map<Integer, Integer> slotToTid,
            long hostFeatures) {
        if (closed) {
            throw new IllegalStateException("host closed");
        }
        agent.addVm(name, endpoint, policy, slotToTid, hostFeatures, 0);
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
        doorbells.close(); // after the agent stopped: its thread waited on the servers' eventfds
    }
}
