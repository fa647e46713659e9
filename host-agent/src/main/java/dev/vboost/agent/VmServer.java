package dev.vboost.agent;

import dev.vboost.agent.actuator.ActuatorException;
import dev.vboost.agent.actuator.VcpuThread;
import dev.vboost.agent.core.Decision;
import dev.vboost.api.GuestSlotSnapshot;
import dev.vboost.api.ReadStatus;
import dev.vboost.api.WireError;
import dev.vboost.api.wire.Feature;

/**
 * One VM's share of an agent iteration, in the order the spec needs: slot changes consumed, then the guest
 * header (§5.2, CG1..CG7), then notifications, host-boost requests, lines busy last time and changed lines
 * (HA1..HA5, HB1..HB3), then expiries (§5.6, HB3 timeout, §8.3 refill). Agent thread only; allocation-free.
 */
final class VmServer {
    private static final System.Logger LOG = System.getLogger(HostAgent.class.getName());

    private final SlotActions actions;
    private final ThreadLeases leases;
    private final AgentErrors errors;
    private final GuestSlotSnapshot line = new GuestSlotSnapshot();
    private final Decision decision = new Decision();

    VmServer(SlotActions actions, ThreadLeases leases, AgentErrors errors) {
        this.actions = actions;
        this.leases = leases;
        this.errors = errors;
    }

    /** One VM's share of an iteration; returns the number of slot events it found (changed lines, signals). */
    int serve(VmState vm, long now) {
        if (vm.identifyPending) {
            identifyThreads(vm);
        }
        if (!vm.endpoint.ready()) {
            // §4.4 H3, H4: a region handed over NOT_READY looks served only once the agent serves it (after
            // warm-up, on the agent thread); a guest that tried to attach earlier has been waiting for this
            vm.endpoint.publishReady();
            vm.signals.generation = vm.endpoint.generation();
        }
        if (vm.signals.detachRequested.getAndSet(false)) {
            endAll(vm, now, true); // §5.8, by VBOOST_HC_DETACH
        }
        // Slot changes are consumed BEFORE the guest header is read. A guest writes its header (A3) before any
        // slot line (G2), so a completed line write consumed here that the header read below does not cover is
        // older than that header: dropping it unread when the header says "not attached" loses nothing a guest
        // attached later wrote (issue 16 row 14; spec/model checks this order). Acquire loads on both sides
        // pair with the guest's W4 releases.
        int n = vm.endpoint.pollChangedSlots(vm.changed);
        int events = n + (vm.signals.pending.get() ? 1 : 0);
        if (vm.endpoint.guestAttached()) {
            serveAttachedGuest(vm, now, n);
        } else {
            ignoreDetachedGuest(vm, now);
        }
        if (now >= vm.earliestDeadline) {
            long earliest = Long.MAX_VALUE;
            for (int slot = 0; slot < vm.slotCount; slot++) {
                if (vm.engine.nextDeadline(slot) <= now) {
                    try {
                        actions.carry(vm, slot, vm.engine.tick(slot, now, decision), now); // §5.6, HB3, §8.3
                    } catch (RuntimeException e) {
                        errors.record(e);
                        LOG.log(System.Logger.Level.ERROR, "expiry of " + vm.name + " slot " + slot + " failed", e);
                    }
                }
                earliest = Math.min(earliest, vm.engine.nextDeadline(slot));
            }
            vm.earliestDeadline = earliest;
        }
        return events;
    }

    /**
     * Spec §9 H2: the identity of every newly registered thread, taken here on the agent thread before the slot
     * is first served, so a thread that exits and whose id is reused before its first boost is never adopted. A
     * thread gone already, or one of another process than the VM's, leaves its slot unserved.
     */
    void identifyThreads(VmState vm) {
        vm.identifyPending = false;
        for (int slot = 0; slot < vm.slotCount; slot++) {
            if (!vm.unidentified[slot]) {
                continue;
            }
            vm.unidentified[slot] = false;
            int tid = vm.tids[slot];
            if (tid <= 0) {
                continue;
            }
            try {
                VcpuThread t = leases.identify(tid);
                vm.threads[slot] = t;
                if (vm.expectedTgid > 0 && t.tgid() != vm.expectedTgid) {
                    actions.threadGone(vm, slot, "belongs to process " + t.tgid() + ", not to the VM's process "
                            + vm.expectedTgid);
                }
            } catch (ActuatorException e) {
                errors.record(e);
                actions.threadGone(vm, slot, "no such thread at registration (" + e.getMessage() + ")");
            }
        }
    }

    /** §5.2: the header passed CG1..CG7 at this generation. */
    private void serveAttachedGuest(VmState vm, long now, int changedCount) {
        vm.guestAttached = true;
        long accepted = vm.endpoint.acceptedFeatures();
        vm.engine.acceptedFeatures(accepted); // §3.6: only what the guest accepted
        vm.guestNeverRings = !Feature.DOORBELL.in(accepted); // §12.2: polled at lazy-mode moments
        long iteration = ++vm.iteration;
        if (vm.signals.pending.getAndSet(false)) {
            for (int slot = 0; slot < vm.slotCount; slot++) {
                if (vm.signals.notifyFlags.get(slot) != 0 && vm.signals.notifyFlags.getAndSet(slot, 0) != 0) {
                    vm.stats.notified();
                    vm.readIn[slot] = iteration;
                    guarded(vm, slot, now, 0);
                }
                int hb = vm.signals.hostBoostRequests.get(slot) != 0 ? vm.signals.hostBoostRequests.getAndSet(slot, 0) : 0;
                if (hb != 0) {
                    guarded(vm, slot, now, hb);
                }
            }
        }
        // slots busy in an earlier iteration first, so a slot found busy now waits one iteration
        if (vm.busySlots > 0) {
            for (int slot = 0; slot < vm.slotCount; slot++) {
                if (vm.busy[slot] && vm.readIn[slot] != iteration) {
                    vm.readIn[slot] = iteration;
                    guarded(vm, slot, now, 0);
                }
            }
        }
        // a line read above is not read again: a second read of the same write would count an invalid or
        // backwards id twice (§6.6 counts each occurrence once). Nothing is lost: every read here comes after this
        // iteration's poll, so the first one saw at least the write the poll announced, and a line it found busy
        // stays marked busy and is read again next iteration
        for (int i = 0; i < changedCount; i++) {
            int slot = vm.changed[i];
            if (vm.readIn[slot] != iteration) {
                vm.readIn[slot] = iteration;
                guarded(vm, slot, now, 0);
            }
        }
    }

    /**
     * §5.2, §5.8, §6.6: a guest not attached at this generation (never attached, detached, attached to an
     * earlier host, a header failing CG1..CG7) gets nothing: the boosts in force end, notifications and
     * host-boost requests are dropped, and the slot changes consumed above are dropped unread. A header error is
     * counted once per occurrence.
     */
    private void ignoreDetachedGuest(VmState vm, long now) {
        WireError headerError = vm.endpoint.guestHeaderError();
        if (headerError != WireError.NONE && headerError != vm.lastHeaderError) {
            vm.stats.guestHeaderError();
        }
        vm.lastHeaderError = headerError;
        vm.guestNeverRings = !Feature.DOORBELL.in(vm.hostFeatures); // §12.2: no doorbell offered, none will ring
        if (vm.guestAttached) {
            vm.guestAttached = false;
            endAll(vm, now, true);
        }
        if (vm.signals.pending.getAndSet(false)) {
            for (int slot = 0; slot < vm.slotCount; slot++) {
                vm.signals.notifyFlags.set(slot, 0);
                vm.signals.hostBoostRequests.set(slot, 0);
            }
        }
        if (vm.busySlots > 0) {
            java.util.Arrays.fill(vm.busy, false);
            vm.busySlots = 0;
        }
    }

    /** One slot event; a failure is counted and logged, never thrown into the loop. */
    private void guarded(VmState vm, int slot, long now, int hostBoostFlags) {
        try {
            if (hostBoostFlags != 0) {
                hostBoost(vm, slot, now, hostBoostFlags);
            } else {
                guestLine(vm, slot, now);
            }
        } catch (RuntimeException e) {
            errors.record(e);
            LOG.log(System.Logger.Level.ERROR, "handling " + vm.name + " slot " + slot + " failed", e);
        }
    }

    /** HA1: one bounded read, validated once by the reader; the engine acts on that copy (HA2..HA4). */
    private void guestLine(VmState vm, int slot, long now) {
        ReadStatus rs = vm.endpoint.readRequest(slot, line);
        if (rs == ReadStatus.BUSY) {
            if (!vm.busy[slot]) {
                vm.busy[slot] = true;
                vm.busySlots++;
            }
            vm.stats.busyRead(); // §4.3: the slot stays as it is; looked at again next iteration
            return;
        }
        if (vm.busy[slot]) {
            vm.busy[slot] = false;
            vm.busySlots--;
        }
        for (int attempt = 0; attempt < 2; attempt++) {
            Decision d = vm.engine.onGuestLine(slot, now, line, decision);
            boolean deferred = d.deferred();
            actions.carry(vm, slot, d, now);
            if (!deferred) {
                break;
            }
        }
    }

    /** HB1..HB2 (§5.5): the engine decides and numbers it, the thread is raised, then the line published. */
    private void hostBoost(VmState vm, int slot, long now, int flags) {
        for (int attempt = 0; attempt < 2; attempt++) {
            Decision d = vm.engine.onHostBoost(slot, now, flags, decision);
            boolean deferred = d.deferred();
            actions.carry(vm, slot, d, now);
            if (!deferred) {
                break;
            }
        }
    }

    /**
     * Ends every boost of the VM (guest detached §5.8, VM removed, agent stopping): threads restored, slots
     * published NORMAL when {@code publish} (not for a region whose memory faulted).
     */
    void endAll(VmState vm, long now, boolean publish) {
        for (int slot = 0; slot < vm.slotCount; slot++) {
            endSlot(vm, slot, now, publish);
        }
    }

    /** Ends one slot's boost: restore its thread, publish NORMAL if asked. */
    void endSlot(VmState vm, int slot, long now, boolean publish) {
        Decision d = vm.engine.end(slot, now, decision);
        if (d.action() == Decision.Action.UNBOOST && !actions.restoreSlot(vm, slot)) {
            vm.stats.actuatorFailure(); // retried by the leases until the thread is back or gone
        }
        vm.stats.count(d);
        if (publish) {
            try {
                actions.publish(vm, slot, d);
            } catch (RuntimeException | InternalError e) {
                errors.record(e); // a closed endpoint or a faulted mapping: the threads matter more
            }
        }
    }
}
