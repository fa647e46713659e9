package dev.vboost.api.layout;

/**
 * One row of a layout table in spec/protocol.md §3: where a field lives, how wide it is, who writes it.
 * Metadata for tests, tools and the conformance suite; hot paths use the descriptor constants.
 *
 * @param struct  the C struct name without the {@code vboost_} prefix, e.g. {@code slot_host}
 * @param name    the field name as in the C header
 * @param offset  offset inside the struct
 * @param size    bytes
 * @param type    {@code u8 s8 u16 u32 u64} or {@code reserved}
 * @param writer  the only side that stores to it
 * @param since   ABI version that introduced it
 */
public record FieldSpec(String struct, String name, int offset, int size, String type, Writer writer, String since) {

    /** The side allowed to store to a field. */
    public enum Writer {
        /** Only the host stores to it. */
        HOST,
        /** Only the guest stores to it. */
        GUEST
    }

    /**
     * Whether the field is reserved bytes rather than a value.
     *
     * @return true for type {@code reserved}
     */
    public boolean reserved() {
        return type.equals("reserved");
    }
}
