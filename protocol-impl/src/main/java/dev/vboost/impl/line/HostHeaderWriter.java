package dev.vboost.impl.line;

import dev.vboost.api.layout.HostHeaderLayout;
import dev.vboost.api.layout.RegionLayout;
import dev.vboost.api.memory.SharedMemory;
import dev.vboost.api.wire.RegionState;
import dev.vboost.impl.memory.Fences;

/**
 * Host-side writer of the host header (spec §3.2), its only writer. Every field but {@code region_state} is
 * written only while the region is NOT_READY; the steps are H1..H4 of spec §4.4:
 * H1 {@link #markNotReady()}, H2 {@link #writeFields}, H3 and H4 {@link #publishReady(int)}.
 *
 * <p><b>Threading:</b> not thread-safe; one host thread. <b>Allocation:</b> none.
 */
public final class HostHeaderWriter {
    private final SharedMemory memory;
    private final Fences fences;

    public HostHeaderWriter(SharedMemory memory) {
        this.memory = memory;
        this.fences = Fences.of(memory);
    }

    /**
     * The generation an earlier host left in this memory, or 0 if it holds no region of this ABI major
     * (spec §5.9). Read by the host that is about to take the memory over, so plain loads suffice.
     */
    public int previousGeneration() {
        if (memory.getInt(HostHeaderLayout.MAGIC_OFFSET) != RegionLayout.MAGIC
                || (memory.getShort(HostHeaderLayout.ABI_MAJOR_OFFSET) & 0xFFFF) != RegionLayout.ABI_MAJOR) {
            return 0;
        }
        return memory.getInt(HostHeaderLayout.HOST_GENERATION_OFFSET);
    }

    /** Slot count an earlier host left, meaningful only when {@link #previousGeneration()} is non-zero. */
    public int previousSlotCount() {
        return memory.getInt(HostHeaderLayout.SLOT_COUNT_OFFSET);
    }

    /** H1: region NOT_READY before any other header or line store of the (re)initialisation. */
    public void markNotReady() {
        memory.putIntRelease(HostHeaderLayout.REGION_STATE_OFFSET, RegionState.NOT_READY.code()); // H1: pairs with guest header read (acquire)
        fences.storeStoreFence();                          // H1: NOT_READY ordered before the H2 stores
    }

    /** H2: the immutable fields, plain, and the reserved bytes as zero. */
    public void writeFields(int abiMinor, int slotCount, long hostFeatures, int prioCeiling, int maxBoostUs,
            long regionSize) {
        memory.putInt(HostHeaderLayout.MAGIC_OFFSET, RegionLayout.MAGIC);
        memory.putShort(HostHeaderLayout.ABI_MAJOR_OFFSET, (short) RegionLayout.ABI_MAJOR);
        memory.putShort(HostHeaderLayout.ABI_MINOR_OFFSET, (short) abiMinor);
        memory.putShort(HostHeaderLayout.HEADER_SIZE_OFFSET, (short) RegionLayout.HEADER_SIZE);
        memory.putShort(HostHeaderLayout.SLOT_SIZE_OFFSET, (short) RegionLayout.SLOT_SIZE);
        memory.putInt(HostHeaderLayout.SLOT_COUNT_OFFSET, slotCount);
        memory.putLong(HostHeaderLayout.HOST_FEATURES_OFFSET, hostFeatures);
        memory.putInt(HostHeaderLayout.PRIO_CEILING_OFFSET, prioCeiling);
        memory.putInt(HostHeaderLayout.MAX_BOOST_US_OFFSET, maxBoostUs);
        memory.putLong(HostHeaderLayout.REGION_SIZE_OFFSET, regionSize);
        memory.setMemory(HostHeaderLayout.RESERVED0_OFFSET, HostHeaderLayout.RESERVED0_LENGTH, (byte) 0);
    }

    /** H3: the new generation (plain, still NOT_READY); H4: READY, the last store, with release. */
    public void publishReady(int generation) {
        if (generation == 0) {
            throw new IllegalArgumentException("generation 0 means not ready");
        }
        memory.putInt(HostHeaderLayout.HOST_GENERATION_OFFSET, generation);                  // H3
        memory.putIntRelease(HostHeaderLayout.REGION_STATE_OFFSET, RegionState.READY.code()); // H4: pairs with guest acquire of region_state
    }

    /** Spec §5.7: region DISABLED; the other fields stay as they are. */
    public void disable() {
        memory.putIntRelease(HostHeaderLayout.REGION_STATE_OFFSET, RegionState.DISABLED.code()); // pairs with guest acquire of region_state
    }

    /** The next generation after {@code previous}: +1, skipping 0 on u32 wrap (0 means never published). */
    public static int nextGeneration(int previous) {
        int next = previous + 1;
        return next == 0 ? 1 : next;
    }
}
