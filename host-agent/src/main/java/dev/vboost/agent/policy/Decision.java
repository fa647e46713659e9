package dev.vboost.agent.policy;

import dev.vboost.api.wire.DenialReason;
import dev.vboost.api.wire.SchedPolicy;
import dev.vboost.api.wire.SlotStatus;

/**
 * The result of one {@link PolicyEngine} event for one slot: what to do to the thread, what to publish in the
 * slot's host line, and what to count. Reusable and mutable (the agent keeps one): no allocation per event.
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

    private Action action = Action.NONE;
    private SchedPolicy policy = SchedPolicy.NORMAL;
    private int priority;
    private int nice;
    private boolean publish;
    private SlotStatus status = SlotStatus.NORMAL;
    private DenialReason denial = DenialReason.NONE;
    private long actedRequestId;
    private long budgetRemainingNanos;
    private Outcome outcome = Outcome.NONE;
    private int reasons;
    private long endedBoostNanos;
    private boolean deferred;

    void reset() {
        action = Action.NONE;
        policy = SchedPolicy.NORMAL;
        priority = 0;
        nice = 0;
        publish = false;
        status = SlotStatus.NORMAL;
        denial = DenialReason.NONE;
        actedRequestId = 0;
        budgetRemainingNanos = 0;
        outcome = Outcome.NONE;
        reasons = 0;
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

    void publish(SlotStatus s, DenialReason d) {
        publish = true;
        status = s;
        denial = d;
    }

    /** Sets status and denial for counting without asking for a publish (host-side decisions). */
    void publishFieldsOnly(SlotStatus s, DenialReason d) {
        status = s;
        denial = d;
    }

    void outcome(Outcome o, int reasonMask) {
        outcome = o;
        reasons = reasonMask;
    }

    void actedRequestId(long id) {
        actedRequestId = id;
    }

    void budgetRemainingNanos(long n) {
        budgetRemainingNanos = n;
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

    /** True if the slot's host line must be republished with the values below. */
    public boolean publish() {
        return publish;
    }

    public SlotStatus status() {
        return status;
    }

    public DenialReason denial() {
        return denial;
    }

    /** The newest guest request id acted on, to publish as {@code acted_request_id}. */
    public long actedRequestId() {
        return actedRequestId;
    }

    /** Boosted time left in the current budget window. */
    public long budgetRemainingNanos() {
        return budgetRemainingNanos;
    }

    public Outcome outcome() {
        return outcome;
    }

    /** The guest's reason bits behind a grant, denial or end (0 for host boosts). */
    public int reasons() {
        return reasons;
    }

    /** Length of the boost that this decision ended; 0 if none ended. */
    public long endedBoostNanos() {
        return endedBoostNanos;
    }

    /**
     * True if a guest request could not be looked at yet because an overdue boost had to be ended first;
     * apply this decision, then offer the same request again.
     */
    public boolean deferred() {
        return deferred;
    }

    @Override
    public String toString() {
        return "Decision{" + action + (action == Action.BOOST ? " " + policy + "/" + priority + " nice " + nice : "")
                + (publish ? ", publish " + status + "/" + denial : "") + ", acted=" + actedRequestId + ", " + outcome
                + (deferred ? ", deferred" : "") + "}";
    }
}
