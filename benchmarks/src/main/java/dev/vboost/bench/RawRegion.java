package dev.vboost.bench;

import dev.vboost.api.layout.GuestSlotLayout;
import dev.vboost.api.layout.HostSlotLayout;
import dev.vboost.api.layout.RegionLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Raw {@link VarHandle} access to a region in a direct buffer, for the baselines: the fewest JDK operations
 * that do the same memory work as the protocol code, with no abstraction, validation or decoding on top.
 */
final class RawRegion {
    static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    static final VarHandle LONG = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private RawRegion() {
    }

    /** A zeroed direct buffer of a region with {@code slots} slots, its first byte on a 4096-byte boundary. */
    static ByteBuffer allocate(int slots) {
        int size = (int) RegionLayout.regionSize(slots);
        return ByteBuffer.allocateDirect(size + RegionLayout.REGION_ALIGNMENT)
                .alignedSlice(RegionLayout.REGION_ALIGNMENT)
                .order(ByteOrder.LITTLE_ENDIAN);
    }

    static int guestSeq(int slot) {
        return RegionLayout.guestLineOffset(slot) + GuestSlotLayout.GUEST_SEQ_OFFSET;
    }

    /** The four u8 fields request, policy, priority, nice: one int-sized word at 0x04. */
    static int guestRequestWord(int slot) {
        return RegionLayout.guestLineOffset(slot) + GuestSlotLayout.REQUEST_OFFSET;
    }

    static int guestReasons(int slot) {
        return RegionLayout.guestLineOffset(slot) + GuestSlotLayout.REASONS_OFFSET;
    }

    static int guestRequestId(int slot) {
        return RegionLayout.guestLineOffset(slot) + GuestSlotLayout.REQUEST_ID_OFFSET;
    }

    static int guestAck(int slot) {
        return RegionLayout.guestLineOffset(slot) + GuestSlotLayout.HOST_BOOST_ACK_OFFSET;
    }

    static int hostSeq(int slot) {
        return RegionLayout.hostLineOffset(slot) + HostSlotLayout.HOST_SEQ_OFFSET;
    }
}
