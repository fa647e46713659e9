package dev.vboost.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The layout table {@code spec/layout/region-v1.0.json} as plain data for the vector generator. Everything the
 * generator knows about offsets, sizes, enum codes and constants comes from here, never from protocol-api.
 */
final class LayoutModel {

    /** One row of a struct table. */
    record Field(String name, int offset, int size, String type) {
        boolean reserved() {
            return type.equals("reserved");
        }
    }

    /** One struct: its base in the region, the stride per slot (0 for headers) and its fields in order. */
    record Struct(String name, int base, int stride, int size, String writer, List<Field> fields) {
        Field field(String fieldName) {
            for (Field f : fields) {
                if (f.name().equals(fieldName)) {
                    return f;
                }
            }
            throw new IllegalArgumentException(name + " has no field " + fieldName);
        }

        /** Absolute offset of this struct for slot {@code slot} (ignored for headers). */
        int baseOf(int slot) {
            return base + slot * stride;
        }
    }

    private static final Pattern BASE = Pattern.compile("(0x[0-9A-Fa-f]+)(?:\\s*\\+\\s*i\\s*\\*\\s*(0x[0-9A-Fa-f]+))?");

    private final JsonNode root;
    private final Map<String, Struct> structs = new LinkedHashMap<>();
    private final Map<String, Map<Integer, String>> enumNames = new LinkedHashMap<>();

    private LayoutModel(JsonNode root) {
        this.root = root;
        for (JsonNode s : root.get("structs")) {
            Matcher m = BASE.matcher(s.get("base").asText());
            if (!m.matches()) {
                throw new IllegalStateException("unreadable base " + s.get("base"));
            }
            int base = Integer.decode(m.group(1));
            int stride = m.group(2) == null ? 0 : Integer.decode(m.group(2));
            List<Field> fields = new ArrayList<>();
            for (JsonNode f : s.get("fields")) {
                fields.add(new Field(f.get("name").asText(), Integer.decode(f.get("offset").asText()),
                        f.get("size").asInt(), f.get("type").asText()));
            }
            String name = s.get("name").asText();
            structs.put(name, new Struct(name, base, stride, s.get("size").asInt(), s.get("writer").asText(),
                    List.copyOf(fields)));
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = root.get("enums").fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            Map<Integer, String> byCode = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> v = e.getValue().get("values").fields(); v.hasNext();) {
                Map.Entry<String, JsonNode> value = v.next();
                byCode.put(value.getValue().asInt(), value.getKey());
            }
            enumNames.put(e.getKey(), byCode);
        }
    }

    static LayoutModel load(Path layoutJson) throws IOException {
        try (InputStream in = Files.newInputStream(layoutJson)) {
            return new LayoutModel(new ObjectMapper().readTree(in));
        }
    }

    Struct struct(String name) {
        Struct s = structs.get(name);
        if (s == null) {
            throw new IllegalArgumentException("no struct " + name);
        }
        return s;
    }

    List<Struct> structs() {
        return List.copyOf(structs.values());
    }

    /** A constant from the table's {@code constants}, e.g. {@code VBOOST_SLOT_SIZE}. */
    long constant(String name) {
        JsonNode c = root.get("constants").get(name);
        if (c == null) {
            throw new IllegalArgumentException("no constant " + name);
        }
        return Long.decode(c.asText());
    }

    /** Code of an enum value, e.g. {@code enumCode("slot_status", "BOOSTED")}. */
    int enumCode(String enumName, String value) {
        for (Map.Entry<Integer, String> e : enumNames.get(enumName).entrySet()) {
            if (e.getValue().equals(value)) {
                return e.getKey();
            }
        }
        throw new IllegalArgumentException(enumName + " has no value " + value);
    }

    /** Name of an enum code; codes the table does not define are {@code UNKNOWN}. */
    String enumName(String enumName, long code) {
        Map<Integer, String> byCode = enumNames.get(enumName);
        if (byCode == null) {
            throw new IllegalArgumentException("no enum " + enumName);
        }
        return code >= 0 && code <= Integer.MAX_VALUE ? byCode.getOrDefault((int) code, "UNKNOWN") : "UNKNOWN";
    }

    /** Bit mask of the named flags of a flag set, e.g. {@code flags("boost_reason", "IRQ", "RT_TASK")}. */
    long flags(String flagSet, String... names) {
        JsonNode bits = root.get("flags").get(flagSet).get("bits");
        long mask = 0;
        for (String n : names) {
            JsonNode bit = bits.get(n);
            if (bit == null) {
                throw new IllegalArgumentException(flagSet + " has no flag " + n);
            }
            mask |= 1L << bit.asInt();
        }
        return mask;
    }

    long definedMask(String flagSet) {
        return Long.decode(root.get("flags").get(flagSet).get("defined_mask").asText());
    }

    /** The size formula of the table: header plus slots, rounded up to the region alignment. */
    long regionSize(long slotCount) {
        long align = constant("VBOOST_REGION_ALIGNMENT");
        long raw = constant("VBOOST_SLOTS_OFFSET") + slotCount * constant("VBOOST_SLOT_SIZE");
        return (raw + align - 1) / align * align;
    }
}
