package dev.vboost.conformance.suite;

import dev.vboost.conformance.region.Unsigned;
import static dev.vboost.conformance.suite.Level.OPTIONAL;
import static dev.vboost.conformance.suite.Level.RECOMMENDED;
import static dev.vboost.conformance.suite.Level.REQUIRED;

import dev.vboost.api.layout.HostHeaderLayout;
import dev.vboost.api.layout.RegionLayout;
import dev.vboost.api.wire.RegionState;
import dev.vboost.conformance.region.GuestLine;
import dev.vboost.conformance.region.HeaderImage;
import dev.vboost.conformance.region.HostLine;
import dev.vboost.conformance.region.WireImage;
import dev.vboost.conformance.testee.Reply;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Tests of the host role: the runner plays the (untrusted) guest. */
final class HostCases {
    private static final String H = "host";
    private static final int SLOTS = 2;
    private static final GuestLine REQUEST = new GuestLine(0, 1, 1, 30, 0, 0x21, 7, 0);

    private HostCases() {
    }

    static List<Case> all() {
        List<Case> l = new ArrayList<>();
        l.add(Case.of(REQUIRED, "Init", "4.4", "host-header-layout", "§4.4, §3.2", H,
                "host.init_region publishes the exact host header, READY last", HostCases::headerLayout));
        l.add(Case.of(REQUIRED, "Init", "4.4", "host-lines-at-rest", "§4.4, §5.9, §3.5", H,
                "after init every host line is NORMAL and idle with an even counter", HostCases::linesAtRest));
        l.add(Case.of(REQUIRED, "Restart", "5.9", "generation-changes", "§5.9, §3.2", H,
                "re-initialising a region moves host_generation to a new non-zero value", HostCases::generationChanges));
        l.add(Case.of(RECOMMENDED, "Restart", "5.9", "generation-plus-one", "§5.9", H,
                "re-initialising a region sets host_generation to the previous value plus one",
                HostCases::generationPlusOne));
        l.add(Case.of(REQUIRED, "Restart", "5.9", "pending-request-void", "§5.9 step 3", H,
                "re-initialising takes the guest line's valid request_id as acted and keeps host_boost_id",
                HostCases::pendingRequestVoid));
        l.add(Case.of(REQUIRED, "Seqlock", "R2", "host-odd-counter-at-rest", "§4.3 R2", H,
                "a guest line whose counter is odd at rest reads as E_BUSY", HostCases::oddAtRest));
        l.add(Case.of(REQUIRED, "Seqlock", "R5", "host-counter-wrap-around", "§4.1, §4.3", H,
                "the guest counter wraps from 0xFFFFFFFE to 0 and reads stay consistent", HostCases::wrapAround));
        l.add(Case.of(REQUIRED, "Decode", "3.4", "request-round-trip", "§3.4", H,
                "a valid request reads back field for field, the signed nice included", HostCases::roundTrip));
        l.add(Case.of(REQUIRED, "Validation", "3.4", "reserved-reason-bits", "§3.4, §3.6, §6", H,
                "reasons with an undefined bit is rejected with E_RESERVED_BITS", HostCases::reservedReasons));
        l.add(Case.of(REQUIRED, "Validation", "3.4", "unknown-request-code", "§3.4, §3.6", H,
                "an unknown request code is rejected with E_INVALID_VALUE, not a crash", HostCases::unknownRequest));
        l.add(Case.of(REQUIRED, "Validation", "3.4", "out-of-range-values", "§3.4, §6", H,
                "priority, nice and policy outside their ranges are rejected with E_INVALID_VALUE",
                HostCases::outOfRange));
        l.add(Case.of(REQUIRED, "Validation", "3.4", "request-id-bit-63", "§3.4, §6", H,
                "a request_id of 2^63 or more is rejected with E_INVALID_VALUE", HostCases::idBit63));
        l.add(Case.of(REQUIRED, "Poll", "5.2", "changed-slots", "§5.2", H,
                "poll reports exactly the slots whose guest counter moved, once", HostCases::poll));
        l.add(Case.of(REQUIRED, "Publish", "W1-W4", "host-line-layout", "§4.2, §3.5", H,
                "publish_state writes the exact wire layout, little-endian, counter +2", HostCases::publishLayout));
        l.add(Case.of(REQUIRED, "HostBoost", "5.5", "start-host-boost", "§5.5", H,
                "a host-initiated boost publishes BOOSTED with the next host_boost_id", HostCases::hostBoost));
        l.add(Case.of(REQUIRED, "Disable", "5.7", "disable", "§5.7, §3.2", H,
                "disable sets region_state DISABLED and leaves the other header fields", HostCases::disable));
        l.add(Case.of(REQUIRED, "GuestHeader", "5.2", "read-guest-header", "§5.2, §3.3", H,
                "the host reads the guest header, and an odd counter reads as E_BUSY", HostCases::guestHeader));
        l.add(Case.of(OPTIONAL, "Expiry", "5.6", "boost-ends-at-bound", "§5.6", H,
                "a boost ends with denial EXPIRED once max_boost_us has passed on the host clock",
                HostCases::expiry).needing("expiry"));
        return l;
    }

    private static byte[] header(int slots, long features, int generation, int state, int ceiling, int maxBoost) {
        ByteBuffer b = ByteBuffer.allocate(HostHeaderLayout.LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(HostHeaderLayout.MAGIC_OFFSET, RegionLayout.MAGIC);
        b.putShort(HostHeaderLayout.ABI_MAJOR_OFFSET, (short) RegionLayout.ABI_MAJOR);
        b.putShort(HostHeaderLayout.ABI_MINOR_OFFSET, (short) RegionLayout.ABI_MINOR);
        b.putShort(HostHeaderLayout.HEADER_SIZE_OFFSET, (short) RegionLayout.HEADER_SIZE);
        b.putShort(HostHeaderLayout.SLOT_SIZE_OFFSET, (short) RegionLayout.SLOT_SIZE);
        b.putInt(HostHeaderLayout.SLOT_COUNT_OFFSET, slots);
        b.putLong(HostHeaderLayout.HOST_FEATURES_OFFSET, features);
        b.putInt(HostHeaderLayout.HOST_GENERATION_OFFSET, generation);
        b.putInt(HostHeaderLayout.REGION_STATE_OFFSET, state);
        b.putInt(HostHeaderLayout.PRIO_CEILING_OFFSET, ceiling);
        b.putInt(HostHeaderLayout.MAX_BOOST_US_OFFSET, maxBoost);
        b.putLong(HostHeaderLayout.REGION_SIZE_OFFSET, RegionLayout.regionSize(slots));
        return b.array();
    }

    private static void headerLayout(CaseContext c) throws Exception {
        Reply r = c.initHost(3);
        long gen = r.getLong("host_generation");
        c.sync();
        HeaderImage h = c.ref().readHostHeader();
        c.expect(h.hostGeneration() != 0 && Integer.toUnsignedLong(h.hostGeneration()) == gen,
                "§3.2: host_generation is non-zero when READY and is what init reported",
                "host_generation in the region " + Unsigned.u32(h.hostGeneration()) + ", reported " + gen);
        c.expectBytes(RegionLayout.HOST_HEADER_OFFSET, header(3, 0xB, h.hostGeneration(), RegionState.READY.code(), 40,
                3000), "§3.2: host header layout", "host header");
    }

    private static void linesAtRest(CaseContext c) throws Exception {
        c.initHost(SLOTS);
        c.sync();
        for (int s = 0; s < SLOTS; s++) {
            HostLine l = c.ref().hostLineAtRest(s);
            c.expect((l.seq() & 1) == 0, "§4.2: counters are even at rest", "slot " + s + " host_seq is odd");
            // budget_remaining_us is not fixed by §5.9; everything else is
            c.expectBytes(RegionLayout.hostLineOffset(s), WireImage.hostLine(new HostLine(l.seq(), 1, 0, 0, 0, 0,
                    l.budgetRemainingUs(), 0, 0)), "§5.9 H2: a fresh region's host lines say status NORMAL, policy "
                    + "NORMAL, priority 0, denial NONE, no flags, no acted request, no host boost",
                    "slot " + s + " host line");
        }
    }

    private static byte[] previousRegion(int slots, int generation) {
        byte[] img = new byte[(int) RegionLayout.regionSize(slots)];
        byte[] h = header(slots, 0xB, generation, RegionState.READY.code(), 40, 3000);
        System.arraycopy(h, 0, img, 0, h.length);
        return img;
    }

    private static long reinit(CaseContext c, int previous) throws Exception {
        c.newRegion((int) RegionLayout.regionSize(SLOTS), previousRegion(SLOTS, previous));
        c.attach(H);
        return c.expectOk(c.op("host.init_region", "slot_count", SLOTS, "host_features", 0xB, "prio_ceiling", 40,
                "max_boost_us", 3000), "§4.4").getLong("host_generation");
    }

    private static void generationChanges(CaseContext c) throws Exception {
        long gen = reinit(c, 41);
        c.sync();
        int inRegion = c.ref().readHostHeader().hostGeneration();
        c.expect(inRegion != 0 && inRegion != 41, "§5.9: a restarted host publishes a new, non-zero generation so "
                + "guests attached to the old one notice", "host_generation after re-init is "
                + Unsigned.u32(inRegion) + " (was 41; init reported " + gen + ")");
    }

    private static void generationPlusOne(CaseContext c) throws Exception {
        reinit(c, 41);
        c.sync();
        int inRegion = c.ref().readHostHeader().hostGeneration();
        c.expect(inRegion == 42, "§5.9: host_generation is incremented on every (re)initialisation",
                "host_generation after re-init of generation 41 is " + Unsigned.u32(inRegion));
    }

    /** §5.9 step 3: slot 0 holds a pending valid request, slot 1 an id with bit 63 set (not a valid id). */
    private static void pendingRequestVoid(CaseContext c) throws Exception {
        byte[] img = previousRegion(SLOTS, 41);
        put(img, RegionLayout.guestLineOffset(0), WireImage.guestLine(REQUEST.withSeq(4)));
        put(img, RegionLayout.hostLineOffset(0), WireImage.hostLine(new HostLine(6, 2, 1, 30, 0, 0, 0, 3, 5)));
        put(img, RegionLayout.guestLineOffset(1), WireImage.guestLine(new GuestLine(2, 1, 1, 30, 0, 1, 1L << 63, 0)));
        c.newRegion(img.length, img);
        c.attach(H);
        c.expectOk(c.op("host.init_region", "slot_count", SLOTS, "host_features", 0xB, "prio_ceiling", 40,
                "max_boost_us", 3000), "§4.4");
        c.sync();
        HostLine l0 = c.ref().hostLineAtRest(0);
        c.expect(l0.actedRequestId() == REQUEST.requestId() && l0.hostBoostId() == 5 && l0.status() == 1,
                "§5.9 step 3: acted_request_id = the guest line's current request_id (the pending request is void), "
                        + "host_boost_id kept, status NORMAL", "slot 0 after re-init: acted_request_id "
                        + Unsigned.u64(l0.actedRequestId()) + " (guest line holds " + REQUEST.requestId()
                        + "), host_boost_id " + Unsigned.u64(l0.hostBoostId()) + " (was 5), status " + l0.status());
        HostLine l1 = c.ref().hostLineAtRest(1);
        c.expect(l1.actedRequestId() == 0, "§5.9 step 3: a guest line without a valid id gives acted_request_id 0",
                "slot 1 after re-init: acted_request_id " + Unsigned.u64(l1.actedRequestId()));
    }

    private static void put(byte[] img, int offset, byte[] bytes) {
        System.arraycopy(bytes, 0, img, offset, bytes.length);
    }

    private static void oddAtRest(CaseContext c) throws Exception {
        c.initHost(SLOTS);
        c.ref().putGuestLineRaw(1, REQUEST.withSeq(9));
        c.expectError(c.op("host.read_request", "slot", 1), "E_BUSY",
                "§4.3 R2: an odd counter means a write in progress; after the bounded retries report E_BUSY");
    }

    private static void wrapAround(CaseContext c) throws Exception {
        c.initHost(SLOTS);
        c.ref().putGuestLineRaw(0, REQUEST.withSeq(0xFFFF_FFFE));
        Reply r = c.expectOk(c.op("host.read_request", "slot", 0), "§4.3: 0xFFFFFFFE is an even counter at rest");
        c.expectFields(r, REQUEST.fields(), "§4.3 R3");
        GuestLine next = new GuestLine(0, 2, 0, 0, 0, 0, 8, 0);
        c.ref().publishGuestLine(0, next);
        Reply r2 = c.expectOk(c.op("host.read_request", "slot", 0), "§4.1: 0 after 0xFFFFFFFF is a valid even value");
        c.expectFields(r2, next.fields(), "§4.3: after the wrap the reader returns the new line");
    }

    private static void roundTrip(CaseContext c) throws Exception {
        c.initHost(SLOTS);
        GuestLine l = new GuestLine(0, 1, 0, 0, -20, 0x7F, 0x7FFF_FFFF_FFFF_FFFFL, 0x1_0000_0002L);
        c.ref().publishGuestLine(1, l);
        Reply r = c.expectOk(c.op("host.read_request", "slot", 1), "§3.4: a valid NORMAL request with nice -20");
        c.expectFields(r, l.fields(), "§3.4: every field, at its offset; nice is a signed byte");
    }

    private static void reservedReasons(CaseContext c) throws Exception {
        c.initHost(SLOTS);
        c.ref().publishGuestLine(0, new GuestLine(0, 1, 1, 10, 0, 0x80 | 0x1, 1, 0));
        c.expectError(c.op("host.read_request", "slot", 0), "E_RESERVED_BITS",
                "§3.6: bits outside boost_reason's defined mask 0x7F must be zero; the host rejects them");
    }

    private static void unknownRequest(CaseContext c) throws Exception {
        c.initHost(SLOTS);
        c.ref().publishGuestLine(0, new GuestLine(0, 9, 1, 10, 0, 1, 1, 0));
        c.expectError(c.op("host.read_request", "slot", 0), "E_INVALID_VALUE",
                "§3.4: request 9 is no boost_request code; the untrusted guest's line is rejected");
    }

    private static void outOfRange(CaseContext c) throws Exception {
        c.initHost(SLOTS);
        GuestLine[] bad = {
            new GuestLine(0, 1, 1, 0, 0, 1, 1, 0),
            new GuestLine(0, 1, 2, 100, 0, 1, 2, 0),
            new GuestLine(0, 1, 0, 0, -21, 1, 3, 0),
            new GuestLine(0, 1, 0, 0, 20, 1, 4, 0),
            new GuestLine(0, 1, 0, 5, 0, 1, 5, 0),
            new GuestLine(0, 1, 3, 10, 0, 1, 6, 0),
        };
        for (GuestLine g : bad) {
            c.ref().publishGuestLine(0, g);
            c.expectError(c.op("host.read_request", "slot", 0), "E_INVALID_VALUE",
                    "§3.4: BOOST needs priority 1..99 for FIFO/RR, priority 0 and nice -20..19 for NORMAL; got " + g);
        }
    }

    private static void idBit63(CaseContext c) throws Exception {
        c.initHost(SLOTS);
        c.ref().publishGuestLine(0, new GuestLine(0, 2, 0, 0, 0, 0, Long.MIN_VALUE + 5, 0));
        c.expectError(c.op("host.read_request", "slot", 0), "E_INVALID_VALUE", "§3.4: ids are u64 with bit 63 clear");
    }

    private static void poll(CaseContext c) throws Exception {
        c.initHost(4);
        c.expectFields(c.expectOk(c.op("host.poll"), "§5.2"), Map.of("slots", ""),
                "§5.2: nothing changed since init");
        c.ref().publishGuestLine(3, REQUEST);
        c.ref().publishGuestLine(1, REQUEST);
        c.expectFields(c.expectOk(c.op("host.poll"), "§5.2"), Map.of("slots", "1,3"),
                "§5.2: the slots whose counter moved, in index order");
        c.expectFields(c.expectOk(c.op("host.poll"), "§5.2"), Map.of("slots", ""),
                "§5.2: a change is reported once");
    }

    private static void publishLayout(CaseContext c) throws Exception {
        c.initHost(SLOTS);
        c.sync();
        int before = c.ref().hostLineAtRest(1).seq();
        byte[] slot0 = java.util.Arrays.copyOfRange(c.region().snapshot(), RegionLayout.hostLineOffset(0),
                RegionLayout.hostLineOffset(0) + RegionLayout.LINE_SIZE);
        HostLine l = new HostLine(0, 2, 2, 33, 3, 0x12, 0x0102_0304, 0x0A0B_0C0D_0E0F_1011L, 0x2122_2324_2526_2728L);
        c.expectOk(c.op("host.publish_state", CaseContext.args(l.fields(), "slot", 1)), "§4.2");
        c.sync();
        int after = c.ref().hostLineAtRest(1).seq();
        c.expect(after == before + 2, "§4.2 W1..W4: one publication moves the counter by exactly 2",
                "host_seq went from " + Unsigned.u32(before) + " to " + Unsigned.u32(after));
        c.expectBytes(RegionLayout.hostLineOffset(1), WireImage.hostLine(l.withSeq(after)),
                "§3.5: slot host line layout, little-endian", "slot 1 host line");
        c.expectBytes(RegionLayout.hostLineOffset(0), slot0, "§3.1: a publication touches only its own line",
                "slot 0 host line");
    }

    /** The runner's guest, attached at the host's generation and accepting HOST_BOOST (§5.5 needs it). */
    private static void guestAcceptingHostBoost(CaseContext c, long generation) {
        c.ref().writeGuestHeader(1, RegionLayout.ABI_MAJOR, 0, (int) generation, 0x1);
    }

    private static void hostBoost(CaseContext c) throws Exception {
        guestAcceptingHostBoost(c, c.initHost(SLOTS).getLong("host_generation"));
        long first = c.expectOk(c.op("host.start_host_boost", "slot", 0, "host_boost_flags", 0x3, "policy", 1,
                "priority", 20), "§5.5").getLong("host_boost_id");
        c.sync();
        HostLine l = c.ref().hostLineAtRest(0);
        c.expect(first >= 1 && l.hostBoostId() == first, "§5.5: host_boost_id is +1 per host boost, 0 = none",
                "reported id " + first + ", line holds " + l.hostBoostId());
        c.expect(l.status() == 2 && l.policy() == 1 && l.priority() == 20 && l.hostBoostFlags() == 0x3,
                "§5.5: status BOOSTED with the policy, priority and flags of the boost", "host line is " + l);
        long second = c.expectOk(c.op("host.start_host_boost", "slot", 0, "host_boost_flags", 0x10, "policy", 2,
                "priority", 5), "§5.5").getLong("host_boost_id");
        c.expect(second == first + 1, "§5.5: +1 per host boost", "ids " + first + " then " + second);
    }

    private static void disable(CaseContext c) throws Exception {
        c.initHost(SLOTS);
        c.sync();
        byte[] before = java.util.Arrays.copyOf(c.region().snapshot(), HostHeaderLayout.LENGTH);
        c.expectOk(c.op("host.disable"), "§5.7");
        c.sync();
        ByteBuffer.wrap(before).order(ByteOrder.LITTLE_ENDIAN).putInt(HostHeaderLayout.REGION_STATE_OFFSET,
                RegionState.DISABLED.code());
        c.expectBytes(RegionLayout.HOST_HEADER_OFFSET, before, "§5.7: region_state DISABLED, nothing else changes",
                "host header");
    }

    private static void guestHeader(CaseContext c) throws Exception {
        long gen = c.initHost(SLOTS).getLong("host_generation");
        c.ref().writeGuestHeader(1, 1, 0, (int) gen, 0x3);
        Reply r = c.expectOk(c.op("host.read_guest_header"), "§5.2");
        c.expectFields(r, Map.of("attach_state", "1", "guest_abi_major", "1", "guest_abi_minor", "0",
                "attached_generation", Long.toString(gen), "accepted_features", "3"), "§3.3: guest header fields");
        c.ref().setGuestHeaderSeq(c.ref().guestHeaderSeq() + 1);
        c.expectError(c.op("host.read_guest_header"), "E_BUSY", "§4.3 R2: an odd guest_seq at rest reads as busy");
    }

    private static void expiry(CaseContext c) throws Exception {
        guestAcceptingHostBoost(c, c.initHost(SLOTS).getLong("host_generation"));
        c.expectOk(c.op("host.start_host_boost", "slot", 1, "host_boost_flags", 1, "policy", 1, "priority", 10), "§5.5");
        c.expectOk(c.op("host.tick", "elapsed_us", 2999), "§5.6");
        c.sync();
        c.expect(c.ref().hostLineAtRest(1).status() == 2, "§5.6: the bound (3000 us) has not passed yet",
                "the boost ended after 2999 us of 3000");
        c.expectOk(c.op("host.tick", "elapsed_us", 1), "§5.6");
        c.sync();
        HostLine l = c.ref().hostLineAtRest(1);
        c.expect(l.status() == 1 && l.denial() == 7 && l.policy() == 0 && l.priority() == 0 && l.hostBoostFlags() == 0
                && l.hostBoostId() == 1, "§5.6: every boost ends when max_boost_us passes since it was applied, whatever "
                + "the guest does (status NORMAL, denial EXPIRED, host_boost_flags 0, ids unchanged)",
                "after 3000 us of a 3000 us bound the host line is " + l);
        c.expectOk(c.op("host.start_host_boost", "slot", 0, "host_boost_flags", 1, "policy", 1, "priority", 10), "§5.5");
        c.expectOk(c.op("host.tick", "elapsed_us", 2000), "§5.6");
        c.sync();
        HostLine republished = c.ref().hostLineAtRest(0);
        c.expectOk(c.op("host.publish_state", CaseContext.args(republished.fields(), "slot", 0)), "§4.2");
        c.expectOk(c.op("host.tick", "elapsed_us", 1000), "§5.6");
        c.sync();
        c.expect(c.ref().hostLineAtRest(0).status() == 1, "§5.6: the bound runs from the boost's application; "
                + "republishing the same boost does not restart it", "after 2000 us, a republication of the same "
                + "boost and 1000 us more, the boost of a 3000 us bound is still in force");
    }
}
