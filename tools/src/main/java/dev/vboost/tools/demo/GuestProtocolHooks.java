package dev.vboost.tools.demo;

import dev.vboost.agent.hypercall.HypercallSocketClient;
import dev.vboost.api.HostSlotSnapshot;
import dev.vboost.api.ReadStatus;
import dev.vboost.api.WireError;
import dev.vboost.api.hypercall.HypercallNumbers;
import dev.vboost.api.role.GuestEndpoint;
import dev.vboost.api.wire.BoostReason;
import dev.vboost.api.wire.SchedPolicy;
import dev.vboost.api.wire.SlotStatus;
import java.io.IOException;
import java.nio.file.Path;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The guest side of dynamic mode, around each tick (spec §5.3, §5.4, §5.5). When the tick is noticed under the
 * host's timer boost (the VMM injected the interrupt and boosted the vCPU), the work runs under that boost and
 * the guest acknowledges it when done. When the guest is on the CPU as its tick falls due (within its next
 * background chunk) and the host's boost has not come, it requests its own boost through the region, with a
 * NOTIFY so the agent acts before the tick, and releases it when done. The end of the work is signalled with
 * one NOTIFY too, so the host unboosts at once. A critical section ({@link CriticalSections}) is work the host
 * cannot foresee: the guest requests its own boost with a NOTIFY before it and releases it after. Each NOTIFY is a synchronous exit forwarded to the agent's
 * hypercall socket ({@link HypercallSocketClient}, host-agent/README.md "Socket frame"). Allocation-free per
 * tick.
 */
final class GuestProtocolHooks implements TickHooks {
    /** The demo's VMM serves one VM: index 0 on its hypercall socket. */
    private static final int VM_INDEX = 0;

    private final GuestEndpoint guest;
    private final int slot;
    private final Path socket;
    private final SchedPolicy policy;
    private final int priority;
    private final HostSlotSnapshot hostState = new HostSlotSnapshot();
    private final long[] args = new long[HypercallNumbers.EXIT_ARG_COUNT];
    private volatile @Nullable HypercallSocketClient hypercalls;
    private long lastAcked;
    private boolean ownBoost;
    private boolean criticalBoost;
    private long ownRequests;
    private long hostBoostTicks;
    private long exitsFailed;

    private GuestProtocolHooks(GuestEndpoint guest, int slot, Path socket, SchedPolicy policy, int priority) {
        this.guest = guest;
        this.slot = slot;
        this.socket = socket;
        this.policy = policy;
        this.priority = priority;
    }

    static GuestProtocolHooks open(Path region, int slot, Path socket, int priority, String policyName)
            throws IOException, InterruptedException {
        return new GuestProtocolHooks(RegionFactory.attachGuest(region), slot, socket, SchedPolicy.valueOf(policyName),
                priority);
    }

    /**
     * Connects to the host's hypercall socket, which serves once the host has mapped the vCPU (before it sends
     * START). Ticks before that take no exit.
     */
    @Override
    public void connect() throws IOException {
        hypercalls = HypercallSocketClient.connect(socket);
    }

    /**
     * The guest is on the CPU a few microseconds before its tick: unless the host's timer boost already holds
     * the vCPU, it asks for the tick's boost itself now, as a guest kernel does for an RT task about to wake.
     */
    @Override
    public void tickSoon() {
        if (!ownBoost && newHostBoost() == 0) {
            guest.requestBoost(slot, policy, priority, 0, BoostReason.RT_TASK.bit());
            ownBoost = true;
            ownRequests++;
            notifyHost(HypercallNumbers.NOTIFY_REQUEST); // the agent acts before the tick, not at its next scan
        }
    }

    /**
     * Requests the guest's own boost for a critical section (reasons LOCK_HOLDER, PREEMPT_DISABLED) and reads the
     * host's answer to that request once its NOTIFY returned (the acknowledgement is the host line with
     * {@code acted_request_id} = the request's id, §5.3).
     */
    @Override
    public CriticalSections.Answer enterCritical() {
        long id = guest.requestBoost(slot, policy, priority, 0,
                BoostReason.LOCK_HOLDER.bit() | BoostReason.PREEMPT_DISABLED.bit());
        criticalBoost = true;
        notifyHost(HypercallNumbers.NOTIFY_REQUEST);
        if (id == 0 || guest.readHostState(slot, hostState) != ReadStatus.OK || hostState.validate() != WireError.NONE
                || hostState.actedRequestId() != id || hostState.status() != SlotStatus.BOOSTED) {
            return CriticalSections.Answer.NOT_GRANTED;
        }
        return hostState.hostBoostFlags() == 0 ? CriticalSections.Answer.GRANTED : CriticalSections.Answer.JOINED;
    }

    @Override
    public void leaveCritical() {
        if (criticalBoost) {
            criticalBoost = false;
            guest.release(slot);
            notifyHost(HypercallNumbers.NOTIFY_REQUEST); // put back at once, not at the agent's next scan
        }
    }

    @Override
    public void tickStart() {
        if (ownBoost) {
            return; // asked for just before the deadline
        }
        long hostBoost = newHostBoost();
        if (hostBoost == 0) {
            // not (yet) boosted by the host: the guest asks for the tick's work itself
            guest.requestBoost(slot, policy, priority, 0, BoostReason.RT_TASK.bit());
            ownBoost = true;
            ownRequests++;
        } else {
            hostBoostTicks++;
        }
    }

    @Override
    public void tickEnd() {
        int flags = 0;
        if (ownBoost) {
            guest.release(slot);
            ownBoost = false;
            flags |= HypercallNumbers.NOTIFY_REQUEST;
        }
        long hostBoost = newHostBoost(); // also one that came during the work
        if (hostBoost != 0) {
            guest.acknowledgeHostBoost(slot, hostBoost);
            lastAcked = hostBoost;
            flags |= HypercallNumbers.NOTIFY_HOST_BOOST_ACK;
        }
        if (flags != 0) {
            notifyHost(flags);
        }
    }

    /** One NOTIFY exit; the agent has acted on the slot when it returns. */
    private void notifyHost(int flags) {
        HypercallSocketClient h = hypercalls;
        if (h == null) {
            return; // before START: nobody serves the socket yet
        }
        args[0] = slot;
        args[1] = flags;
        try {
            h.call(VM_INDEX, HypercallNumbers.NOTIFY, args);
        } catch (IOException e) {
            // the host stopped first (end of the run): the agent restores the thread itself
            exitsFailed++;
        }
    }

    /** The id of a host boost holding the slot (its flags are set until it ends, HB3) not acknowledged yet, or 0. */
    private long newHostBoost() {
        if (guest.readHostState(slot, hostState) != ReadStatus.OK || hostState.validate() != WireError.NONE
                || hostState.status() != SlotStatus.BOOSTED || hostState.hostBoostFlags() == 0) {
            return 0;
        }
        long id = hostState.hostBoostId();
        return id != 0 && id != lastAcked ? id : 0;
    }

    @Override
    public String summary() {
        return "guestRequests=" + ownRequests + " hostBoostTicks=" + hostBoostTicks + " exitsFailed=" + exitsFailed;
    }

    @Override
    public void close() {
        guest.detach();
        HypercallSocketClient h = hypercalls;
        if (h != null) {
            try {
                h.close();
            } catch (IOException e) {
                // the host may have gone first
            }
        }
    }
}
