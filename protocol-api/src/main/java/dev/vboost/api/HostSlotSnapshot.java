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

    /** Stores one consistent copy of the line (raw codes; {@code seq} is ignored when publishing). */
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

    /** Convenience for the host side: set the state to publish from decoded values. */
    public HostSlotSnapshot set(SlotStatus status, SchedPolicy policy, int priority, DenialReason denial,
            int hostBoostFlags, int budgetRemainingUs, long actedRequestId, long hostBoostId) {
        return set(0, status.code(), policy.code(), priority, denial.code(), hostBoostFlags, budgetRemainingUs,
                actedRequestId, hostBoostId);
    }

    /**
     * Rules the guest applies to what the host wrote (spec §3.5): undefined flag bits zero, ids below 2^63.
     * Unknown status, policy and denial codes are not errors: they decode to {@code UNKNOWN}.
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

    public WireError error() {
        return error;
    }

    public int seq() {
        return seq;
    }

    public SlotStatus status() {
        return SlotStatus.fromCode(status);
    }

    public int statusCode() {
        return status;
    }

    public SchedPolicy policy() {
        return SchedPolicy.fromCode(policy);
    }

    public int policyCode() {
        return policy;
    }

    public int priority() {
        return priority;
    }

    public DenialReason denial() {
        return DenialReason.fromCode(denial);
    }

    public int denialCode() {
        return denial;
    }

    public int hostBoostFlags() {
        return hostBoostFlags;
    }

    /** Unsigned u32 microseconds. */
    public int budgetRemainingUs() {
        return budgetRemainingUs;
    }

    public long actedRequestId() {
        return actedRequestId;
    }

    public long hostBoostId() {
        return hostBoostId;
    }

    /** An immutable copy; allocates. */
    public HostState toRecord() {
        return new HostState(status(), policy(), priority, denial(), hostBoostFlags,
                Integer.toUnsignedLong(budgetRemainingUs), actedRequestId, hostBoostId);
    }

    @Override
    public String toString() {
        return "HostSlotSnapshot{seq=" + Integer.toUnsignedLong(seq) + ", " + toRecord() + ", error=" + error + "}";
    }
}
