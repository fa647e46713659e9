package dev.vboost.agent;

import dev.vboost.agent.actuator.VcpuThread;
import dev.vboost.agent.policy.PolicyConfig;
import dev.vboost.api.HostSlotSnapshot;
import dev.vboost.api.role.HostEndpoint;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The VMs the agent serves, changed while it runs (issue 13). Names and thread ownership are checked under a
 * lock on the caller's thread, so a bad request fails at once; a new VM is published to the loop through a
 * copy-on-write table (read once per iteration); removing a VM and re-mapping threads touch threads and lines,
 * so they are queued for the agent thread, applied between iterations, and the caller waits for them.
 */
final class VmRegistry {
    private static final System.Logger LOG = System.getLogger(HostAgent.class.getName());

    private final VmServer server;
    private final ThreadLeases leases;
    private final Runnable wake;
    private final Object lock = new Object();
    private final Map<String, Integer> indexByName = new LinkedHashMap<>();
    /** Linux thread id to the VM that drives it, so no thread serves two vCPUs. */
    private final Map<Integer, String> threadOwners = new HashMap<>();
    private final ConcurrentLinkedQueue<Change> queue = new ConcurrentLinkedQueue<>();
    private volatile @Nullable VmState[] table = new VmState[0];

    VmRegistry(VmServer server, ThreadLeases leases, Runnable wake) {
        this.server = server;
        this.leases = leases;
        this.wake = wake;
    }

    void add(String name, HostEndpoint endpoint, PolicyConfig policy, Map<Integer, Integer> slotToTid,
            long hostFeatures, long regionGpa, VmOptions options) {
        int[] tids = VmState.tidsBySlot(name, endpoint.slotCount(), slotToTid);
        // the threads are identified by the agent thread before the VM is first served (VmServer.identifyThreads)
        VmState vm = new VmState(name, endpoint, policy, tids, hostFeatures, regionGpa, wake, options);
        // the engine's lines continue from what the endpoint published: ids never go back (spec §5.9)
        HostSlotSnapshot published = new HostSlotSnapshot();
        for (int slot = 0; slot < vm.slotCount; slot++) {
            endpoint.lastPublished(slot, published);
            vm.engine.startFrom(slot, published.actedRequestId(), published.hostBoostId());
        }
        synchronized (lock) {
            if (indexByName.containsKey(name)) {
                throw new IllegalArgumentException("VM '" + name + "' added twice");
            }
            claimThreads(name, tids);
            @Nullable VmState[] t = table;
            int index = 0;
            while (index < t.length && t[index] != null) {
                index++;
            }
            @Nullable VmState[] next = Arrays.copyOf(t, Math.max(t.length, index + 1));
            next[index] = vm;
            indexByName.put(name, index);
            table = next; // volatile: the loop sees the whole VM from its next iteration
        }
        wake.run();
    }

    /** Rejects a thread mapped twice or owned by another VM; records the rest as {@code name}'s. */
    private void claimThreads(String name, int[] tids) {
        Map<Integer, Integer> seen = new HashMap<>();
        for (int slot = 0; slot < tids.length; slot++) {
            int tid = tids[slot];
            if (tid <= 0) {
                continue;
            }
            String owner = threadOwners.get(tid);
            if (seen.put(tid, slot) != null || (owner != null && !owner.equals(name))) {
                throw new IllegalArgumentException("thread " + tid + " is mapped to more than one vCPU");
            }
        }
        threadOwners.values().removeIf(name::equals);
        for (int tid : tids) {
            if (tid > 0) {
                threadOwners.put(tid, name);
            }
        }
    }

    /**
     * @param agentRunning whether an agent thread will apply the change
     * @param agentDone    true once the agent has stopped and restored everything: nothing else touches the VMs
     */
    void remove(String name, boolean agentRunning, BooleanSupplier agentDone, LongSupplier clock) {
        VmState vm = get(name);
        run(new Change(vm, null), agentRunning, agentDone, clock);
    }

    void remap(String name, Map<Integer, Integer> slotToTid, boolean agentRunning, BooleanSupplier agentDone,
            LongSupplier clock) {
        VmState vm = get(name);
        int[] tids = VmState.tidsBySlot(name, vm.slotCount, slotToTid);
        synchronized (lock) {
            claimThreads(name, tids);
        }
        run(new Change(vm, tids), agentRunning, agentDone, clock);
    }

    /** Applies a change on the agent thread (queued, waited for) or, with no agent thread, on this one. */
    private void run(Change c, boolean agentRunning, BooleanSupplier agentDone, LongSupplier clock) {
        if (agentRunning) {
            queue.add(c);
            wake.run();
            try {
                // the agent thread applies it; if it stops meanwhile, stop() drains the queue, and a change queued
                // after that is applied here once nothing else can touch the VMs
                while (!c.done.await(100, TimeUnit.MILLISECONDS)) {
                    if (agentDone.getAsBoolean()) {
                        c.apply(clock.getAsLong());
                    }
                    wake.run();
                }
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while the agent applied a VM change", e);
            }
        }
        c.apply(clock.getAsLong());
    }

    /** Agent thread, between iterations: the queued removals and re-maps. */
    void applyQueued(long now) {
        Change c;
        while ((c = queue.poll()) != null) {
            c.apply(now);
        }
    }

    /**
     * Spec §8.13: the VM's region faulted (SIGBUS). Its threads go back (nothing more is read from or written
     * to the region); it stays listed, not served, until removed.
     */
    void regionFailed(VmState vm, long now, Throwable cause) {
        vm.failed = true;
        LOG.log(System.Logger.Level.ERROR, "region of VM " + vm.name + " failed (" + cause.getMessage()
                + "); restoring its threads and no longer serving it", cause);
        server.endAll(vm, now, false);
        // The leases, not the engine, know which threads are raised: the JVM raises a fault in compiled code at a
        // later instruction than the faulting access, so it can land between the engine ending a boost and its
        // restore (seen in endSlot). Every raised thread of the VM comes back here; a failure is retried.
        for (int slot = 0; slot < vm.slotCount; slot++) {
            leases.restore(vm.threads[slot]);
        }
        releaseThreads(vm);
        vm.earliestDeadline = Long.MAX_VALUE;
    }

    private void releaseThreads(VmState vm) {
        for (int slot = 0; slot < vm.slotCount; slot++) {
            VcpuThread t = vm.threads[slot];
            if (t != null) {
                leases.release(t);
            }
        }
        synchronized (lock) {
            threadOwners.values().removeIf(vm.name::equals);
        }
    }

    int index(String name) {
        synchronized (lock) {
            Integer i = indexByName.get(name);
            if (i == null) {
                throw new IllegalArgumentException("no VM named '" + name + "' (known: " + indexByName.keySet() + ")");
            }
            return i;
        }
    }

    VmState get(String name) {
        VmState vm = table[index(name)];
        if (vm == null) {
            throw new IllegalArgumentException("no VM named '" + name + "'");
        }
        return vm;
    }

    @Nullable VmState at(int index) {
        @Nullable VmState[] t = table;
        return index >= 0 && index < t.length ? t[index] : null;
    }

    @Nullable VmState[] table() {
        return table;
    }

    List<String> names() {
        synchronized (lock) {
            return new ArrayList<>(indexByName.keySet());
        }
    }

    int highestCeiling() {
        int max = 0;
        for (VmState vm : table) {
            if (vm != null) {
                max = Math.max(max, vm.engine.config().priorityCeiling());
            }
        }
        return max;
    }

    /** A removal ({@code tids == null}) or a re-map, applied once by whichever thread gets it first. */
    private final class Change {
        final VmState vm;
        final int @Nullable [] tids;
        final AtomicBoolean claimed = new AtomicBoolean();
        final CountDownLatch done = new CountDownLatch(1);

        Change(VmState vm, int @Nullable [] tids) {
            this.vm = vm;
            this.tids = tids;
        }

        void apply(long now) {
            if (!claimed.compareAndSet(false, true)) {
                return;
            }
            try {
                int[] newTids = tids;
                if (newTids == null) {
                    removeNow(now);
                } else {
                    remapNow(newTids, now);
                }
            } finally {
                done.countDown();
            }
        }

        private void removeNow(long now) {
            server.endAll(vm, now, !vm.failed); // threads back, slots NORMAL, before removeVm returns
            releaseThreads(vm);
            synchronized (lock) {
                Integer i = indexByName.remove(vm.name);
                if (i != null) {
                    @Nullable VmState[] next = table.clone();
                    next[i] = null;
                    table = next;
                }
            }
        }

        private void remapNow(int[] newTids, long now) {
            for (int slot = 0; slot < vm.slotCount; slot++) {
                int old = vm.tids[slot];
                // a slot whose thread was found gone is re-identified even under the same id
                if (old != newTids[slot] || (old > 0 && vm.threads[slot] == null)) {
                    if (!vm.failed) {
                        server.endSlot(vm, slot, now, true); // only this slot: the others stay as they are
                    }
                    VcpuThread t = vm.threads[slot];
                    if (t != null) {
                        leases.release(t);
                    }
                    vm.threads[slot] = null;
                    vm.tids[slot] = newTids[slot];
                    vm.unidentified[slot] = newTids[slot] > 0;
                    vm.identifyPending |= vm.unidentified[slot];
                }
            }
            if (vm.identifyPending && !vm.failed) {
                server.identifyThreads(vm); // here, on the agent thread, as the new ids are registered
            }
        }
    }
}
