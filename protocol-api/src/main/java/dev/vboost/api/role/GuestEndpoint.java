package dev.vboost.api.role;

import dev.vboost.api.HostHeader;
import dev.vboost.api.HostSlotSnapshot;
import dev.vboost.api.ReadStatus;
import dev.vboost.api.wire.SchedPolicy;

/**
 * The guest side of one attached region: what guest-side tooling embeds. It is the single writer of the
 * guest header and of every slot's guest line (spec §5). Calls for one slot must come from one thread at a
 * time (a vCPU owns its slot); different slots may be driven concurrently.
 */
public interface GuestEndpoint extends AutoCloseable {

    /**
     * Number of slots in the region (one per vCPU).
     *
     * @return the slot count
     */
    int slotCount();

    /**
     * The host header as validated at attach.
     *
     * @return the header
     */
    HostHeader hostHeader();

    /**
     * Features both sides use: the host's offer intersected with what this guest implements.
     *
     * @return {@link dev.vboost.api.wire.Feature} bits
     */
    long acceptedFeatures();

    /**
     * Publishes a BOOST request (spec §5.3 G1..G3) and returns its request id.
     *
     * @param priority 1..99 for FIFO and RR, 0 for NORMAL
     * @param nice     -20..19 for NORMAL, 0 otherwise
     * @param reasons  bit set of {@link dev.vboost.api.wire.BoostReason}
     * @throws IllegalArgumentException for values the spec forbids; nothing is written then
     * @throws dev.vboost.api.VboostException E_STALE_GENERATION when the region is no longer READY at the generation
     *     attached to (spec §5.3, §5.9: re-attach first); nothing is written then
     * @param slot the vCPU's slot
     * @param policy the scheduling policy asked for
     * @return the new request id, larger than any before it on this slot
     */
    long requestBoost(int slot, SchedPolicy policy, int priority, int nice, int reasons);

    /**
     * Publishes an UNBOOST request (spec §5.4) and returns its request id.
     *
     * @throws dev.vboost.api.VboostException E_STALE_GENERATION as {@link #requestBoost}
     * @param slot the vCPU's slot
     * @return the new request id
     */
    long release(int slot);

    /**
     * Acknowledges host-initiated boost {@code hostBoostId} on {@code slot} (spec §5.5).
     *
     * @param slot the vCPU's slot
     * @param hostBoostId the id read from the slot's host line
     */
    void acknowledgeHostBoost(int slot, long hostBoostId);

    /**
     * Bounded seqlock read of the slot's host line into {@code dst} (spec §4.3). Allocation-free.
     *
     * @param slot the vCPU's slot
     * @param dst receives the line
     * @return OK, BUSY (the host kept the line busy; bounded retries ran out) or INVALID
     */
    ReadStatus readHostState(int slot, HostSlotSnapshot dst);

    /**
     * Waits until the host has acted on {@code requestId} ({@code acted_request_id >= requestId}) or the
     * timeout passes; {@code dst} holds the last state read.
     *
     * @return true if the host acted in time
     * @param slot the vCPU's slot
     * @param requestId an id returned by {@link #requestBoost} or {@link #release}
     * @param timeoutNanos longest wait
     * @param dst receives the host line
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    boolean awaitActed(int slot, long requestId, long timeoutNanos, HostSlotSnapshot dst) throws InterruptedException;

    /**
     * True once the host has re-initialised the region (its generation moved on or it is not READY).
     *
     * @return true if this guest must attach again
     */
    boolean hostRestarted();

    /** Marks the guest header DETACHED (spec §5.8). Idempotent. */
    void detach();

    @Override
    default void close() {
        detach();
    }
}
