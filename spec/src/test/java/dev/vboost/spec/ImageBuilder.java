package dev.vboost.spec;

import java.util.Arrays;
import java.util.Map;

/**
 * A region image under construction. Fields are set by struct and field name; offsets, widths and enum codes
 * come from the layout table. Little-endian, as the table says.
 */
final class ImageBuilder {

    /** Which enum of the layout table each enum-typed field holds (the table names it in prose only). */
    static final Map<String, String> ENUM_OF_FIELD = Map.of(
            "host_header.region_state", "region_state",
            "guest_header.attach_state", "attach_state",
            "slot_guest_line.request", "boost_request",
            "slot_guest_line.policy", "sched_policy",
            "slot_host_line.status", "slot_status",
            "slot_host_line.policy", "sched_policy",
            "slot_host_line.denial", "denial_reason");

    private final LayoutModel model;
    private byte[] bytes;
    private int length;

    ImageBuilder(LayoutModel model, int capacity) {
        this.model = model;
        this.bytes = new byte[capacity];
        this.length = capacity;
    }

    /**
     * A consistent READY region with {@code slotCount} idle slots and an attached guest: the starting point
     * of most vectors, which then change a few fields by name.
     */
    static ImageBuilder standard(LayoutModel m, int slotCount) {
        ImageBuilder b = new ImageBuilder(m, (int) m.regionSize(slotCount));
        b.set("host_header", 0, "magic", m.constant("VBOOST_MAGIC"));
        b.set("host_header", 0, "abi_major", m.constant("VBOOST_ABI_MAJOR"));
        b.set("host_header", 0, "abi_minor", m.constant("VBOOST_ABI_MINOR"));
        b.set("host_header", 0, "header_size", m.constant("VBOOST_HEADER_SIZE"));
        b.set("host_header", 0, "slot_size", m.constant("VBOOST_SLOT_SIZE"));
        b.set("host_header", 0, "slot_count", slotCount);
        b.set("host_header", 0, "host_features", m.definedMask("feature"));
        b.set("host_header", 0, "host_generation", 1);
        b.set("host_header", 0, "region_state", "READY");
        b.set("host_header", 0, "prio_ceiling", 50);
        b.set("host_header", 0, "max_boost_us", 3000);
        b.set("host_header", 0, "region_size", m.regionSize(slotCount));
        b.set("guest_header", 0, "guest_seq", 2);
        b.set("guest_header", 0, "attach_state", "ATTACHED");
        b.set("guest_header", 0, "guest_abi_major", m.constant("VBOOST_ABI_MAJOR"));
        b.set("guest_header", 0, "guest_abi_minor", m.constant("VBOOST_ABI_MINOR"));
        b.set("guest_header", 0, "attached_generation", 1);
        b.set("guest_header", 0, "accepted_features", m.flags("feature", "HOST_BOOST", "NOTIFY_HYPERCALL"));
        for (int i = 0; i < slotCount; i++) {
            b.set("slot_host_line", i, "host_seq", 2);
            b.set("slot_host_line", i, "status", "NORMAL");
            b.set("slot_host_line", i, "policy", "NORMAL");
            b.set("slot_host_line", i, "denial", "NONE");
            // §3.5: 0 unless the guest accepted BUDGET_REPORT (which the default guest header does not)
        }
        return b;
    }

    LayoutModel model() {
        return model;
    }

    /** Stores {@code value} little-endian into the named field, truncated to the field's width. */
    ImageBuilder set(String struct, int slot, String field, long value) {
        LayoutModel.Field f = model.struct(struct).field(field);
        if (f.reserved()) {
            throw new IllegalArgumentException(struct + "." + field + " is reserved; use fill");
        }
        int at = model.struct(struct).baseOf(slot) + f.offset();
        ensure(at + f.size());
        for (int i = 0; i < f.size(); i++) {
            bytes[at + i] = (byte) (value >>> (8 * i));
        }
        return this;
    }

    /** Stores the code of the named enum value into an enum-typed field. */
    ImageBuilder set(String struct, int slot, String field, String enumValue) {
        return set(struct, slot, field, model.enumCode(enumOf(struct, field), enumValue));
    }

    /** Fills every byte of a field (normally a reserved one) with {@code value}. */
    ImageBuilder fill(String struct, int slot, String field, int value) {
        LayoutModel.Field f = model.struct(struct).field(field);
        int at = model.struct(struct).baseOf(slot) + f.offset();
        ensure(at + f.size());
        Arrays.fill(bytes, at, at + f.size(), (byte) value);
        return this;
    }

    /** Cuts or zero-extends the image to {@code newLength} bytes. */
    ImageBuilder length(int newLength) {
        ensure(newLength);
        length = newLength;
        return this;
    }

    int length() {
        return length;
    }

    /** Reads a field back by the table: unsigned for u*, sign-extended for s8. */
    long get(String struct, int slot, String field) {
        LayoutModel.Field f = model.struct(struct).field(field);
        int at = model.struct(struct).baseOf(slot) + f.offset();
        long v = 0;
        for (int i = 0; i < f.size(); i++) {
            v |= (bytes[at + i] & 0xFFL) << (8 * i);
        }
        return f.type().equals("s8") ? (byte) v : v;
    }

    byte[] bytes() {
        return Arrays.copyOf(bytes, length);
    }

    static String enumOf(String struct, String field) {
        String e = ENUM_OF_FIELD.get(struct + "." + field);
        if (e == null) {
            throw new IllegalArgumentException(struct + "." + field + " is not an enum field");
        }
        return e;
    }

    private void ensure(int end) {
        if (end > bytes.length) {
            bytes = Arrays.copyOf(bytes, end);
        }
    }
}
