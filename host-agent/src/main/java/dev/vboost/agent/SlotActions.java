package dev.vboost.agent;

import dev.vboost.agent.actuator.ActuatorException;
import dev.vboost.agent.actuator.ThreadAttributes;
import dev.vboost.agent.actuator.ThreadGoneException;
import dev.vboost.agent.actuator.VcpuThread;
import dev.vboost.agent.core.BoostEvents;
import dev.vboost.agent.core.Decision;
import dev.vboost.agent.core.Outcome;
import dev.vboost.api.wire.DenialReason;
import java.io.IOException;
import java.util.function.LongSupplier;

/**
 * Carries out the engine's decisions for one slot: the thread first (through {@link ThreadLeases}), then the
 * counters and JFR events, then the host line the decision carries, published through {@link #publish}, the
 * only place the agent writes a host line (spec §5.3 HA5, §5.5 HB2/HB3, §5.6). Agent thread only;
 * allocation-free (the targets are {@link ThreadAttributes}' shared instances).
 */
final class SlotActions {
    private static final System.Logger LOG = System.getLogger(HostAgent.class.getName());

    private final ThreadLeases leases;
    private final LongSupplier clock;
    private final AgentErrors errors;

    SlotActions(ThreadLeases leases, LongSupplier clock, AgentErrors errors) {
        this.leases = leases;
        this.clock = clock;
        this.errors = errors;
    }

    /**
     * HA5 (HB2 for a host boost): apply, then publish. A boost that could not be applied is answered
     * ACTUATOR_FAILED with the old attributes kept; an unboost whose restore failed says ACTUATOR_FAILED and is
     * retried by {@link ThreadLeases}.
     */
    void carry(VmState vm, int slot, Decision d, long now) {
        Decision.Action action = d.action();
        if (action == Decision.Action.BOOST) {
            if (!raise(vm, slot, d)) {
                vm.stats.actuatorFailure();
                vm.stats.countNotes(d.notes());
                int reasons = d.reasons();
                boolean host = d.hostInitiated();
                Decision failed = vm.engine.actuatorFailed(slot, now, host, d);
                vm.stats.count(failed);
                denied(vm, slot, failed.denial(), reasons, host);
                publish(vm, slot, failed);
                return;
            }
            vm.engine.applied(slot, clock.getAsLong()); // §5.6, §8.2: expiry and budget from the applied change
            granted(vm, slot, d);
        } else if (action == Decision.Action.UNBOOST) {
            if (!restoreSlot(vm, slot)) {
                vm.stats.actuatorFailure();
                ActuatorException why = leases.lastFailure();
                if (why != null) {
                    errors.record(why);
                }
                vm.engine.restoreFailed(slot, d);
            }
            ended(vm, slot, d);
        } else {
            Outcome o = d.outcome();
            if (o == Outcome.DENIED || o == Outcome.INVALID || o == Outcome.HOST_DENIED) {
                denied(vm, slot, d.denial(), d.reasons(), d.hostInitiated());
            }
        }
        vm.stats.count(d);
        publish(vm, slot, d);
        vm.earliestDeadline = Math.min(vm.earliestDeadline, vm.engine.nextDeadline(slot));
    }

    /**
     * Restores the slot's thread; one found gone leaves the slot without a thread (never touched again).
     * False if the restore failed and is retried.
     */
    boolean restoreSlot(VmState vm, int slot) {
        boolean back = leases.restore(vm.threads[slot]);
        if (leases.lastRestoreFoundThreadGone()) {
            threadGone(vm, slot, "exited or its id was reused while boosted");
        }
        return back;
    }

    /**
     * Spec §9 H2: the slot's registered thread is gone (or was never there, or belongs to another process): the
     * slot has no thread from now on, so it is never raised and nothing is touched. Counted and logged once.
     */
    void threadGone(VmState vm, int slot, String why) {
        VcpuThread t = vm.threads[slot];
        vm.threads[slot] = null;
        if (t != null) {
            leases.release(t);
        }
        vm.stats.actuatorFailure();
        LOG.log(System.Logger.Level.WARNING, "VM " + vm.name + " vCPU " + slot + " (thread " + vm.tids[slot] + "): "
                + why + "; the slot is not served until its vCPU is re-mapped");
    }

    /** The one path from a decision to the region: the whole host line the engine composed (W1..W4). */
    void publish(VmState vm, int slot, Decision d) {
        if (d.publish()) {
            vm.endpoint.publishState(slot, d.line());
        }
    }

    /** §8.6: reads and journals the original if needed, then applies the decision's target. */
    private boolean raise(VmState vm, int slot, Decision d) {
        VcpuThread thread = vm.threads[slot];
        if (thread == null) {
            return false; // no thread mapped to this vCPU, or it is gone
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
            leases.raise(thread, target);
            return true;
        } catch (ThreadGoneException e) {
            errors.record(e);
            threadGone(vm, slot, String.valueOf(e.getMessage()));
            return false;
        } catch (ActuatorException e) {
            errors.record(e);
            return false;
        } catch (IOException e) {
            // without a durable record a crash could leave the thread boosted: refuse the boost (ThreadLeases
            // logs it, rate-limited: a full file system fails every boost)
            errors.record(e);
            return false;
        }
    }

    private static void granted(VmState vm, int slot, Decision d) {
        BoostEvents.Granted e = new BoostEvents.Granted();
        if (e.shouldCommit()) {
            e.vm = vm.name;
            e.slot = slot;
            e.tid = vm.tids[slot];
            e.policy = d.policy().name();
            e.priority = d.priority();
            e.reasons = d.reasons();
            e.hostInitiated = d.hostInitiated();
            e.commit();
        }
    }

    private static void ended(VmState vm, int slot, Decision d) {
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
    }

    private static void denied(VmState vm, int slot, DenialReason why, int reasons, boolean host) {
        BoostEvents.Denied e = new BoostEvents.Denied();
        if (e.shouldCommit()) {
            e.vm = vm.name;
            e.slot = slot;
            e.cause = why.name();
            e.reasons = reasons;
            e.hostInitiated = host;
            e.commit();
        }
    }
}
