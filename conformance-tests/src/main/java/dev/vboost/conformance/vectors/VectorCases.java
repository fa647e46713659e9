package dev.vboost.conformance.vectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vboost.api.layout.RegionLayout;
import dev.vboost.api.wire.BoostRequest;
import dev.vboost.api.wire.DenialReason;
import dev.vboost.api.wire.Feature;
import dev.vboost.api.wire.SchedPolicy;
import dev.vboost.api.wire.SlotStatus;
import dev.vboost.conformance.suite.Case;
import dev.vboost.conformance.suite.CaseContext;
import dev.vboost.conformance.suite.Level;
import dev.vboost.conformance.testee.Reply;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntPredicate;
import java.util.function.ToIntFunction;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The spec's golden vectors (spec/vectors/v1.0 and v1.1, shipped in the vboost-spec jar), run through every role
 * a testee declares. A vector written for an older reader about a region of a newer minor than that reader
 * (V018: a 1.1 region for a 1.0 reader) is left to its counterpart for this suite's minor (V075), spec §10:
 * <ul>
 * <li>{@code Required.Vector.<section>.<id>} (guest): the runner puts the image into the region file, the guest
 * attaches and must be told the vector's {@code attach}; once attached, every host line reads as {@code expect}
 * says, or fails with the line's error;
 * <li>{@code Required.VectorCodec.<section>.<id>} (codec): {@code codec.decode_image} must report the vector's
 * {@code kind}, first {@code error} (code, struct, slot, offset), {@code attach} and every decoded field;
 * <li>{@code Required.VectorHost.<section>.<id>} (host): for vectors whose host header passes, a host initialised
 * with the vector's limits reads each slot's guest line (copied raw from the image) as the vector says.
 * </ul>
 */
public final class VectorCases {
    private static final List<String> VERSIONS = List.of("v1.0", "v1.1");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> GUEST_KEYS = List.of("priority", "nice", "reasons", "request_id", "host_boost_ack");
    private static final List<String> HOST_KEYS = List.of("host_boost_flags", "budget_remaining_us", "acted_request_id",
            "host_boost_id");

    private VectorCases() {
    }

    public static List<Case> all() {
        List<Case> guest = new ArrayList<>();
        List<Case> codec = new ArrayList<>();
        List<Case> host = new ArrayList<>();
        for (String version : VERSIONS) {
            addVectors(version, guest, codec, host);
        }
        List<Case> l = new ArrayList<>(guest);
        l.addAll(codec);
        l.addAll(host);
        return l;
    }

    private static void addVectors(String version, List<Case> guest, List<Case> codec, List<Case> host) {
        String root = "/vboost/spec/vectors/" + version + "/";
        for (JsonNode entry : read(root, "index.json").path("vectors")) {
            String id = entry.path("id").asText();
            JsonNode v = read(root, entry.path("json").asText());
            if (forNewerReaders(v)) {
                continue;
            }
            JsonNode refs = v.path("spec_ref");
            String first = refs.size() == 0 ? "6.7" : refs.get(0).asText();
            List<String> secs = new ArrayList<>();
            refs.forEach(r -> secs.add("§" + r.asText()));
            String spec = String.join(", ", secs);
            String bin = root + entry.path("bin").asText();
            String title = v.path("title").asText();
            guest.add(Case.of(Level.REQUIRED, "Vector", first, id, spec, "guest",
                    "golden vector " + id + ": " + title, c -> runGuest(c, v, bin)));
            codec.add(Case.of(Level.REQUIRED, "VectorCodec", first, id, spec + ", §6.7", "codec",
                    "golden vector " + id + " decoded at rest: " + title, c -> runCodec(c, v, bin)));
            if (hostApplies(v)) {
                host.add(Case.of(Level.REQUIRED, "VectorHost", first, id, spec + ", §6.4", "host",
                        "golden vector " + id + " guest lines as the host reads them: " + title, c -> runHost(c, v, bin)));
            }
        }
    }

    /** True for a vector about a region newer than the reader it was written for, when this suite is newer. */
    private static boolean forNewerReaders(JsonNode v) {
        int readerMinor = Integer.parseInt(v.path("reader").asText("1.0").substring(2));
        JsonNode h = v.path("expect").path("host_header");
        return readerMinor < RegionLayout.ABI_MINOR && !h.isMissingNode() && h.path("abi_minor").asInt() > readerMinor;
    }

    private static String hint(JsonNode v) {
        return v.hasNonNull("hint") ? " (hint: " + v.path("hint").asText() + ")" : "";
    }

    // ---- guest role ----

    private static void runGuest(CaseContext c, JsonNode v, String bin) throws Exception {
        byte[] image = bytes(bin);
        String id = v.path("id").asText();
        c.newRegion(image.length, image);
        c.attach("guest");
        Reply r = c.op("guest.attach", "features", Feature.ALL_BUT_DOORBELL, "timeout_ms", 0);
        String attach = v.path("attach").asText();
        String rule = "golden vector " + id + " (" + v.path("since").asText() + "): a guest attaching is told " + attach + hint(v);
        if (!attach.equals("OK")) {
            c.expectError(r, attach, rule);
            return;
        }
        c.expectOk(r, rule);
        for (JsonNode slot : v.path("expect").path("slots")) {
            String index = slot.path("index").asText();
            JsonNode host = slot.path("host");
            Reply line = c.op("guest.read_host_state", "slot", index);
            String result = host.path("result").asText();
            String lineRule = "golden vector " + id + ": slot " + index + " host line reads as " + result + hint(v);
            if (!result.equals("OK")) {
                c.expectError(line, result, lineRule);
                continue;
            }
            c.expectOk(line, lineRule);
            Map<String, String> m = new LinkedHashMap<>();
            m.put("seq", host.path("host_seq").asText());
            m.put("slot_status", code(host.path("status").asText(), line.values().get("slot_status"),
                    n -> SlotStatus.valueOf(n).code(), k -> SlotStatus.fromCode(k) == SlotStatus.UNKNOWN));
            m.put("policy", code(host.path("policy").asText(), line.values().get("policy"),
                    n -> SchedPolicy.valueOf(n).code(), k -> SchedPolicy.fromCode(k) == SchedPolicy.UNKNOWN));
            m.put("priority", host.path("priority").asText());
            m.put("denial", code(host.path("denial").asText(), line.values().get("denial"),
                    n -> DenialReason.valueOf(n).code(), k -> DenialReason.fromCode(k) == DenialReason.UNKNOWN));
            for (String k : HOST_KEYS) {
                m.put(k, host.path(k).asText());
            }
            c.expectFields(line, m, lineRule);
        }
    }

    /**
     * An enum the vector names, as the raw code a testee replies; UNKNOWN is whatever undefined code the reply
     * holds, provided that code is indeed undefined.
     */
    private static String code(String name, @Nullable String got, ToIntFunction<String> byName, IntPredicate undefined) {
        if (name.equals("UNKNOWN")) {
            try {
                if (got != null && undefined.test(Integer.parseInt(got))) {
                    return got;
                }
            } catch (NumberFormatException e) {
                // reported by the field diff
            }
            return "an undefined code";
        }
        return Integer.toString(byName.applyAsInt(name.toUpperCase(Locale.ROOT)));
    }

    // ---- codec role ----

    private static void runCodec(CaseContext c, JsonNode v, String bin) throws Exception {
        byte[] image = bytes(bin);
        String id = v.path("id").asText();
        Path file = c.newFile(".bin");
        Files.write(file, image);
        c.newRegion(1);
        c.attach("codec");
        Reply r = c.expectOk(c.op("codec.decode_image", "path", file.toString(), "size", image.length),
                "§6.7: an image at rest always decodes to a result, never to a failure of the reader");
        Map<String, String> want = new LinkedHashMap<>();
        want.put("kind", v.path("kind").asText());
        want.put("attach", v.path("attach").asText());
        JsonNode err = v.path("error");
        if (!err.isNull()) {
            want.put("error.code", err.path("code").asText());
            want.put("error.struct", err.path("struct").asText());
            if (!err.path("slot").isNull()) {
                want.put("error.slot", err.path("slot").asText());
            }
        }
        JsonNode expect = v.path("expect");
        put(want, "host_header.", expect.path("host_header"));
        put(want, "guest_header.", expect.path("guest_header"));
        for (JsonNode slot : expect.path("slots")) {
            String i = slot.path("index").asText();
            put(want, "slot." + i + ".guest.", slot.path("guest"));
            put(want, "slot." + i + ".host.", slot.path("host"));
        }
        String rule = "golden vector " + id + " (" + v.path("since").asText() + "): §6.7 result of the image" + hint(v);
        c.expectFields(r, want, rule);
        if (!err.isNull()) {
            String offset = r.values().getOrDefault("error.offset", "");
            long expected = Long.decode(err.path("offset").asText());
            boolean same;
            try {
                same = Long.decode(offset) == expected;
            } catch (NumberFormatException e) {
                same = false;
            }
            c.expect(same, rule, "first error offset: expected 0x" + Long.toHexString(expected).toUpperCase(Locale.ROOT)
                    + ", got " + offset);
        } else {
            c.expect(!r.values().containsKey("error.code"), rule, "the image is accepted, but the reader reports "
                    + r.values().get("error.code"));
        }
    }

    private static void put(Map<String, String> want, String prefix, JsonNode obj) {
        for (Iterator<Map.Entry<String, JsonNode>> it = obj.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            want.put(prefix + e.getKey(), e.getValue().asText());
        }
    }

    // ---- host role ----

    /**
     * A host initialised by the testee can only reproduce what a valid header of this suite's minor or older
     * gives: vectors whose host header passed, with slots, and no newer minor anywhere.
     */
    private static boolean hostApplies(JsonNode v) {
        String attach = v.path("attach").asText();
        JsonNode h = v.path("expect").path("host_header");
        JsonNode g = v.path("expect").path("guest_header");
        return (attach.equals("OK") || attach.equals("E_DISABLED")) && v.path("expect").path("slots").size() > 0
                && h.path("abi_minor").asInt() <= RegionLayout.ABI_MINOR
                && (g.path("guest_abi_minor").isMissingNode() || g.path("guest_abi_minor").asInt() <= RegionLayout.ABI_MINOR);
    }

    private static void runHost(CaseContext c, JsonNode v, String bin) throws Exception {
        byte[] image = bytes(bin);
        String id = v.path("id").asText();
        JsonNode h = v.path("expect").path("host_header");
        int slots = h.path("slot_count").asInt();
        c.newRegion(slots);
        c.attach("host");
        c.expectOk(c.op("host.init_region", "slot_count", slots, "host_features",
                Long.parseUnsignedLong(h.path("host_features").asText()) & 0xF, "prio_ceiling",
                h.path("prio_ceiling").asText(), "max_boost_us", h.path("max_boost_us").asText()), "§4.4");
        for (JsonNode slot : v.path("expect").path("slots")) {
            int i = slot.path("index").asInt();
            int at = RegionLayout.guestLineOffset(i);
            for (int b = 4; b < RegionLayout.LINE_SIZE; b++) {
                c.ref().memory().putByte(at + b, image[at + b]);
            }
            c.ref().memory().putIntRelease(at, (image[at] & 0xFF) | (image[at + 1] & 0xFF) << 8
                    | (image[at + 2] & 0xFF) << 16 | (image[at + 3] & 0xFF) << 24);
        }
        for (JsonNode slot : v.path("expect").path("slots")) {
            String index = slot.path("index").asText();
            JsonNode g = slot.path("guest");
            String result = g.path("result").asText();
            Reply r = c.op("host.read_request", "slot", index);
            String rule = "golden vector " + id + ": slot " + index + " guest line, read by the host, is " + result
                    + hint(v);
            if (!result.equals("OK")) {
                c.expectError(r, result, rule);
                continue;
            }
            c.expectOk(r, rule);
            Map<String, String> m = new LinkedHashMap<>();
            m.put("seq", g.path("guest_seq").asText());
            m.put("request", code(g.path("request").asText(), r.values().get("request"),
                    n -> BoostRequest.valueOf(n).code(), k -> BoostRequest.fromCode(k) == BoostRequest.UNKNOWN));
            m.put("policy", code(g.path("policy").asText(), r.values().get("policy"),
                    n -> SchedPolicy.valueOf(n).code(), k -> SchedPolicy.fromCode(k) == SchedPolicy.UNKNOWN));
            for (String k : GUEST_KEYS) {
                m.put(k, g.path(k).asText());
            }
            c.expectFields(r, m, rule);
        }
    }

    // ---- resources ----

    private static JsonNode read(String root, String name) {
        try {
            return JSON.readTree(bytes(root + name));
        } catch (IOException e) {
            throw new UncheckedIOException("golden vector file " + name + " is not JSON", e);
        }
    }

    private static byte[] bytes(String resource) {
        try (InputStream in = VectorCases.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("golden vector resource " + resource
                        + " missing: the vboost-spec jar must be on the class path");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
