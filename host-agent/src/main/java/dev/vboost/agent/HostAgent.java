package dev.vboost.agent;

import dev.vboost.agent.actuator.LinuxPriorityActuator;
import dev.vboost.agent.actuator.LinuxThreads;
import dev.vboost.agent.actuator.PriorityActuator;
import dev.vboost.agent.actuator.ThreadAttributes;
import dev.vboost.agent.core.BoostEvents;
import dev.vboost.agent.core.LoopStats;
import dev.vboost.agent.journal.LeaseJournal;
import dev.vboost.agent.policy.PolicyConfig;
import dev.vboost.agent.stats.LoopCounters;
import dev.vboost.agent.stats.VmCounters;
import dev.vboost.agent.stats.WakeCause;
import dev.vboost.api.role.HostEndpoint;
import dev.vboost.api.wire.Feature;
import dev.vboost.impl.memory.FileAccess;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The host agent: watches the slots of the VM regions it serves, applies each VM's {@link PolicyConfig},
 * changes the vCPU threads' priorities through a {@link PriorityActuator}, publishes the outcome in the slots'
 * host lines, and ends every boost at its bound on a host timer even when the guest is silent (spec §5, §8;
 * docs/architecture.md).
 *
 * <p>One agent thread owns every endpoint, policy engine and thread lease; other threads only leave signals
 * ({@link #notifySlot}, {@link #requestHostBoost}), queue VM changes ({@link #addVm}, {@link #removeVm},
 * {@link #remapVcpus}) that the agent thread applies between iterations, or read counters. Each iteration does
 * bounded work per VM (see {@code VmServer}) and then waits in its {@link LoopWaiter} until the next deadline:
 * the earliest boost expiry or throttle refill, a restore retry, or the idle poll interval. Actuator failures
 * are counted and published as {@code ACTUATOR_FAILED}; they never stop the loop.
 *
 * <p>Before the first change to a thread the agent journals its original attributes (if a journal path is
 * given); {@link #start()} first restores whatever a crashed agent left in the journal, and {@link #stop()}
 * (also from {@link #installShutdownHook()} on SIGINT or SIGTERM) puts every thread back and clears it.
 *
 * <p>Above 400 lines because the public API and its {@link Builder} live here with their documentation (about
 * half the file), so users find them in one place; the work is done by {@code VmRegistry} (VMs added, removed,
 * re-mapped), {@code VmServer} (one VM's share of an iteration), {@code SlotActions} (carrying out a decision)
 * and {@code ThreadLeases} (originals, restores, journal).
 */
public final class HostAgent implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(HostAgent.class.getName());
    /** Longest an idle agent thread sleeps between polls, whatever the configuration says. */
    private static final long MAX_IDLE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** How often a VM's region is checked to be still the file that was mapped ({@link VmOptions}). */
    static final long LINK_CHECK_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long STOP_JOIN_MILLIS = TimeUnit.SECONDS.toMillis(10);

    private final LongSupplier clock;
    private final @Nullable Path journalPath;
    private final FileAccess journalAccess;
    private final long idlePollNanos;
    private final long lazyPollNanos;
    private final LoopWaiter waiter;
    private final AgentThreadPriority agentPriority;
    private final AgentErrors errors = new AgentErrors();
    private final ThreadLeases leases;
    private final VmRegistry registry;
    private final VmServer server;

    private LeaseJournal.@Nullable Recovery recovery;
    private boolean prepared;
    private volatile boolean running;
    private volatile boolean stopped;
    private volatile @Nullable Thread agentThread;
    /** Set once stop() has restored everything: the VMs are no longer touched by the agent. */
    private volatile boolean restored;
    /** Slot events the last {@link #runOnce} found; agent thread only. */
    private int lastIterationEvents;
    /** The idle poll deadline of the last {@link #runOnce}; agent thread only. */
    private long lastIterationPollAt;
    /** How the loop's waits ended and how late it woke (metrics; {@link #loopCounters()}). */
    private final LoopStats loopStats = new LoopStats();
    /** Wake-ups asked for by {@link #signalAgent()}: a wait that ends early after one ended by a signal. */
    private final AtomicLong wakeRequests = new AtomicLong();
    private final java.util.concurrent.CountDownLatch warmedUp = new java.util.concurrent.CountDownLatch(1);

    private HostAgent(Builder b) {
        // Initialise the JFR event classes now, not on the agent thread: the first expiry otherwise pays their
        // class loading and JFR registration (about 100 ms measured on a loaded machine) while a thread stays
        // boosted past its bound (hardening SoakTest).
        new BoostEvents.Granted().shouldCommit();
        new BoostEvents.Denied().shouldCommit();
        new BoostEvents.Expired().shouldCommit();
        PriorityActuator actuator = b.actuator != null ? b.actuator : new LinuxPriorityActuator();
        this.clock = b.clock;
        this.journalPath = b.journal;
        this.journalAccess = b.journalAccess;
        this.idlePollNanos = b.idlePollNanos;
        this.lazyPollNanos = b.lazyPollNanos;
        this.waiter = b.waiter != null ? b.waiter : new ParkingLoopWaiter(b.clock);
        this.leases = new ThreadLeases(actuator, b.clock);
        SlotActions actions = new SlotActions(leases, b.clock, errors);
        this.server = new VmServer(actions, leases, errors);
        LoopWaiter w = this.waiter;
        AtomicLong requests = this.wakeRequests;
        this.registry = new VmRegistry(server, leases, () -> { // as signalAgent(), callable from the constructor
            requests.incrementAndGet();
            w.wakeUp();
        });
        this.agentPriority = new AgentThreadPriority(b.agentAttributes,
                b.agentAttributes == null && b.actuator == null);
        for (Builder.VmSpec spec : b.vms) {
            registry.add(spec.name, spec.endpoint, spec.policy, spec.slotToTid, spec.hostFeatures, spec.regionGpa,
                    spec.options);
        }
    }

    /**
     * A builder with no VM; add them there or later with {@link #addVm}.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Restores what a crashed agent left in the journal, opens the journal, and starts the agent thread.
     *
     * @return this agent
     * @throws java.io.UncheckedIOException if the journal cannot be read or opened
     * @throws IllegalStateException if already started or stopped, or the journal held threads it could not restore
     */
    public synchronized HostAgent start() {
        prepare();
        Thread t = new Thread(this::loop, "vboost-agent");
        t.setDaemon(true);
        if (waiter instanceof ParkingLoopWaiter) {
            ((ParkingLoopWaiter) waiter).bind(t);
        }
        agentThread = t;
        running = true;
        t.start();
        try {
            // return once the agent thread is warmed up and about to serve, so an embedder publishing or
            // announcing its regions after start() never has a guest's first request wait for class loading
            if (!warmedUp.await(30, TimeUnit.SECONDS)) {
                LOG.log(System.Logger.Level.WARNING, "agent warm-up took more than 30 s; serving anyway");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return this;
    }

    /**
     * Recovery and journal opening without a thread, for embedders that call {@link #runOnce()} from a loop of
     * their own (and for tests). {@link #start()} calls it.
     *
     * @return this agent
     * @throws IllegalStateException if already started or stopped
     */
    public synchronized HostAgent prepare() {
        if (stopped) {
            throw new IllegalStateException("agent already stopped");
        }
        if (prepared) {
            throw new IllegalStateException("agent already started");
        }
        prepared = true;
        Path p = journalPath;
        if (p != null) {
            recovery = leases.recoverAndOpen(p, journalAccess);
        }
        return this;
    }

    /**
     * Registers a JVM shutdown hook that runs {@link #stop()} and waits for it, so SIGINT, SIGTERM and a normal
     * exit put every boosted thread back and clear the journal before the JVM ends (SIGKILL is the journal's job).
     *
     * @return this agent
     */
    public HostAgent installShutdownHook() {
        Runtime.getRuntime().addShutdownHook(new Thread(this::stop, "vboost-agent-shutdown"));
        return this;
    }

    /**
     * What the journal recovery at start found and did.
     *
     * @return the recovery, or {@code null} before start or without a journal
     */
    public LeaseJournal.@Nullable Recovery recovery() {
        return recovery;
    }

    /**
     * Stops the agent thread, puts every boosted thread back to its original attributes, publishes NORMAL for
     * their slots and clears the journal. Idempotent; safe from any thread, including a shutdown hook.
     */
    public synchronized void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        running = false;
        Thread t = agentThread;
        if (t != null && t != Thread.currentThread()) {
            signalAgent();
            try {
                t.join(STOP_JOIN_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (t.isAlive()) {
                LOG.log(System.Logger.Level.ERROR, "agent thread did not stop within 10 s; restoring anyway");
            }
        }
        restoreEverything();
    }

    /** Same as {@link #stop()}. */
    @Override
    public void close() {
        stop();
    }

    /**
     * The last unexpected error the loop caught (it keeps running).
     *
     * @return the error, or {@code null}
     */
    public @Nullable Throwable lastError() {
        return errors.last();
    }

    /**
     * Adds a VM while the agent runs (or before it starts): its region's host endpoint (the agent becomes its
     * only user), its policy, and the embedder's map of vCPU index (= slot) to Linux thread id. Slots without a
     * thread are denied with {@code ACTUATOR_FAILED}. Every feature is offered and the region's GPA is 0; see
     * {@link #addVm(String, HostEndpoint, PolicyConfig, Map, long, long)}. Thread-safe.
     *
     * @param name      unique name of the VM
     * @param endpoint  the host side of its region
     * @param policy    its policy
     * @param slotToTid vCPU index (= slot) to Linux thread id
     *
     * @throws IllegalArgumentException if the name is taken, a slot does not exist, or a thread is already
     *     mapped to a vCPU of any VM
     */
    public void addVm(String name, HostEndpoint endpoint, PolicyConfig policy, Map<Integer, Integer> slotToTid) {
        addVm(name, endpoint, policy, slotToTid, Feature.ALL_BUT_DOORBELL, 0);
    }

    /**
     * As {@link #addVm(String, HostEndpoint, PolicyConfig, Map)}, naming the region's offered features (for the
     * hypercall QUERY and ATTACH checks) and its guest-physical address.
     *
     * @param name         unique name of the VM
     * @param endpoint     the host side of its region
     * @param policy       its policy
     * @param slotToTid    vCPU index (= slot) to Linux thread id
     * @param hostFeatures the features the region offers
     * @param regionGpa    where the VMM maps the region in guest-physical memory
     * @throws IllegalArgumentException if the name is taken, a slot does not exist, or a thread is already
     *     mapped to a vCPU of any VM
     */
    public void addVm(String name, HostEndpoint endpoint, PolicyConfig policy, Map<Integer, Integer> slotToTid,
            long hostFeatures, long regionGpa) {
        addVm(name, endpoint, policy, slotToTid, hostFeatures, regionGpa, VmOptions.NONE);
    }

    /**
     * As {@link #addVm(String, HostEndpoint, PolicyConfig, Map, long, long)}, with optional checks: the VM's
     * process (threads of another process are refused) and whether its region is still the file that was mapped
     * (checked about once a second; the VM fails when it is not). Each vCPU thread is identified by the agent
     * thread before its slot is first served; a thread gone by then leaves its slot unserved (spec §9 H2).
     *
     * @param name         unique name of the VM
     * @param endpoint     the host side of its region
     * @param policy       its policy
     * @param slotToTid    vCPU index (= slot) to Linux thread id
     * @param hostFeatures the features the region offers
     * @param regionGpa    where the VMM maps the region in guest-physical memory
     * @param options      the process and region checks
     * @throws IllegalArgumentException if the name is taken, a slot does not exist, or a thread is already
     *     mapped to a vCPU of any VM
     */
    public void addVm(String name, HostEndpoint endpoint, PolicyConfig policy, Map<Integer, Integer> slotToTid,
            long hostFeatures, long regionGpa, VmOptions options) {
        registry.add(name, endpoint, policy, slotToTid, hostFeatures, regionGpa, options);
        agentPriority.ceilingAdded(policy.priorityCeiling());
    }

    /**
     * Removes a VM: its threads restored and its slots published NORMAL before this returns; the other VMs are
     * not disturbed. Applied by the agent thread between iterations when it runs. Thread-safe.
     *
     * @param name the VM
     * @throws IllegalArgumentException if no VM has that name
     */
    public void removeVm(String name) {
        registry.remove(name, running && !stopped, () -> restored, clock);
    }

    /**
     * Changes a VM's vCPU-to-thread map (hot-plug, a re-read of QEMU's vCPUs): only the slots whose thread
     * changed are restored, published NORMAL and served with the new thread; the others are not touched.
     * Returns once applied. Thread-safe.
     *
     * @param name      the VM
     * @param slotToTid the new map, vCPU index (= slot) to Linux thread id; slots left out have no thread
     * @throws IllegalArgumentException if no VM has that name, a slot does not exist, or a thread is mapped to
     *     another vCPU
     */
    public void remapVcpus(String name, Map<Integer, Integer> slotToTid) {
        registry.remap(name, slotToTid, running && !stopped, () -> restored, clock);
    }

    /**
     * Index of the VM named {@code name}, for {@link #notifySlot} and {@link #requestHostBoost}; valid until
     * the VM is removed.
     *
     * @param name the VM
     * @return its index
     * @throws IllegalArgumentException if no VM has that name
     */
    public int vmIndex(String name) {
        return registry.index(name);
    }

    /**
     * The VMs known.
     *
     * @return the names of the VMs served (and failed ones not yet removed)
     */
    public List<String> vmNames() {
        return registry.names();
    }

    /**
     * A copy of a VM's counters.
     *
     * @param name the VM
     * @return its counters now
     */
    public VmCounters counters(String name) {
        return registry.get(name).stats.snapshot();
    }

    /**
     * A copy of the agent loop's counters: its wake-ups per {@link WakeCause} and a histogram of how late it woke
     * after the waits that ran to their deadline (a boost expiry or the idle poll). Counted by the agent thread
     * started with {@link #start()} (not by an embedder's own {@link #runOnce()} loop); reading them costs that
     * thread nothing. Thread-safe.
     *
     * @return the counters now
     */
    public LoopCounters loopCounters() {
        return loopStats.snapshot();
    }

    /**
     * True once VM {@code name}'s region faulted (SIGBUS: its file was truncated while mapped) or, with a
     * {@link VmOptions#regionStillLinked()} check, is no longer the file that was mapped; the agent has then put
     * its threads back and no longer serves it. It stays listed until {@link #removeVm}.
     *
     * @param name the VM
     * @return whether its region faulted
     */
    public boolean regionFailed(String name) {
        return registry.get(name).failed;
    }

    /**
     * Queues a NOTIFY for {@code slot} of VM {@code vmIndex} and wakes the agent. Thread-safe and
     * allocation-free.
     *
     * @param vmIndex the VM's {@link #vmIndex(String)}
     * @param slot    the slot
     * @param flags   the NOTIFY flags
     * @return false for a VM index or slot out of range
     */
    public boolean notifySlot(int vmIndex, int slot, int flags) {
        VmState vm = registry.at(vmIndex);
        if (vm == null || !vm.signals.queueNotify(slot, flags)) {
            return false;
        }
        signalAgent();
        return true;
    }

    /**
     * Asks the agent to boost {@code slot} of VM {@code vmIndex} on the host's own initiative (spec §5.5), for
     * example when the VMM injects an interrupt. Thread-safe; the policy decides, and only a guest that accepted
     * HOST_BOOST is boosted.
     *
     * @param vmIndex the VM's {@link #vmIndex(String)}
     * @param slot    the slot
     * @param flags   non-empty bit set of {@link dev.vboost.api.wire.HostBoostFlag}
     * @return false for a VM index or slot out of range, or flags that are empty or undefined
     */
    public boolean requestHostBoost(int vmIndex, int slot, int flags) {
        VmState vm = registry.at(vmIndex);
        if (vm == null || !vm.signals.queueHostBoost(slot, flags)) {
            return false;
        }
        signalAgent();
        return true;
    }

    /**
     * The hypercall dispatcher's view of a VM.
     *
     * @param name the VM
     * @return its target, valid while the VM is served
     */
    public HypercallTarget hypercallTarget(String name) {
        return registry.get(name).target;
    }

    private void loop() {
        agentPriority.applyToCurrentThread(registry.highestCeiling());
        try {
            AgentWarmup.run(clock.getAsLong()); // before the first VM is served: no bootstrap on a guest's time
        } finally {
            warmedUp.countDown();
        }
        try {
            while (running) {
                long next;
                try {
                    next = runOnce();
                } catch (RuntimeException | Error e) {
                    errors.record(e);
                    LOG.log(System.Logger.Level.ERROR, "agent iteration failed; continuing", e);
                    next = clock.getAsLong() + idlePollNanos;
                    lastIterationPollAt = next;
                }
                if (!running) {
                    break;
                }
                if (lastIterationEvents == 0) {
                    waiter.scanFoundNothing(); // a doorbell waiter counts the ring that woke it as spurious
                }
                long pollAt = clock.getAsLong() + idlePollNanos;
                long deadline = Math.min(next, pollAt);
                long signals = wakeRequests.get();
                try {
                    waiter.awaitUntil(deadline);
                } catch (InterruptedException e) {
                    // stop() or an embedder's interrupt: the loop condition decides
                }
                countWake(deadline, deadline == pollAt || next == lastIterationPollAt, signals);
            }
        } finally {
            if (!stopped) {
                // the loop died without stop(): nothing will end these boosts, so end them now
                LOG.log(System.Logger.Level.ERROR, "agent thread ending unexpectedly; restoring every thread");
                restoreEverything();
            }
        }
    }

    /** Why the wait that should have ended at {@code deadline} ended, and how late; allocation-free. */
    private void countWake(long deadline, boolean byPoll, long signalsBefore) {
        long late = clock.getAsLong() - deadline;
        WakeCause cause;
        if (waiter.lastWakeByRing()) {
            cause = WakeCause.RING;
        } else if (late >= 0) {
            cause = byPoll ? WakeCause.POLL : WakeCause.DEADLINE;
        } else if (wakeRequests.get() != signalsBefore) {
            cause = WakeCause.SIGNAL;
        } else {
            cause = WakeCause.OTHER;
        }
        loopStats.woke(cause, late);
    }

    /** Wakes the agent thread for queued work, counted so the loop can tell this wake-up from others. */
    private void signalAgent() {
        wakeRequests.incrementAndGet();
        waiter.wakeUp();
    }

    /**
     * One bounded iteration on the calling thread: queued VM changes, then per VM queued notifications and host
     * boosts, changed slots, retried busy reads and expiries, then restore retries. Only for the thread that
     * owns the agent: never call it while {@link #start()}'s thread runs.
     *
     * @return the host-clock time of the next deadline (at most now plus the idle poll interval)
     */
    public long runOnce() {
        long now = clock.getAsLong();
        registry.applyQueued(now);
        long idlePoll = idlePollNanos;
        long next = Long.MAX_VALUE;
        boolean guestNeverRings = false;
        int events = 0;
        for (VmState vm : registry.table()) {
            if (vm == null || vm.failed) {
                continue;
            }
            if (vm.regionStillLinked != null && (vm.nextLinkCheck == Long.MIN_VALUE || now - vm.nextLinkCheck >= 0)) {
                vm.nextLinkCheck = now + LINK_CHECK_NANOS;
                if (!regionStillLinked(vm)) {
                    continue;
                }
            }
            try {
                events += server.serve(vm, now);
            } catch (InternalError e) {
                // SIGBUS on the mapped region (its file truncated or gone): the JVM raises InternalError on the
                // faulting access. The region is lost; its threads are not, and the other VMs must go on.
                errors.record(e);
                registry.regionFailed(vm, now, e);
            }
            next = Math.min(next, vm.earliestDeadline);
            guestNeverRings |= vm.guestNeverRings;
        }
        if (guestNeverRings && waiter.wakesOnRings()) {
            idlePoll = Math.min(idlePoll, lazyPollNanos); // §12.2: a guest without DOORBELL is looked at lazily
        }
        next = Math.min(next, now + idlePoll);
        if (leases.restoresPending()) {
            leases.retryRestores(now);
            next = Math.min(next, now + ThreadLeases.RESTORE_RETRY_NANOS);
        }
        lastIterationEvents = events;
        lastIterationPollAt = now + idlePoll;
        return next;
    }

    /**
     * Issue 16 row 11: the region file was unlinked or replaced while mapped. The guest now writes to a file no
     * one else sees: fail the VM loudly (threads restored, nothing more published), as for a faulted region.
     */
    private boolean regionStillLinked(VmState vm) {
        java.util.function.BooleanSupplier check = vm.regionStillLinked;
        boolean linked;
        RuntimeException why = null;
        try {
            linked = check == null || check.getAsBoolean();
        } catch (RuntimeException e) {
            linked = false;
            why = e;
        }
        if (!linked) {
            IllegalStateException e = new IllegalStateException("region of VM " + vm.name
                    + " is no longer the file that was mapped (unlinked or replaced)", why);
            errors.record(e);
            registry.regionFailed(vm, clock.getAsLong(), e);
        }
        return linked;
    }

    /** Every VM's boosts ended and published NORMAL, every thread back, the journal cleared. */
    private void restoreEverything() {
        long now = clock.getAsLong();
        registry.applyQueued(now);
        for (VmState vm : registry.table()) {
            if (vm != null) {
                try {
                    server.endAll(vm, now, !vm.failed);
                } catch (RuntimeException | InternalError e) {
                    errors.record(e);
                }
            }
        }
        leases.restoreAll();
        restored = true;
    }

    /** Builds a {@link HostAgent}. */
    public static final class Builder {
        private final List<VmSpec> vms = new ArrayList<>();
        private @Nullable PriorityActuator actuator;
        private LongSupplier clock = System::nanoTime;
        private @Nullable Path journal;
        private FileAccess journalAccess = FileAccess.OWNER_ONLY;
        private long idlePollNanos = TimeUnit.MICROSECONDS.toNanos(200);
        private long lazyPollNanos = TimeUnit.MICROSECONDS.toNanos(200);
        private @Nullable LoopWaiter waiter;
        private @Nullable ThreadAttributes agentAttributes;

        private Builder() {
        }

        /**
         * Adds a VM as {@link HostAgent#addVm(String, HostEndpoint, PolicyConfig, Map, long, long)} does.
         *
         * @param name         unique name of the VM
         * @param endpoint     the host side of its region; the agent becomes its only user
         * @param policy       its policy
         * @param vcpuThreads  vCPU index (= slot) to Linux thread id
         * @param hostFeatures the features the region offers (for QUERY and ATTACH checks)
         * @param regionGpa    where the VMM maps the region in guest-physical memory (for ATTACH checks)
         * @return this builder
         */
        public Builder addVm(String name, HostEndpoint endpoint, PolicyConfig policy, Map<Integer, Integer> vcpuThreads,
                long hostFeatures, long regionGpa) {
            return addVm(name, endpoint, policy, vcpuThreads, hostFeatures, regionGpa, VmOptions.NONE);
        }

        /**
         * Adds a VM as {@link HostAgent#addVm(String, HostEndpoint, PolicyConfig, Map, long, long, VmOptions)}
         * does.
         *
         * @param name         unique name of the VM
         * @param endpoint     the host side of its region; the agent becomes its only user
         * @param policy       its policy
         * @param vcpuThreads  vCPU index (= slot) to Linux thread id
         * @param hostFeatures the features the region offers (for QUERY and ATTACH checks)
         * @param regionGpa    where the VMM maps the region in guest-physical memory (for ATTACH checks)
         * @param options      the process and region checks
         * @return this builder
         */
        public Builder addVm(String name, HostEndpoint endpoint, PolicyConfig policy, Map<Integer, Integer> vcpuThreads,
                long hostFeatures, long regionGpa, VmOptions options) {
            for (VmSpec s : vms) {
                if (s.name.equals(name)) {
                    throw new IllegalArgumentException("VM '" + name + "' added twice");
                }
            }
            VmState.tidsBySlot(name, endpoint.slotCount(), vcpuThreads); // checked now, not at build()
            vms.add(new VmSpec(name, endpoint, policy, Map.copyOf(vcpuThreads), hostFeatures, regionGpa, options));
            return this;
        }

        /**
         * {@link #addVm(String, HostEndpoint, PolicyConfig, Map, long, long)} with every feature offered, GPA 0.
         *
         * @param name        unique name of the VM
         * @param endpoint    the host side of its region
         * @param policy      its policy
         * @param vcpuThreads vCPU index (= slot) to Linux thread id
         * @return this builder
         */
        public Builder addVm(String name, HostEndpoint endpoint, PolicyConfig policy, Map<Integer, Integer> vcpuThreads) {
            return addVm(name, endpoint, policy, vcpuThreads, Feature.ALL_BUT_DOORBELL, 0);
        }

        /**
         * The actuator that changes vCPU threads. Default: {@link LinuxPriorityActuator}.
         *
         * @param a the actuator
         * @return this builder
         */
        public Builder actuator(PriorityActuator a) {
            actuator = a;
            return this;
        }

        /**
         * Host monotonic clock in nanoseconds. Default: {@link System#nanoTime()}.
         *
         * @param c the clock
         * @return this builder
         */
        public Builder clock(LongSupplier c) {
            clock = c;
            return this;
        }

        /**
         * Where to journal original attributes; default none (a crash then leaves threads boosted).
         *
         * @param path the journal file
         * @return this builder
         */
        public Builder journal(Path path) {
            return journal(path, FileAccess.OWNER_ONLY);
        }

        /**
         * Where to journal original attributes, and the owner, group and mode the journal file is created with
         * (an existing one must match them: spec §9 H1, H4). A mode that lets anyone but its owner write it makes
         * forged records possible; the default is {@link FileAccess#OWNER_ONLY} ({@code 0600}).
         *
         * @param path   the journal file
         * @param access owner, group and mode of the journal file
         * @return this builder
         */
        public Builder journal(Path path, FileAccess access) {
            journal = path;
            journalAccess = access;
            return this;
        }

        /** Longest idle (safety) poll with a waiter that wakes on rings ({@link LoopWaiter#wakesOnRings()}). */
        public static final long MAX_DOORBELL_IDLE_NANOS = TimeUnit.SECONDS.toNanos(10);

        /**
         * Longest wait between polls when nothing is due (default 200 µs; 1 µs..100 ms, or up to 10 s with a
         * {@link #loopWaiter} that wakes on rings: the poll is then only a safety net for lines changed without a
         * ring). Checked at {@link #build()}.
         *
         * @param n nanoseconds
         * @return this builder
         */
        public Builder idlePollNanos(long n) {
            if (n < 1_000 || n > MAX_DOORBELL_IDLE_NANOS) {
                throw new IllegalArgumentException("idle poll interval " + n + " ns outside 1 µs..10 s");
            }
            idlePollNanos = n;
            return this;
        }

        /**
         * With a {@link #loopWaiter} that wakes on rings: how often the agent still looks while any served guest
         * is attached without DOORBELL and so never rings (spec §12.2: such a guest is looked at at lazy-mode
         * moments). Default 200 µs. Without such a waiter {@link #idlePollNanos} is the poll for every guest.
         *
         * @param n nanoseconds, 1 µs..100 ms
         * @return this builder
         */
        public Builder lazyPollNanos(long n) {
            if (n < 1_000 || n > MAX_IDLE_NANOS) {
                throw new IllegalArgumentException("lazy poll interval " + n + " ns outside 1 µs..100 ms");
            }
            lazyPollNanos = n;
            return this;
        }

        /**
         * How the agent thread waits for its next deadline (an eventfd or doorbell poller, say). Default: it
         * parks, woken by {@link HostAgent#notifySlot} and the other signals.
         *
         * @param w the waiter
         * @return this builder
         */
        public Builder loopWaiter(LoopWaiter w) {
            waiter = w;
            return this;
        }

        /**
         * The agent thread's own scheduling attributes, applied by the agent thread when it starts. Default, with
         * the default actuator: {@code SCHED_FIFO} one above the highest priority ceiling of its VMs, so a boosted
         * vCPU can never starve the thread that ends its boost (issue 16 row 4); where that is not permitted the
         * agent logs a warning at start and runs at its inherited priority. With a custom actuator (tests, dry
         * runs) the default leaves the thread as it is.
         *
         * @param a the agent thread's policy, priority and nice
         * @return this builder
         */
        public Builder agentThreadAttributes(ThreadAttributes a) {
            agentAttributes = a;
            return this;
        }

        /**
         * The agent; VMs may also be added later.
         *
         * @return a new agent, not started
         */
        public HostAgent build() {
            LoopWaiter w = waiter;
            if (idlePollNanos > MAX_IDLE_NANOS && (w == null || !w.wakesOnRings())) {
                throw new IllegalArgumentException("idle poll interval " + idlePollNanos + " ns above 100 ms needs a "
                        + "loop waiter that wakes on rings (an EventfdLoopWaiter)");
            }
            return new HostAgent(this);
        }

        /** One VM as given to the builder. */
        private static final class VmSpec {
            final String name;
            final HostEndpoint endpoint;
            final PolicyConfig policy;
            final Map<Integer, Integer> slotToTid;
            final long hostFeatures;
            final long regionGpa;
            final VmOptions options;

            VmSpec(String name, HostEndpoint endpoint, PolicyConfig policy, Map<Integer, Integer> slotToTid,
                    long hostFeatures, long regionGpa, VmOptions options) {
                this.options = options;
                this.name = name;
                this.endpoint = endpoint;
                this.policy = policy;
                this.slotToTid = slotToTid;
                this.hostFeatures = hostFeatures;
                this.regionGpa = regionGpa;
            }
        }
    }
}
