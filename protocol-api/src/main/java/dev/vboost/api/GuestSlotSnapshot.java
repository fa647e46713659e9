package dev.vboost.api;

import dev.vboost.api.layout.RegionLayout;
import dev.vboost.api.wire.BoostReason;
import dev.vboost.api.wire.BoostRequest;
import dev.vboost.api.wire.SchedPolicy;

/**
 * Reusable copy of one slot's guest line (spec §3.4), as the host reads it. Filled by a seqlock reader,
 * then checked by {@link #validate()}; holds raw wire values so nothing is lost, and decodes on demand
 * without allocating. Not thread-safe: one per reader.
 */
public final class GuestSlotSnapshot {
    private int seq;
    private int request;
    private int policy;
    private int priority;
    private int nice;
    private int reasons;
    private long requestId;
    private long hostBoostAck;
    private WireError error = WireError.NONE;

    /** An empty snapshot; {@code set} or a read fills it. */
    public GuestSlotSnapshot() {
    }

    /**
     * Stores one consistent copy of the line; {@code priority} is the unsigned byte, {@code nice} the signed one.
     *
     * @param seq the line's seqlock counter as read
     * @param request {@link BoostRequest} code
     * @param policy {@link SchedPolicy} code
     * @param priority requested real-time priority, 0..255
     * @param nice requested nice value, -128..127
     * @param reasons {@link dev.vboost.api.wire.BoostReason} bits
     * @param requestId the request's id
     * @param hostBoostAck the host-boost id the guest acknowledges
     * @return this snapshot
     */
    public GuestSlotSnapshot set(int seq, int request, int policy, int priority, int nice, int reasons,
            long requestId, long hostBoostAck) {
        this.seq = seq;
        this.request = request;
        this.policy = policy;
        this.priority = priority;
        this.nice = nice;
        this.reasons = reasons;
        this.requestId = requestId;
        this.hostBoostAck = hostBoostAck;
        this.error = WireError.NONE;
        return this;
    }

    /**
     * Applies the guest-line rules of spec §3.4 (the guest is untrusted): known request code, undefined
     * reason bits zero, policy and priority or nice in range for a BOOST, ids below 2^63.
     * Records and returns the first rule broken, or {@link WireError#NONE}.
     *
     * @return the first rule broken, or {@link WireError#NONE}
     */
    public WireError validate() {
        error = check();
        return error;
    }

    private WireError check() {
        if (BoostReason.hasUndefinedBits(reasons)) {
            return WireError.RESERVED_BITS;
        }
        if (requestId < 0 || hostBoostAck < 0) {
            return WireError.INVALID_VALUE;
        }
        BoostRequest r = request();
        if (r == BoostRequest.UNKNOWN) {
            return WireError.INVALID_VALUE;
        }
        if (r != BoostRequest.BOOST) {
            return WireError.NONE;
        }
        switch (policy()) {
            case FIFO:
            case RR:
                return priority >= 1 && priority <= RegionLayout.PRIO_MAX ? WireError.NONE : WireError.INVALID_VALUE;
            case NORMAL:
                return priority == 0 && nice >= RegionLayout.NICE_MIN && nice <= RegionLayout.NICE_MAX
                        ? WireError.NONE : WireError.INVALID_VALUE;
            default:
                return WireError.INVALID_VALUE;
        }
    }

    /**
     * Result of the last {@link #validate()}; {@link WireError#NONE} until then.
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
     * The request kind, decoded.
     *
     * @return the kind; {@code UNKNOWN} for a code this version does not define
     */
    public BoostRequest request() {
        return BoostRequest.fromCode(request);
    }

    /**
     * The request kind as written.
     *
     * @return the raw code
     */
    public int requestCode() {
        return request;
    }

    /**
     * The requested policy, decoded.
     *
     * @return the policy; {@code UNKNOWN} for a code this version does not define
     */
    public SchedPolicy policy() {
        return SchedPolicy.fromCode(policy);
    }

    /**
     * The requested policy as written.
     *
     * @return the raw code
     */
    public int policyCode() {
        return policy;
    }

    /**
     * The requested real-time priority (unsigned byte).
     *
     * @return 0..255
     */
    public int priority() {
        return priority;
    }

    /**
     * The requested nice value (signed byte).
     *
     * @return -128..127
     */
    public int nice() {
        return nice;
    }

    /**
     * Why the guest asks (spec §3.4).
     *
     * @return {@link dev.vboost.api.wire.BoostReason} bits
     */
    public int reasons() {
        return reasons;
    }

    /**
     * The request's id; a newer request has a larger id.
     *
     * @return the id, below 2^63 on a valid line
     */
    public long requestId() {
        return requestId;
    }

    /**
     * The id of the host-initiated boost the guest acknowledges (spec §5.5).
     *
     * @return the id, below 2^63 on a valid line
     */
    public long hostBoostAck() {
        return hostBoostAck;
    }

    /**
     * An immutable copy; allocates.
     *
     * @return the values as a {@link GuestRequest}
     */
    public GuestRequest toRecord() {
        return new GuestRequest(request(), policy(), priority, nice, reasons, requestId, hostBoostAck);
    }

    @Override
    public String toString() {
        return "GuestSlotSnapshot{seq=" + Integer.toUnsignedLong(seq) + ", " + toRecord() + ", error=" + error + "}";
    }
}
