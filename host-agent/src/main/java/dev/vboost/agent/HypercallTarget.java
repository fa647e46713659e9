package dev.vboost.agent;

/**
 * What the hypercall dispatcher needs from the host side of one VM. {@link HostAgent#hypercallTarget(String)}
 * gives the agent's; tests may supply their own. Implementations must be safe to call from any thread.
 */
public interface HypercallTarget {

    /**
     * The region's slot count, for checking a slot number a guest passes.
     *
     * @return slots in the VM's region
     */
    int slotCount();

    /**
     * The region's current generation, which ATTACH reports to the guest.
     *
     * @return the host generation the region is at now (non-zero while the region is READY)
     */
    long generation();

    /**
     * The host's feature offer.
     *
     * @return feature bits the host offers in the region header
     */
    long hostFeatures();

    /**
     * Where the region is in guest memory, to check the address a guest's ATTACH names.
     *
     * @return guest-physical address of the VM's region, as the VMM mapped it
     */
    long regionGpa();

    /**
     * The region's size.
     *
     * @return size of the VM's region in bytes
     */
    long regionSize();

    /**
     * The guest registered the region (ATTACH succeeded): start watching its slots.
     *
     * @param acceptedFeatures the features the guest accepted
     */
    void attached(long acceptedFeatures);

    /** The guest left (DETACH succeeded): end its boosts and put its threads back. */
    void detached();

    /**
     * Slot {@code slot} changed (NOTIFY): handle it promptly. Returns false if the notification could not be
     * queued; the slot is still seen by the next poll.
     *
     * @param slot  the slot the guest named
     * @param flags the NOTIFY flags
     * @return false if not queued
     */
    boolean notifySlot(int slot, int flags);
}
