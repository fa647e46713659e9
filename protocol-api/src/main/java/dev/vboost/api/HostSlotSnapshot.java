package dev.vboost.api;

import dev.vboost.api.wire.DenialReason;
import dev.vboost.api.wire.HostBoostFlag;
import dev.vboost.api.wire.SchedPolicy;
import dev.vboost.api.wire.SlotStatus;

/**
 * Reusable copy of one slot's host line (spec §3.5), as the guest reads it, and the value the host
 * publishes. Holds raw wire values; decodes without allocating. Not thread-safe: one per reader or writer.
 */
public final class HostSlotSnapshot {
    private int seq;
    private int status;
    private int policy;
    private int priority;
    private int denial;
    private int hostBoostFlags;
    private int budgetRemainingUs;
    private long actedRequestId;
    private long hostBoostId;
    private WireError error = WireError.NONE;

    /** An empty snapshot; {@code set} or a read fills it. */
    public HostSlotSnapshot() {
    }

    /**
     * Stores one consistent copy of the line (raw codes; {@code seq} is ignored when publishing).
     *
     * @param seq the line's seqlock counter as read
     * @param status {@link SlotStatus} code
     * @param policy {@link SchedPolicy} code
     * @param priority granted priority
     * @param denial {@link DenialReason} code
     * @param hostBoostFlags {@link HostBoostFlag} bits
     * @param budgetRemainingUs unsigned u32 microseconds left in the window
     * @param actedRequestId the request id the host acted on
     * @param hostBoostId the id of the current host-initiated boost
     * @return this snapshot
     */
    public HostSlotSnapshot set(int seq, int status, int policy, int priority, int denial, int hostBoostFlags,
            int budgetRemainingUs, long actedRequestId, long hostBoostId) {
        this.seq = seq;
        this.status = status;
        this.policy = policy;
        this.priority = priority;
        this.denial = denial;
        this.hostBoostFlags = hostBoostFlags;
        this.budgetRemainingUs = budgetRemainingUs;
        this.actedRequestId = actedRequestId;
        this.hostBoostId = hostBoostId;
        this.error = WireError.NONE;
        return this;
    }

    /**
     * Convenience for the host side: set the state to publish from decoded values.
     *
     * @param status what the host did
     * @param policy the policy granted
     * @param priority the priority granted
     * @param denial why a request was refused, or {@code NONE}
     * @param hostBoostFlags {@link HostBoostFlag} bits
     * @param budgetRemainingUs unsigned u32 microseconds left in the window
     * @param actedRequestId the request id acted on
     * @param hostBoostId the id of the current host-initiated boost
     * @return this snapshot
     */
    public HostSlotSnapshot set(SlotStatus status, SchedPolicy policy, int priority, DenialReason denial,
            int hostBoostFlags, int budgetRemainingUs, long actedRequestId, long hostBoostId) {
        return set(0, status.code(), policy.code(), priority, denial.code(), hostBoostFlags, budgetRemainingUs,
                actedRequestId, hostBoostId);
    }

    /**
     * Rules the guest applies to what the host wrote (spec §3.5): undefined flag bits zero, ids below 2^63.
     * Unknown status, policy and denial codes are not errors: they decode to {@code UNKNOWN}.
     *
     * @return the broken rule, or {@link WireError#NONE}; also kept for {@link #error()}
     */
    public WireError validate() {
        if (HostBoostFlag.hasUndefinedBits(hostBoostFlags)) {
            error = WireError.RESERVED_BITS;
        } else if (actedRequestId < 0 || hostBoostId < 0) {
            error = WireError.INVALID_VALUE;
        } else {
            error = WireError.NONE;
        }
        return error;
    }

    /**
     * The result of the last {@link #validate()} ({@code NONE} after a {@code set}).
     *
     * @return the broken rule, or {@link WireError#NONE}
     */
    public WireError error() {
        return error;
    }

    /**
     * The seqlock counter the copy was taken at.
     *
     * @return the counter (even for a consistent copy)
     */
    public int seq() {
        return seq;
    }

    /**
     * The slot status, decoded.
     *
     * @return the status; {@code UNKNOWN} for a code this version does not define
     */
    public SlotStatus status() {
        return SlotStatus.fromCode(status);
    }

    /**
     * The slot status as written.
     *
     * @return the raw code
     */
    public int statusCode() {
        return status;
    }

    /**
     * The granted policy, decoded.
     *
     * @return the policy; {@code UNKNOWN} for a code this version does not define
     */
    public SchedPolicy policy() {
        return SchedPolicy.fromCode(policy);
    }

    /**
     * The granted policy as written.
     *
     * @return the raw code
     */
    public int policyCode() {
        return policy;
    }

    /**
     * The granted priority.
     *
     * @return the priority as written
     */
    public int priority() {
        return priority;
    }

    /**
     * Why the host refused or cut a request, decoded.
     *
     * @return the reason; {@code UNKNOWN} for a code this version does not define
     */
    public DenialReason denial() {
        return DenialReason.fromCode(denial);
    }

    /**
     * The denial reason as written.
     *
     * @return the raw code
     */
    public int denialCode() {
        return denial;
    }

    /**
     * The host-boost flags (spec §5.5).
     *
     * @return {@link HostBoostFlag} bits
     */
    public int hostBoostFlags() {
        return hostBoostFlags;
    }

    /**
     * Unsigned u32 microseconds.
     *
     * @return the budget left in the current window
     */
    public int budgetRemainingUs() {
        return budgetRemainingUs;
    }

    /**
     * The guest request id the host last acted on.
     *
     * @return the id, below 2^63 on a valid line
     */
    public long actedRequestId() {
        return actedRequestId;
    }

    /**
     * The id of the current host-initiated boost.
     *
     * @return the id, below 2^63 on a valid line
     */
    public long hostBoostId() {
        return hostBoostId;
    }

    /**
     * An immutable copy; allocates.
     *
     * @return the values as a {@link HostState}
     */
    public HostState toRecord() {
        return new HostState(status(), policy(), priority, denial(), hostBoostFlags,
                Integer.toUnsignedLong(budgetRemainingUs), actedRequestId, hostBoostId);
    }

    @Override
    public String toString() {
        return "HostSlotSnapshot{seq=" + Integer.toUnsignedLong(seq) + ", " + toRecord() + ", error=" + error + "}";
    }
}
