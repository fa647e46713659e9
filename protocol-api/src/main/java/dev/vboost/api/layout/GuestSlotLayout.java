package dev.vboost.api.layout;

/**
 * Guest line of a slot, at {@link RegionLayout#guestLineOffset(int)}, spec/protocol.md §3.4.
 * Writer: guest, under the line's seqlock. Offsets are relative to the line.
 */
public final class GuestSlotLayout {
    /** u32 seqlock counter, odd while the guest writes. Guest: seqlock writer; host: seqlock reader. Since 1.0. */
    public static final int GUEST_SEQ_OFFSET = 0x00;
    /** u8 boost request code. Plain inside the seqlock window. Since 1.0. */
    public static final int REQUEST_OFFSET = 0x04;
    /** u8 scheduling policy asked for. Plain inside the seqlock window. Since 1.0. */
    public static final int POLICY_OFFSET = 0x05;
    /** u8 RT priority asked for, 1..99 for FIFO/RR. Plain inside the seqlock window. Since 1.0. */
    public static final int PRIORITY_OFFSET = 0x06;
    /** s8 nice asked for, -20..19 for NORMAL. Plain inside the seqlock window. Since 1.0. */
    public static final int NICE_OFFSET = 0x07;
    /** u32 boost reason bit set. Plain inside the seqlock window. Since 1.0. */
    public static final int REASONS_OFFSET = 0x08;
    /** 4 reserved bytes. */
    public static final int RESERVED0_OFFSET = 0x0C;
    /** Length of the reserved bytes at {@link #RESERVED0_OFFSET}. */
    public static final int RESERVED0_LENGTH = 4;
    /** u64 newest request id, +1 per request. Plain inside the seqlock window. Since 1.0. */
    public static final int REQUEST_ID_OFFSET = 0x10;
    /** u64 newest host boost id acknowledged. Plain inside the seqlock window. Since 1.0. */
    public static final int HOST_BOOST_ACK_OFFSET = 0x18;
    /** 32 reserved bytes. */
    public static final int RESERVED1_OFFSET = 0x20;
    /** Length of the reserved bytes at {@link #RESERVED1_OFFSET}. */
    public static final int RESERVED1_LENGTH = 32;
    /** Size of the guest line in bytes: one line. */
    public static final int LENGTH = 64;

    private GuestSlotLayout() {
    }
}
