package dev.vboost.spec;

import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * Writes a vector as {@code <id>.bin} (the image) and {@code <id>.json} (what a reader of the
 * vector's version must report). The
 * expected field values are read back from the image through the layout table, so they are exactly the bytes.
 */
final class VectorWriter {

    static final String FORMAT = "vboost-vector/1";
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final ObjectWriter PRETTY = MAPPER.writer(new DefaultPrettyPrinter()
            .withObjectIndenter(new DefaultIndenter("  ", "\n"))
            .withArrayIndenter(new DefaultIndenter("  ", "\n"))
            .withSeparators(Separators.createDefaultInstance()
                    .withObjectFieldValueSpacing(Separators.Spacing.AFTER)));

    private final LayoutModel model;
    private final String version;
    private final String layout;

    /** Writer of the vectors of ABI {@code version} ("1.0", "1.1"), read from the layout table {@code layout}. */
    VectorWriter(LayoutModel model, String version, String layout) {
        this.model = model;
        this.version = version;
        this.layout = layout;
    }

    /** Writes both files of {@code v} into {@code dir}. */
    void write(Vector v, Path dir) throws IOException {
        byte[] bin = v.image.bytes();
        Files.write(dir.resolve(v.id + ".bin"), bin);
        Files.write(dir.resolve(v.id + ".json"), json(describe(v, bin)));
    }

    /** Writes the index of all vectors, in catalog order. */
    void writeIndex(List<Vector> vectors, Path dir) throws IOException {
        ObjectNode index = MAPPER.createObjectNode();
        index.put("format", "vboost-vector-index/1");
        index.put("abi", version);
        index.put("layout", layout);
        ArrayNode list = index.putArray("vectors");
        for (Vector v : vectors) {
            ObjectNode e = list.addObject();
            e.put("id", v.id);
            e.put("kind", v.kind());
            e.put("json", v.id + ".json");
            e.put("bin", v.id + ".bin");
        }
        Files.write(dir.resolve("index.json"), json(index));
    }

    private ObjectNode describe(Vector v, byte[] bin) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("format", FORMAT);
        o.put("id", v.id);
        o.put("title", v.title);
        ArrayNode refs = o.putArray("spec_ref");
        v.specRef.forEach(refs::add);
        o.put("level", v.level);
        o.put("since", version);
        o.put("reader", v.reader != null ? v.reader : version);
        o.put("kind", v.kind());
        ObjectNode image = o.putObject("image");
        image.put("file", v.id + ".bin");
        image.put("size", Integer.toString(bin.length));
        image.put("sha256", sha256(bin));
        Vector.Fault first = firstFault(v);
        if (first == null) {
            o.putNull("error");
        } else {
            ObjectNode err = o.putObject("error");
            err.put("code", first.code());
            err.put("struct", first.struct());
            if (first.slot() < 0) {
                err.putNull("slot");
            } else {
                err.put("slot", Integer.toString(first.slot()));
            }
            err.put("offset", String.format("0x%X", first.offset()));
        }
        o.put("attach", attachOutcome(v, bin.length));
        o.set("expect", expect(v, bin.length));
        if (!v.hint.isEmpty()) {
            o.put("hint", v.hint);
        }
        return o;
    }

    /** The region-level fault, else the line fault earliest in the region. */
    private static Vector.Fault firstFault(Vector v) {
        if (v.regionFault != null) {
            return v.regionFault;
        }
        Vector.Fault first = null;
        for (Vector.Fault f : v.lineFaults) {
            if (first == null || f.offset() < first.offset()) {
                first = f;
            }
        }
        return first;
    }

    private String attachOutcome(Vector v, int length) {
        if (v.regionFault != null) {
            return v.regionFault.code();
        }
        String state = regionState(v);
        switch (state) {
            case "READY":
                return "OK";
            case "NOT_READY":
                return "E_NOT_READY";
            case "DISABLED":
                return "E_DISABLED";
            default:
                throw new IllegalStateException(v.id + ": state " + state + " must be declared as a region fault");
        }
    }

    private String regionState(Vector v) {
        return model.enumName("region_state", v.image.get("host_header", 0, "region_state"));
    }

    private ObjectNode expect(Vector v, int length) {
        ObjectNode e = MAPPER.createObjectNode();
        if (length < model.struct("host_header").size()) {
            return e;
        }
        e.set("host_header", fields(v, "host_header", 0));
        if (v.regionFault != null || regionState(v).equals("NOT_READY")) {
            return e;
        }
        e.set("guest_header", line(v, "guest_header", -1));
        ArrayNode slots = e.putArray("slots");
        long count = v.image.get("host_header", 0, "slot_count");
        for (int i = 0; i < count; i++) {
            ObjectNode s = slots.addObject();
            s.put("index", Integer.toString(i));
            s.set("guest", line(v, "slot_guest_line", i));
            s.set("host", line(v, "slot_host_line", i));
        }
        return e;
    }

    /** A line's result (OK or its error code) and fields; a line whose counter is odd shows only its counter. */
    private ObjectNode line(Vector v, String struct, int slot) {
        Vector.Fault fault = v.lineFault(struct, slot);
        ObjectNode o = MAPPER.createObjectNode();
        o.put("result", fault == null ? "OK" : fault.code());
        ObjectNode fields = fields(v, struct, Math.max(slot, 0));
        if (fault != null && fault.code().equals("E_BUSY")) {
            String seqName = fields.fieldNames().next();
            o.set(seqName, fields.get(seqName));
        } else {
            o.setAll(fields);
        }
        return o;
    }

    private ObjectNode fields(Vector v, String struct, int slot) {
        ObjectNode o = MAPPER.createObjectNode();
        for (LayoutModel.Field f : model.struct(struct).fields()) {
            if (f.reserved()) {
                continue;
            }
            long raw = v.image.get(struct, slot, f.name());
            String enumName = ImageBuilder.ENUM_OF_FIELD.get(struct + "." + f.name());
            if (enumName != null) {
                o.put(f.name(), model.enumName(enumName, raw));
            } else if (f.type().equals("u64")) {
                o.put(f.name(), Long.toUnsignedString(raw));
            } else {
                o.put(f.name(), Long.toString(raw));
            }
        }
        return o;
    }

    private static byte[] json(ObjectNode node) throws IOException {
        return (PRETTY.writeValueAsString(node) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    private static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
