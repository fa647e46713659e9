package dev.vboost.spec;

import java.util.ArrayList;
import java.util.List;

/**
 * One golden vector being defined: its id and purpose, the image (built by field name) and the outcome a
 * v1.0 reader must report. Expected field values are not written here: the writer reads them back from the
 * image through the layout table.
 */
final class Vector {

    /** A rule broken at a place: {@code slot} is -1 for the headers and the region as a whole. */
    record Fault(String code, String struct, int slot, int offset) {
    }

    final String id;
    final String title;
    final List<String> specRef;
    final ImageBuilder image;
    String level = "required";
    String hint = "";
    /** Reader version the expectation is written for; {@code null}: the version of the vector's directory. */
    String reader;
    Fault regionFault;
    final List<Fault> lineFaults = new ArrayList<>();

    private Vector(String id, String title, List<String> specRef, ImageBuilder image) {
        this.id = id;
        this.title = title;
        this.specRef = specRef;
        this.image = image;
    }

    static Vector of(LayoutModel m, int slots, String id, String title, String... specRef) {
        return new Vector(id, title, List.of(specRef), ImageBuilder.standard(m, slots));
    }

    /** A vector whose image starts as {@code size} zero bytes instead of the standard region. */
    static Vector zeroed(LayoutModel m, int size, String id, String title, String... specRef) {
        return new Vector(id, title, List.of(specRef), new ImageBuilder(m, size));
    }

    Vector host(String field, long value) {
        image.set("host_header", 0, field, value);
        return this;
    }

    Vector host(String field, String enumValue) {
        image.set("host_header", 0, field, enumValue);
        return this;
    }

    Vector guestHeader(String field, long value) {
        image.set("guest_header", 0, field, value);
        return this;
    }

    Vector guestHeader(String field, String enumValue) {
        image.set("guest_header", 0, field, enumValue);
        return this;
    }

    Vector slotGuest(int slot, String field, long value) {
        image.set("slot_guest_line", slot, field, value);
        return this;
    }

    Vector slotGuest(int slot, String field, String enumValue) {
        image.set("slot_guest_line", slot, field, enumValue);
        return this;
    }

    Vector slotHost(int slot, String field, long value) {
        image.set("slot_host_line", slot, field, value);
        return this;
    }

    Vector slotHost(int slot, String field, String enumValue) {
        image.set("slot_host_line", slot, field, enumValue);
        return this;
    }

    Vector fill(String struct, int slot, String field, int value) {
        image.fill(struct, slot, field, value);
        return this;
    }

    Vector length(int bytes) {
        image.length(bytes);
        return this;
    }

    Vector level(String newLevel) {
        this.level = newLevel;
        return this;
    }

    Vector hint(String text) {
        this.hint = text;
        return this;
    }

    /** The expectation holds for every reader from {@code version} on (e.g. a 1.1 vector a 1.0 reader passes). */
    Vector reader(String version) {
        this.reader = version;
        return this;
    }

    /** The whole region is rejected for a header field (absolute offset taken from the table). */
    Vector rejectHeader(String code, String field) {
        regionFault = new Fault(code, "host_header", -1, offsetOf("host_header", -1, field));
        return this;
    }

    /** The whole region is rejected because the image ends early, at byte {@code offset}. */
    Vector rejectRegion(String code, int offset) {
        regionFault = new Fault(code, "region", -1, offset);
        return this;
    }

    /** One line (guest header, or a slot's guest or host line) is rejected; the rest still decodes. */
    Vector rejectLine(String code, String struct, int slot, String field) {
        lineFaults.add(new Fault(code, struct, slot, offsetOf(struct, slot, field)));
        return this;
    }

    String kind() {
        return regionFault == null && lineFaults.isEmpty() ? "accept" : "reject";
    }

    Fault lineFault(String struct, int slot) {
        for (Fault f : lineFaults) {
            if (f.struct().equals(struct) && f.slot() == slot) {
                return f;
            }
        }
        return null;
    }

    private int offsetOf(String struct, int slot, String field) {
        LayoutModel.Struct s = image.model().struct(struct);
        return s.baseOf(Math.max(slot, 0)) + s.field(field).offset();
    }
}
