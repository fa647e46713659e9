package dev.vboost.impl;

import dev.vboost.api.HostHeader;
import dev.vboost.api.HostSlotSnapshot;
import dev.vboost.api.ReadStatus;
import dev.vboost.api.VboostException;
import dev.vboost.api.WireError;
import dev.vboost.api.layout.RegionLayout;
import dev.vboost.api.memory.SharedMemory;
import dev.vboost.api.role.GuestEndpoint;
import dev.vboost.api.wire.BoostReason;
import dev.vboost.api.wire.Feature;
import dev.vboost.api.wire.RegionState;
import dev.vboost.api.wire.SchedPolicy;
import dev.vboost.impl.line.GuestHeaderWriter;
import dev.vboost.impl.line.GuestRequestWriter;
import dev.vboost.impl.line.HostHeaderReader;
import dev.vboost.impl.line.HostStateReader;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;

/**
 * The guest side of one attached region over a {@link SharedMemory}: single writer of the guest header and of
 * every slot's guest line.
 *
 * <p><b>Threading:</b> calls for one slot from one thread at a time; slots are independent. Reads of host
 * state and {@link #hostRestarted()} are safe from any thread. <b>Allocation:</b> none on the request, release,
 * acknowledge, read and wait paths.
 */
final class GuestRegionEndpoint implements GuestEndpoint {
    /** Reads spent spinning in {@link #awaitActed} before it starts to yield. */
    static final int AWAIT_SPINS = 1_000;
    /** Reads with a {@link Thread#yield()} between them, after the spins and before parking. */
    static final int AWAIT_YIELDS = 1_000;
    /** Longest single park in {@link #awaitActed}; the wait backs off to it from {@link #MIN_PARK_NANOS}. */
    static final long MAX_PARK_NANOS = 1_000_000L;
    static final long MIN_PARK_NANOS = 1_000L;

    private final SharedMemory memory;
    // the header as raw values, not the record (Lincheck's model checker cannot snapshot records)
    private final long hostMagic;
    private final int hostAbiMinor;
    private final int hostSlotCount;
    private final long hostFeatures;
    private final int hostRegionState;
    private final int prioCeiling;
    private final int maxBoostUs;
    private final long regionSize;
    private final int generation;
    private final long acceptedFeatures;
    private final GuestHeaderWriter headerWriter;
    private final HostHeaderReader headerReader;
    private final GuestRequestWriter[] writers;
    private final HostStateReader[] readers;
    private final Doorbell doorbell;
    private final boolean rings;
    private volatile boolean detached;

    GuestRegionEndpoint(SharedMemory memory, HostHeaderReader attachedHeader, long acceptedFeatures,
            GuestHeaderWriter headerWriter, GuestRequestWriter[] writers, Doorbell doorbell) {
        this.doorbell = doorbell;
        this.rings = doorbell != Doorbell.NONE;
        this.memory = memory;
        this.hostMagic = Integer.toUnsignedLong(attachedHeader.magic());
        this.hostAbiMinor = attachedHeader.abiMinor();
        this.hostSlotCount = attachedHeader.slotCount();
        this.hostFeatures = attachedHeader.hostFeatures();
        this.hostRegionState = attachedHeader.regionStateCode();
        this.prioCeiling = attachedHeader.prioCeiling();
        this.maxBoostUs = attachedHeader.maxBoostUs();
        this.regionSize = attachedHeader.regionSize();
        this.generation = attachedHeader.generation();
        this.acceptedFeatures = acceptedFeatures;
        this.headerWriter = headerWriter;
        this.headerReader = new HostHeaderReader(memory);
        this.writers = writers;
        this.readers = new HostStateReader[writers.length];
        for (int i = 0; i < readers.length; i++) {
            readers[i] = new HostStateReader(memory, i);
        }
    }

    @Override
    public int slotCount() {
        return writers.length;
    }

    /** As validated at attach; a new record per call. */
    @Override
    public HostHeader hostHeader() {
        return new HostHeader(hostMagic, RegionLayout.ABI_MAJOR, hostAbiMinor, RegionLayout.HEADER_SIZE,
                RegionLayout.SLOT_SIZE, Integer.toUnsignedLong(hostSlotCount), hostFeatures,
                Integer.toUnsignedLong(generation), RegionState.fromCode(hostRegionState),
                Integer.toUnsignedLong(prioCeiling), Integer.toUnsignedLong(maxBoostUs), regionSize);
    }

    @Override
    public long acceptedFeatures() {
        return acceptedFeatures;
    }

    /** The host generation this guest attached to. */
    long attachedGeneration() {
        return Integer.toUnsignedLong(generation);
    }

    @Override
    public long requestBoost(int slot, SchedPolicy policy, int priority, int nice, int reasons) {
        GuestRequestWriter w = requester(slot);
        switch (policy) {
            case FIFO:
            case RR:
                if (priority < 1 || priority > RegionLayout.PRIO_MAX || nice != 0) {
                    throw new IllegalArgumentException(policy + " needs priority 1.." + RegionLayout.PRIO_MAX
                            + " and nice 0, got priority " + priority + ", nice " + nice);
                }
                break;
            case NORMAL:
                if (!Feature.NICE_HINTS.in(acceptedFeatures)) {
                    throw new IllegalArgumentException("a NORMAL (nice) request needs feature NICE_HINTS, "
                            + "which was not negotiated");
                }
                if (priority != 0 || nice < RegionLayout.NICE_MIN || nice > RegionLayout.NICE_MAX) {
                    throw new IllegalArgumentException("NORMAL needs priority 0 and nice " + RegionLayout.NICE_MIN
                            + ".." + RegionLayout.NICE_MAX + ", got priority " + priority + ", nice " + nice);
                }
                break;
            default:
                throw new IllegalArgumentException("policy " + policy + " cannot be requested");
        }
        if (BoostReason.hasUndefinedBits(reasons)) {
            throw new IllegalArgumentException("reasons 0x" + Integer.toHexString(reasons) + " have undefined bits");
        }
        long id = w.boost(policy.code(), priority, nice, reasons);    // spec §5.3 G1, G2
        ring();                                                        // G3, spec §12.4
        return id;
    }

    @Override
    public long release(int slot) {
        long id = requester(slot).unboost();                           // spec §5.4
        ring();
        return id;
    }

    @Override
    public void acknowledgeHostBoost(int slot, long hostBoostId) {
        GuestRequestWriter w = writer(slot);
        if (hostBoostId < 0) {
            throw new IllegalArgumentException("host boost id must be below 2^63: " + hostBoostId);
        }
        w.acknowledge(hostBoostId);                                    // spec §5.5; an older id is a no-op
        ring();
    }

    /**
     * Spec §12.4: the line's W4 (a release store, done by the writer) is ordered before the ring by a full
     * fence, so the host can never take the ring and then read the line's old counter. Without a doorbell
     * nothing is done (lazy mode).
     */
    private void ring() {
        if (rings) {
            VarHandle.fullFence();
            doorbell.ring();
        }
    }

    /**
     * The slot's writer for a request (G1..G2): spec §5.3 and §5.9, requests only while attached at the current
     * generation; a stale guest refuses with E_STALE_GENERATION and writes nothing (a host restarted, is
     * re-initialising or disabled the region).
     */
    private GuestRequestWriter requester(int slot) {
        GuestRequestWriter w = writer(slot);
        if (hostRestarted()) {
            throw new VboostException(WireError.STALE_GENERATION, "the region is no longer READY at generation "
                    + attachedGeneration() + ", which this guest attached to; re-attach before requesting");
        }
        return w;
    }

    private GuestRequestWriter writer(int slot) {
        GuestRequestWriter w = writers[Objects.checkIndex(slot, writers.length)];
        if (detached) {
            throw new IllegalStateException("guest endpoint is detached");
        }
        return w;
    }

    @Override
    public ReadStatus readHostState(int slot, HostSlotSnapshot dst) {
        return readers[Objects.checkIndex(slot, readers.length)].read(dst);
    }

    /**
     * Spins {@value #AWAIT_SPINS} reads, yields the processor between the next {@value #AWAIT_YIELDS} (the host
     * thread may share it), then parks with a back-off from 1 µs to 1 ms between reads, until the
     * host has acted on {@code requestId}, the timeout passes, or the host restarts or disables the region
     * (then it returns false at once: this generation's host will not act).
     */
    @Override
    public boolean awaitActed(int slot, long requestId, long timeoutNanos, HostSlotSnapshot dst)
            throws InterruptedException {
        HostStateReader reader = readers[Objects.checkIndex(slot, readers.length)];
        final long start = System.nanoTime();
        final long timeout = Math.max(0L, timeoutNanos);
        long park = MIN_PARK_NANOS;
        int spins = 0;
        while (true) {
            if (reader.read(dst) == ReadStatus.OK && dst.actedRequestId() >= requestId) {
                // §5.9 step 3: a restarted host publishes the guest's id as acted without acting on it; the header
                // is read after the line, so a line of the new generation is seen with its H1 (NOT_READY) or later
                return !hostRestarted();
            }
            long left = timeout - (System.nanoTime() - start);
            if (left <= 0) {
                return false;
            }
            if (Thread.interrupted()) {
                throw new InterruptedException("interrupted while waiting for request " + requestId);
            }
            if (spins < AWAIT_SPINS + AWAIT_YIELDS) {
                if (spins++ < AWAIT_SPINS) {
                    Thread.onSpinWait();
                } else {
                    Thread.yield();
                }
                continue;
            }
            if (hostRestarted()) {
                return false;
            }
            LockSupport.parkNanos(Math.min(left, park));
            park = Math.min(park * 2, MAX_PARK_NANOS);
        }
    }

    @Override
    public boolean hostRestarted() {
        return !headerReader.readyAt(generation);
    }

    @Override
    public synchronized void detach() {
        if (!detached) {
            detached = true;
            headerWriter.detach();                                     // spec §5.8
            ring();                                                    // spec §12.3: the guest header changed
        }
    }

    @Override
    public String toString() {
        return "GuestEndpoint[slots=" + writers.length + ", generation=" + attachedGeneration() + ", features=0x"
                + Long.toHexString(acceptedFeatures) + ", " + memory + "]";
    }
}
