package dev.vboost.conformance.spi;

import dev.vboost.api.GuestHeader;
import dev.vboost.api.GuestRequest;
import dev.vboost.api.HostHeader;
import dev.vboost.api.HostState;
import dev.vboost.api.image.ImageError;
import dev.vboost.api.image.LineImage;
import dev.vboost.api.image.RegionImage;
import dev.vboost.api.image.SlotImage;
import dev.vboost.api.WireError;
import dev.vboost.conformance.region.Unsigned;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The reply of the testee protocol's {@code codec.decode_image} (§5.4) for a decoded {@link RegionImage}: what a
 * JVM provider whose decoder is protocol-api's returns from {@link ConformanceProvider#decodeImage}.
 */
public final class ImageReport {
    private ImageReport() {
    }

    /**
     * The {@code codec.decode_image} reply for a decoded image.
     *
     * @param img the image decoded by protocol-api
     * @return the fields, keyed as the testee protocol names them
     */
    public static Map<String, String> of(RegionImage img) {
        Map<String, String> m = new LinkedHashMap<>();
        HostHeader h = img.hostHeader();
        if (h != null) {
            m.put("host_header.magic", Long.toString(h.magic()));
            m.put("host_header.abi_major", Integer.toString(h.abiMajor()));
            m.put("host_header.abi_minor", Integer.toString(h.abiMinor()));
            m.put("host_header.header_size", Integer.toString(h.headerSize()));
            m.put("host_header.slot_size", Integer.toString(h.slotSize()));
            m.put("host_header.slot_count", Long.toString(h.slotCount()));
            m.put("host_header.host_features", Unsigned.u64(h.hostFeatures()));
            m.put("host_header.host_generation", Long.toString(h.hostGeneration()));
            m.put("host_header.region_state", h.regionState().name());
            m.put("host_header.prio_ceiling", Long.toString(h.prioCeiling()));
            m.put("host_header.max_boost_us", Long.toString(h.maxBoostUs()));
            m.put("host_header.region_size", Unsigned.u64(h.regionSize()));
        }
        LineImage<GuestHeader> gh = img.guestHeader();
        if (gh != null) {
            String p = "guest_header.";
            m.put(p + "guest_seq", Long.toString(gh.seq()));
            GuestHeader g = gh.value();
            if (g != null) {
                m.put(p + "attach_state", g.attachState().name());
                m.put(p + "guest_abi_major", Integer.toString(g.guestAbiMajor()));
                m.put(p + "guest_abi_minor", Integer.toString(g.guestAbiMinor()));
                m.put(p + "attached_generation", Long.toString(g.attachedGeneration()));
                m.put(p + "accepted_features", Unsigned.u64(g.acceptedFeatures()));
            }
            m.put(p + "result", result(gh.error()));
        }
        for (SlotImage s : img.slots()) {
            String p = "slot." + s.index() + ".guest.";
            m.put(p + "guest_seq", Long.toString(s.guest().seq()));
            GuestRequest r = s.guest().value();
            if (r != null) {
                m.put(p + "request", r.request().name());
                m.put(p + "policy", r.policy().name());
                m.put(p + "priority", Integer.toString(r.priority()));
                m.put(p + "nice", Integer.toString(r.nice()));
                m.put(p + "reasons", Unsigned.u32(r.reasons()));
                m.put(p + "request_id", Unsigned.u64(r.requestId()));
                m.put(p + "host_boost_ack", Unsigned.u64(r.hostBoostAck()));
            }
            m.put(p + "result", result(s.guest().error()));
            p = "slot." + s.index() + ".host.";
            m.put(p + "host_seq", Long.toString(s.host().seq()));
            HostState st = s.host().value();
            if (st != null) {
                m.put(p + "status", st.status().name());
                m.put(p + "policy", st.policy().name());
                m.put(p + "priority", Integer.toString(st.priority()));
                m.put(p + "denial", st.denial().name());
                m.put(p + "host_boost_flags", Unsigned.u32(st.hostBoostFlags()));
                m.put(p + "budget_remaining_us", Long.toString(st.budgetRemainingUs()));
                m.put(p + "acted_request_id", Unsigned.u64(st.actedRequestId()));
                m.put(p + "host_boost_id", Unsigned.u64(st.hostBoostId()));
            }
            m.put(p + "result", result(s.host().error()));
        }
        WireError attach = img.attachOutcome();
        m.put("attach", attach.code());
        ImageError e = img.firstError();
        m.put("kind", e == null ? "accept" : "reject");
        if (e != null) {
            m.put("error.code", e.error().code());
            m.put("error.struct", e.struct().wireName());
            if (e.slot() >= 0) {
                m.put("error.slot", Integer.toString(e.slot()));
            }
            m.put("error.offset", "0x" + Integer.toHexString(e.offset()).toUpperCase(Locale.ROOT));
        }
        return m;
    }

    private static String result(@Nullable ImageError e) {
        return e == null ? "OK" : e.error().code();
    }
}
