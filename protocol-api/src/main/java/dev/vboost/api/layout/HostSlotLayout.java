package dev.vboost.api.layout;

/**
 * Host line of a slot, at {@link RegionLayout#hostLineOffset(int)}, spec/protocol.md §3.5.
 * Writer: host, under the line's seqlock. Offsets are relative to the line.
 */
public final class HostSlotLayout {
    /** u32 seqlock counter, odd while the host writes. Host: seqlock writer; guest: seqlock reader. Since 1.0. */
    public static final int HOST_SEQ_OFFSET = 0x00;
    /** u8 slot status code. Plain inside the seqlock window. Since 1.0. */
    public static final int STATUS_OFFSET = 0x04;
    /** u8 policy the vCPU thread runs with. Plain inside the seqlock window. Since 1.0. */
    public static final int POLICY_OFFSET = 0x05;
    /** u8 RT priority applied, 0 when NORMAL. Plain inside the seqlock window. Since 1.0. */
    public static final int PRIORITY_OFFSET = 0x06;
    /** u8 denial reason of the last request acted on. Plain inside the seqlock window. Since 1.0. */
    public static final int DENIAL_OFFSET = 0x07;
    /** u32 host boost flag bit set. Plain inside the seqlock window. Since 1.0. */
    public static final int HOST_BOOST_FLAGS_OFFSET = 0x08;
    /** u32 boosted time left in the budget window, microseconds. Plain inside the seqlock window. Since 1.0. */
    public static final int BUDGET_REMAINING_US_OFFSET = 0x0C;
    /** u64 newest guest request id acted on. Plain inside the seqlock window. Since 1.0. */
    public static final int ACTED_REQUEST_ID_OFFSET = 0x10;
    /** u64 id of the newest host-initiated boost. Plain inside the seqlock window. Since 1.0. */
    public static final int HOST_BOOST_ID_OFFSET = 0x18;
    /** 32 reserved bytes. */
    public static final int RESERVED0_OFFSET = 0x20;
    /** Length of the reserved bytes at {@link #RESERVED0_OFFSET}. */
    public static final int RESERVED0_LENGTH = 32;
    /** Size of the host line in bytes: one line. */
    public static final int LENGTH = 64;

    private HostSlotLayout() {
    }
}
