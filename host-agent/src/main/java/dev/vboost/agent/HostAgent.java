package dev.vboost.agent;

import dev.vboost.agent.actuator.ActuatorException;
import dev.vboost.agent.actuator.LinuxPriorityActuator;
import dev.vboost.agent.actuator.LinuxThreads;
import dev.vboost.agent.actuator.PriorityActuator;
import dev.vboost.agent.actuator.ThreadAttributes;
import dev.vboost.agent.actuator.VcpuThread;
import dev.vboost.agent.log.RateLimitedLog;
import dev.vboost.agent.journal.LeaseJournal;
import dev.vboost.agent.policy.Decision;
import dev.vboost.agent.policy.Outcome;
import dev.vboost.agent.policy.PolicyConfig;
import dev.vboost.agent.policy.PolicyEngine;
import dev.vboost.agent.stats.BoostEvents;
import dev.vboost.agent.stats.VmCounters;
import dev.vboost.agent.stats.VmStats;
import dev.vboost.api.GuestSlotSnapshot;
import dev.vboost.api.HostSlotSnapshot;
import dev.vboost.api.ReadStatus;
import dev.vboost.api.role.HostEndpoint;
import dev.vboost.api.wire.DenialReason;
import dev.vboost.api.wire.SchedPolicy;
import dev.vboost.api.wire.SlotStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.function.IntToLongFunction;
import java.util.function.LongSupplier;
import java.util.concurrent.locks.LockSupport;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The host agent: watches the slots of one or more VM regions, applies each VM's {@link PolicyConfig}, changes
 * the vCPU threads' priorities through a {@link PriorityActuator}, publishes the outcome in the slots' host
 * lines, and ends every boost at its bound on a host timer even when the guest is silent (architecture §5,
 * spec §8).
 *
 * <p>One agent thread owns every endpoint and the policy engines; other threads only queue work
 * ({@link #notifySlot}, {@link #requestHostBoost}) or read counters. Each iteration does bounded work: queued
 * notifications, the slots whose guest counters moved ({@code pollChangedSlots}), slots due to expire, and
 * retries of failed restores. Actuator failures are counted and published as {@code ACTUATOR_FAILED}; they
 * never stop the loop.
 *
 * <p>Before the first change to a thread the agent journals its original attributes (if a journal path is
 * given); {@link #start()} first restores whatever a crashed agent left in the journal, and {@link #stop()}
 * puts every thread back and clears it.
 */
public final class HostAgent implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(HostAgent.class.getName());
    private static final int STOP_RESTORE_ATTEMPTS = 3;
    private static final long RESTORE_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    /** Longest an idle agent thread sleeps between polls, whatever the configuration says. */
    private static final long MAX_IDLE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final Vm[] vms;
    private final Map<String, Vm> vmsByName = new LinkedHashMap<>();
    private final PriorityActuator actuator;
    private final LongSupplier clock;
    private final RateLimitedLog journalErrors = new RateLimitedLog(LOG, System.Logger.Level.ERROR,
            "lease journal write failed, boost refused");
    private final @Nullable Path journalPath;
    private final IntToLongFunction startTimeOf;
    private final long idlePollNanos;

    // agent-thread state
    private final Map<Integer, ThreadLease> leases = new HashMap<>();
    private final List<ThreadLease> pendingRestores = new ArrayList<>();
    private final GuestSlotSnapshot line = new GuestSlotSnapshot();
    private final HostSlotSnapshot hostLine = new HostSlotSnapshot();
    private final Decision decision = new Decision();
    private @Nullable LeaseJournal journal;
    private LeaseJournal.@Nullable Recovery recovery;

    private final AtomicBoolean running = new AtomicBoolean();
    private volatile @Nullable Thread agentThread;
    private volatile @Nullable Throwable lastError;
    private volatile boolean stopped;

    private HostAgent(Builder b) {
        // Initialise the JFR event classes now, not on the agent thread: the first expiry otherwise pays their
        // class loading and JFR registration (about 100 ms measured on a loaded machine) while a thread stays
        // boosted past its bound (hardening SoakTest).
        new BoostEvents.Granted().shouldCommit();
        new BoostEvents.Denied().shouldCommit();
        new BoostEvents.Expired().shouldCommit();
        this.actuator = b.actuator != null ? b.actuator : new LinuxPriorityActuator();
        this.clock = b.clock;
        this.journalPath = b.journal;
        this.startTimeOf = b.startTimeOf;
        this.idlePollNanos = b.idlePollNanos;
        this.vms = new Vm[b.vms.size()];
        Set<Integer> allTids = new HashSet<>();
        for (int i = 0; i < vms.length; i++) {
            VmSpec spec = b.vms.get(i);
            Vm vm = new Vm(i, spec);
            for (int tid : vm.tids) {
                if (tid > 0 && !allTids.add(tid)) {
                    throw new IllegalArgumentException("thread " + tid + " is mapped to more than one vCPU");
                }
            }
            vms[i] = vm;
            vmsByName.put(spec.name, vm);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Restores what a crashed agent left in the journal, opens the journal, and starts the agent thread.
     *
     * @throws UncheckedIOException if the journal cannot be read or opened
     * @throws IllegalStateException if already started or stopped
     */
    public synchronized HostAgent start() {
        prepare();
        Thread t = new Thread(this::loop, "vboost-agent");
        t.setDaemon(true);
        agentThread = t;
        running.set(true);
        t.start();
        return this;
    }

    /**
     * Recovery and journal opening without a thread, for embedders that call {@link #runOnce()} from a loop
     * of their own (and for tests). {@link #start()} calls it.
     */
    public synchronized HostAgent prepare() {
        if (stopped) {
            throw new IllegalStateException("agent already stopped");
        }
        if (running.get() || journal != null || recovery != null) {
            throw new IllegalStateException("agent already started");
        }
        Path p = journalPath;
        if (p != null) {
            try {
                LeaseJournal j = LeaseJournal.open(p); // locked: a second agent stops here
                journal = j;
                LeaseJournal.Recovery r = j.recover(actuator);
                recovery = r;
                if (!r.restored().isEmpty() || !r.clean()) {
                    LOG.log(System.Logger.Level.WARNING, "lease journal " + p + ": restored " + r.restored().size()
                            + " thread(s) a previous agent left boosted; failures: " + r.failures());
                }
                if (!r.clean()) {
                    j.close();
                    journal = null;
                    throw new IllegalStateException("could not restore threads from lease journal " + p + ": "
                            + r.failures());
                }
            } catch (IOException e) {
                throw new UncheckedIOException("lease journal " + p, e);
            }
        }
        return this;
    }

    /** What the journal recovery at start found and did; {@code null} before start or without a journal. */
    public LeaseJournal.@Nullable Recovery recovery() {
        return recovery;
    }

    /**
     * Stops the agent thread, puts every boosted thread back to its original attributes, publishes NORMAL
     * for their slots and clears the journal. Idempotent.
     */
    public synchronized void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        running.set(false);
        Thread t = agentThread;
        if (t != null) {
            LockSupport.unpark(t);
            try {
                t.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (t.isAlive()) {
                LOG.log(System.Logger.Level.ERROR, "agent thread did not stop within 10 s; restoring anyway");
            }
        }
        restoreEverything();
    }

    @Override
    public void close() {
        stop();
    }

    /** The last unexpected error the loop caught (it keeps running), or {@code null}. */
    public @Nullable Throwable lastError() {
        return lastError;
    }

    /** Index of the VM named {@code name}. */
    public int vmIndex(String name) {
        Vm vm = vmsByName.get(name);
        if (vm == null) {
            throw new IllegalArgumentException("no VM named '" + name + "' (known: " + vmsByName.keySet() + ")");
        }
        return vm.index;
    }

    public List<String> vmNames() {
        return new ArrayList<>(vmsByName.keySet());
    }

    /** A copy of VM {@code name}'s counters. */
    public VmCounters counters(String name) {
        return vms[vmIndex(name)].stats.snapshot();
    }

    /**
     * Queues a NOTIFY for {@code slot} of VM {@code vmIndex} and wakes the agent. Thread-safe and
     * allocation-free. Returns false for a VM index or slot out of range.
     */
    public boolean notifySlot(int vmIndex, int slot, int flags) {
        if (vmIndex < 0 || vmIndex >= vms.length) {
            return false;
        }
        Vm vm = vms[vmIndex];
        if (slot < 0 || slot >= vm.slotCount) {
            return false;
        }
        vm.notifyFlags.getAndAccumulate(slot, flags | 1, (a, b) -> a | b);
        vm.pending.set(true);
        wake();
        return true;
    }

    /**
     * Asks the agent to boost {@code slot} of VM {@code vmIndex} on the host's own initiative (spec §5.5), for
     * example when the VMM injects an interrupt. Thread-safe; the policy decides. Returns false for a VM index
     * or slot out of range, or flags that are empty or undefined.
     *
     * @param flags non-empty bit set of {@link dev.vboost.api.wire.HostBoostFlag}
     */
    public boolean requestHostBoost(int vmIndex, int slot, int flags) {
        if (vmIndex < 0 || vmIndex >= vms.length) {
            return false;
        }
        Vm vm = vms[vmIndex];
        if (slot < 0 || slot >= vm.slotCount || flags == 0
                || dev.vboost.api.wire.HostBoostFlag.hasUndefinedBits(flags)) {
            return false;
        }
        vm.hostBoostRequests.getAndAccumulate(slot, flags, (a, b) -> a | b);
        vm.pending.set(true);
        wake();
        return true;
    }

    /** The dispatcher's view of VM {@code name}. */
    public HypercallTarget hypercallTarget(String name) {
        return vms[vmIndex(name)].target;
    }

    private void wake() {
        Thread t = agentThread;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    private void loop() {
        while (running.get()) {
            long next;
            try {
                next = runOnce();
            } catch (RuntimeException | Error e) {
                lastError = e;
                LOG.log(System.Logger.Level.ERROR, "agent iteration failed; continuing", e);
                next = clock.getAsLong() + idlePollNanos;
            }
            long now = clock.getAsLong();
            long sleep = Math.min(idlePollNanos, Math.max(0, next - now));
            if (sleep > 0 && running.get()) {
                LockSupport.parkNanos(this, sleep);
            }
        }
    }

    /**
     * One bounded iteration on the calling thread: queued notifications and host boosts, changed slots,
     * retried busy reads, expiries, restore retries. Returns the host-clock time of the next deadline (or
     * now plus the idle poll interval). Only for the thread that owns the agent: never call it while
     * {@link #start()}'s thread runs.
     */
    public long runOnce() {
        long now = clock.getAsLong();
        for (Vm vm : vms) {
            if (vm.failed) {
                continue;
            }
            try {
                serve(vm, now);
            } catch (InternalError e) {
                // SIGBUS on the mapped region (its file truncated or gone): the JVM raises InternalError on the
                // faulting access. The region is lost; its threads are not, and the other VMs must go on.
                failRegion(vm, now, e);
            }
        }
        if (!pendingRestores.isEmpty()) {
            retryRestores(now);
        }
        long next = now + idlePollNanos;
        for (Vm vm : vms) {
            next = Math.min(next, vm.earliestDeadline);
        }
        if (!pendingRestores.isEmpty()) {
            next = Math.min(next, now + RESTORE_RETRY_NANOS);
        }
        return next;
    }

    /** One VM's share of {@link #runOnce()}. */
    private void serve(Vm vm, long now) {
        if (vm.detachRequested.getAndSet(false)) {
            endAllBoosts(vm, now);
        }
        // spec §5.2: only a guest header that passes, ATTACHED at this generation, makes the host act on slots
        if (vm.endpoint.guestAttached()) {
            serveAttachedGuest(vm, now);
        } else {
            ignoreSlotsOfADetachedGuest(vm, now);
        }
        if (now >= vm.earliestDeadline) {
            long earliest = Long.MAX_VALUE;
            for (int slot = 0; slot < vm.slotCount; slot++) {
                if (vm.engine.nextDeadline(slot) <= now) {
                    try {
                        carry(vm, slot, vm.engine.tick(slot, now, decision), now);
                    } catch (RuntimeException e) {
                        lastError = e;
                        LOG.log(System.Logger.Level.ERROR, "expiry of " + vm.name + " slot " + slot + " failed", e);
                    }
                }
                earliest = Math.min(earliest, vm.engine.nextDeadline(slot));
            }
            vm.earliestDeadline = earliest;
        }
    }

    /** Notifications, host-boost requests, slots busy last time, then slots whose counters moved. */
    private void serveAttachedGuest(Vm vm, long now) {
        vm.guestAttached = true;
        if (vm.pending.getAndSet(false)) {
            for (int slot = 0; slot < vm.slotCount; slot++) {
                if (vm.notifyFlags.get(slot) != 0 && vm.notifyFlags.getAndSet(slot, 0) != 0) {
                    vm.stats.notified();
                    guarded(vm, slot, now, false, 0);
                }
                int hb = vm.hostBoostRequests.get(slot) != 0 ? vm.hostBoostRequests.getAndSet(slot, 0) : 0;
                if (hb != 0) {
                    guarded(vm, slot, now, true, hb);
                }
            }
        }
        // slots busy in an earlier iteration first, so a slot found busy now waits one iteration
        if (vm.busySlots > 0) {
            for (int slot = 0; slot < vm.slotCount; slot++) {
                if (vm.busy[slot]) {
                    guarded(vm, slot, now, false, 0);
                }
            }
        }
        int n = vm.endpoint.pollChangedSlots(vm.changed);
        for (int i = 0; i < n; i++) {
            guarded(vm, vm.changed[i], now, false, 0);
        }
    }

    /**
     * Spec §5.2, §5.8: a guest that is not attached at this generation (never attached, detached, attached to
     * an earlier host, or holding its header busy) gets nothing: the boosts in force end, notifications and
     * host-boost requests are dropped, and slot changes are consumed unread, so lines written before a
     * re-attach are never acted on.
     */
    private void ignoreSlotsOfADetachedGuest(Vm vm, long now) {
        if (vm.guestAttached) {
            vm.guestAttached = false;
            endAllBoosts(vm, now);
        }
        if (vm.pending.getAndSet(false)) {
            for (int slot = 0; slot < vm.slotCount; slot++) {
                vm.notifyFlags.set(slot, 0);
                vm.hostBoostRequests.set(slot, 0);
            }
        }
        if (vm.busySlots > 0) {
            java.util.Arrays.fill(vm.busy, false);
            vm.busySlots = 0;
        }
        vm.endpoint.pollChangedSlots(vm.changed);
    }

    /**
     * The VM's region memory faulted: puts its boosted threads back (actuator only; nothing more is read from
     * or written to the region), forgets its boosts and never serves it again.
     */
    private void failRegion(Vm vm, long now, InternalError e) {
        vm.failed = true;
        lastError = e;
        LOG.log(System.Logger.Level.ERROR, "region of VM " + vm.name + " faulted (file truncated or unmapped?); "
                + "restoring its threads and no longer serving it", e);
        for (int slot = 0; slot < vm.slotCount; slot++) {
            if (vm.engine.isBoosted(slot)) {
                vm.stats.addBoostedNanos(now - vm.engine.boostStart(slot));
                restore(vm, slot);
            }
        }
        vm.engine.dropAll(now);
        vm.earliestDeadline = Long.MAX_VALUE;
    }

    /**
     * True once VM {@code name}'s region faulted (SIGBUS: its file was truncated while mapped); the agent then
     * has put its threads back and no longer serves it.
     */
    public boolean regionFailed(String name) {
        return vms[vmIndex(name)].failed;
    }

    /** One slot event; a failure is counted and logged, never thrown into the loop. */
    private void guarded(Vm vm, int slot, long now, boolean hostBoost, int flags) {
        try {
            if (hostBoost) {
                hostBoost(vm, slot, now, flags);
            } else {
                guestLine(vm, slot, now);
            }
        } catch (RuntimeException e) {
            lastError = e;
            LOG.log(System.Logger.Level.ERROR, "handling " + vm.name + " slot " + slot + " failed", e);
        }
    }

    private void guestLine(Vm vm, int slot, long now) {
        ReadStatus rs = vm.endpoint.readRequest(slot, line);
        if (rs == ReadStatus.BUSY) {
            if (!vm.busy[slot]) {
                vm.busy[slot] = true;
                vm.busySlots++;
            }
            vm.stats.busyRead();
            return;
        }
        if (vm.busy[slot]) {
            vm.busy[slot] = false;
            vm.busySlots--;
        }
        for (int attempt = 0; attempt < 2; attempt++) {
            Decision d = vm.engine.onGuestLine(slot, now, line, decision);
            boolean deferred = d.deferred();
            carry(vm, slot, d, now);
            if (!deferred) {
                break;
            }
        }
    }

    private void hostBoost(Vm vm, int slot, long now, int flags) {
        for (int attempt = 0; attempt < 2; attempt++) {
            Decision d = vm.engine.onHostBoost(slot, now, flags, decision);
            if (d.deferred()) {
                carry(vm, slot, d, now);
                continue;
            }
            if (d.outcome() != Outcome.HOST_GRANTED) {
                vm.stats.count(d);
                BoostEvents.Denied e = new BoostEvents.Denied();
                if (e.shouldCommit()) {
                    e.vm = vm.name;
                    e.slot = slot;
                    e.cause = d.denial().name();
                    e.hostInitiated = true;
                    e.commit();
                }
                return;
            }
            SchedPolicy policy;
            int priority;
            if (d.action() == Decision.Action.BOOST) {
                if (!raise(vm, slot, d)) {
                    carry(vm, slot, vm.engine.actuatorFailed(slot, now, decision), now);
                    return;
                }
                policy = d.policy();
                priority = d.priority();
            } else {
                policy = vm.publishedPolicy[slot];
                priority = vm.publishedPriority[slot];
            }
            long id;
            try {
                id = vm.endpoint.startHostBoost(slot, flags, policy == SchedPolicy.NORMAL ? vm.engine.config().boostPolicy()
                        : policy, Math.max(1, priority));
            } catch (RuntimeException e) {
                // the region refused (no HOST_BOOST offered, ceiling lower than the policy's): undo
                lastError = e;
                vm.stats.actuatorFailure();
                if (d.action() == Decision.Action.BOOST) {
                    restore(vm, slot);
                }
                carry(vm, slot, vm.engine.actuatorFailed(slot, now, decision), now);
                return;
            }
            vm.engine.hostBoostStarted(slot, id);
            vm.hostBoostId[slot] = id;
            vm.hostFlags[slot] = flags;
            vm.publishedPolicy[slot] = policy;
            vm.publishedPriority[slot] = priority;
            vm.stats.count(d);
            BoostEvents.Granted e = new BoostEvents.Granted();
            if (e.shouldCommit()) {
                e.vm = vm.name;
                e.slot = slot;
                e.tid = vm.tids[slot];
                e.policy = policy.name();
                e.priority = priority;
                e.hostInitiated = true;
                e.commit();
            }
            vm.earliestDeadline = Math.min(vm.earliestDeadline, vm.engine.nextDeadline(slot));
            return;
        }
    }

    /** Carries out a decision: actuator, counters, events, publication. */
    private void carry(Vm vm, int slot, Decision d, long now) {
        Decision.Action action = d.action();
        if (action == Decision.Action.BOOST) {
            if (!raise(vm, slot, d)) {
                int reasons = d.reasons();
                Decision failed = vm.engine.actuatorFailed(slot, now, d);
                vm.stats.count(failed);
                denied(vm, slot, failed.denial(), reasons);
                publish(vm, slot, failed);
                return;
            }
            vm.publishedPolicy[slot] = d.policy();
            vm.publishedPriority[slot] = d.priority();
            vm.hostFlags[slot] = 0;
            BoostEvents.Granted e = new BoostEvents.Granted();
            if (e.shouldCommit()) {
                e.vm = vm.name;
                e.slot = slot;
                e.tid = vm.tids[slot];
                e.policy = d.policy().name();
                e.priority = d.priority();
                e.reasons = d.reasons();
                e.commit();
            }
        } else if (action == Decision.Action.UNBOOST) {
            boolean ok = restore(vm, slot);
            vm.publishedPolicy[slot] = SchedPolicy.NORMAL;
            vm.publishedPriority[slot] = 0;
            vm.hostFlags[slot] = 0;
            Outcome o = d.outcome();
            if (o == Outcome.EXPIRED || o == Outcome.THROTTLED || o == Outcome.HOST_TIMED_OUT) {
                BoostEvents.Expired e = new BoostEvents.Expired();
                if (e.shouldCommit()) {
                    e.vm = vm.name;
                    e.slot = slot;
                    e.bound = o == Outcome.EXPIRED ? "EXPIRED" : o == Outcome.THROTTLED ? "BUDGET_EXHAUSTED" : "HOST_TIMEOUT";
                    e.boostNanos = d.endedBoostNanos();
                    e.commit();
                }
            }
            vm.stats.count(d);
            if (!ok) {
                publishWith(vm, slot, d.status(), DenialReason.ACTUATOR_FAILED, d);
                vm.earliestDeadline = Math.min(vm.earliestDeadline, vm.engine.nextDeadline(slot));
                return;
            }
            if (d.publish()) {
                publish(vm, slot, d);
            }
            return;
        }
        if (!vm.engine.isHostHeld(slot)) {
            vm.hostFlags[slot] = 0;
        }
        vm.stats.count(d);
        if (d.outcome() == Outcome.DENIED || d.outcome() == Outcome.INVALID) {
            denied(vm, slot, d.denial(), d.reasons());
        }
        if (d.publish()) {
            publish(vm, slot, d);
        }
        vm.earliestDeadline = Math.min(vm.earliestDeadline, vm.engine.nextDeadline(slot));
    }

    private static void denied(Vm vm, int slot, DenialReason why, int reasons) {
        BoostEvents.Denied e = new BoostEvents.Denied();
        if (e.shouldCommit()) {
            e.vm = vm.name;
            e.slot = slot;
            e.cause = why.name();
            e.reasons = reasons;
            e.commit();
        }
    }

    private void publish(Vm vm, int slot, Decision d) {
        publishWith(vm, slot, d.status(), d.denial(), d);
    }

    private void publishWith(Vm vm, int slot, SlotStatus status, DenialReason denial, Decision d) {
        boolean boosted = status == SlotStatus.BOOSTED;
        long budgetUs = Math.min(0xFFFF_FFFFL, d.budgetRemainingNanos() / 1000);
        hostLine.set(status, boosted ? vm.publishedPolicy[slot] : SchedPolicy.NORMAL,
                boosted ? vm.publishedPriority[slot] : 0, denial, boosted ? vm.hostFlags[slot] : 0, (int) budgetUs,
                d.actedRequestId(), vm.hostBoostId[slot]);
        vm.endpoint.publishState(slot, hostLine);
    }

    /** Reads and journals the original if needed, then applies the decision's target. */
    private boolean raise(Vm vm, int slot, Decision d) {
        int tid = vm.tids[slot];
        if (tid <= 0) {
            vm.stats.actuatorFailure();
            return false;
        }
        ThreadAttributes target;
        switch (d.policy()) {
            case FIFO:
                target = ThreadAttributes.fifo(d.priority());
                break;
            case RR:
                target = ThreadAttributes.rr(d.priority());
                break;
            default:
                target = ThreadAttributes.normal(d.nice()).asBoost(); // no child inherits a nice boost either
                break;
        }
        try {
            ThreadLease lease = leases.get(tid);
            if (lease == null || !lease.boosted) {
                VcpuThread thread = lease != null ? lease.thread : actuator.identify(tid);
                ThreadAttributes current = actuator.read(thread);
                if (lease == null) {
                    lease = new ThreadLease(thread, current);
                    journal(lease);
                    leases.put(tid, lease);
                } else if (!current.equals(lease.original)) {
                    // someone changed the thread while it was not boosted: that is its original now
                    lease.original = current;
                    journal(lease);
                }
            }
            actuator.apply(lease.thread, target);
            journalErrors.recovered();
            lease.boosted = true;
            if (lease.restorePending) {
                lease.restorePending = false;
                pendingRestores.remove(lease);
            }
            return true;
        } catch (ActuatorException e) {
            vm.stats.actuatorFailure();
            lastError = e;
            return false;
        } catch (IOException e) {
            // without a durable record a crash could leave the thread boosted: refuse the boost
            vm.stats.actuatorFailure();
            lastError = e;
            journalErrors.error(String.valueOf(e.getMessage()), e);
            return false;
        }
    }

    private void journal(ThreadLease lease) throws IOException {
        LeaseJournal j = journal;
        if (j != null) {
            j.recordOriginal(lease.thread, lease.original);
        }
    }

    /** Puts the slot's thread back; false (and a retry scheduled) if that failed. */
    private boolean restore(Vm vm, int slot) {
        int tid = vm.tids[slot];
        ThreadLease lease = tid > 0 ? leases.get(tid) : null;
        if (lease == null || !lease.boosted) {
            return true;
        }
        try {
            actuator.apply(lease.thread, lease.original);
            lease.boosted = false;
            return true;
        } catch (ActuatorException e) {
            vm.stats.actuatorFailure();
            lastError = e;
            if (e.kind() == ActuatorException.Kind.NO_SUCH_THREAD) {
                lease.boosted = false; // nothing left to restore
            } else if (!lease.restorePending) {
                lease.restorePending = true;
                lease.lastAttempt = clock.getAsLong();
                pendingRestores.add(lease);
            }
            return false;
        }
    }

    private void retryRestores(long now) {
        for (int i = pendingRestores.size() - 1; i >= 0; i--) {
            ThreadLease lease = pendingRestores.get(i);
            if (now - lease.lastAttempt < RESTORE_RETRY_NANOS) {
                continue;
            }
            lease.lastAttempt = now;
            try {
                actuator.apply(lease.thread, lease.original);
                lease.boosted = false;
                lease.restorePending = false;
                pendingRestores.remove(i);
            } catch (ActuatorException e) {
                lastError = e;
                if (e.kind() == ActuatorException.Kind.NO_SUCH_THREAD) {
                    lease.boosted = false;
                    lease.restorePending = false;
                    pendingRestores.remove(i);
                }
            }
        }
    }

    /** Guest detached or agent stopping: end every boost of the VM and publish NORMAL. */
    private void endAllBoosts(Vm vm, long now) {
        for (int slot = 0; slot < vm.slotCount; slot++) {
            if (vm.engine.isBoosted(slot)) {
                vm.stats.addBoostedNanos(now - vm.engine.boostStart(slot));
                restore(vm, slot);
                vm.publishedPolicy[slot] = SchedPolicy.NORMAL;
                vm.publishedPriority[slot] = 0;
                vm.hostFlags[slot] = 0;
                hostLine.set(SlotStatus.NORMAL, SchedPolicy.NORMAL, 0, DenialReason.NONE, 0,
                        (int) Math.min(0xFFFF_FFFFL, vm.engine.budgetRemainingNanos(slot) / 1000),
                        vm.engine.actedRequestId(slot), vm.hostBoostId[slot]);
                try {
                    vm.endpoint.publishState(slot, hostLine);
                } catch (RuntimeException | InternalError e) {
                    lastError = e; // a closed endpoint or a faulted mapping: the threads matter more
                }
            }
        }
        vm.engine.dropAll(now);
    }

    private void restoreEverything() {
        long now = clock.getAsLong();
        for (Vm vm : vms) {
            try {
                endAllBoosts(vm, now);
            } catch (RuntimeException | InternalError e) {
                lastError = e;
            }
        }
        boolean allBack = true;
        for (ThreadLease lease : leases.values()) {
            // a few attempts: a transient failure must not leave a thread boosted after the agent is gone
            for (int attempt = 0; attempt < STOP_RESTORE_ATTEMPTS && lease.boosted; attempt++) {
                try {
                    actuator.apply(lease.thread, lease.original);
                    lease.boosted = false;
                } catch (ActuatorException e) {
                    if (e.kind() == ActuatorException.Kind.NO_SUCH_THREAD) {
                        lease.boosted = false;
                    } else if (attempt == STOP_RESTORE_ATTEMPTS - 1) {
                        allBack = false;
                        LOG.log(System.Logger.Level.ERROR, "could not restore thread " + lease.tid + ": " + e.getMessage());
                    }
                }
            }
        }
        LeaseJournal j = journal;
        if (j != null) {
            try {
                if (allBack) {
                    j.clear();
                }
                j.close();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.ERROR, "lease journal close failed", e);
            }
            journal = null;
        }
    }

    /** A thread the agent has changed at least once. */
    private static final class ThreadLease {
        final VcpuThread thread;
        final int tid;
        ThreadAttributes original;
        boolean boosted;
        boolean restorePending;
        long lastAttempt;

        ThreadLease(VcpuThread thread, ThreadAttributes original) {
            this.thread = thread;
            this.tid = thread.tid();
            this.original = original;
        }
    }

    private static final class VmSpec {
        final String name;
        final HostEndpoint endpoint;
        final PolicyConfig policy;
        final int[] tids;
        final long hostFeatures;
        final long regionGpa;

        VmSpec(String name, HostEndpoint endpoint, PolicyConfig policy, int[] tids, long hostFeatures, long regionGpa) {
            this.name = name;
            this.endpoint = endpoint;
            this.policy = policy;
            this.tids = tids;
            this.hostFeatures = hostFeatures;
            this.regionGpa = regionGpa;
        }
    }

    /** Everything the agent keeps per VM. */
    private final class Vm {
        final int index;
        final String name;
        final HostEndpoint endpoint;
        final int slotCount;
        final PolicyEngine engine;
        final VmStats stats;
        final int[] tids;
        final int[] changed;
        final boolean[] busy;
        int busySlots;
        final SchedPolicy[] publishedPolicy;
        final int[] publishedPriority;
        final int[] hostFlags;
        final long[] hostBoostId;
        long earliestDeadline = Long.MAX_VALUE;
        final AtomicIntegerArray notifyFlags;
        final AtomicIntegerArray hostBoostRequests;
        final AtomicBoolean pending = new AtomicBoolean();
        final AtomicBoolean detachRequested = new AtomicBoolean();
        /** Set by the agent thread when the region's memory faulted; read by {@link #regionFailed}. */
        volatile boolean failed;
        /** Whether the guest header passed at the last iteration (agent thread only). */
        boolean guestAttached;
        final HypercallTarget target;

        Vm(int index, VmSpec spec) {
            this.index = index;
            this.name = spec.name;
            this.endpoint = spec.endpoint;
            this.slotCount = spec.endpoint.slotCount();
            this.engine = new PolicyEngine(spec.policy, slotCount);
            this.stats = new VmStats(spec.name);
            this.tids = new int[slotCount];
            for (int i = 0; i < slotCount; i++) {
                tids[i] = i < spec.tids.length ? spec.tids[i] : -1;
            }
            this.changed = new int[slotCount];
            this.busy = new boolean[slotCount];
            this.publishedPolicy = new SchedPolicy[slotCount];
            java.util.Arrays.fill(publishedPolicy, SchedPolicy.NORMAL);
            this.publishedPriority = new int[slotCount];
            this.hostFlags = new int[slotCount];
            this.hostBoostId = new long[slotCount];
            this.notifyFlags = new AtomicIntegerArray(slotCount);
            this.hostBoostRequests = new AtomicIntegerArray(slotCount);
            final long generation = spec.endpoint.generation();
            final long features = spec.hostFeatures;
            final long gpa = spec.regionGpa;
            final long size = dev.vboost.api.layout.RegionLayout.regionSize(slotCount);
            final int vmIndex = index;
            this.target = new HypercallTarget() {
                @Override
                public int slotCount() {
                    return slotCount;
                }

                @Override
                public long generation() {
                    return generation;
                }

                @Override
                public long hostFeatures() {
                    return features;
                }

                @Override
                public long regionGpa() {
                    return gpa;
                }

                @Override
                public long regionSize() {
                    return size;
                }

                @Override
                public void attached(long acceptedFeatures) {
                    pending.set(true);
                    wake();
                }

                @Override
                public void detached() {
                    detachRequested.set(true);
                    wake();
                }

                @Override
                public boolean notifySlot(int slot, int flags) {
                    return HostAgent.this.notifySlot(vmIndex, slot, flags);
                }
            };
        }
    }

    /** Builds a {@link HostAgent}. */
    public static final class Builder {
        private final List<VmSpec> vms = new ArrayList<>();
        private final Set<String> names = new HashSet<>();
        private @Nullable PriorityActuator actuator;
        private LongSupplier clock = System::nanoTime;
        private @Nullable Path journal;
        private IntToLongFunction startTimeOf = LinuxThreads::startTimeOf;
        private long idlePollNanos = TimeUnit.MICROSECONDS.toNanos(200);

        /**
         * Adds a VM: its region's host endpoint (the agent becomes its only user), its policy, and the
         * embedder's map of vCPU index (= slot) to Linux thread id. Slots without a thread are denied with
         * {@code ACTUATOR_FAILED}.
         *
         * @param hostFeatures the features the region offers (for QUERY and ATTACH checks)
         * @param regionGpa    where the VMM maps the region in guest-physical memory (for ATTACH checks)
         */
        public Builder addVm(String name, HostEndpoint endpoint, PolicyConfig policy, Map<Integer, Integer> vcpuThreads,
                long hostFeatures, long regionGpa) {
            if (!names.add(name)) {
                throw new IllegalArgumentException("VM '" + name + "' added twice");
            }
            int slots = endpoint.slotCount();
            int[] tids = new int[slots];
            java.util.Arrays.fill(tids, -1);
            for (Map.Entry<Integer, Integer> e : vcpuThreads.entrySet()) {
                int vcpu = e.getKey();
                int tid = e.getValue();
                if (vcpu < 0 || vcpu >= slots) {
                    throw new IllegalArgumentException("VM '" + name + "': vCPU " + vcpu + " has no slot (slots: " + slots + ")");
                }
                if (tid <= 0) {
                    throw new IllegalArgumentException("VM '" + name + "': thread id " + tid + " for vCPU " + vcpu);
                }
                tids[vcpu] = tid;
            }
            vms.add(new VmSpec(name, endpoint, policy, tids, hostFeatures, regionGpa));
            return this;
        }

        /** {@link #addVm(String, HostEndpoint, PolicyConfig, Map, long, long)} with every feature offered, GPA 0. */
        public Builder addVm(String name, HostEndpoint endpoint, PolicyConfig policy, Map<Integer, Integer> vcpuThreads) {
            return addVm(name, endpoint, policy, vcpuThreads, dev.vboost.api.wire.Feature.DEFINED_MASK, 0);
        }

        /** Default: {@link LinuxPriorityActuator}. */
        public Builder actuator(PriorityActuator a) {
            actuator = a;
            return this;
        }

        /** Host monotonic clock in nanoseconds. Default: {@link System#nanoTime()}. */
        public Builder clock(LongSupplier c) {
            clock = c;
            return this;
        }

        /** Where to journal original attributes; default none (a crash then leaves threads boosted). */
        public Builder journal(Path path) {
            journal = path;
            return this;
        }

        /** A thread's start time for the journal's reuse check; default {@link LinuxThreads#startTimeOf}. */
        public Builder threadStartTime(IntToLongFunction f) {
            startTimeOf = f;
            return this;
        }

        /** Longest sleep between polls when nothing is due (default 200 µs; at most 100 ms). */
        public Builder idlePollNanos(long n) {
            if (n < 1_000 || n > MAX_IDLE_NANOS) {
                throw new IllegalArgumentException("idle poll interval " + n + " ns outside 1 µs..100 ms");
            }
            idlePollNanos = n;
            return this;
        }

        public HostAgent build() {
            if (vms.isEmpty()) {
                throw new IllegalStateException("no VM added");
            }
            return new HostAgent(this);
        }
    }
}
