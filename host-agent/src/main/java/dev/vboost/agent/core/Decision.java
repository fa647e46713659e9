package dev.vboost.agent.core;

import dev.vboost.api.HostSlotSnapshot;
import dev.vboost.api.wire.DenialReason;
import dev.vboost.api.wire.SchedPolicy;
import dev.vboost.api.wire.SlotStatus;

/**
 * The result of one {@link PolicyEngine} event for one slot: what to do to the thread, the slot's whole host
 * line to publish (spec §3.5), and what to count. The engine is the only owner of a slot's host line; the agent
 * hands {@link #line()} to the endpoint as it is and keeps no copy of its own. Reusable and mutable (the agent
 * keeps one): no allocation per event.
 */
public final class Decision {

    /** What the actuator must do to the vCPU thread. */
    public enum Action {
        /** Leave the thread as it is. */
        NONE,
        /** Raise the thread to {@link #policy()}/{@link #priority()}/{@link #nice()}. */
        BOOST,
        /** Put the thread back to its original attributes. */
        UNBOOST
    }

    /** HA2: the line's request id was not a valid id (bit 63 set); the line was ignored (T7). */
    public static final int NOTE_ID_INVALID = 1;
    /** HA2: the line's request id went below the acted id; the line was ignored (T5). */
    public static final int NOTE_ID_BACKWARDS = 1 << 1;
    /** HA2: the request id skipped ids (accepted, counted; T6). */
    public static final int NOTE_ID_JUMP = 1 << 2;
    /** §5.5: an acknowledgement above the newest host boost id; ignored. */
    public static final int NOTE_ACK_OUT_OF_RANGE = 1 << 3;

    private Action action = Action.NONE;
    private SchedPolicy policy = SchedPolicy.NORMAL;
    private int priority;
    private int nice;
    private boolean publish;
    /** The host line (spec §3.5), complete: the one copy between the engine and the endpoint. */
    private final HostSlotSnapshot line = new HostSlotSnapshot();
    // what to count
    private Outcome outcome = Outcome.NONE;
    private int reasons;
    private int notes;
    private boolean hostInitiated;
    private long endedBoostNanos;
    private boolean deferred;

    void reset() {
        action = Action.NONE;
        policy = SchedPolicy.NORMAL;
        priority = 0;
        nice = 0;
        publish = false;
        line.set(SlotStatus.NORMAL, SchedPolicy.NORMAL, 0, DenialReason.NONE, 0, 0, 0, 0);
        outcome = Outcome.NONE;
        reasons = 0;
        notes = 0;
        hostInitiated = false;
        endedBoostNanos = 0;
        deferred = false;
    }

    void boost(SchedPolicy p, int prio, int n) {
        action = Action.BOOST;
        policy = p;
        priority = prio;
        nice = n;
    }

    void unboost() {
        action = Action.UNBOOST;
    }

    void line(SlotStatus s, SchedPolicy p, int prio, DenialReason d, int flags, int budgetUs, long acted, long boostId) {
        publish = true;
        line.set(s, p, prio, d, flags, budgetUs, acted, boostId);
    }

    /** Status and denial for counting, without a publish (host boosts refused: the guest never asked). */
    void countOnly(SlotStatus s, DenialReason d) {
        line.set(s, line.policy(), line.priority(), d, line.hostBoostFlags(), line.budgetRemainingUs(),
                line.actedRequestId(), line.hostBoostId());
    }

    void denial(DenialReason d) {
        countOnly(line.status(), d);
    }

    void outcome(Outcome o, int reasonMask) {
        outcome = o;
        reasons = reasonMask;
    }

    void note(int bit) {
        notes |= bit;
    }

    void hostInitiated(boolean h) {
        hostInitiated = h;
    }

    void endedBoostNanos(long n) {
        endedBoostNanos = n;
    }

    void deferred(boolean d) {
        deferred = d;
    }

    public Action action() {
        return action;
    }

    /** Target policy of a {@link Action#BOOST}: the VM's boost policy, or NORMAL for a nice hint. */
    public SchedPolicy policy() {
        return policy;
    }

    /** Target real-time priority of a {@link Action#BOOST}, already clamped to the ceiling; 0 for NORMAL. */
    public int priority() {
        return priority;
    }

    /** Target nice of a NORMAL {@link Action#BOOST}; 0 otherwise. */
    public int nice() {
        return nice;
    }

    /** True if the slot's host line must be republished as {@link #line()}. */
    public boolean publish() {
        return publish;
    }

    /** The host line to publish, to be read (not kept) by the caller: valid until the next event. */
    public HostSlotSnapshot line() {
        return line;
    }

    public SlotStatus status() {
        return line.status();
    }

    /** Policy the host line reports as applied (NORMAL unless BOOSTED). */
    public SchedPolicy linePolicy() {
        return line.policy();
    }

    /** Priority the host line reports as applied. */
    public int linePriority() {
        return line.priority();
    }

    public DenialReason denial() {
        return line.denial();
    }

    public int hostBoostFlags() {
        return line.hostBoostFlags();
    }

    /** {@code budget_remaining_us} to publish: 0 unless the guest accepted BUDGET_REPORT (spec §3.5). */
    public int budgetRemainingUs() {
        return line.budgetRemainingUs();
    }

    /** The newest guest request id acted on, to publish as {@code acted_request_id}. */
    public long actedRequestId() {
        return line.actedRequestId();
    }

    public long hostBoostId() {
        return line.hostBoostId();
    }

    public Outcome outcome() {
        return outcome;
    }

    /** The guest's reason bits behind a grant, denial or end (0 for host boosts). */
    public int reasons() {
        return reasons;
    }

    /** {@code NOTE_*} bits: protocol irregularities seen, to count (spec §8.12). */
    public int notes() {
        return notes;
    }

    /** True if this decision started, joined or refused a host-initiated boost. */
    public boolean hostInitiated() {
        return hostInitiated;
    }

    /** Length of the boost that this decision ended; 0 if none ended. */
    public long endedBoostNanos() {
        return endedBoostNanos;
    }

    /**
     * True if the event could not be looked at yet because an overdue boost had to be ended first; carry this
     * decision out, then offer the same event again.
     */
    public boolean deferred() {
        return deferred;
    }

    @Override
    public String toString() {
        return "Decision{" + action + (action == Action.BOOST ? " " + policy + "/" + priority + " nice " + nice : "")
                + (publish ? ", publish " + line.status() + "/" + line.policy() + "/" + line.priority() + "/"
                + line.denial() + " flags=" + line.hostBoostFlags() + " hb=" + line.hostBoostId() : "")
                + ", acted=" + line.actedRequestId() + ", " + outcome
                + (notes != 0 ? ", notes=" + notes : "") + (deferred ? ", deferred" : "") + "}";
    }
}
