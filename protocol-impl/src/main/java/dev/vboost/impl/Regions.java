package dev.vboost.impl;

import dev.vboost.api.HostHeader;
import dev.vboost.api.ReadStatus;
import dev.vboost.api.VboostException;
import dev.vboost.api.WireError;
import dev.vboost.api.layout.HostHeaderLayout;
import dev.vboost.api.layout.HostHeaderLayout;
import dev.vboost.api.layout.RegionLayout;
import dev.vboost.api.memory.SharedMemory;
import dev.vboost.api.role.GuestEndpoint;
import dev.vboost.api.role.HostEndpoint;
import dev.vboost.api.wire.Feature;
import dev.vboost.api.wire.RegionState;
import dev.vboost.impl.line.GuestHeaderWriter;
import dev.vboost.impl.line.GuestRequestWriter;
import dev.vboost.impl.line.HostHeaderReader;
import java.time.Duration;

/**
 * Creating a region as the host and attaching to one as the guest (spec §5.2, §5.9).
 *
 * <pre>{@code
 * try (MappedRegionFile file = MappedRegionFile.create(dir.resolve("vm1.vboost"), RegionLayout.backingSize(4))) {
 *     HostEndpoint host = Regions.createHost(file.memory(), HostRegionConfig.defaults(4));
 *     ...
 * }
 * // in the guest-side process
 * GuestEndpoint guest = Regions.attachGuest(MappedRegionFile.open(path).memory(), Feature.DEFINED_MASK);
 * }</pre>
 */
public final class Regions {
    private Regions() {
    }

    /**
     * Initialises a region in {@code memory} and publishes it READY, last and with release (spec §4.4). If the
     * memory already holds a region of this ABI major, this is a host restart (spec §5.9): the generation
     * continues from the one found, +1, and guests attached to the old one see it change.
     *
     * @throws IllegalArgumentException if the memory is smaller than the region
     * @param memory the region's bytes
     * @param config the host's slot count, features and limits
     * @return the host endpoint over the region
     */
    public static HostEndpoint createHost(SharedMemory memory, HostRegionConfig config) {
        return HostRegionEndpoint.create(memory, config);
    }

    /**
     * Initialises a region in {@code memory} like {@link #createHost}, but leaves it NOT_READY (spec §4.4 H1, H2):
     * a region that nothing serves yet must not look served. The host that serves it publishes READY with
     * {@link HostEndpoint#publishReady()} (H3, H4); {@code HostAgent} does so once its thread is warmed up.
     * A guest that attaches before then waits ({@link #attachGuest(SharedMemory, long, Duration)} retries
     * NOT_READY), so starting the guest and the agent in either order is race-free.
     *
     * @param memory the region's memory
     * @param config the host's parameters
     * @return the host endpoint, not yet ready
     * @throws IllegalArgumentException if the memory is smaller than the region
     */
    public static HostEndpoint prepareHost(SharedMemory memory, HostRegionConfig config) {
        return HostRegionEndpoint.create(memory, config, false);
    }

    /**
     * Attaches to the region in {@code memory} (spec §5.2): reads and validates the host header, negotiates
     * the minor version (the lower of both) and the features (the host's offer intersected with
     * {@code guestFeatures}), takes every slot's guest line over and publishes the guest header ATTACHED.
     *
     * @param guestFeatures the {@link Feature} bits this guest implements
     * @throws VboostException naming the rule the region breaks: {@code E_TRUNCATED}, {@code E_BAD_MAGIC},
     *     {@code E_UNSUPPORTED_MAJOR}, {@code E_BAD_STATE}, {@code E_NOT_READY}, {@code E_DISABLED},
     *     {@code E_BAD_GEOMETRY}, {@code E_BAD_SLOT_COUNT}, {@code E_RESERVED_BITS}, {@code E_INVALID_VALUE},
     *     {@code E_BUSY}, or {@code E_STALE_GENERATION} if the host re-initialised the region meanwhile
     * @param memory the region's bytes
     * @return the attached guest endpoint
     */
    public static GuestEndpoint attachGuest(SharedMemory memory, long guestFeatures) {
        return attachGuest(memory, guestFeatures, Doorbell.NONE);
    }

    /**
     * As {@link #attachGuest(SharedMemory, long)}, with a doorbell this guest can ring (spec §12). The guest
     * accepts feature DOORBELL only if it has one ({@code doorbell} is not {@link Doorbell#NONE}), lists it in
     * {@code guestFeatures}, the host offers it and the negotiated minor is at least 1 (§12.2). Only when
     * accepted does the endpoint ring, after the attach and after every request, release, acknowledgement
     * and detach it publishes: after the line's W4 and a full fence (RG1, RG2, §12.4). A guest that did not
     * accept never rings.
     *
     * @param memory        the region's bytes
     * @param guestFeatures the {@link Feature} bits this guest implements
     * @param doorbell      the doorbell this guest can ring; {@link Doorbell#NONE} for none
     * @return the attached guest endpoint
     * @throws VboostException as for {@link #attachGuest(SharedMemory, long)}
     */
    public static GuestEndpoint attachGuest(SharedMemory memory, long guestFeatures, Doorbell doorbell) {
        if (Feature.hasUndefinedBits(guestFeatures)) {
            throw new IllegalArgumentException(String.format("guest features 0x%X have bits outside 0x%X",
                    guestFeatures, Feature.DEFINED_MASK));
        }
        HostHeaderReader header = readValidHeader(memory);
        int generation = header.generation();
        int minor = Math.min(RegionLayout.ABI_MINOR, header.abiMinor());                  // A2
        long canRing = doorbell != Doorbell.NONE ? -1L : ~Feature.DOORBELL.bit();         // §12.2
        long accepted = header.hostFeatures() & guestFeatures & Feature.definedMask(minor) & canRing;
        Doorbell rung = Feature.DOORBELL.in(accepted) ? doorbell : Doorbell.NONE;
        int slots = header.slotCount();
        GuestRequestWriter[] writers = new GuestRequestWriter[slots];
        for (int i = 0; i < slots; i++) {
            writers[i] = new GuestRequestWriter(memory, i);
            writers[i].claim();
        }
        GuestHeaderWriter guestHeader = new GuestHeaderWriter(memory);
        guestHeader.attach(minor, generation, accepted);
        if (rung != Doorbell.NONE) {
            java.lang.invoke.VarHandle.fullFence();                     // RG1: A3's W4 before the ring (§12.4)
            rung.ring();                                                // RG2
        }
        if (!header.readyAt(generation)) {
            throw new VboostException(WireError.STALE_GENERATION, "the host re-initialised or disabled the region "
                    + "while this guest attached to generation " + Integer.toUnsignedLong(generation) + "; attach again");
        }
        return new GuestRegionEndpoint(memory, header, accepted, guestHeader, writers, rung);
    }

    /**
     * Like {@link #attachGuest(SharedMemory, long)}, but while the region is not there yet (NOT_READY, a host
     * still writing the header so that magic or major are not yet in place, busy, or re-initialised during the
     * attach) retries until {@code timeout} passes, then throws the last error. Every other error (a DISABLED
     * region, a READY region of the wrong magic, major or geometry) is thrown at once.
     *
     * @param memory the region's bytes
     * @param guestFeatures the {@link Feature} bits this guest implements
     * @param timeout how long to wait for the region to become attachable
     * @return the attached guest endpoint
     * @throws VboostException the last error when the timeout passed, or an error that waiting cannot cure
     * @throws InterruptedException if the thread was interrupted while waiting
     */
    public static GuestEndpoint attachGuest(SharedMemory memory, long guestFeatures, Duration timeout)
            throws InterruptedException {
        return attachGuest(memory, guestFeatures, Doorbell.NONE, timeout);
    }

    /**
     * {@link #attachGuest(SharedMemory, long, Duration)} with a doorbell, negotiated as in
     * {@link #attachGuest(SharedMemory, long, Doorbell)}.
     *
     * @param memory the region's bytes
     * @param guestFeatures the {@link Feature} bits this guest implements
     * @param doorbell the doorbell this guest can ring; {@link Doorbell#NONE} for none
     * @param timeout how long to wait for the region to become attachable
     * @return the attached guest endpoint
     * @throws VboostException the last error when the timeout passed, or an error that waiting cannot cure
     * @throws InterruptedException if the thread was interrupted while waiting
     */
    public static GuestEndpoint attachGuest(SharedMemory memory, long guestFeatures, Doorbell doorbell,
            Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long park = 100_000L;
        while (true) {
            try {
                return attachGuest(memory, guestFeatures, doorbell);
            } catch (VboostException e) {
                if (!notThereYet(e, memory) || System.nanoTime() - deadline >= 0) {
                    throw e;
                }
            }
            if (Thread.interrupted()) {
                throw new InterruptedException("interrupted while waiting for the region");
            }
            java.util.concurrent.locks.LockSupport.parkNanos(park);
            park = Math.min(park * 2, 10_000_000L);
        }
    }

    private static boolean notThereYet(VboostException e, SharedMemory memory) {
        switch (e.error()) {
            case NOT_READY:
            case BUSY:
            case STALE_GENERATION:
                return true;
            case BAD_MAGIC:
            case UNSUPPORTED_MAJOR:
                // A host between H1 and H4 (spec §4.4) has not written every field yet, so a copy may hold a
                // zero magic or major; retry while the region reads NOT_READY or the answer has changed since.
                // A wrong magic or major that stays in a READY or DISABLED region is a wrong file: thrown.
                return memory.getIntAcquire(HostHeaderLayout.REGION_STATE_OFFSET)   // pairs with host H1/H4 (§4.4)
                        == RegionState.NOT_READY.code() || checkRegion(memory) != e.error();
            default:
                return false;
        }
    }

    /**
     * Reads and validates the host header of the region in {@code memory} without attaching (for inspection
     * tools); allocation aside, it never writes.
     *
     * @throws VboostException naming the broken rule, as {@link #attachGuest(SharedMemory, long)}
     * @param memory the region's bytes
     * @return a copy of the validated host header
     */
    public static HostHeader readHostHeader(SharedMemory memory) {
        return readValidHeader(memory).toRecord();
    }

    /**
     * The rule the region in {@code memory} breaks, or {@link WireError#NONE}; never throws for bad content.
     *
     * @param memory the region's bytes
     * @return the broken rule's error, or {@link WireError#NONE}
     */
    public static WireError checkRegion(SharedMemory memory) {
        try {
            readValidHeader(memory);
            return WireError.NONE;
        } catch (VboostException e) {
            return e.error();
        }
    }

    private static HostHeaderReader readValidHeader(SharedMemory memory) {
        if (memory.capacity() < HostHeaderLayout.LENGTH) {                 // C1; C9 checks the rest
            throw new VboostException(WireError.TRUNCATED, "memory of " + memory.capacity()
                    + " bytes cannot hold the " + HostHeaderLayout.LENGTH + "-byte host header");
        }
        HostHeaderReader header = new HostHeaderReader(memory);
        if (header.read() == ReadStatus.BUSY) {
            throw new VboostException(WireError.BUSY, "the host header kept changing for "
                    + RegionLayout.MAX_READ_ATTEMPTS + " attempts");
        }
        WireError error = header.validate(memory.capacity());
        if (error != WireError.NONE) {
            throw new VboostException(error, header.describe(error, memory.capacity()));
        }
        return header;
    }
}
