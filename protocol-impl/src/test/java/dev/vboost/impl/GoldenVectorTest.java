package dev.vboost.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vboost.api.GuestSlotSnapshot;
import dev.vboost.api.HostSlotSnapshot;
import dev.vboost.api.ReadStatus;
import dev.vboost.api.VboostException;
import dev.vboost.api.WireError;
import dev.vboost.api.layout.HostHeaderLayout;
import dev.vboost.api.layout.RegionLayout;
import dev.vboost.api.memory.SharedMemory;
import dev.vboost.api.role.GuestEndpoint;
import dev.vboost.api.wire.AttachState;
import dev.vboost.api.wire.BoostRequest;
import dev.vboost.api.wire.DenialReason;
import dev.vboost.api.wire.Feature;
import dev.vboost.api.wire.RegionState;
import dev.vboost.api.wire.SchedPolicy;
import dev.vboost.api.wire.SlotStatus;
import dev.vboost.impl.contract.BackendTest;
import dev.vboost.impl.line.GuestHeaderReader;
import dev.vboost.impl.line.GuestRequestReader;
import dev.vboost.impl.line.HostHeaderReader;
import dev.vboost.impl.line.HostStateReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every golden vector of {@code spec/vectors/v1.0} (written independently of this library, loaded from the spec
 * jar on the class path) read through this implementation: the attach result, every host header field, the
 * guest header and each slot line with their validation results, and the image's first error in region order.
 * Each image is loaded into memory of the backend under test.
 */
public class GoldenVectorTest extends BackendTest {
    private static final List<String> DIRS = List.of("vboost/spec/vectors/v1.0/", "vboost/spec/vectors/v1.1/");
    private static final ObjectMapper JSON = new ObjectMapper();

    static Stream<Named<JsonNode>> vectors() {
        List<Named<JsonNode>> all = new ArrayList<>();
        for (String dir : DIRS) {
            for (JsonNode entry : json(dir + "index.json").get("vectors")) {
                JsonNode v = json(dir + entry.get("json").asText());
                if (!forNewerReaders(v)) {
                    ((com.fasterxml.jackson.databind.node.ObjectNode) v).put("dir", dir);
                    all.add(Named.of(entry.get("id").asText(), v));
                }
            }
        }
        return all.stream();
    }

    /**
     * A vector written for an older reader about a region of a newer minor than that reader (V018) is judged by
     * its counterpart for this reader's minor (V075), spec §10.
     */
    private static boolean forNewerReaders(JsonNode v) {
        int readerMinor = Integer.parseInt(v.get("reader").asText().substring(2));
        JsonNode host = v.get("expect").get("host_header");
        return readerMinor < RegionLayout.ABI_MINOR && host != null && host.get("abi_minor").asInt() > readerMinor;
    }

    @Test
    void theVectorsAreThere() {
        assertTrue(vectors().count() >= 40, "golden vectors missing from the class path");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void vectorReadsAsExpected(JsonNode vector) throws Exception {
        byte[] image = bytes(vector.get("dir").asText() + vector.get("image").get("file").asText());
        assertEquals(vector.get("image").get("size").asInt(), image.length, "image size");
        assertEquals(vector.get("image").get("sha256").asText(),
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(image)), "image digest");
        SharedMemory m = load(image);
        JsonNode expect = vector.get("expect");

        String attach = vector.get("attach").asText();
        assertEquals(attach, code(Regions.checkRegion(m)), "attach result");
        checkAttachForReal(load(image), attach);

        Map<String, String> errors = new LinkedHashMap<>();   // where -> first error, region order
        HostHeaderReader header = null;
        if (m.capacity() >= HostHeaderLayout.LENGTH) {
            header = new HostHeaderReader(m);
            assertEquals(ReadStatus.OK, header.read());
            WireError e = header.validate(m.capacity());
            boolean notAnImageError = e == WireError.DISABLED
                    || (e == WireError.NOT_READY && header.regionStateCode() == RegionState.NOT_READY.code());
            if (e != WireError.NONE && !notAnImageError) {
                errors.put("host_header", e.code());
            }
            checkHostHeader(expect.get("host_header"), header);
        } else {
            errors.put("host_header", WireError.TRUNCATED.code());
        }
        if (expect.has("guest_header")) {
            assertNotNull(header);
            String result = checkGuestHeader(expect.get("guest_header"), m, header);
            if (!result.equals("OK")) {
                errors.put("guest_header", result);
            }
        }
        if (expect.has("slots")) {
            for (JsonNode slot : expect.get("slots")) {
                int i = slot.get("index").asInt();
                String g = checkGuestLine(slot.get("guest"), m, i);
                String h = checkHostLine(slot.get("host"), m, i);
                if (!g.equals("OK")) {
                    errors.putIfAbsent("slot " + i + " guest", g);
                }
                if (!h.equals("OK")) {
                    errors.putIfAbsent("slot " + i + " host", h);
                }
            }
        }
        JsonNode error = vector.get("error");
        String first = errors.isEmpty() ? null : errors.values().iterator().next();
        assertEquals(error.isNull() ? null : error.get("code").asText(), first, "first error; all: " + errors);
        assertEquals(vector.get("kind").asText().equals("accept"), error.isNull(), "kind agrees with error");
    }

    private static void checkAttachForReal(SharedMemory m, String attach) {
        if (attach.equals("OK")) {
            GuestEndpoint guest = Regions.attachGuest(m, Feature.DEFINED_MASK);
            assertTrue(guest.slotCount() > 0);
            guest.detach();
        } else {
            VboostException e = assertThrows(VboostException.class, () -> Regions.attachGuest(m, Feature.DEFINED_MASK));
            assertEquals(attach, e.error().code(), e.getMessage());
        }
    }

    private static void checkHostHeader(JsonNode x, HostHeaderReader h) {
        assertEquals(x.get("magic").asText(), Long.toString(Integer.toUnsignedLong(h.magic())), "magic");
        assertEquals(x.get("abi_major").asText(), Integer.toString(h.abiMajor()), "abi_major");
        assertEquals(x.get("abi_minor").asText(), Integer.toString(h.abiMinor()), "abi_minor");
        assertEquals(x.get("slot_count").asText(), Long.toString(Integer.toUnsignedLong(h.slotCount())), "slot_count");
        assertEquals(x.get("host_features").asText(), Long.toUnsignedString(h.hostFeatures()), "host_features");
        assertEquals(x.get("host_generation").asText(), Long.toString(Integer.toUnsignedLong(h.generation())), "host_generation");
        assertEquals(x.get("region_state").asText(), RegionState.fromCode(h.regionStateCode()).name(), "region_state");
        assertEquals(x.get("prio_ceiling").asText(), Long.toString(Integer.toUnsignedLong(h.prioCeiling())), "prio_ceiling");
        assertEquals(x.get("max_boost_us").asText(), Long.toString(Integer.toUnsignedLong(h.maxBoostUs())), "max_boost_us");
        assertEquals(x.get("region_size").asText(), Long.toUnsignedString(h.regionSize()), "region_size");
        var record = h.toRecord();
        assertEquals(x.get("header_size").asText(), Integer.toString(record.headerSize()), "header_size");
        assertEquals(x.get("slot_size").asText(), Integer.toString(record.slotSize()), "slot_size");
    }

    private static String checkGuestHeader(JsonNode x, SharedMemory m, HostHeaderReader host) {
        GuestHeaderReader r = new GuestHeaderReader(m);
        ReadStatus status = r.read();
        String result = status == ReadStatus.BUSY ? WireError.BUSY.code()
                : code(r.validate(host.generation(), host.abiMinor(), host.hostFeatures()));
        assertEquals(x.get("result").asText(), result, "guest header result");
        Map<String, String> actual = new LinkedHashMap<>();
        actual.put("guest_seq", Long.toString(Integer.toUnsignedLong(m.getInt(RegionLayout.GUEST_HEADER_OFFSET))));
        if (status == ReadStatus.OK) {
            var g = r.toRecord();
            actual.put("attach_state", g.attachState().name());
            actual.put("guest_abi_major", Integer.toString(g.guestAbiMajor()));
            actual.put("guest_abi_minor", Integer.toString(g.guestAbiMinor()));
            actual.put("attached_generation", Long.toString(g.attachedGeneration()));
            actual.put("accepted_features", Long.toUnsignedString(g.acceptedFeatures()));
            assertEquals(AttachState.fromCode(AttachState.valueOf(g.attachState().name()).code()), g.attachState());
        }
        compare("guest header", x, actual);
        return result;
    }

    private static String checkGuestLine(JsonNode x, SharedMemory m, int slot) {
        GuestSlotSnapshot s = new GuestSlotSnapshot();
        ReadStatus status = new GuestRequestReader(m, slot).read(s);
        String result = status == ReadStatus.BUSY ? WireError.BUSY.code() : code(s.error());
        assertEquals(x.get("result").asText(), result, "slot " + slot + " guest line result");
        Map<String, String> actual = new LinkedHashMap<>();
        actual.put("guest_seq", Long.toString(Integer.toUnsignedLong(m.getInt(RegionLayout.guestLineOffset(slot)))));
        if (status != ReadStatus.BUSY) {
            actual.put("request", BoostRequest.fromCode(s.requestCode()).name());
            actual.put("policy", SchedPolicy.fromCode(s.policyCode()).name());
            actual.put("priority", Integer.toString(s.priority()));
            actual.put("nice", Integer.toString(s.nice()));
            actual.put("reasons", Long.toString(Integer.toUnsignedLong(s.reasons())));
            actual.put("request_id", Long.toUnsignedString(s.requestId()));
            actual.put("host_boost_ack", Long.toUnsignedString(s.hostBoostAck()));
        }
        compare("slot " + slot + " guest line", x, actual);
        return result;
    }

    private static String checkHostLine(JsonNode x, SharedMemory m, int slot) {
        HostSlotSnapshot s = new HostSlotSnapshot();
        ReadStatus status = new HostStateReader(m, slot).read(s);
        String result = status == ReadStatus.BUSY ? WireError.BUSY.code() : code(s.error());
        assertEquals(x.get("result").asText(), result, "slot " + slot + " host line result");
        Map<String, String> actual = new LinkedHashMap<>();
        actual.put("host_seq", Long.toString(Integer.toUnsignedLong(m.getInt(RegionLayout.hostLineOffset(slot)))));
        if (status != ReadStatus.BUSY) {
            actual.put("status", SlotStatus.fromCode(s.statusCode()).name());
            actual.put("policy", SchedPolicy.fromCode(s.policyCode()).name());
            actual.put("priority", Integer.toString(s.priority()));
            actual.put("denial", DenialReason.fromCode(s.denialCode()).name());
            actual.put("host_boost_flags", Long.toString(Integer.toUnsignedLong(s.hostBoostFlags())));
            actual.put("budget_remaining_us", Long.toString(Integer.toUnsignedLong(s.budgetRemainingUs())));
            actual.put("acted_request_id", Long.toUnsignedString(s.actedRequestId()));
            actual.put("host_boost_id", Long.toUnsignedString(s.hostBoostId()));
        }
        compare("slot " + slot + " host line", x, actual);
        return result;
    }

    /** Every expected field except {@code result} must be present in {@code actual} and equal. */
    private static void compare(String what, JsonNode expected, Map<String, String> actual) {
        expected.fieldNames().forEachRemaining(name -> {
            if (!name.equals("result")) {
                assertTrue(actual.containsKey(name), what + ": field " + name + " not read");
                assertEquals(expected.get(name).asText(), actual.get(name), what + ": " + name);
            }
        });
    }

    private static String code(WireError e) {
        return e == WireError.NONE ? "OK" : e.code();
    }

    private SharedMemory load(byte[] image) {
        SharedMemory m = memory(image.length);
        m.putBytes(0, image, 0, image.length);
        return m;
    }

    private static JsonNode json(String resource) {
        try {
            return JSON.readTree(bytes(resource));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] bytes(String resource) {
        try (InputStream in = GoldenVectorTest.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is not on the class path (vboost-spec test dependency)");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
