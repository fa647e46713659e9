package dev.vboost.api.image;

import dev.vboost.api.GuestHeader;
import dev.vboost.api.GuestRequest;
import dev.vboost.api.HostHeader;
import dev.vboost.api.HostState;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * How each field name of a vector's {@code expect} block reads from the decoded records, rendered the way
 * spec/vectors/README.md says: decimal strings (u64 unsigned), enum names.
 */
final class VectorFields {
    static final Map<String, Function<HostHeader, String>> HOST_HEADER = new LinkedHashMap<>();
    static final Map<String, Function<GuestHeader, String>> GUEST_HEADER = new LinkedHashMap<>();
    static final Map<String, Function<GuestRequest, String>> SLOT_GUEST = new LinkedHashMap<>();
    static final Map<String, Function<HostState, String>> SLOT_HOST = new LinkedHashMap<>();

    static {
        HOST_HEADER.put("magic", h -> dec(h.magic()));
        HOST_HEADER.put("abi_major", h -> dec(h.abiMajor()));
        HOST_HEADER.put("abi_minor", h -> dec(h.abiMinor()));
        HOST_HEADER.put("header_size", h -> dec(h.headerSize()));
        HOST_HEADER.put("slot_size", h -> dec(h.slotSize()));
        HOST_HEADER.put("slot_count", h -> dec(h.slotCount()));
        HOST_HEADER.put("host_features", h -> u64(h.hostFeatures()));
        HOST_HEADER.put("host_generation", h -> dec(h.hostGeneration()));
        HOST_HEADER.put("region_state", h -> h.regionState().name());
        HOST_HEADER.put("prio_ceiling", h -> dec(h.prioCeiling()));
        HOST_HEADER.put("max_boost_us", h -> dec(h.maxBoostUs()));
        HOST_HEADER.put("region_size", h -> u64(h.regionSize()));

        GUEST_HEADER.put("guest_seq", g -> dec(g.guestSeq()));
        GUEST_HEADER.put("attach_state", g -> g.attachState().name());
        GUEST_HEADER.put("guest_abi_major", g -> dec(g.guestAbiMajor()));
        GUEST_HEADER.put("guest_abi_minor", g -> dec(g.guestAbiMinor()));
        GUEST_HEADER.put("attached_generation", g -> dec(g.attachedGeneration()));
        GUEST_HEADER.put("accepted_features", g -> u64(g.acceptedFeatures()));

        SLOT_GUEST.put("request", r -> r.request().name());
        SLOT_GUEST.put("policy", r -> r.policy().name());
        SLOT_GUEST.put("priority", r -> dec(r.priority()));
        SLOT_GUEST.put("nice", r -> dec(r.nice()));
        SLOT_GUEST.put("reasons", r -> dec(Integer.toUnsignedLong(r.reasons())));
        SLOT_GUEST.put("request_id", r -> u64(r.requestId()));
        SLOT_GUEST.put("host_boost_ack", r -> u64(r.hostBoostAck()));

        SLOT_HOST.put("status", s -> s.status().name());
        SLOT_HOST.put("policy", s -> s.policy().name());
        SLOT_HOST.put("priority", s -> dec(s.priority()));
        SLOT_HOST.put("denial", s -> s.denial().name());
        SLOT_HOST.put("host_boost_flags", s -> dec(Integer.toUnsignedLong(s.hostBoostFlags())));
        SLOT_HOST.put("budget_remaining_us", s -> dec(s.budgetRemainingUs()));
        SLOT_HOST.put("acted_request_id", s -> u64(s.actedRequestId()));
        SLOT_HOST.put("host_boost_id", s -> u64(s.hostBoostId()));
    }

    private VectorFields() {
    }

    private static String dec(long v) {
        return Long.toString(v);
    }

    private static String u64(long v) {
        return Long.toUnsignedString(v);
    }
}
