package dev.vboost.agent;

import dev.vboost.agent.actuator.VcpuThread;
import dev.vboost.agent.core.PolicyEngine;
import dev.vboost.agent.core.VmStats;
import dev.vboost.agent.policy.PolicyConfig;
import dev.vboost.api.WireError;
import dev.vboost.api.role.HostEndpoint;
import java.util.Arrays;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Everything the agent keeps for one VM: its endpoint, policy engine, counters, slot-to-thread map, and the
 * signals other threads leave for the agent thread (NOTIFY, host-boost requests, DETACH). The agent thread
 * owns the plain fields; the atomics are the only fields other threads touch.
 */
final class VmState {
    final String name;
    final HostEndpoint endpoint;
    final int slotCount;
    final PolicyEngine engine;
    final VmStats stats;
    /** Slot to Linux thread id; -1 where no thread is mapped (agent thread only once registered). */
    final int[] tids;
    /**
     * Slot to the identity of its thread, taken on the agent thread when the slot is registered (spec §9 H2):
     * {@code null} where no thread is mapped, the thread was gone at registration, belongs to another process
     * than {@link #expectedTgid}, or has exited since. Such a slot is never raised.
     */
    final @Nullable VcpuThread[] threads;
    /** Slots whose thread is still to be identified (added, re-mapped); agent thread only. */
    final boolean[] unidentified;
    boolean identifyPending;
    /** The VM's process id: threads of any other process are refused; 0 accepts any process. */
    final int expectedTgid;
    /** Whether the region is still the file that was mapped (issue 16 row 11), or null: not checked. */
    final @Nullable BooleanSupplier regionStillLinked;
    /** When the agent next calls {@link #regionStillLinked}; agent thread only. */
    long nextLinkCheck = Long.MIN_VALUE;
    final long hostFeatures;
    final long regionGpa;
    final VmHypercallTarget target;

    // agent thread only
    final int[] changed;
    final boolean[] busy;
    /** The {@link #iteration} in which each slot's line was last read, so one iteration reads it once. */
    final long[] readIn;
    /** Counts the iterations that served the attached guest. */
    long iteration;
    int busySlots;
    long earliestDeadline = Long.MAX_VALUE;
    /** Whether the guest header passed at the last iteration. */
    boolean guestAttached;
    /**
     * Whether the guest cannot ring: attached without DOORBELL, or not attached to a region that does not offer
     * it. Spec §12.2 has the host look at its lines at lazy-mode moments even when the agent otherwise sleeps
     * until a ring.
     */
    boolean guestNeverRings;
    /** The CG check the guest header failed at the last look, so each failure is counted once. */
    WireError lastHeaderError = WireError.NONE;

    // any thread
    final VmSignals signals;
    /** Set by the agent thread once the region's memory faulted; the VM is no longer served. */
    volatile boolean failed;

    VmState(String name, HostEndpoint endpoint, PolicyConfig policy, int[] tids, long hostFeatures, long regionGpa,
            Runnable wake) {
        this(name, endpoint, policy, tids, hostFeatures, regionGpa, wake, VmOptions.NONE);
    }

    VmState(String name, HostEndpoint endpoint, PolicyConfig policy, int[] tids, long hostFeatures, long regionGpa,
            Runnable wake, VmOptions options) {
        this.name = name;
        this.endpoint = endpoint;
        this.slotCount = endpoint.slotCount();
        this.engine = new PolicyEngine(policy, slotCount);
        this.stats = new VmStats(name);
        this.tids = tids.clone();
        this.threads = new VcpuThread[slotCount];
        this.unidentified = new boolean[slotCount];
        for (int slot = 0; slot < slotCount; slot++) {
            unidentified[slot] = tids[slot] > 0;
            identifyPending |= unidentified[slot];
        }
        this.expectedTgid = options.processId();
        this.regionStillLinked = options.regionStillLinked();
        this.hostFeatures = hostFeatures;
        this.regionGpa = regionGpa;
        this.changed = new int[slotCount];
        this.busy = new boolean[slotCount];
        this.readIn = new long[slotCount];
        this.signals = new VmSignals(slotCount);
        this.signals.generation = endpoint.generation();
        this.target = new VmHypercallTarget(signals, hostFeatures, regionGpa, wake);
    }

    /**
     * Checks a slot-to-thread map against {@code slots} and turns it into an array indexed by slot (-1 where
     * no thread is mapped).
     */
    static int[] tidsBySlot(String name, int slots, Map<Integer, Integer> slotToTid) {
        int[] tids = new int[slots];
        Arrays.fill(tids, -1);
        for (Map.Entry<Integer, Integer> e : slotToTid.entrySet()) {
            int slot = e.getKey();
            int tid = e.getValue();
            if (slot < 0 || slot >= slots) {
                throw new IllegalArgumentException("VM '" + name + "': vCPU " + slot + " has no slot (slots: " + slots + ")");
            }
            if (tid <= 0) {
                throw new IllegalArgumentException("VM '" + name + "': thread id " + tid + " for vCPU " + slot);
            }
            tids[slot] = tid;
        }
        return tids;
    }
}
