package dev.vboost.spec;

import java.util.ArrayList;
import java.util.List;

/**
 * Every v1.0 golden vector: an id that is never reused, what it shows, and how its image differs from the
 * standard region ({@link ImageBuilder#standard}: READY, generation 1, an attached guest, idle slots).
 * Ids only ever get appended.
 */
final class VectorCatalog {

    private static final String HH = "host_header";
    private static final String GH = "guest_header";
    private static final String SG = "slot_guest_line";
    private static final String SH = "slot_host_line";

    private VectorCatalog() {
    }

    static List<Vector> all(LayoutModel m) {
        List<Vector> v = new ArrayList<>();
        accepts(m, v);
        regionRejects(m, v);
        lineRejects(m, v);
        return v;
    }

    private static void accepts(LayoutModel m, List<Vector> v) {
        long irqRt = m.flags("boost_reason", "IRQ", "RT_TASK");
        v.add(Vector.of(m, 1, "V001-not-ready", "host is (re)initialising: NOT_READY, only the host header is read",
                        "3.2", "4.4", "5.1")
                .host("region_state", "NOT_READY").host("host_generation", 0).host("slot_count", 0)
                .host("region_size", 0).host("prio_ceiling", 0).host("max_boost_us", 0)
                .hint("while NOT_READY a reader uses magic, abi_major and region_state only; the zero geometry is not an error"));
        v.add(Vector.of(m, 1, "V002-ready-idle-one-slot", "READY, attached guest, one idle slot", "3.1", "3.2", "3.3",
                "3.4", "3.5", "5.2"));
        v.add(Vector.of(m, 4, "V003-ready-idle-four-slots", "four slots: slot i starts at 0x80 + i*0x80", "3.1")
                .slotHost(3, "host_seq", 8).slotGuest(3, "guest_seq", 6).slotGuest(3, "request_id", 3)
                .slotHost(3, "acted_request_id", 3)
                .hint("slot 3's guest line is at 0x200 and its host line at 0x240"));
        v.add(Vector.of(m, 2, "V004-boost-requested", "slot 1 asks for FIFO 10 for IRQ and RT_TASK; host not yet acted",
                        "3.4", "5.3")
                .slotGuest(1, "guest_seq", 2).slotGuest(1, "request", "BOOST").slotGuest(1, "policy", "FIFO")
                .slotGuest(1, "priority", 10).slotGuest(1, "reasons", irqRt).slotGuest(1, "request_id", 1));
        v.add(Vector.of(m, 2, "V005-boosted-acknowledged", "host acted on request 1: BOOSTED at FIFO 10", "3.5", "5.3")
                .slotGuest(1, "guest_seq", 2).slotGuest(1, "request", "BOOST").slotGuest(1, "policy", "FIFO")
                .slotGuest(1, "priority", 10).slotGuest(1, "reasons", irqRt).slotGuest(1, "request_id", 1)
                .slotHost(1, "host_seq", 4).slotHost(1, "status", "BOOSTED").slotHost(1, "policy", "FIFO")
                .slotHost(1, "priority", 10).slotHost(1, "acted_request_id", 1)
.guestHeader("accepted_features", m.flags("feature", "HOST_BOOST", "NOTIFY_HYPERCALL", "BUDGET_REPORT"))
                .slotHost(1, "budget_remaining_us", 47_000));
        v.add(Vector.of(m, 1, "V006-unboost-acted", "guest asked UNBOOST (request 2); host back to NORMAL", "5.4")
                .slotGuest(0, "guest_seq", 4).slotGuest(0, "request", "UNBOOST").slotGuest(0, "request_id", 2)
                .slotHost(0, "host_seq", 6).slotHost(0, "acted_request_id", 2).slotHost(0, "budget_remaining_us", 48_500)
                .guestHeader("accepted_features", m.flags("feature", "HOST_BOOST", "NOTIFY_HYPERCALL", "BUDGET_REPORT")));
        v.add(Vector.of(m, 1, "V007-host-boost-pending-ack", "host-initiated boost 5 (IRQ_INJECTED), guest acked 4",
                        "3.5", "5.5")
                .slotGuest(0, "guest_seq", 8).slotGuest(0, "host_boost_ack", 4)
                .slotHost(0, "host_seq", 10).slotHost(0, "status", "BOOSTED").slotHost(0, "policy", "FIFO")
                .slotHost(0, "priority", 20).slotHost(0, "host_boost_flags", m.flags("host_boost_flag", "IRQ_INJECTED"))
                .slotHost(0, "host_boost_id", 5));
        v.add(Vector.of(m, 1, "V008-host-boost-acknowledged", "guest acknowledged host boost 5; host ended it",
                        "5.5")
                .slotGuest(0, "guest_seq", 10).slotGuest(0, "host_boost_ack", 5)
                .slotHost(0, "host_seq", 12).slotHost(0, "host_boost_id", 5));
        v.add(Vector.of(m, 1, "V009-throttled-budget", "THROTTLED: request 7 denied, budget exhausted", "3.5", "8")
                .slotGuest(0, "guest_seq", 14).slotGuest(0, "request", "BOOST").slotGuest(0, "policy", "RR")
                .slotGuest(0, "priority", 5).slotGuest(0, "reasons", m.flags("boost_reason", "LOCK_HOLDER"))
                .slotGuest(0, "request_id", 7)
                .slotHost(0, "host_seq", 20).slotHost(0, "status", "THROTTLED").slotHost(0, "denial", "BUDGET_EXHAUSTED")
                .slotHost(0, "budget_remaining_us", 0).slotHost(0, "acted_request_id", 7));
        v.add(Vector.of(m, 1, "V010-denied-rate-limited", "request 9 denied by the rate limit; slot stays NORMAL",
                        "3.5", "8")
                .slotGuest(0, "guest_seq", 18).slotGuest(0, "request", "BOOST").slotGuest(0, "policy", "FIFO")
                .slotGuest(0, "priority", 40).slotGuest(0, "reasons", m.flags("boost_reason", "USER_HINT"))
                .slotGuest(0, "request_id", 9)
                .slotHost(0, "host_seq", 22).slotHost(0, "denial", "RATE_LIMITED").slotHost(0, "acted_request_id", 9));
        v.add(Vector.of(m, 1, "V011-expired", "guest never unboosted; host ended the boost at max_boost_us: EXPIRED",
                        "5.6")
                .slotGuest(0, "guest_seq", 6).slotGuest(0, "request", "BOOST").slotGuest(0, "policy", "FIFO")
                .slotGuest(0, "priority", 10).slotGuest(0, "reasons", m.flags("boost_reason", "SOFTIRQ"))
                .slotGuest(0, "request_id", 3)
                .slotHost(0, "host_seq", 14).slotHost(0, "denial", "EXPIRED").slotHost(0, "acted_request_id", 3)
                .guestHeader("accepted_features", m.flags("feature", "HOST_BOOST", "NOTIFY_HYPERCALL", "BUDGET_REPORT"))
                .slotHost(0, "budget_remaining_us", 47_000));
        v.add(Vector.of(m, 2, "V012-region-disabled", "host disabled the region: DISABLED, slots DISABLED", "5.7")
                .host("region_state", "DISABLED")
                .slotHost(0, "host_seq", 4).slotHost(0, "status", "DISABLED").slotHost(0, "denial", "DISABLED")
                .slotHost(1, "host_seq", 4).slotHost(1, "status", "DISABLED").slotHost(1, "denial", "DISABLED"));
        v.add(Vector.of(m, 2, "V013-slot-disabled", "region READY, slot 1 DISABLED by the host", "5.7")
                .slotHost(1, "host_seq", 4).slotHost(1, "status", "DISABLED").slotHost(1, "denial", "DISABLED"));
        v.add(Vector.of(m, 1, "V014-guest-detached", "guest detached: DETACHED, its other header fields ignored",
                        "3.3", "5.8")
                .guestHeader("guest_seq", 4).guestHeader("attach_state", "DETACHED")
                .guestHeader("attached_generation", 0).guestHeader("accepted_features", 0));
        v.add(Vector.of(m, 1, "V015-nice-hint", "NORMAL policy with nice -10 (NICE_HINTS)", "3.4", "5.3")
                .slotGuest(0, "guest_seq", 2).slotGuest(0, "request", "BOOST").slotGuest(0, "policy", "NORMAL")
                .slotGuest(0, "nice", -10).slotGuest(0, "reasons", m.flags("boost_reason", "USER_HINT"))
                .slotGuest(0, "request_id", 1)
                .guestHeader("accepted_features", m.flags("feature", "HOST_BOOST", "NICE_HINTS")));
        v.add(Vector.of(m, 1, "V016-unknown-host-codes", "host line holds codes this reader does not know: UNKNOWN",
                        "3.6", "6")
                .slotHost(0, "status", 200).slotHost(0, "policy", 9).slotHost(0, "denial", 77)
                .hint("unknown host-written enum codes decode to UNKNOWN and are not errors"));
        v.add(Vector.of(m, 1, "V017-reserved-bytes-set", "1.0 region with non-zero reserved bytes: ignored", "3.7")
                .fill(HH, 0, "reserved0", 0xA5).fill(GH, 0, "reserved0", 0x5A).fill(SG, 0, "reserved0", 0xFF)
                .fill(SG, 0, "reserved1", 0x11).fill(SH, 0, "reserved0", 0x22));
        v.add(Vector.of(m, 1, "V018-version-skew-1.1", "a 1.1 region read by a 1.0 reader: 1.0 fields only", "10")
                .host("abi_minor", 1).host("host_features", m.definedMask("feature") | (1L << 8))
                .fill(HH, 0, "reserved0", 0x01).fill(GH, 0, "reserved0", 0x02).fill(SG, 0, "reserved1", 0x03)
                .fill(SH, 0, "reserved0", 0x04)
                .hint("bytes reserved in 1.0 may hold 1.1 fields; host_features bits above 1.0 are offers to ignore"));
        v.add(Vector.of(m, 1, "V019-counters-near-wrap", "counters at 0xFFFFFFFE and ids at 2^63-1 are valid",
                        "4.1", "5.3")
                .guestHeader("guest_seq", 0xFFFF_FFFEL)
                .slotGuest(0, "guest_seq", 0xFFFF_FFFEL).slotGuest(0, "request", "UNBOOST")
                .slotGuest(0, "request_id", Long.MAX_VALUE).slotGuest(0, "host_boost_ack", Long.MAX_VALUE)
                .slotHost(0, "host_seq", 0xFFFF_FFFEL).slotHost(0, "acted_request_id", Long.MAX_VALUE)
                .slotHost(0, "host_boost_id", Long.MAX_VALUE));
        v.add(Vector.of(m, 2, "V020-after-host-restart", "host restarted: generation 7, counters continued", "5.9")
                .host("host_generation", 7).guestHeader("guest_seq", 12).guestHeader("attached_generation", 7)
                .slotGuest(0, "guest_seq", 1000).slotGuest(0, "request_id", 40)
                .slotHost(0, "host_seq", 2002).slotHost(0, "acted_request_id", 40)
                .slotHost(1, "host_seq", 98));
        v.add(Vector.of(m, 1, "V021-lazy-no-hypercall-features", "host offers no NOTIFY_HYPERCALL: lazy mode only",
                        "5.10")
                .host("host_features", m.flags("feature", "HOST_BOOST", "BUDGET_REPORT"))
                .guestHeader("accepted_features", m.flags("feature", "HOST_BOOST")));
    }

    private static void regionRejects(LayoutModel m, List<Vector> v) {
        v.add(Vector.of(m, 1, "V030-bad-magic", "magic is not VBST", "3.2", "6")
                .host("magic", 0x54534257L).rejectHeader("E_BAD_MAGIC", "magic"));
        v.add(Vector.zeroed(m, 4096, "V031-zero-page", "an all-zero page (host not started) is not a region", "6")
                .rejectHeader("E_BAD_MAGIC", "magic")
                .hint("magic is checked before region_state; an attaching guest treats this like NOT_READY and retries"));
        v.add(Vector.of(m, 1, "V032-unsupported-major", "abi_major 2 is not implemented by a 1.x reader", "6", "10")
                .host("abi_major", 2).rejectHeader("E_UNSUPPORTED_MAJOR", "abi_major"));
        v.add(Vector.of(m, 1, "V033-bad-header-size", "header_size 64 instead of 128", "3.1", "6")
                .host("header_size", 64).rejectHeader("E_BAD_GEOMETRY", "header_size"));
        v.add(Vector.of(m, 1, "V034-bad-slot-size", "slot_size 256 instead of 128", "3.1", "6")
                .host("slot_size", 256).rejectHeader("E_BAD_GEOMETRY", "slot_size"));
        v.add(Vector.of(m, 1, "V035-slot-count-zero", "slot_count 0", "3.1", "6")
                .host("slot_count", 0).rejectHeader("E_BAD_SLOT_COUNT", "slot_count"));
        v.add(Vector.of(m, 1, "V036-slot-count-too-large", "slot_count 4097, one above VBOOST_MAX_SLOTS", "3.1", "6")
                .host("slot_count", 4097).host("region_size", m.regionSize(4097))
                .rejectHeader("E_BAD_SLOT_COUNT", "slot_count"));
        v.add(Vector.of(m, 1, "V037-region-size-mismatch", "region_size 8192 disagrees with the formula (4096)",
                        "3.1", "6")
                .host("region_size", 8192).length(8192).rejectHeader("E_TRUNCATED", "region_size"));
        v.add(Vector.of(m, 1, "V038-slot-count-beyond-image", "40 slots need 8192 bytes; the image has 4096",
                        "3.1", "6")
                .host("slot_count", 40).host("region_size", m.regionSize(40)).rejectRegion("E_TRUNCATED", 4096)
                .hint("a lying slot count must not make a reader index past the mapping"));
        v.add(Vector.of(m, 1, "V039-image-shorter-than-header", "32 bytes: not even a host header", "6")
                .length(32).rejectRegion("E_TRUNCATED", 32));
        v.add(Vector.of(m, 1, "V040-unknown-region-state", "region_state 7 is not a known code", "3.2", "6")
                .host("region_state", 7).rejectHeader("E_BAD_STATE", "region_state"));
        v.add(Vector.of(m, 1, "V041-ready-generation-zero", "READY with host_generation 0", "3.2", "4.4", "6")
                .host("host_generation", 0).rejectHeader("E_NOT_READY", "host_generation"));
        v.add(Vector.of(m, 1, "V042-host-features-reserved-bits", "a 1.0 region offers feature bit 10", "3.6", "6")
                .host("host_features", m.definedMask("feature") | (1L << 10))
                .rejectHeader("E_RESERVED_BITS", "host_features"));
        v.add(Vector.of(m, 1, "V043-prio-ceiling-out-of-range", "prio_ceiling 100 is above 99", "3.2", "6")
                .host("prio_ceiling", 100).rejectHeader("E_INVALID_VALUE", "prio_ceiling"));
        v.add(Vector.of(m, 1, "V044-max-boost-zero", "max_boost_us 0: boosts would be unbounded or impossible",
                        "3.2", "6")
                .host("max_boost_us", 0).rejectHeader("E_INVALID_VALUE", "max_boost_us"));
    }

    private static void lineRejects(LayoutModel m, List<Vector> v) {
        v.add(Vector.of(m, 1, "V050-guest-header-odd-seq", "guest header counter odd at rest: E_BUSY", "4.3", "6")
                .guestHeader("guest_seq", 3).rejectLine("E_BUSY", GH, -1, "guest_seq"));
        v.add(Vector.of(m, 2, "V051-slot-guest-odd-seq", "slot 1's guest counter odd at rest: that line E_BUSY",
                        "4.3", "9")
                .slotGuest(1, "guest_seq", 5).slotGuest(1, "request", "BOOST").slotGuest(1, "priority", 250)
                .rejectLine("E_BUSY", SG, 1, "guest_seq")
                .hint("nothing inside an odd line is used, not even its out-of-range priority"));
        v.add(Vector.of(m, 2, "V052-slot-host-odd-seq", "slot 0's host counter odd at rest (host killed mid-write)",
                        "4.3", "9")
                .slotHost(0, "host_seq", 7).rejectLine("E_BUSY", SH, 0, "host_seq"));
        v.add(Vector.of(m, 1, "V053-unknown-request-code", "guest request code 9: E_INVALID_VALUE", "3.4", "6")
                .slotGuest(0, "guest_seq", 2).slotGuest(0, "request", 9).slotGuest(0, "request_id", 1)
                .rejectLine("E_INVALID_VALUE", SG, 0, "request"));
        v.add(Vector.of(m, 1, "V054-reasons-reserved-bit", "reasons has bit 7 set: E_RESERVED_BITS", "3.6", "3.7", "6")
                .slotGuest(0, "guest_seq", 2).slotGuest(0, "request", "BOOST").slotGuest(0, "policy", "FIFO")
                .slotGuest(0, "priority", 10).slotGuest(0, "reasons", 0x81).slotGuest(0, "request_id", 1)
                .rejectLine("E_RESERVED_BITS", SG, 0, "reasons"));
        v.add(Vector.of(m, 1, "V055-priority-above-99", "FIFO priority 100", "3.4", "6")
                .slotGuest(0, "guest_seq", 2).slotGuest(0, "request", "BOOST").slotGuest(0, "policy", "FIFO")
                .slotGuest(0, "priority", 100).slotGuest(0, "request_id", 1)
                .rejectLine("E_INVALID_VALUE", SG, 0, "priority"));
        v.add(Vector.of(m, 1, "V056-rr-priority-zero", "RR priority 0", "3.4", "6")
                .slotGuest(0, "guest_seq", 2).slotGuest(0, "request", "BOOST").slotGuest(0, "policy", "RR")
                .slotGuest(0, "request_id", 1).rejectLine("E_INVALID_VALUE", SG, 0, "priority"));
        v.add(Vector.of(m, 1, "V057-nice-out-of-range", "NORMAL with nice 25", "3.4", "6")
                .slotGuest(0, "guest_seq", 2).slotGuest(0, "request", "BOOST").slotGuest(0, "policy", "NORMAL")
                .slotGuest(0, "nice", 25).slotGuest(0, "request_id", 1).rejectLine("E_INVALID_VALUE", SG, 0, "nice"));
        v.add(Vector.of(m, 1, "V058-unknown-policy-in-boost", "BOOST with policy code 5", "3.4", "6")
                .slotGuest(0, "guest_seq", 2).slotGuest(0, "request", "BOOST").slotGuest(0, "policy", 5)
                .slotGuest(0, "priority", 10).slotGuest(0, "request_id", 1)
                .rejectLine("E_INVALID_VALUE", SG, 0, "policy"));
        v.add(Vector.of(m, 1, "V059-request-id-bit63", "request_id with bit 63 set", "3.4", "5.3", "6")
                .slotGuest(0, "guest_seq", 2).slotGuest(0, "request", "UNBOOST")
                .slotGuest(0, "request_id", 0x8000_0000_0000_0001L).rejectLine("E_INVALID_VALUE", SG, 0, "request_id"));
        v.add(Vector.of(m, 1, "V060-host-boost-ack-bit63", "host_boost_ack with bit 63 set", "3.4", "5.5", "6")
                .slotGuest(0, "guest_seq", 2).slotGuest(0, "host_boost_ack", -1L)
                .rejectLine("E_INVALID_VALUE", SG, 0, "host_boost_ack"));
        v.add(Vector.of(m, 1, "V061-host-flags-reserved-bit", "host_boost_flags bit 5 set", "3.5", "3.6", "6")
                .slotHost(0, "host_seq", 4).slotHost(0, "status", "BOOSTED").slotHost(0, "policy", "FIFO")
                .slotHost(0, "priority", 20).slotHost(0, "host_boost_flags", 0x21).slotHost(0, "host_boost_id", 1)
                .rejectLine("E_RESERVED_BITS", SH, 0, "host_boost_flags"));
        v.add(Vector.of(m, 1, "V062-acted-id-bit63", "host acted_request_id with bit 63 set", "3.5", "6")
                .slotHost(0, "acted_request_id", 0x8000_0000_0000_0000L)
                .rejectLine("E_INVALID_VALUE", SH, 0, "acted_request_id"));
        v.add(Vector.of(m, 1, "V063-stale-generation", "host generation 3, guest attached to 2", "5.9", "6")
                .host("host_generation", 3).guestHeader("attached_generation", 2)
                .rejectLine("E_STALE_GENERATION", GH, -1, "attached_generation"));
        v.add(Vector.of(m, 1, "V064-features-not-offered", "guest accepted BUDGET_REPORT the host does not offer",
                        "5.2", "6")
                .host("host_features", m.flags("feature", "HOST_BOOST", "NOTIFY_HYPERCALL"))
                .guestHeader("accepted_features", m.flags("feature", "HOST_BOOST", "BUDGET_REPORT"))
                .rejectLine("E_INVALID_VALUE", GH, -1, "accepted_features"));
        v.add(Vector.of(m, 1, "V065-accepted-reserved-bits", "accepted_features bit 40 set", "3.6", "6")
                .guestHeader("accepted_features", 1L << 40)
                .rejectLine("E_RESERVED_BITS", GH, -1, "accepted_features"));
        v.add(Vector.of(m, 1, "V066-guest-major-mismatch", "guest header says major 2 on a major-1 region", "5.2", "6")
                .guestHeader("guest_abi_major", 2).rejectLine("E_UNSUPPORTED_MAJOR", GH, -1, "guest_abi_major"));
        v.add(Vector.of(m, 1, "V067-guest-minor-above-host", "guest minor 3 above host minor 0", "5.2", "6")
                .guestHeader("guest_abi_minor", 3).rejectLine("E_INVALID_VALUE", GH, -1, "guest_abi_minor"));
        v.add(Vector.of(m, 1, "V068-unknown-attach-state", "attach_state code 5", "3.3", "6")
                .guestHeader("attach_state", 5).rejectLine("E_INVALID_VALUE", GH, -1, "attach_state"));
        v.add(Vector.of(m, 3, "V069-several-bad-lines", "three slots, two bad lines: the first in region order wins",
                        "6")
                .slotHost(2, "host_seq", 9).rejectLine("E_BUSY", SH, 2, "host_seq")
                .slotGuest(1, "guest_seq", 2).slotGuest(1, "reasons", 0x100).rejectLine("E_RESERVED_BITS", SG, 1, "reasons")
                .hint("each line is judged alone; the other lines still decode"));
    }
}
