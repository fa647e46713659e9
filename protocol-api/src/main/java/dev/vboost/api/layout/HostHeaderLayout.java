package dev.vboost.api.layout;

/**
 * Host header at region offset 0x000, spec/protocol.md §3.2. Writer: host. Every field but
 * {@code region_state} is written only while the region is not READY; readers take it under the
 * generation check of spec §4.4.
 */
public final class HostHeaderLayout {
    /** u32 {@link RegionLayout#MAGIC}. Plain. Since 1.0. */
    public static final int MAGIC_OFFSET = 0x00;
    /** u16 host ABI major. Plain. Since 1.0. */
    public static final int ABI_MAJOR_OFFSET = 0x04;
    /** u16 host ABI minor. Plain. Since 1.0. */
    public static final int ABI_MINOR_OFFSET = 0x06;
    /** u16 header size, must be 128. Plain. Since 1.0. */
    public static final int HEADER_SIZE_OFFSET = 0x08;
    /** u16 slot size, must be 128. Plain. Since 1.0. */
    public static final int SLOT_SIZE_OFFSET = 0x0A;
    /** u32 slot count, 1..4096. Plain. Since 1.0. */
    public static final int SLOT_COUNT_OFFSET = 0x0C;
    /** u64 feature bits offered by the host. Plain. Since 1.0. */
    public static final int HOST_FEATURES_OFFSET = 0x10;
    /** u32 host generation, non-zero when READY, +1 per (re)initialisation. Plain. Since 1.0. */
    public static final int HOST_GENERATION_OFFSET = 0x18;
    /** u32 region state. Host: release (last store of initialisation); reader: acquire. Since 1.0. */
    public static final int REGION_STATE_OFFSET = 0x1C;
    /** u32 highest RT priority the host grants, 1..99. Plain. Since 1.0. */
    public static final int PRIO_CEILING_OFFSET = 0x20;
    /** u32 longest single boost, microseconds. Plain. Since 1.0. */
    public static final int MAX_BOOST_US_OFFSET = 0x24;
    /** u64 total region bytes. Plain. Since 1.0. */
    public static final int REGION_SIZE_OFFSET = 0x28;
    /** 16 reserved bytes: written as zero, ignored on read. */
    public static final int RESERVED0_OFFSET = 0x30;
    /** Length of the reserved bytes at {@link #RESERVED0_OFFSET}. */
    public static final int RESERVED0_LENGTH = 16;
    /** Size of the host header in bytes: one line. */
    public static final int LENGTH = 64;

    private HostHeaderLayout() {
    }
}
