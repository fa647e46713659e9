package dev.vboost.api.role;

import dev.vboost.api.GuestHeader;
import dev.vboost.api.GuestSlotSnapshot;
import dev.vboost.api.HostSlotSnapshot;
import dev.vboost.api.ReadStatus;
import dev.vboost.api.wire.SchedPolicy;

/**
 * The host side of one region: what host agents embed. It is the single writer of the host header and of
 * every slot's host line (spec §5). Everything it reads from the guest is validated first. Not for
 * concurrent use: one host thread drives one endpoint.
 */
public interface HostEndpoint extends AutoCloseable {

    /**
     * Number of slots in the region (one per vCPU).
     *
     * @return the slot count
     */
    int slotCount();

    /**
     * Current host generation (non-zero while READY).
     *
     * @return the generation, an unsigned 32-bit value
     */
    long generation();

    /**
     * Whether the region was published READY (H4, spec §4.4) by this endpoint.
     *
     * @return true once READY
     */
    boolean ready();

    /**
     * Publishes a region created NOT_READY (H3: its new generation, H4: READY, last), once a host serves it;
     * does nothing if it is READY already.
     */
    void publishReady();

    /**
     * Finds slots whose guest-line counter moved since the last call, comparing counters only (spec §5.2);
     * writes their indexes to {@code dst} and returns how many. Allocation-free; bounded by {@code dst.length}.
     *
     * @param dst receives slot indexes
     * @return how many were written
     */
    int pollChangedSlots(int[] dst);

    /**
     * Bounded seqlock read and validation of the slot's guest line (spec §4.3, §3.4). Allocation-free.
     *
     * @param slot the slot
     * @param dst receives the line and its validation result
     * @return OK, BUSY or INVALID
     */
    ReadStatus readRequest(int slot, GuestSlotSnapshot dst);

    /**
     * Seqlock read of the guest header; {@code null} if the guest holds it busy.
     *
     * @return the header, or {@code null}
     */
    @org.checkerframework.checker.nullness.qual.Nullable GuestHeader readGuestHeader();

    /**
     * True if the guest header is a valid ATTACHED header for this host's current generation (spec §5.2):
     * same ABI major, accepted features a subset of the offer. Reads and validates the guest header; a header
     * the guest holds busy past the read bound (a guest in the middle of re-attaching) keeps the last answer.
     *
     * @return true while a guest is attached to this generation
     */
    boolean guestAttached();

    /**
     * The features the guest accepted (spec §5.2 A2), from the header that made {@link #guestAttached()} last
     * answer true; 0 before that. The host uses no feature outside this set (§3.6).
     *
     * @return the accepted feature bits
     */
    long acceptedFeatures();

    /**
     * The first of CG1..CG7 (spec §6.3) the guest header failed at the last {@link #guestAttached()}, or
     * {@link dev.vboost.api.WireError#NONE} if it passed or read DETACHED (a guest that is not there is not an
     * error). The host counts these (§6.6).
     *
     * @return the error, or {@code NONE}
     */
    dev.vboost.api.WireError guestHeaderError();

    /**
     * Publishes the slot's host line under the seqlock (spec §4.2 W1..W4). Allocation-free.
     *
     * @param slot the slot
     * @param state the line to publish ({@code seq} is ignored)
     */
    void publishState(int slot, HostSlotSnapshot state);

    /**
     * Copies the slot's host line as this endpoint last published it into {@code dst} (no shared-memory read),
     * so a caller can change a few fields and publish again; host boost ids must not go back.
     * Allocation-free.
     *
     * @param slot the slot
     * @param dst receives the line
     */
    void lastPublished(int slot, HostSlotSnapshot dst);

    /**
     * Starts a host-initiated boost (spec §5.5): next host boost id, status BOOSTED, the given flags.
     * Applying the priority to the thread is the caller's job; this publishes it.
     *
     * @return the new host boost id
     * @param slot the vCPU's slot
     * @param hostBoostFlags {@link dev.vboost.api.wire.HostBoostFlag} bits, e.g. TIMER
     * @param policy the policy applied
     * @param priority the priority applied
     */
    long startHostBoost(int slot, int hostBoostFlags, SchedPolicy policy, int priority);

    /** Sets the region DISABLED (spec §5.7); guests stop asking. */
    void disable();

    /**
     * Re-initialises the region as after a host restart (spec §5.9): NOT_READY, host lines reset, generation
     * +1, READY last. Guests attached to the old generation see {@link GuestEndpoint#hostRestarted()} and must
     * attach again.
     */
    void restart();

    /** Sets the region DISABLED, as {@link #disable()}; idempotent. The memory stays the caller's. */
    @Override
    void close();
}
