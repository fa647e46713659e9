package dev.vboost.tools.daemon;

import dev.vboost.agent.policy.PolicyConfig;
import dev.vboost.agent.stats.VmCounters;
import dev.vboost.api.role.HostEndpoint;
import java.util.List;
import java.util.Map;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * What the daemon needs from a host agent that serves VMs which come and go: the {@code HostAgent} calls
 * {@code addVm}, {@code removeVm} and {@code remapVcpus} under the same names, so an implementation is a thin
 * forwarder. Methods are called from one thread (the directory watcher) except {@link #counters}, {@link
 * #vmNames} and {@link #close}, which must be thread-safe.
 */
public interface VmHost extends AutoCloseable {
    /**
     * Starts serving a VM; its endpoint belongs to the agent from now until {@link #removeVm} returns.
     *
     * @param hostFeatures the features its region offers (DOORBELL only with a doorbell the agent waits on)
     */
    void addVm(String name, HostEndpoint endpoint, PolicyConfig policy, Map<Integer, Integer> slotToTid,
            long hostFeatures);

    /** Stops serving a VM: returns after its threads are restored and its slots published NORMAL. */
    void removeVm(String name);

    /** Rebinds a VM's slots to new threads (vCPU hot-plug); a slot whose thread changes is restored first. */
    void remapVcpus(String name, Map<Integer, Integer> slotToTid);

    /** The VMs served now. */
    List<String> vmNames();

    /** A copy of a served VM's counters, or {@code null} if no VM has that name. */
    @Nullable VmCounters counters(String name);

    /** The last unexpected error of the agent, or {@code null}. */
    /** The agent loop's wake-ups and lateness, or null where no agent loop runs (metrics). */
    default dev.vboost.agent.stats.@Nullable LoopCounters loopCounters() {
        return null;
    }

    @Nullable Throwable lastError();

    /** The VMs' doorbells the agent waits on, or {@code null} where this host cannot serve any (lazy mode). */
    default @Nullable DaemonDoorbells doorbells() {
        return null;
    }

    /** Stops serving every VM, restoring every thread the agent boosted. Idempotent; safe from a shutdown hook. */
    @Override
    void close();
}
