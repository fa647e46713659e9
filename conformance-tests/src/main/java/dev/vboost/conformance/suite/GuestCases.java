package dev.vboost.conformance.suite;

import dev.vboost.conformance.region.Unsigned;
import static dev.vboost.conformance.suite.Level.RECOMMENDED;
import static dev.vboost.conformance.suite.Level.REQUIRED;

import dev.vboost.api.layout.GuestHeaderLayout;
import dev.vboost.api.layout.RegionLayout;
import dev.vboost.api.wire.AttachState;
import dev.vboost.api.wire.Feature;
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

/**
 * Tests of the guest role: the runner plays the host and puts the region into awkward states.
 *
 * <p>Over 400 lines on purpose: a catalogue of independent tests, one small method per test id, each read alone.
 */
final class GuestCases {
    private static final String G = "guest";
    private static final int SLOTS = 2;
    /** A valid host line the runner publishes in read tests. */
    private static final HostLine SAMPLE = new HostLine(0, 2, 1, 30, 0, 0x5, 1234, 17, 3);

    private GuestCases() {
    }

    static List<Case> all() {
        List<Case> l = new ArrayList<>();
        l.add(Case.of(REQUIRED, "Attach", "5.2", "valid-region", "§5.2", G,
                "a guest attaches to a valid READY region and publishes its header", GuestCases::attachValid));
        l.add(refused("bad-magic", "§3.2, §6", "magic is not VBOOST_MAGIC", "E_BAD_MAGIC",
                h -> h.withMagic(0x12345678)));
        l.add(refused("unknown-major", "§10, §6", "abi_major 2 is unknown to a 1.x guest", "E_UNSUPPORTED_MAJOR",
                h -> h.withAbi(2, 0)));
        l.add(refused("bad-geometry", "§3.2, §6", "slot_size 64 instead of 128", "E_BAD_GEOMETRY",
                h -> h.withGeometry(RegionLayout.HEADER_SIZE, 64)));
        l.add(refused("zero-slot-count", "§3.2, §6", "slot_count 0", "E_BAD_SLOT_COUNT", h -> h.withSlotCount(0)));
        l.add(refused("region-size-mismatch", "§3.1, §6", "region_size disagrees with the size formula",
                "E_TRUNCATED", h -> h.withRegionSize(RegionLayout.regionSize(SLOTS) + 4096)));
        l.add(refused("not-ready", "§4.4, §6", "region_state NOT_READY", "E_NOT_READY",
                h -> h.withState(RegionState.NOT_READY.code())));
        l.add(refused("zero-generation", "§3.2, §6", "host_generation 0 while READY", "E_NOT_READY",
                h -> h.withGeneration(0)));
        l.add(refused("disabled", "§5.7, §6", "region_state DISABLED", "E_DISABLED",
                h -> h.withState(RegionState.DISABLED.code())));
        l.add(refused("unknown-state", "§3.6, §6", "region_state 7 is no defined code", "E_BAD_STATE",
                h -> h.withState(7)));
        l.add(Case.of(REQUIRED, "Attach", "10", "higher-minor-accepted", "§10, §5.2", G,
                "a host minor above the guest's is accepted and the guest speaks its own minor",
                GuestCases::higherMinor));
        l.add(Case.of(REQUIRED, "Attach", "10", "minor-0-host", "§10, §5.2", G,
                "against a 1.0 host (abi_minor 0) the guest writes minor 0 and accepts only 1.0 features",
                GuestCases::minorZeroHost));
        l.add(Case.of(REQUIRED, "Doorbell", "12.2", "not-accepted-without-a-doorbell", "§12.2, §5.2", G,
                "a guest driven through the testee protocol has no doorbell to ring: offered DOORBELL, it does not "
                        + "accept it", GuestCases::doorbellNeedsABell));
        l.add(Case.of(REQUIRED, "Seqlock", "R2", "odd-counter-at-rest", "§4.3 R2", G,
                "a host line whose counter is odd at rest reads as E_BUSY, never as data", GuestCases::oddAtRest));
        l.add(Case.of(REQUIRED, "Seqlock", "R5", "counter-wrap-around", "§4.1, §4.3 R5", G,
                "the u32 counter wraps from 0xFFFFFFFE through 0xFFFFFFFF to 0 and reads stay consistent",
                GuestCases::wrapAround));
        l.add(Case.of(REQUIRED, "Seqlock", "R3", "read-returns-line", "§4.3, §3.5", G,
                "a consistent read returns every field of the host line as written", GuestCases::readReturnsLine));
        l.add(Case.of(REQUIRED, "Decode", "3.6", "unknown-codes-pass-through", "§3.6", G,
                "unknown status, policy and denial codes decode without error", GuestCases::unknownCodes));
        l.add(Case.of(REQUIRED, "Validation", "3.5", "reserved-flag-bits", "§3.5, §3.6, §6", G,
                "host_boost_flags with an undefined bit is rejected with E_RESERVED_BITS", GuestCases::reservedFlags));
        l.add(Case.of(REQUIRED, "Validation", "3.5", "id-bit-63", "§3.5, §6", G,
                "an acted_request_id of 2^63 or more is rejected with E_INVALID_VALUE", GuestCases::idBit63));
        l.add(Case.of(REQUIRED, "Validation", "3.7", "reserved-bytes-ignored", "§3.7", G,
                "non-zero reserved bytes in the host line are ignored on read", GuestCases::reservedIgnored));
        l.add(Case.of(REQUIRED, "Handshake", "G1", "request-boost-layout", "§5.3, §3.4, §4.2", G,
                "a boost request is published in one seqlock window with the exact wire layout",
                GuestCases::requestLayout));
        l.add(Case.of(REQUIRED, "Handshake", "G1", "request-ids-increase-by-one", "§5.3", G,
                "request ids grow by one per request, releases included", GuestCases::idsByOne));
        l.add(Case.of(REQUIRED, "Handshake", "5.4", "release-request", "§5.4, §5.3 G1..G2, §3.4", G,
                "an unboost is request UNBOOST with the next id, host_boost_ack unchanged, in one seqlock window",
                GuestCases::releaseRequest));
        l.add(Case.of(RECOMMENDED, "Handshake", "3.4", "release-fields-zero", "§3.4, §5.4", G,
                "an unboost writes policy, priority, nice and reasons as zero", GuestCases::releaseLayout));
        l.add(Case.of(REQUIRED, "Handshake", "G1", "ids-continue-after-reattach", "§5.3 G1, §5.9", G,
                "a guest attaching to a line with ids from an earlier attachment continues from them",
                GuestCases::idsContinue));
        l.add(Case.of(REQUIRED, "Handshake", "G1", "ids-never-reach-2^63", "§5.3 G1, §2 valid id", G,
                "when the next id would be 2^63 the guest refuses the request and writes nothing",
                GuestCases::idsExhausted));
        l.add(Case.of(RECOMMENDED, "Handshake", "5.3", "stale-guest-refuses-requests", "§5.3, §5.9", G,
                "a guest whose attachment is stale refuses requests with E_STALE_GENERATION and writes nothing",
                GuestCases::staleRefuses));
        l.add(Case.of(REQUIRED, "Attach", "4.4", "retries-until-ready", "§4.4, §5.2 A1", G,
                "an attaching guest retries a NOT_READY region until its own timeout and attaches once READY",
                GuestCases::retriesUntilReady));
        l.add(Case.of(REQUIRED, "Attach", "4.4", "gives-up-at-timeout", "§4.4, §5.2 A1", G,
                "an attaching guest gives up with E_NOT_READY when its timeout passes", GuestCases::givesUp));
        l.add(Case.of(REQUIRED, "Handshake", "5.5", "ack-host-boost", "§5.5", G,
                "acknowledging a host boost writes host_boost_ack and keeps request_id", GuestCases::ackHostBoost));
        l.add(Case.of(REQUIRED, "Validation", "5.3", "invalid-request-writes-nothing", "§5.3, §3.4", G,
                "a request with values the spec forbids is refused and nothing is written",
                GuestCases::invalidRequest));
        l.add(Case.of(REQUIRED, "Handshake", "G3", "ack-of-older-request-is-not-an-ack", "§5.3 G3", G,
                "acted_request_id below the request id does not acknowledge the request", GuestCases::olderAck));
        l.add(Case.of(REQUIRED, "Restart", "5.9", "stale-generation-detected", "§5.9, §4.4", G,
                "a guest notices the host re-initialised the region with a new generation",
                GuestCases::staleGeneration));
        l.add(Case.of(REQUIRED, "Restart", "5.7", "disable-detected", "§5.7", G,
                "a guest notices the host disabled the region", GuestCases::disableDetected));
        l.add(Case.of(REQUIRED, "Detach", "5.8", "detach-layout", "§5.8, §3.3", G,
                "detach publishes attach_state DETACHED under the guest header seqlock", GuestCases::detach));
        l.add(Case.of(RECOMMENDED, "Detach", "3.3", "detached-fields-zero", "§3.3, §5.8 D1", G,
                "a DETACHED guest header has its other fields zero", GuestCases::detachedZero));
        l.add(Case.of(RECOMMENDED, "Handshake", "5.3", "other-slots-untouched", "§5.3, §3.1", G,
                "a request on one slot leaves every other line untouched", GuestCases::otherSlotsUntouched));
        return l;
    }

    private interface HeaderChange {
        HeaderImage apply(HeaderImage h);
    }

    private static Case refused(String subject, String spec, String what, String code, HeaderChange change) {
        return Case.of(REQUIRED, "Attach", "6", subject, spec, G, "attach refuses a region whose " + what + " with " + code,
                c -> {
                    c.newRegion(SLOTS);
                    c.ref().writeHostHeader(change.apply(HeaderImage.valid(SLOTS, CaseContext.GENERATION,
                            CaseContext.HOST_FEATURES)));
                    c.attach(G);
                    c.expectError(c.op("guest.attach", "features", CaseContext.HOST_FEATURES), code,
                            "§6: " + what + " must be refused with " + code);
                    c.sync();
                    c.expectBytes(RegionLayout.GUEST_HEADER_OFFSET, new byte[GuestHeaderLayout.LENGTH],
                            "§5.2: a refused attach writes nothing", "guest header");
                });
    }

    private static byte[] guestHeader(int seq, int state, int minor, int generation, long features) {
        ByteBuffer b = ByteBuffer.allocate(GuestHeaderLayout.LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(GuestHeaderLayout.GUEST_SEQ_OFFSET, seq);
        b.putInt(GuestHeaderLayout.ATTACH_STATE_OFFSET, state);
        b.putShort(GuestHeaderLayout.GUEST_ABI_MAJOR_OFFSET, (short) RegionLayout.ABI_MAJOR);
        b.putShort(GuestHeaderLayout.GUEST_ABI_MINOR_OFFSET, (short) minor);
        b.putInt(GuestHeaderLayout.ATTACHED_GENERATION_OFFSET, generation);
        b.putLong(GuestHeaderLayout.ACCEPTED_FEATURES_OFFSET, features);
        return b.array();
    }

    private static void attachValid(CaseContext c) throws Exception {
        Reply r = c.attachedGuest(SLOTS);
        c.expectFields(r, Map.of("slot_count", "2", "host_generation", Integer.toString(CaseContext.GENERATION)),
                "§5.2 the guest reports the region it attached to");
        c.sync();
        int seq = c.ref().guestHeaderSeq();
        c.expect(seq != 0 && (seq & 1) == 0, "§4.2 W1..W4: the guest header is published under its seqlock",
                "guest_seq is " + Unsigned.u32(seq) + " after attach; expected a non-zero even value");
        long accepted = r.getLong("accepted_features");
        c.expect((accepted & ~CaseContext.HOST_FEATURES) == 0, "§5.2 accepted_features is a subset of host_features",
                "accepted_features 0x" + Long.toHexString(accepted));
        c.expectBytes(RegionLayout.GUEST_HEADER_OFFSET, guestHeader(seq, AttachState.ATTACHED.code(),
                RegionLayout.ABI_MINOR, CaseContext.GENERATION, accepted), "§3.3, §5.2: guest header after attach",
                "guest header");
    }

    private static void higherMinor(CaseContext c) throws Exception {
        c.newRegion(SLOTS);
        c.ref().writeHostHeader(HeaderImage.valid(SLOTS, CaseContext.GENERATION, CaseContext.HOST_FEATURES)
                .withAbi(RegionLayout.ABI_MAJOR, 7));
        c.attach(G);
        c.expectOk(c.op("guest.attach", "features", CaseContext.HOST_FEATURES), "§10 a higher minor is accepted");
        c.sync();
        int minor = Short.toUnsignedInt(c.ref().memory().getShort(RegionLayout.GUEST_HEADER_OFFSET
                + GuestHeaderLayout.GUEST_ABI_MINOR_OFFSET));
        c.expect(minor == RegionLayout.ABI_MINOR, "§5.2 guest_abi_minor = min(guest minor, host minor)",
                "guest_abi_minor is " + minor + ", expected " + RegionLayout.ABI_MINOR);
    }

    private static void minorZeroHost(CaseContext c) throws Exception {
        c.newRegion(SLOTS);
        c.ref().writeHostHeader(HeaderImage.valid(SLOTS, CaseContext.GENERATION, CaseContext.HOST_FEATURES)
                .withAbi(RegionLayout.ABI_MAJOR, 0));
        c.attach(G);
        Reply r = c.op("guest.attach", "features", Feature.DEFINED_MASK);
        c.expectOk(r, "§10 a 1.1 guest attaches to a 1.0 region");
        c.sync();
        int minor = Short.toUnsignedInt(c.ref().memory().getShort(RegionLayout.GUEST_HEADER_OFFSET
                + GuestHeaderLayout.GUEST_ABI_MINOR_OFFSET));
        c.expect(minor == 0, "§5.2 A2 guest_abi_minor = min(guest minor, host minor)",
                "guest_abi_minor is " + minor + " against a minor-0 host, expected 0");
        long accepted = c.ref().memory().getLong(RegionLayout.GUEST_HEADER_OFFSET
                + GuestHeaderLayout.ACCEPTED_FEATURES_OFFSET);
        c.expect((accepted & ~Feature.DEFINED_MASK_1_0) == 0, "§10 at minor 0 only 1.0 features are accepted",
                "accepted_features 0x" + Long.toHexString(accepted));
    }

    private static void doorbellNeedsABell(CaseContext c) throws Exception {
        c.newRegion(SLOTS);
        c.ref().writeHostHeader(HeaderImage.valid(SLOTS, CaseContext.GENERATION, Feature.DEFINED_MASK));
        c.attach(G);
        Reply r = c.op("guest.attach", "features", Feature.DEFINED_MASK);
        c.expectOk(r, "§12.2 a host offering DOORBELL is attached to like any other");
        c.sync();
        long accepted = c.ref().memory().getLong(RegionLayout.GUEST_HEADER_OFFSET
                + GuestHeaderLayout.ACCEPTED_FEATURES_OFFSET);
        c.expect(!Feature.DOORBELL.in(accepted), "§12.2 a guest accepts DOORBELL only if it can ring",
                "accepted_features 0x" + Long.toHexString(accepted) + " has DOORBELL, but the testee has no doorbell");
        c.expect((accepted & ~Feature.DEFINED_MASK) == 0, "§5.2 accepted_features is a subset of host_features",
                "accepted_features 0x" + Long.toHexString(accepted));
    }

    private static void oddAtRest(CaseContext c) throws Exception {
        c.attachedGuest(SLOTS);
        c.ref().putHostLineRaw(1, SAMPLE.withSeq(7));
        c.expectError(c.op("guest.read_host_state", "slot", 1), "E_BUSY",
                "§4.3 R2: an odd counter means a write in progress; after the bounded retries report E_BUSY");
    }

    private static void wrapAround(CaseContext c) throws Exception {
        c.attachedGuest(SLOTS);
        c.ref().putHostLineRaw(0, SAMPLE.withSeq(0xFFFF_FFFE));
        Reply r = c.expectOk(c.op("guest.read_host_state", "slot", 0), "§4.3: an even counter 0xFFFFFFFE is at rest");
        c.expectFields(r, SAMPLE.fields(), "§4.3 R3: the copy holds the line's fields");
        HostLine next = new HostLine(0, 1, 0, 0, 7, 0, 99, 18, 3);
        c.ref().publishHostLine(0, next); // W1 stores 0xFFFFFFFF, W4 stores 0
        c.expect(c.ref().hostLineAtRest(0).seq() == 0, "runner", "the runner's own writer did not wrap");
        Reply r2 = c.expectOk(c.op("guest.read_host_state", "slot", 0),
                "§4.1: counters are compared for equality only, so 0 after 0xFFFFFFFF is a valid even value");
        c.expectFields(r2, next.fields(), "§4.3: after the wrap the reader returns the new line");
    }

    private static void readReturnsLine(CaseContext c) throws Exception {
        c.attachedGuest(SLOTS);
        HostLine l = new HostLine(0, 3, 2, 99, 2, 0x1F, 0xFFFF_FFFF, 0x7FFF_FFFF_FFFF_FFFEL, 0x1_0000_0001L);
        c.ref().publishHostLine(1, l);
        Reply r = c.expectOk(c.op("guest.read_host_state", "slot", 1), "§4.3 a quiet line reads in one attempt");
        c.expectFields(r, l.fields(), "§3.5: every field, at its offset, little-endian, unsigned");
    }

    private static void unknownCodes(CaseContext c) throws Exception {
        c.attachedGuest(SLOTS);
        HostLine l = new HostLine(0, 9, 7, 0, 200, 0, 0, 1, 0);
        c.ref().publishHostLine(0, l);
        Reply r = c.op("guest.read_host_state", "slot", 0);
        c.expectOk(r, "§3.6: an unknown enum code decodes to 'unknown'; it is neither an error nor a crash");
        c.expectFields(r, Map.of("slot_status", "9", "policy", "7", "denial", "200"),
                "§3.6: the raw code is kept so nothing is lost");
    }

    private static void reservedFlags(CaseContext c) throws Exception {
        c.attachedGuest(SLOTS);
        c.ref().publishHostLine(0, new HostLine(0, 2, 1, 10, 0, 0x100 | 0x1, 0, 1, 1));
        c.expectError(c.op("guest.read_host_state", "slot", 0), "E_RESERVED_BITS",
                "§3.6: bits outside host_boost_flag's defined mask 0x1F must be zero; a reader rejects them");
    }

    private static void idBit63(CaseContext c) throws Exception {
        c.attachedGuest(SLOTS);
        c.ref().publishHostLine(0, new HostLine(0, 1, 0, 0, 0, 0, 0, Long.MIN_VALUE, 0));
        c.expectError(c.op("guest.read_host_state", "slot", 0), "E_INVALID_VALUE",
                "§3.5: ids are u64 with bit 63 clear");
    }

    private static void reservedIgnored(CaseContext c) throws Exception {
        c.attachedGuest(SLOTS);
        c.ref().publishHostLine(0, SAMPLE);
        int reserved = RegionLayout.hostLineOffset(0) + dev.vboost.api.layout.HostSlotLayout.RESERVED0_OFFSET;
        for (int i = 0; i < dev.vboost.api.layout.HostSlotLayout.RESERVED0_LENGTH; i++) {
            c.ref().memory().putByte(reserved + i, (byte) 0xA5);
        }
        Reply r = c.expectOk(c.op("guest.read_host_state", "slot", 0), "§3.7: reserved bytes are ignored on read");
        c.expectFields(r, SAMPLE.fields(), "§3.7: reserved bytes do not change what is read");
    }

    private static GuestLine expectedRequest(int seq, int policy, int prio, int nice, int reasons, long id, long ack) {
        return new GuestLine(seq, 1, policy, prio, nice, reasons, id, ack);
    }

    private static void requestLayout(CaseContext c) throws Exception {
        c.attachedGuest(SLOTS);
        c.sync();
        GuestLine before = c.ref().guestLineAtRest(1);
        Reply r = c.expectOk(c.op("guest.request_boost", "slot", 1, "policy", 1, "priority", 10, "nice", 0,
                "reasons", 0x3), "§5.3: a valid boost request is accepted");
        long id = r.getLong("request_id");
        c.expect(id == before.requestId() + 1, "§5.3 G1: request_id is the previous one plus one",
                "request_id " + id + " after " + before.requestId());
        c.sync();
        int seq = c.ref().guestLineAtRest(1).seq();
        c.expect(seq == before.seq() + 2, "§4.2: one publication moves the counter by exactly 2 (odd, then even)",
                "guest_seq went from " + Unsigned.u32(before.seq()) + " to " + Unsigned.u32(seq));
        c.expectBytes(RegionLayout.guestLineOffset(1), WireImage.guestLine(expectedRequest(seq, 1, 10, 0, 3, id,
                before.hostBoostAck())), "§3.4: slot guest line layout", "slot 1 guest line");
    }

    private static void idsByOne(CaseContext c) throws Exception {
        c.attachedGuest(SLOTS);
        long first = c.expectOk(c.op("guest.request_boost", "slot", 0, "policy", 2, "priority", 5, "nice", 0,
                "reasons", 1), "§5.3").getLong("request_id");
        long second = c.expectOk(c.op("guest.request_boost", "slot", 0, "policy", 0, "priority", 0, "nice", -5,
                "reasons", 0x40), "§5.3").getLong("request_id");
        long third = c.expectOk(c.op("guest.release", "slot", 0), "§5.4").getLong("request_id");
        c.expect(first >= 1 && second == first + 1 && third == second + 1, "§5.3 G1: +1 per request",
                "request ids " + first + ", " + second + ", " + third);
        c.sync();
        c.expect(c.ref().guestLineAtRest(0).requestId() == third, "§5.3: the line holds the newest id",
                "request_id in the line is " + c.ref().guestLineAtRest(0).requestId() + ", expected " + third);
    }

    private static void releaseLayout(CaseContext c) throws Exception {
        c.attachedGuest(SLOTS);
        c.expectOk(c.op("guest.request_boost", "slot", 0, "policy", 1, "priority", 20, "nice", 0, "reasons", 0x7F),
                "§5.3");
        long id = c.expectOk(c.op("guest.release", "slot", 0), "§5.4").getLong("request_id");
        c.sync();
        int seq = c.ref().guestLineAtRest(0).seq();
        c.expectBytes(RegionLayout.guestLineOffset(0), WireImage.guestLine(new GuestLine(seq, 2, 0, 0, 0, 0, id, 0)),
                "§5.4: UNBOOST with policy NORMAL, priority 0, nice 0, no reasons", "slot 0 guest line");
    }

    private static void releaseRequest(CaseContext c) throws Exception {
        c.attachedGuest(SLOTS);
        c.ref().publishHostLine(0, new HostLine(0, 2, 1, 10, 0, 1, 0, 0, 3));
        c.expectOk(c.op("guest.ack_host_boost", "slot", 0, "host_boost_id", 3), "§5.5");
        long boost = c.expectOk(c.op("guest.request_boost", "slot", 0, "policy", 1, "priority", 20, "nice", 0,
                "reasons", 0x7F), "§5.3").getLong("request_id");
        c.sync();
        int before = c.ref().guestLineAtRest(0).seq();
        long id = c.expectOk(c.op("guest.release", "slot", 0), "§5.4").getLong("request_id");
        c.sync();
        GuestLine l = c.ref().guestLineAtRest(0);
        c.expect(id == boost + 1 && l.requestId() == id && l.request() == 2 && l.hostBoostAck() == 3
                && l.seq() == before + 2, "§5.4, §5.3 G1..G2: request UNBOOST, request_id = previous + 1, "
                + "host_boost_ack unchanged, one publication (counter +2)", "guest line after release: " + l
                + " (reported id " + id + ", previous " + boost + ", counter before " + before + ")");
        int at = RegionLayout.guestLineOffset(0);
        c.expectBytes(at + 0x0C, new byte[4], "§3.7: reserved bytes written as zero", "reserved0");
        c.expectBytes(at + 0x20, new byte[32], "§3.7: reserved bytes written as zero", "reserved1");
    }

    private static void idsContinue(CaseContext c) throws Exception {
        c.newRegion(SLOTS);
        c.ref().writeHostHeader(HeaderImage.valid(SLOTS, CaseContext.GENERATION, CaseContext.HOST_FEATURES));
        c.ref().publishGuestLine(1, new GuestLine(0, 2, 0, 0, 0, 0, 41, 0));
        c.attach(G);
        c.expectOk(c.op("guest.attach", "features", CaseContext.HOST_FEATURES), "§5.2");
        long id = c.expectOk(c.op("guest.request_boost", "slot", 1, "policy", 1, "priority", 5, "nice", 0,
                "reasons", 1), "§5.3").getLong("request_id");
        c.expect(id == 42, "§5.3 G1: id = previous request_id + 1, the previous one being what the line holds (an "
                + "id is never reused, so the host never mistakes a new request for an answered one)",
                "first request after attaching to a line holding request_id 41 got id " + id);
    }

    private static void idsExhausted(CaseContext c) throws Exception {
        c.newRegion(SLOTS);
        c.ref().writeHostHeader(HeaderImage.valid(SLOTS, CaseContext.GENERATION, CaseContext.HOST_FEATURES));
        c.ref().publishGuestLine(0, new GuestLine(0, 2, 0, 0, 0, 0, Long.MAX_VALUE - 1, 0));
        c.attach(G);
        c.expectOk(c.op("guest.attach", "features", CaseContext.HOST_FEATURES), "§5.2");
        long last = c.expectOk(c.op("guest.request_boost", "slot", 0, "policy", 1, "priority", 5, "nice", 0,
                "reasons", 1), "§5.3 G1: 2^63 - 1 is still a valid id").getLong("request_id");
        c.expect(last == Long.MAX_VALUE, "§5.3 G1", "the last valid id is 2^63 - 1, got " + last);
        c.sync();
        int at = RegionLayout.guestLineOffset(0);
        byte[] before = java.util.Arrays.copyOfRange(c.region().snapshot(), at, at + RegionLayout.LINE_SIZE);
        c.expectAnyError(c.op("guest.release", "slot", 0), "§5.3 G1: the id MUST stay valid (< 2^63): with the ids "
                + "used up the guest refuses");
        c.sync();
        c.expectBytes(at, before, "§5.3 G1: a refused request writes nothing", "slot 0 guest line");
    }

    private static void staleRefuses(CaseContext c) throws Exception {
        c.attachedGuest(SLOTS);
        c.sync();
        int at = RegionLayout.guestLineOffset(0);
        byte[] before = java.util.Arrays.copyOfRange(c.region().snapshot(), at, at + RegionLayout.LINE_SIZE);
        c.ref().writeHostHeader(HeaderImage.valid(SLOTS, CaseContext.GENERATION + 1, CaseContext.HOST_FEATURES));
        c.expectError(c.op("guest.request_boost", "slot", 0, "policy", 1, "priority", 5, "nice", 0, "reasons", 1),
                "E_STALE_GENERATION", "§5.3, §5.9: requests are made only while attached at the current generation");
        c.sync();
        c.expectBytes(at, before, "§5.3: a refused request writes nothing", "slot 0 guest line");
    }

    private static void retriesUntilReady(CaseContext c) throws Exception {
        c.newRegion(SLOTS);
        c.ref().writeHostHeader(HeaderImage.valid(SLOTS, CaseContext.GENERATION, CaseContext.HOST_FEATURES)
                .withState(RegionState.NOT_READY.code()));
        c.attach(G);
        java.util.concurrent.CompletableFuture<Reply> attach = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return c.op("guest.attach", "features", CaseContext.HOST_FEATURES, "timeout_ms", 8000);
            } catch (dev.vboost.conformance.testee.TesteeException e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });
        try {
            Reply early = attach.get(300, java.util.concurrent.TimeUnit.MILLISECONDS);
            throw new ConformanceFailure("§4.4, §5.2 A1: E_NOT_READY means \"not there yet\": retry until the "
                    + "guest's own timeout", "guest.attach with timeout_ms 8000 answered after less than 300 ms while "
                    + "the region was NOT_READY: " + early);
        } catch (java.util.concurrent.TimeoutException stillRetrying) {
            // as it should: now the host finishes H4
        }
        c.ref().setRegionState(RegionState.READY.code());
        Reply r = attach.get(30, java.util.concurrent.TimeUnit.SECONDS);
        c.expectOk(r, "§4.4, §5.2 A1: E_NOT_READY means \"not there yet\": retry until the guest's own timeout");
    }

    private static void givesUp(CaseContext c) throws Exception {
        c.newRegion(SLOTS);
        c.ref().writeHostHeader(HeaderImage.valid(SLOTS, CaseContext.GENERATION, CaseContext.HOST_FEATURES)
                .withState(RegionState.NOT_READY.code()));
        c.attach(G);
        c.expectError(c.op("guest.attach", "features", CaseContext.HOST_FEATURES, "timeout_ms", 50), "E_NOT_READY",
                "§4.4, §5.2 A1: after its timeout an attaching guest reports the region not ready");
    }

    private static void detachedZero(CaseContext c) throws Exception {
        c.attachedGuest(SLOTS);
        c.expectOk(c.op("guest.detach"), "§5.8");
        c.sync();
        int b = RegionLayout.GUEST_HEADER_OFFSET;
        c.expectBytes(b + 4, new byte[RegionLayout.LINE_SIZE - 4], "§3.3, §5.8 D1: while DETACHED the other fields "
                + "SHOULD be zero", "guest header after detach");
    }

    private static void ackHostBoost(CaseContext c) throws Exception {
        c.attachedGuest(SLOTS);
        long id = c.expectOk(c.op("guest.request_boost", "slot", 1, "policy", 1, "priority", 10, "nice", 0,
                "reasons", 1), "§5.3").getLong("request_id");
        c.ref().publishHostLine(1, new HostLine(0, 2, 1, 10, 0, 0x1, 3000, id, 5));
        c.expectOk(c.op("guest.ack_host_boost", "slot", 1, "host_boost_id", 5), "§5.5: the guest acknowledges");
        c.sync();
        GuestLine l = c.ref().guestLineAtRest(1);
        c.expectGuestLine(1, expectedRequest(l.seq(), 1, 10, 0, 1, id, 5),
                "§5.5: host_boost_ack holds the acknowledged id and the request is unchanged");
        c.expect((l.seq() & 1) == 0, "§4.2", "guest_seq is odd at rest after the acknowledgement");
    }

    private static void invalidRequest(CaseContext c) throws Exception {
        c.attachedGuest(SLOTS);
        c.sync();
        byte[] before = java.util.Arrays.copyOfRange(c.region().snapshot(), RegionLayout.guestLineOffset(0),
                RegionLayout.guestLineOffset(0) + RegionLayout.LINE_SIZE);
        Object[][] bad = {
            {"policy", 1, "priority", 0, "nice", 0, "reasons", 1},
            {"policy", 2, "priority", 100, "nice", 0, "reasons", 1},
            {"policy", 0, "priority", 0, "nice", 20, "reasons", 1},
            {"policy", 0, "priority", 0, "nice", -21, "reasons", 1},
            {"policy", 9, "priority", 1, "nice", 0, "reasons", 1},
            {"policy", 1, "priority", 10, "nice", 0, "reasons", 0x80},
        };
        for (Object[] b : bad) {
            Object[] kv = new Object[b.length + 2];
            kv[0] = "slot";
            kv[1] = 0;
            System.arraycopy(b, 0, kv, 2, b.length);
            c.expectAnyError(c.op("guest.request_boost", kv), "§3.4: a request with " + java.util.Arrays.toString(b)
                    + " breaks the range rules and must be refused");
        }
        c.sync();
        c.expectBytes(RegionLayout.guestLineOffset(0), before, "§5.3: a refused request writes nothing",
                "slot 0 guest line");
    }

    private static void olderAck(CaseContext c) throws Exception {
        c.attachedGuest(SLOTS);
        c.expectOk(c.op("guest.request_boost", "slot", 0, "policy", 1, "priority", 10, "nice", 0, "reasons", 1), "§5.3");
        long id = c.expectOk(c.op("guest.request_boost", "slot", 0, "policy", 1, "priority", 11, "nice", 0,
                "reasons", 1), "§5.3").getLong("request_id");
        c.ref().publishHostLine(0, new HostLine(0, 2, 1, 10, 0, 0, 0, id - 1, 0));
        Reply r = c.expectOk(c.op("guest.await_acted", "slot", 0, "request_id", id, "timeout_ms", 50), "§5.3 G3");
        c.expect(r.get("acted").equals("0"), "§5.3 G3: only acted_request_id >= request_id acknowledges a request",
                "request " + id + " was reported acted while the host had acted only on " + (id - 1));
        c.ref().publishHostLine(0, new HostLine(0, 2, 1, 11, 0, 0, 0, id, 0));
        Reply r2 = c.expectOk(c.op("guest.await_acted", "slot", 0, "request_id", id, "timeout_ms", 2000), "§5.3 G3");
        c.expect(r2.get("acted").equals("1"), "§5.3 G3: acted_request_id == request_id acknowledges it",
                "request " + id + " not reported acted although acted_request_id is " + id);
    }

    private static void staleGeneration(CaseContext c) throws Exception {
        c.attachedGuest(SLOTS);
        Reply before = c.expectOk(c.op("guest.host_restarted"), "§5.9");
        c.expect(before.get("restarted").equals("0"), "§5.9: nothing changed yet",
                "host_restarted reported 1 before the host did anything");
        c.ref().writeHostHeader(HeaderImage.valid(SLOTS, CaseContext.GENERATION + 1, CaseContext.HOST_FEATURES));
        Reply after = c.expectOk(c.op("guest.host_restarted"), "§5.9");
        c.expect(after.get("restarted").equals("1"), "§5.9: a new host_generation means the host restarted; "
                + "a guest must not keep using the state of the old generation (E_STALE_GENERATION)",
                "generation went from " + CaseContext.GENERATION + " to " + (CaseContext.GENERATION + 1)
                        + " and the guest did not notice");
    }

    private static void disableDetected(CaseContext c) throws Exception {
        c.attachedGuest(SLOTS);
        c.ref().setRegionState(RegionState.DISABLED.code());
        Reply after = c.expectOk(c.op("guest.host_restarted"), "§5.7");
        c.expect(after.get("restarted").equals("1"), "§5.7: a region that is no longer READY is not usable",
                "region_state DISABLED and the guest did not notice");
    }

    private static void detach(CaseContext c) throws Exception {
        c.attachedGuest(SLOTS);
        c.sync();
        int seq = c.ref().guestHeaderSeq();
        c.expectOk(c.op("guest.detach"), "§5.8");
        c.sync();
        int after = c.ref().guestHeaderSeq();
        c.expect(after == seq + 2, "§4.2: detach is one seqlock publication",
                "guest_seq went from " + seq + " to " + after);
        int state = c.ref().memory().getInt(RegionLayout.GUEST_HEADER_OFFSET + GuestHeaderLayout.ATTACH_STATE_OFFSET);
        c.expect(state == AttachState.DETACHED.code(), "§5.8: attach_state DETACHED",
                "attach_state is " + state + " after detach");
    }

    private static void otherSlotsUntouched(CaseContext c) throws Exception {
        c.attachedGuest(3);
        c.sync();
        byte[] before = c.region().snapshot();
        c.expectOk(c.op("guest.request_boost", "slot", 1, "policy", 1, "priority", 10, "nice", 0, "reasons", 1), "§5.3");
        c.sync();
        int s0 = RegionLayout.guestLineOffset(0);
        c.expectBytes(s0, java.util.Arrays.copyOfRange(before, s0, s0 + RegionLayout.SLOT_SIZE),
                "§3.1: one writer per line; a request touches only its own guest line", "slot 0");
        int s2 = RegionLayout.guestLineOffset(2);
        c.expectBytes(s2, java.util.Arrays.copyOfRange(before, s2, s2 + RegionLayout.SLOT_SIZE),
                "§3.1: one writer per line", "slot 2");
        int h1 = RegionLayout.hostLineOffset(1);
        c.expectBytes(h1, java.util.Arrays.copyOfRange(before, h1, h1 + RegionLayout.LINE_SIZE),
                "§3.1: the guest never writes a host line", "slot 1 host line");
    }
}
