package dev.vboost.conformance.vectors;

import dev.vboost.api.wire.DenialReason;
import dev.vboost.api.wire.SchedPolicy;
import dev.vboost.api.wire.SlotStatus;
import dev.vboost.conformance.suite.Case;
import dev.vboost.conformance.suite.CaseContext;
import dev.vboost.conformance.suite.Level;
import dev.vboost.conformance.testee.Reply;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The spec's golden vectors (spec/vectors/v1.0, shipped in the vboost-spec jar) as guest-role tests: the
 * runner puts each image into the region file, the testee's guest attaches and must be told what the vector's
 * {@code attach} says; when it attaches, every slot's host line must read as the vector's {@code expect}
 * says, field for field, or fail with the vector's line error. Ids: {@code Required.Vector.<first spec
 * section>.<vector id>}.
 */
public final class VectorCases {
    private static final String ROOT = "/vboost/spec/vectors/v1.0/";

    private VectorCases() {
    }

    public static List<Case> all() {
        List<Case> l = new ArrayList<>();
        Map<String, @Nullable Object> index = map(Json.parse(text(ROOT + "index.json")), "index.json");
        for (Object o : list(index.get("vectors"), "vectors")) {
            Map<String, @Nullable Object> entry = map(o, "vector entry");
            String id = str(entry.get("id"));
            Map<String, @Nullable Object> v = map(Json.parse(text(ROOT + str(entry.get("json")))), id);
            List<Object> refs = list(v.get("spec_ref"), "spec_ref");
            String first = refs.isEmpty() ? "6.7" : String.valueOf(refs.get(0));
            StringBuilder spec = new StringBuilder();
            for (Object r : refs) {
                spec.append(spec.length() == 0 ? "§" : ", §").append(r);
            }
            String bin = str(entry.get("bin"));
            l.add(Case.of(Level.REQUIRED, "Vector", first, id, spec.toString(), "guest",
                    "golden vector " + id + ": " + str(v.get("title")), c -> run(c, v, bin)));
        }
        return l;
    }

    private static void run(CaseContext c, Map<String, @Nullable Object> v, String bin) throws Exception {
        byte[] image = bytes(ROOT + bin);
        String id = str(v.get("id"));
        String hint = v.get("hint") == null ? "" : " (hint: " + v.get("hint") + ")";
        c.newRegion(image.length, image);
        c.attach("guest");
        Reply r = c.op("guest.attach", "features", 15);
        String attach = str(v.get("attach"));
        String rule = "golden vector " + id + " (spec/vectors/v1.0): a guest attaching is told " + attach + hint;
        if (!attach.equals("OK")) {
            c.expectError(r, attach, rule);
            return;
        }
        c.expectOk(r, rule);
        Map<String, @Nullable Object> expect = map(v.get("expect"), "expect");
        for (Object s : list(expect.get("slots"), "slots")) {
            Map<String, @Nullable Object> slot = map(s, "slot");
            String index = str(slot.get("index"));
            Map<String, @Nullable Object> host = map(slot.get("host"), "host");
            Reply line = c.op("guest.read_host_state", "slot", index);
            String result = str(host.get("result"));
            String lineRule = "golden vector " + id + ": slot " + index + " host line reads as " + result + hint;
            if (!result.equals("OK")) {
                c.expectError(line, result, lineRule);
                continue;
            }
            c.expectOk(line, lineRule);
            c.expectFields(line, expectedHost(host, line), lineRule);
        }
    }

    /**
     * The vector's host line as testee reply keys and raw codes. An enum the vector calls UNKNOWN is
     * expected as whatever undefined code the reply holds, provided that code is indeed undefined.
     */
    private static Map<String, String> expectedHost(Map<String, @Nullable Object> h, Reply got) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("seq", str(h.get("host_seq")));
        m.put("slot_status", code(str(h.get("status")), got.values().get("slot_status"),
                n -> SlotStatus.valueOf(n).code(), k -> SlotStatus.fromCode(k) == SlotStatus.UNKNOWN));
        m.put("policy", code(str(h.get("policy")), got.values().get("policy"),
                n -> SchedPolicy.valueOf(n).code(), k -> SchedPolicy.fromCode(k) == SchedPolicy.UNKNOWN));
        m.put("priority", str(h.get("priority")));
        m.put("denial", code(str(h.get("denial")), got.values().get("denial"),
                n -> DenialReason.valueOf(n).code(), k -> DenialReason.fromCode(k) == DenialReason.UNKNOWN));
        for (String k : List.of("host_boost_flags", "budget_remaining_us", "acted_request_id", "host_boost_id")) {
            m.put(k, str(h.get(k)));
        }
        return m;
    }

    private interface Code {
        int of(String name);
    }

    private interface Undefined {
        boolean test(int code);
    }

    private static String code(String name, @Nullable String got, Code byName, Undefined undefined) {
        if (name.equals("UNKNOWN")) {
            try {
                if (got != null && undefined.test(Integer.parseInt(got))) {
                    return got;
                }
            } catch (NumberFormatException e) {
                // reported by the field diff below
            }
            return "an undefined code";
        }
        return Integer.toString(byName.of(name.toUpperCase(Locale.ROOT)));
    }

    private static String text(String resource) {
        return new String(bytes(resource), StandardCharsets.UTF_8);
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

    @SuppressWarnings("unchecked") // JSON objects are maps with string keys, by construction of Json
    private static Map<String, @Nullable Object> map(@Nullable Object o, String what) {
        if (!(o instanceof Map)) {
            throw new IllegalStateException("golden vector file: " + what + " is not an object");
        }
        return (Map<String, @Nullable Object>) o;
    }

    @SuppressWarnings("unchecked") // JSON arrays are lists, by construction of Json
    private static List<Object> list(@Nullable Object o, String what) {
        if (!(o instanceof List)) {
            throw new IllegalStateException("golden vector file: " + what + " is not an array");
        }
        return (List<Object>) o;
    }

    private static String str(@Nullable Object o) {
        return String.valueOf(o);
    }
}
