package dev.vboost.api.layout;

/**
 * Geometry of a v1 boost region, spec/protocol.md §3.1. Little-endian, 4096-byte aligned.
 *
 * <pre>
 *   0x000  host header   (64 bytes, writer: host)    {@link HostHeaderLayout}
 *   0x040  guest header  (64 bytes, writer: guest)   {@link GuestHeaderLayout}
 *   0x080  slot 0: guest line (writer: guest) {@link GuestSlotLayout}, host line at +0x40 {@link HostSlotLayout}
 *   0x100  slot 1 ...
 * </pre>
 * Every 64-byte line has exactly one writer.
 */
public final class RegionLayout {
    /** u32 magic, bytes 'V' 'B' 'S' 'T' in memory order. */
    public static final int MAGIC = 0x54534256;
    /** ABI major version this library implements; a reader refuses another major. */
    public static final int ABI_MAJOR = 1;
    /** ABI minor version this library implements; both sides use the lower of the two. */
    public static final int ABI_MINOR = 1;
    /** Alignment of a region's start and granule of its size, in bytes. */
    public static final int REGION_ALIGNMENT = 4096;
    /** Size of one single-writer line (header or half slot), in bytes. */
    public static final int LINE_SIZE = 64;
    /** Offset of the host header. */
    public static final int HOST_HEADER_OFFSET = 0x000;
    /** Offset of the guest header. */
    public static final int GUEST_HEADER_OFFSET = 0x040;
    /** Size of both headers together, in bytes. */
    public static final int HEADER_SIZE = 0x80;
    /** Offset of slot 0. */
    public static final int SLOTS_OFFSET = 0x80;
    /** Size of one slot (guest line and host line), in bytes. */
    public static final int SLOT_SIZE = 0x80;
    /** Offset of the guest line within a slot. */
    public static final int SLOT_GUEST_LINE_OFFSET = 0x00;
    /** Offset of the host line within a slot. */
    public static final int SLOT_HOST_LINE_OFFSET = 0x40;
    /** Most slots a region may have. */
    public static final int MAX_SLOTS = 4096;
    /** Seqlock readers give up after this many attempts and report busy (spec §4.3). */
    public static final int MAX_READ_ATTEMPTS = 64;
    /** Highest SCHED_FIFO/SCHED_RR priority a request may name. */
    public static final int PRIO_MAX = 99;
    /** Lowest nice value a SCHED_NORMAL request may name. */
    public static final int NICE_MIN = -20;
    /** Highest nice value a SCHED_NORMAL request may name. */
    public static final int NICE_MAX = 19;

    private RegionLayout() {
    }

    /**
     * Bytes a region with {@code slotCount} slots occupies: header plus slots, rounded up to 4096.
     *
     * @param slotCount 1..{@value #MAX_SLOTS}
     * @return the size in bytes
     * @throws IllegalArgumentException if {@code slotCount} is out of range
     */
    public static long regionSize(int slotCount) {
        if (slotCount < 1 || slotCount > MAX_SLOTS) {
            throw new IllegalArgumentException("slot count " + slotCount + " outside 1.." + MAX_SLOTS);
        }
        long raw = SLOTS_OFFSET + (long) slotCount * SLOT_SIZE;
        return (raw + REGION_ALIGNMENT - 1) & -(long) REGION_ALIGNMENT;
    }

    /**
     * Bytes of the backing object (file, shared-memory BAR) that carries a region with {@code slotCount} slots:
     * the smallest power of two that is at least {@link #regionSize(int)} and at least 4096 (spec §3.1, backing
     * formula), because ivshmem and similar devices accept only power-of-two sizes. The region sits at offset 0;
     * {@code region_size} stays {@link #regionSize(int)}.
     *
     * @param slotCount slots in the region
     * @return the backing object's size in bytes
     */
    public static long backingSize(int slotCount) {
        long region = regionSize(slotCount);
        long pow2 = Long.highestOneBit(region);
        return Math.max(REGION_ALIGNMENT, pow2 == region ? region : pow2 << 1);
    }

    /**
     * Absolute offset of slot {@code index}'s guest line.
     *
     * @param index slot index
     * @return byte offset from the region's start
     */
    public static int guestLineOffset(int index) {
        return SLOTS_OFFSET + index * SLOT_SIZE + SLOT_GUEST_LINE_OFFSET;
    }

    /**
     * Absolute offset of slot {@code index}'s host line.
     *
     * @param index slot index
     * @return byte offset from the region's start
     */
    public static int hostLineOffset(int index) {
        return SLOTS_OFFSET + index * SLOT_SIZE + SLOT_HOST_LINE_OFFSET;
    }
}
