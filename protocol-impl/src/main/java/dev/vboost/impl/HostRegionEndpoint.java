package dev.vboost.impl;

import dev.vboost.api.GuestHeader;
import dev.vboost.api.GuestSlotSnapshot;
import dev.vboost.api.HostSlotSnapshot;
import dev.vboost.api.ReadStatus;
import dev.vboost.api.WireError;
import dev.vboost.api.layout.GuestSlotLayout;
import dev.vboost.api.layout.RegionLayout;
import dev.vboost.api.memory.SharedMemory;
import dev.vboost.api.role.HostEndpoint;
import dev.vboost.api.wire.AttachState;
import dev.vboost.api.wire.DenialReason;
import dev.vboost.api.wire.Feature;
import dev.vboost.api.wire.HostBoostFlag;
import dev.vboost.api.wire.SchedPolicy;
import dev.vboost.api.wire.SlotStatus;
import dev.vboost.impl.line.GuestHeaderReader;
import dev.vboost.impl.line.GuestRequestReader;
import dev.vboost.impl.line.HostHeaderWriter;
import dev.vboost.impl.line.HostStateWriter;
import java.util.Arrays;
import java.util.Objects;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The host side of one region over a {@link SharedMemory}. Writes the host header and host lines only;
 * everything read from the guest goes through a bounded, validated seqlock read.
 *
 * <p><b>Threading:</b> not thread-safe; one host thread. <b>Allocation:</b> none on
 * {@link #pollChangedSlots}, {@link #readRequest}, {@link #publishState} and {@link #startHostBoost} (exceptions
 * for a caller's bad arguments aside).
 */
final class HostRegionEndpoint implements HostEndpoint {
    /** Offset of slot 0's guest-line counter; slot i's is this plus i x SLOT_SIZE (spec §3.1, §3.4). */
    private static final int FIRST_GUEST_SEQ = RegionLayout.guestLineOffset(0) + GuestSlotLayout.GUEST_SEQ_OFFSET;

    private final SharedMemory memory;
    // the config's values, not the record: keeps the endpoint's object graph free of records, which
    // Lincheck's model checker cannot snapshot
    private final int configSlotCount;
    private final long hostFeatures;
    private final int prioCeiling;
    private final int maxBoostUs;
    private final HostHeaderWriter header;
    private final GuestHeaderReader guestHeader;
    private boolean lastGuestAttached;
    private long lastAcceptedFeatures;
    private WireError lastGuestHeaderError = WireError.NONE;
    private final GuestRequestReader[] readers;
    private final HostStateWriter[] writers;
    private final int[] lastSeen;
    private int cursor;
    private int generation;
    /** The generation {@link #publishReady()} will publish; 0 once published. */
    private int pendingGeneration;
    private boolean closed;

    private HostRegionEndpoint(SharedMemory memory, HostRegionConfig config) {
        this.memory = memory;
        this.configSlotCount = config.slotCount();
        this.hostFeatures = config.hostFeatures();
        this.prioCeiling = config.prioCeiling();
        this.maxBoostUs = config.maxBoostUs();
        this.header = new HostHeaderWriter(memory);
        this.guestHeader = new GuestHeaderReader(memory);
        int n = config.slotCount();
        this.readers = new GuestRequestReader[n];
        this.writers = new HostStateWriter[n];
        for (int i = 0; i < n; i++) {
            readers[i] = new GuestRequestReader(memory, i);
            writers[i] = new HostStateWriter(memory, i);
        }
        this.lastSeen = new int[n];
    }

    static HostRegionEndpoint create(SharedMemory memory, HostRegionConfig config) {
        return create(memory, config, true);
    }

    /** As {@link #create(SharedMemory, HostRegionConfig)}; {@code ready} false stops before H3/H4. */
    static HostRegionEndpoint create(SharedMemory memory, HostRegionConfig config, boolean ready) {
        long size = config.regionSize();
        if (memory.capacity() < size) {
            throw new IllegalArgumentException("memory of " + memory.capacity() + " bytes is smaller than the "
                    + size + " bytes a region of " + config.slotCount() + " slots needs");
        }
        HostRegionEndpoint host = new HostRegionEndpoint(memory, config);
        host.initialise(ready);
        return host;
    }

    /**
     * Spec §4.4 H1..H4 and §5.9: NOT_READY first, then the host lines and header fields, READY last. A region
     * of this ABI left by an earlier host keeps its guest lines (they belong to the guest) when the slot count
     * is unchanged and its generation moves on by one; any other memory is zeroed first.
     */
    private void initialise(boolean ready) {
        int regionSize = (int) RegionLayout.regionSize(configSlotCount);
        int previous = header.previousGeneration();
        boolean keepGuestLines = previous != 0 && header.previousSlotCount() == configSlotCount;
        header.markNotReady();                                                     // H1
        if (!keepGuestLines) {
            // fresh or foreign memory: nobody is attached, the whole region is the host's to clear
            memory.setMemory(0, regionSize, (byte) 0);
        }
        GuestSlotSnapshot standing = new GuestSlotSnapshot();
        for (int i = 0; i < writers.length; i++) {
            // §5.9 step 3: acted = the guest's current id when its line reads consistent (HA1's bounded read) with a
            // valid id; the line's other values do not matter, a pending request is void either way
            long id = readers[i].read(standing) != ReadStatus.BUSY ? standing.requestId() : 0;
            writers[i].reset(id);                                                  // host lines, W1..W4 each
        }
        header.writeFields(RegionLayout.ABI_MINOR, configSlotCount, hostFeatures, prioCeiling, maxBoostUs,
                regionSize);                                                       // H2
        pendingGeneration = HostHeaderWriter.nextGeneration(previous);
        generation = 0;
        if (ready) {
            publishReady();                                                        // H3, H4
        }
        Arrays.fill(lastSeen, 0);
        cursor = 0;
        lastGuestAttached = false;
        lastAcceptedFeatures = 0;
        lastGuestHeaderError = WireError.NONE;
    }

    @Override
    public boolean ready() {
        return pendingGeneration == 0 && generation != 0;
    }

    @Override
    public void publishReady() {
        checkOpen();
        if (pendingGeneration == 0) {
            return;
        }
        generation = pendingGeneration;
        pendingGeneration = 0;
        header.publishReady(generation);                                           // H3, H4
    }

    @Override
    public int slotCount() {
        return readers.length;
    }

    @Override
    public long generation() {
        return Integer.toUnsignedLong(generation);
    }

    HostRegionConfig config() {
        return new HostRegionConfig(configSlotCount, hostFeatures, prioCeiling, maxBoostUs);
    }

    /**
     * Reports each slot whose guest-line counter differs from the value seen at the previous report, scanning
     * round-robin from where the last call stopped so a short {@code dst} starves no slot. After (re)start
     * every slot whose counter is non-zero is reported once.
     *
     * <p>Reads the counters straight from memory at a fixed stride (slot {@code i}'s counter is
     * {@code FIRST_GUEST_SEQ + i * SLOT_SIZE}) in two straight runs, cursor to the
     * last slot then slot 0 to the cursor, so the loop does no per-slot object load or wrap test.
     */
    @Override
    public int pollChangedSlots(int[] dst) {
        final SharedMemory m = memory;
        final int[] seen = lastSeen;
        final int count = seen.length;
        final int max = dst.length;
        final int start = cursor;
        int n = 0;
        int i = start;
        int index = FIRST_GUEST_SEQ + start * RegionLayout.SLOT_SIZE;
        for (; i < count && n < max; i++, index += RegionLayout.SLOT_SIZE) {
            final int s = m.getIntAcquire(index);       // R1 only: acquire, pairs with guest W4 (spec §4.3, §5.2)
            if (s != seen[i]) {
                seen[i] = s;
                dst[n++] = i;
            }
        }
        if (i == count) {                               // first run done: wrap to slot 0, up to the start
            i = 0;
            index = FIRST_GUEST_SEQ;
            for (; i < start && n < max; i++, index += RegionLayout.SLOT_SIZE) {
                final int s = m.getIntAcquire(index);   // R1 only: acquire, pairs with guest W4 (spec §4.3, §5.2)
                if (s != seen[i]) {
                    seen[i] = s;
                    dst[n++] = i;
                }
            }
        }
        cursor = i == count ? 0 : i;
        return n;
    }

    @Override
    public ReadStatus readRequest(int slot, GuestSlotSnapshot dst) {
        return readers[Objects.checkIndex(slot, readers.length)].read(dst);
    }

    @Override
    public @Nullable GuestHeader readGuestHeader() {
        return guestHeader.read() == ReadStatus.OK ? guestHeader.toRecord() : null;
    }

    @Override
    public boolean guestAttached() {
        if (guestHeader.read() == ReadStatus.BUSY) {
            return lastGuestAttached; // a guest mid-write (re-attaching, detaching) keeps its last answer
        }
        WireError error = guestHeader.validate(generation, RegionLayout.ABI_MINOR, hostFeatures); // CG2..CG7
        lastGuestHeaderError = error;
        lastGuestAttached = error == WireError.NONE && guestHeader.attachState() == AttachState.ATTACHED;
        if (lastGuestAttached) {
            lastAcceptedFeatures = guestHeader.acceptedFeatures();
        }
        return lastGuestAttached;
    }

    @Override
    public long acceptedFeatures() {
        return lastAcceptedFeatures;
    }

    @Override
    public WireError guestHeaderError() {
        return lastGuestHeaderError;
    }

    @Override
    public void publishState(int slot, HostSlotSnapshot state) {
        HostStateWriter w = writers[Objects.checkIndex(slot, writers.length)];
        checkOpen();
        checkState(state.statusCode(), state.policyCode(), state.priority(), state.denialCode(),
                state.hostBoostFlags(), state.actedRequestId(), state.hostBoostId(), w.hostBoostId());
        w.publish(state.statusCode(), state.policyCode(), state.priority(), state.denialCode(),
                state.hostBoostFlags(), state.budgetRemainingUs(), state.actedRequestId(), state.hostBoostId());
    }

    private void checkState(int status, int policy, int priority, int denial, int flags, long acted, long boostId,
            long currentBoostId) {
        if (SlotStatus.fromCode(status) == SlotStatus.UNKNOWN || SchedPolicy.fromCode(policy) == SchedPolicy.UNKNOWN
                || DenialReason.fromCode(denial) == DenialReason.UNKNOWN) {
            throw new IllegalArgumentException("unknown status " + status + ", policy " + policy + " or denial " + denial);
        }
        if (priority < 0 || priority > RegionLayout.PRIO_MAX) {
            throw new IllegalArgumentException("priority " + priority + " outside 0.." + RegionLayout.PRIO_MAX);
        }
        if (HostBoostFlag.hasUndefinedBits(flags)) {
            throw new IllegalArgumentException("host boost flags 0x" + Integer.toHexString(flags) + " have undefined bits");
        }
        if (acted < 0 || boostId < 0) {
            throw new IllegalArgumentException("ids must be below 2^63: acted " + acted + ", host boost " + boostId);
        }
        if (boostId < currentBoostId) {
            throw new IllegalArgumentException("host boost id " + boostId + " goes back from " + currentBoostId);
        }
    }

    @Override
    public long startHostBoost(int slot, int hostBoostFlags, SchedPolicy policy, int priority) {
        HostStateWriter w = writers[Objects.checkIndex(slot, writers.length)];
        checkOpen();
        if (!Feature.HOST_BOOST.in(hostFeatures)) {
            throw new IllegalStateException("this region does not offer HOST_BOOST");
        }
        if (hostBoostFlags == 0 || HostBoostFlag.hasUndefinedBits(hostBoostFlags)) {
            throw new IllegalArgumentException("host boost flags 0x" + Integer.toHexString(hostBoostFlags)
                    + " must be a non-empty set of defined flags");
        }
        if (policy != SchedPolicy.FIFO && policy != SchedPolicy.RR) {
            throw new IllegalArgumentException("a host boost is FIFO or RR, not " + policy);
        }
        if (priority < 1 || priority > prioCeiling) {
            throw new IllegalArgumentException("priority " + priority + " outside 1.." + prioCeiling);
        }
        if (w.hostBoostId() == Long.MAX_VALUE) {
            throw new IllegalStateException("host boost ids exhausted");
        }
        long id = w.hostBoostId() + 1;
        w.publish(SlotStatus.BOOSTED.code(), policy.code(), priority, DenialReason.NONE.code(), hostBoostFlags,
                w.budgetRemainingUs(), w.actedRequestId(), id);
        return id;
    }

    @Override
    public void lastPublished(int slot, HostSlotSnapshot dst) {
        HostStateWriter w = writers[Objects.checkIndex(slot, writers.length)];
        dst.set(w.seq(), w.status(), w.policy(), w.priority(), w.denial(), w.hostBoostFlags(), w.budgetRemainingUs(),
                w.actedRequestId(), w.hostBoostId());
    }

    @Override
    public void disable() {
        checkOpen();
        header.disable();
    }

    @Override
    public void restart() {
        checkOpen();
        initialise(true);
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("host endpoint is closed");
        }
    }

    /** Disables the region (guests stop asking); the memory stays the caller's. Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            header.disable();
            closed = true;
        }
    }

    @Override
    public String toString() {
        return "HostEndpoint[slots=" + readers.length + ", generation=" + generation() + ", " + memory + "]";
    }
}
