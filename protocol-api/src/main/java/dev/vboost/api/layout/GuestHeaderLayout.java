package dev.vboost.api.layout;

/**
 * Guest header at region offset 0x040, spec/protocol.md §3.3. Writer: guest, under the line's
 * seqlock ({@code guest_seq}, spec §4).
 */
public final class GuestHeaderLayout {
    /** u32 seqlock counter, odd while the guest writes. Guest: seqlock writer; host: seqlock reader. Since 1.0. */
    public static final int GUEST_SEQ_OFFSET = 0x00;
    /** u32 attach state. Plain inside the seqlock window. Since 1.0. */
    public static final int ATTACH_STATE_OFFSET = 0x04;
    /** u16 guest ABI major. Plain inside the seqlock window. Since 1.0. */
    public static final int GUEST_ABI_MAJOR_OFFSET = 0x08;
    /** u16 negotiated minor, min(guest, host). Plain inside the seqlock window. Since 1.0. */
    public static final int GUEST_ABI_MINOR_OFFSET = 0x0A;
    /** u32 host generation the guest attached to. Plain inside the seqlock window. Since 1.0. */
    public static final int ATTACHED_GENERATION_OFFSET = 0x0C;
    /** u64 accepted features, a subset of the host's. Plain inside the seqlock window. Since 1.0. */
    public static final int ACCEPTED_FEATURES_OFFSET = 0x10;
    /** 40 reserved bytes: written as zero, ignored on read. */
    public static final int RESERVED0_OFFSET = 0x18;
    /** Length of the reserved bytes at {@link #RESERVED0_OFFSET}. */
    public static final int RESERVED0_LENGTH = 40;
    /** Size of the guest header in bytes: one line. */
    public static final int LENGTH = 64;

    private GuestHeaderLayout() {
    }
}
