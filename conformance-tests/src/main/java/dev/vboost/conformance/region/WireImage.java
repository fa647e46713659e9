package dev.vboost.conformance.region;

import dev.vboost.api.layout.GuestSlotLayout;
import dev.vboost.api.layout.HostSlotLayout;
import dev.vboost.api.layout.RegionLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** The exact bytes a line must hold, built from the layout table (little-endian, reserved bytes zero). */
public final class WireImage {
    private WireImage() {
    }

    public static byte[] hostLine(HostLine l) {
        ByteBuffer b = ByteBuffer.allocate(RegionLayout.LINE_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(HostSlotLayout.HOST_SEQ_OFFSET, l.seq());
        b.put(HostSlotLayout.STATUS_OFFSET, (byte) l.status());
        b.put(HostSlotLayout.POLICY_OFFSET, (byte) l.policy());
        b.put(HostSlotLayout.PRIORITY_OFFSET, (byte) l.priority());
        b.put(HostSlotLayout.DENIAL_OFFSET, (byte) l.denial());
        b.putInt(HostSlotLayout.HOST_BOOST_FLAGS_OFFSET, l.hostBoostFlags());
        b.putInt(HostSlotLayout.BUDGET_REMAINING_US_OFFSET, l.budgetRemainingUs());
        b.putLong(HostSlotLayout.ACTED_REQUEST_ID_OFFSET, l.actedRequestId());
        b.putLong(HostSlotLayout.HOST_BOOST_ID_OFFSET, l.hostBoostId());
        return b.array();
    }

    public static byte[] guestLine(GuestLine l) {
        ByteBuffer b = ByteBuffer.allocate(RegionLayout.LINE_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(GuestSlotLayout.GUEST_SEQ_OFFSET, l.seq());
        b.put(GuestSlotLayout.REQUEST_OFFSET, (byte) l.request());
        b.put(GuestSlotLayout.POLICY_OFFSET, (byte) l.policy());
        b.put(GuestSlotLayout.PRIORITY_OFFSET, (byte) l.priority());
        b.put(GuestSlotLayout.NICE_OFFSET, (byte) l.nice());
        b.putInt(GuestSlotLayout.REASONS_OFFSET, l.reasons());
        b.putLong(GuestSlotLayout.REQUEST_ID_OFFSET, l.requestId());
        b.putLong(GuestSlotLayout.HOST_BOOST_ACK_OFFSET, l.hostBoostAck());
        return b.array();
    }
}
