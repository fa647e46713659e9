package dev.vboost.impl.line;

import dev.vboost.api.layout.GuestSlotLayout;
import dev.vboost.api.layout.HostSlotLayout;

/**
 * The four one-byte fields at line offsets 0x04..0x07 as one little-endian int (spec §3.4, §3.5): guest line
 * request, policy, priority, nice; host line status, policy, priority, denial. {@code SharedMemory} is
 * little-endian, so the byte at 0x04 is the word's low byte and one int access moves exactly the bytes that four
 * byte accesses would. Plain int accesses need no alignment; 0x04 is 4-aligned in any case.
 */
final class RequestWord {
    /** Line offset of the word: the first of the four bytes on both lines. */
    static final int OFFSET = GuestSlotLayout.REQUEST_OFFSET;

    static {
        // the packing below relies on the four bytes being adjacent and in this order on both lines
        if (GuestSlotLayout.POLICY_OFFSET != OFFSET + 1 || GuestSlotLayout.PRIORITY_OFFSET != OFFSET + 2
                || GuestSlotLayout.NICE_OFFSET != OFFSET + 3 || HostSlotLayout.STATUS_OFFSET != OFFSET
                || HostSlotLayout.POLICY_OFFSET != OFFSET + 1 || HostSlotLayout.PRIORITY_OFFSET != OFFSET + 2
                || HostSlotLayout.DENIAL_OFFSET != OFFSET + 3) {
            throw new AssertionError("the four one-byte line fields are not adjacent at 0x04..0x07");
        }
    }

    private RequestWord() {
    }

    /** The word whose little-endian bytes are {@code b4, b5, b6, b7} (each taken modulo 256). */
    static int pack(int b4, int b5, int b6, int b7) {
        return (b4 & 0xFF) | (b5 & 0xFF) << 8 | (b6 & 0xFF) << 16 | b7 << 24;
    }

    /** The unsigned byte at line offset 0x04. */
    static int u8At4(int word) {
        return word & 0xFF;
    }

    /** The unsigned byte at line offset 0x05. */
    static int u8At5(int word) {
        return (word >> 8) & 0xFF;
    }

    /** The unsigned byte at line offset 0x06. */
    static int u8At6(int word) {
        return (word >> 16) & 0xFF;
    }

    /** The unsigned byte at line offset 0x07. */
    static int u8At7(int word) {
        return (word >> 24) & 0xFF;
    }

    /** The signed byte at line offset 0x07 (the guest line's s8 nice). */
    static int s8At7(int word) {
        return word >> 24;
    }
}
