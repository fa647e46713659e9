package dev.vboost.impl.line;

import dev.vboost.api.HostHeader;
import dev.vboost.api.ReadStatus;
import dev.vboost.api.WireError;
import dev.vboost.api.layout.HostHeaderLayout;
import dev.vboost.api.layout.RegionLayout;
import dev.vboost.api.memory.SharedMemory;
import dev.vboost.api.wire.Feature;
import dev.vboost.api.wire.RegionState;
import dev.vboost.impl.memory.Fences;

/**
 * Reader of the host header (spec §3.2) with the publication check of spec §4.4: {@code region_state} and
 * {@code host_generation} act as the header's sequence, so a copy counts only if both are the same before and
 * after the field loads. Holds the last copy in raw wire form; {@link #validate(long)} applies spec §6.
 *
 * <p><b>Threading:</b> not thread-safe (it holds the copy); one per reading thread. <b>Ownership:</b> never
 * writes. <b>Allocation:</b> none, except {@link #toRecord()}.
 */
public final class HostHeaderReader {
    private final SharedMemory memory;
    private final Fences fences;

    private int magic;
    private int abiMajor;
    private int abiMinor;
    private int headerSize;
    private int slotSize;
    private int slotCount;
    private long hostFeatures;
    private int generation;
    private int regionState;
    private int prioCeiling;
    private int maxBoostUs;
    private long regionSize;

    public HostHeaderReader(SharedMemory memory) {
        if (memory.capacity() < HostHeaderLayout.LENGTH) {
            throw new IllegalArgumentException("memory of " + memory.capacity() + " bytes cannot hold a host header");
        }
        this.memory = memory;
        this.fences = Fences.of(memory);
    }

    /** Takes a consistent copy in at most {@link RegionLayout#MAX_READ_ATTEMPTS} attempts: OK or BUSY. */
    public ReadStatus read() {
        for (int attempt = 0; attempt < RegionLayout.MAX_READ_ATTEMPTS; attempt++) {
            final int state1 = memory.getIntAcquire(HostHeaderLayout.REGION_STATE_OFFSET); // pairs with host H4/H1 release (spec §4.4)
            final int gen1 = memory.getInt(HostHeaderLayout.HOST_GENERATION_OFFSET);        // H3 value, ordered by the acquire
            magic = memory.getInt(HostHeaderLayout.MAGIC_OFFSET);                    // plain copy, checked below
            abiMajor = memory.getShort(HostHeaderLayout.ABI_MAJOR_OFFSET) & 0xFFFF;
            abiMinor = memory.getShort(HostHeaderLayout.ABI_MINOR_OFFSET) & 0xFFFF;
            headerSize = memory.getShort(HostHeaderLayout.HEADER_SIZE_OFFSET) & 0xFFFF;
            slotSize = memory.getShort(HostHeaderLayout.SLOT_SIZE_OFFSET) & 0xFFFF;
            slotCount = memory.getInt(HostHeaderLayout.SLOT_COUNT_OFFSET);
            hostFeatures = memory.getLong(HostHeaderLayout.HOST_FEATURES_OFFSET);
            prioCeiling = memory.getInt(HostHeaderLayout.PRIO_CEILING_OFFSET);
            maxBoostUs = memory.getInt(HostHeaderLayout.MAX_BOOST_US_OFFSET);
            regionSize = memory.getLong(HostHeaderLayout.REGION_SIZE_OFFSET);
            fences.acquireFence();                                                   // field loads before the re-check (spec §4.4)
            final int state2 = memory.getIntAcquire(HostHeaderLayout.REGION_STATE_OFFSET); // pairs with host H1/H4 release (spec §4.4)
            final int gen2 = memory.getInt(HostHeaderLayout.HOST_GENERATION_OFFSET);
            if (state1 == state2 && gen1 == gen2) {
                regionState = state1;
                generation = gen1;
                return ReadStatus.OK;
            }
            Thread.onSpinWait();
        }
        return ReadStatus.BUSY;
    }

    /**
     * Checks C2..C13 of spec §6.2, in the spec's order, on the copy taken from memory of {@code capacity}
     * bytes: magic, ABI major, region state (NOT_READY stops there: the other fields may be half-written),
     * geometry, slot count, region size, generation, reserved feature bits (only when the host's minor is
     * not newer than ours), limits. A region that passes them all and is DISABLED answers {@code E_DISABLED},
     * its attach outcome.
     */
    public WireError validate(long capacity) {
        if (magic != RegionLayout.MAGIC) {
            return WireError.BAD_MAGIC;
        }
        if (abiMajor != RegionLayout.ABI_MAJOR) {
            return WireError.UNSUPPORTED_MAJOR;
        }
        RegionState state = RegionState.fromCode(regionState);
        if (state == RegionState.UNKNOWN) {                             // C4
            return WireError.BAD_STATE;
        }
        if (state == RegionState.NOT_READY) {                           // C5: other fields may be half-written
            return WireError.NOT_READY;
        }
        if (headerSize != RegionLayout.HEADER_SIZE || slotSize != RegionLayout.SLOT_SIZE) { // C6
            return WireError.BAD_GEOMETRY;
        }
        if (slotCount <= 0 || slotCount > RegionLayout.MAX_SLOTS) {    // C7; u32: a negative int is above 2^31
            return WireError.BAD_SLOT_COUNT;
        }
        long expected = RegionLayout.regionSize(slotCount);
        if (regionSize != expected || capacity < expected) {            // C8, C9
            return WireError.TRUNCATED;
        }
        if (state == RegionState.READY && generation == 0) {            // C10
            return WireError.NOT_READY;
        }
        if (abiMinor <= RegionLayout.ABI_MINOR && Feature.hasUndefinedBits(hostFeatures, abiMinor)) { // C11
            return WireError.RESERVED_BITS;
        }
        if (prioCeiling < 1 || prioCeiling > RegionLayout.PRIO_MAX || maxBoostUs == 0) {   // C12, C13
            return WireError.INVALID_VALUE;
        }
        if (state == RegionState.DISABLED) {                            // a valid region the host switched off
            return WireError.DISABLED;
        }
        return WireError.NONE;
    }

    /** A sentence naming the broken rule with the values found; for exception messages (allocates). */
    public String describe(WireError error, long capacity) {
        switch (error) {
            case BAD_MAGIC:
                return String.format("magic is 0x%08X, expected 0x%08X ('VBST')", magic, RegionLayout.MAGIC);
            case UNSUPPORTED_MAJOR:
                return "ABI " + abiMajor + "." + abiMinor + ", this implementation speaks major " + RegionLayout.ABI_MAJOR;
            case BAD_STATE:
                return "region_state holds unknown code " + Integer.toUnsignedLong(regionState);
            case NOT_READY:
                return "region is not ready (region_state " + Integer.toUnsignedLong(regionState)
                        + ", host_generation " + Integer.toUnsignedLong(generation) + "); the host has not published it";
            case DISABLED:
                return "the host disabled the region (generation " + Integer.toUnsignedLong(generation) + ")";
            case BAD_GEOMETRY:
                return "header_size " + headerSize + " / slot_size " + slotSize + ", expected "
                        + RegionLayout.HEADER_SIZE + " / " + RegionLayout.SLOT_SIZE;
            case BAD_SLOT_COUNT:
                return "slot_count " + Integer.toUnsignedLong(slotCount) + " outside 1.." + RegionLayout.MAX_SLOTS;
            case TRUNCATED:
                return "region_size field 0x" + Long.toHexString(regionSize) + ", memory " + capacity
                        + " bytes, size formula for " + slotCount + " slots " + RegionLayout.regionSize(slotCount);
            case RESERVED_BITS:
                return String.format("host_features 0x%X has bits outside 0x%X (ABI minor %d)", hostFeatures,
                        Feature.definedMask(abiMinor), abiMinor);
            case INVALID_VALUE:
                return "prio_ceiling " + Integer.toUnsignedLong(prioCeiling) + " (1.." + RegionLayout.PRIO_MAX
                        + ") / max_boost_us " + Integer.toUnsignedLong(maxBoostUs) + " (> 0)";
            default:
                return error.rule();
        }
    }

    /**
     * Cheap check that the region is still READY at {@code attachedGeneration}: the state with acquire, then
     * the generation. Used by the guest to notice a host restart or disable (spec §5.9, §5.7).
     */
    public boolean readyAt(int attachedGeneration) {
        int state = memory.getIntAcquire(HostHeaderLayout.REGION_STATE_OFFSET);   // pairs with host H1/H4 release (spec §4.4, §5.9)
        return state == RegionState.READY.code()
                && memory.getInt(HostHeaderLayout.HOST_GENERATION_OFFSET) == attachedGeneration;
    }

    /** Current region state, acquire; pairs with the host's release stores of H1, H4 and disable. */
    public RegionState regionState() {
        return RegionState.fromCode(memory.getIntAcquire(HostHeaderLayout.REGION_STATE_OFFSET)); // pairs with H1/H4/disable (spec §4.4)
    }

    /** The last copy, decoded; allocates. */
    public HostHeader toRecord() {
        return new HostHeader(Integer.toUnsignedLong(magic), abiMajor, abiMinor, headerSize, slotSize,
                Integer.toUnsignedLong(slotCount), hostFeatures, Integer.toUnsignedLong(generation),
                RegionState.fromCode(regionState), Integer.toUnsignedLong(prioCeiling),
                Integer.toUnsignedLong(maxBoostUs), regionSize);
    }

    public int magic() {
        return magic;
    }

    public int abiMajor() {
        return abiMajor;
    }

    public int abiMinor() {
        return abiMinor;
    }

    public int slotCount() {
        return slotCount;
    }

    public long hostFeatures() {
        return hostFeatures;
    }

    public int generation() {
        return generation;
    }

    public int regionStateCode() {
        return regionState;
    }

    public int prioCeiling() {
        return prioCeiling;
    }

    public int maxBoostUs() {
        return maxBoostUs;
    }

    public long regionSize() {
        return regionSize;
    }
}
