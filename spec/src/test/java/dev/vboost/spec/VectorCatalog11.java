package dev.vboost.spec;

import java.util.ArrayList;
import java.util.List;

/**
 * The v1.1 golden vectors: what 1.1 adds (feature DOORBELL, bit 4, spec §12.2) and how readers of either minor
 * meet it (§10). Built over {@code region-v1.1.json}, whose standard region is minor 1 and offers every 1.1
 * feature. Ids continue after v1.0's and are never reused; the v1.0 vectors stay valid for a 1.1 reader except
 * V018, whose 1.1 counterpart is V075.
 */
final class VectorCatalog11 {

    private static final String HH = "host_header";
    private static final String GH = "guest_header";
    private static final String SG = "slot_guest_line";
    private static final String SH = "slot_host_line";

    private VectorCatalog11() {
    }

    static List<Vector> all(LayoutModel m) {
        long lazy = m.flags("feature", "HOST_BOOST", "NOTIFY_HYPERCALL");
        long withBell = m.flags("feature", "HOST_BOOST", "NOTIFY_HYPERCALL", "DOORBELL");
        List<Vector> v = new ArrayList<>();
        v.add(Vector.of(m, 1, "V070-doorbell-offered-1.0-guest",
                        "a 1.1 host offers DOORBELL; a 1.0 guest negotiated minor 0 and did not accept it", "5.2", "10",
                        "12.2")
                .guestHeader("guest_abi_minor", 0).guestHeader("accepted_features", lazy)
                .reader("1.0")
                .hint("a 1.0 reader ignores the offered bit 4 (abi_minor 1 is above its own); a 1.1 reader sees a "
                        + "valid minor-0 attachment without the doorbell"));
        v.add(Vector.of(m, 2, "V071-doorbell-accepted", "a 1.1 guest accepted DOORBELL and has a request pending",
                        "5.2", "12.2")
                .guestHeader("accepted_features", withBell)
                .slotGuest(1, "guest_seq", 2).slotGuest(1, "request", "BOOST").slotGuest(1, "policy", "FIFO")
                .slotGuest(1, "priority", 10).slotGuest(1, "reasons", m.flags("boost_reason", "IRQ"))
                .slotGuest(1, "request_id", 1)
                .hint("nothing in the region shows a ring: DOORBELL only changes how the host learns of the request"));
        v.add(Vector.of(m, 1, "V072-doorbell-offered-at-minor-0", "a minor-0 region offers bit 4, undefined in 1.0",
                        "3.6", "6", "12.2")
                .host("abi_minor", 0).guestHeader("guest_abi_minor", 0).guestHeader("accepted_features", lazy)
                .rejectHeader("E_RESERVED_BITS", "host_features")
                .hint("C11 judges host_features by the region's own minor: a host offers DOORBELL only at minor 1 or more"));
        v.add(Vector.of(m, 1, "V073-doorbell-accepted-at-minor-0",
                        "a guest header at negotiated minor 0 accepts bit 4", "3.6", "6", "12.2")
                .guestHeader("guest_abi_minor", 0).guestHeader("accepted_features", withBell)
                .rejectLine("E_RESERVED_BITS", GH, -1, "accepted_features")
                .hint("CG3 judges accepted_features by the guest header's minor"));
        v.add(Vector.of(m, 1, "V074-doorbell-accepted-not-offered",
                        "a guest accepted DOORBELL that a host without a doorbell did not offer", "5.2", "6", "12.2")
                .host("host_features", m.flags("feature", "HOST_BOOST", "NOTIFY_HYPERCALL", "BUDGET_REPORT",
                        "NICE_HINTS"))
                .guestHeader("accepted_features", withBell)
                .rejectLine("E_INVALID_VALUE", GH, -1, "accepted_features"));
        v.add(Vector.of(m, 1, "V075-version-skew-1.2", "a 1.2 region read by a 1.1 reader: 1.1 fields only", "10")
                .host("abi_minor", 2).host("host_features", m.definedMask("feature") | (1L << 8))
                .guestHeader("accepted_features", withBell)
                .fill(HH, 0, "reserved0", 0x01).fill(GH, 0, "reserved0", 0x02).fill(SG, 0, "reserved1", 0x03)
                .fill(SH, 0, "reserved0", 0x04)
                .hint("the 1.1 counterpart of V018: host_features bits above 1.1 are offers to ignore"));
        return v;
    }
}
