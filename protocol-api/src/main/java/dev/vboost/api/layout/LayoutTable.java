package dev.vboost.api.layout;

import static dev.vboost.api.layout.FieldSpec.Writer.GUEST;
import static dev.vboost.api.layout.FieldSpec.Writer.HOST;

import java.util.List;

/** The four v1.0 structs as field tables, row for row as in spec/protocol.md §3 and spec/layout/region-v1.0.json. */
public final class LayoutTable {
    /** Struct name of the host header. */
    public static final String HOST_HEADER = "host_header";
    /** Struct name of the guest header. */
    public static final String GUEST_HEADER = "guest_header";
    /** Struct name of a slot's guest line. */
    public static final String SLOT_GUEST = "slot_guest";
    /** Struct name of a slot's host line. */
    public static final String SLOT_HOST = "slot_host";

    /** The host header's fields in offset order. */
    public static final List<FieldSpec> HOST_HEADER_FIELDS = List.of(
            new FieldSpec(HOST_HEADER, "magic", HostHeaderLayout.MAGIC_OFFSET, 4, "u32", HOST, "1.0"),
            new FieldSpec(HOST_HEADER, "abi_major", HostHeaderLayout.ABI_MAJOR_OFFSET, 2, "u16", HOST, "1.0"),
            new FieldSpec(HOST_HEADER, "abi_minor", HostHeaderLayout.ABI_MINOR_OFFSET, 2, "u16", HOST, "1.0"),
            new FieldSpec(HOST_HEADER, "header_size", HostHeaderLayout.HEADER_SIZE_OFFSET, 2, "u16", HOST, "1.0"),
            new FieldSpec(HOST_HEADER, "slot_size", HostHeaderLayout.SLOT_SIZE_OFFSET, 2, "u16", HOST, "1.0"),
            new FieldSpec(HOST_HEADER, "slot_count", HostHeaderLayout.SLOT_COUNT_OFFSET, 4, "u32", HOST, "1.0"),
            new FieldSpec(HOST_HEADER, "host_features", HostHeaderLayout.HOST_FEATURES_OFFSET, 8, "u64", HOST, "1.0"),
            new FieldSpec(HOST_HEADER, "host_generation", HostHeaderLayout.HOST_GENERATION_OFFSET, 4, "u32", HOST, "1.0"),
            new FieldSpec(HOST_HEADER, "region_state", HostHeaderLayout.REGION_STATE_OFFSET, 4, "u32", HOST, "1.0"),
            new FieldSpec(HOST_HEADER, "prio_ceiling", HostHeaderLayout.PRIO_CEILING_OFFSET, 4, "u32", HOST, "1.0"),
            new FieldSpec(HOST_HEADER, "max_boost_us", HostHeaderLayout.MAX_BOOST_US_OFFSET, 4, "u32", HOST, "1.0"),
            new FieldSpec(HOST_HEADER, "region_size", HostHeaderLayout.REGION_SIZE_OFFSET, 8, "u64", HOST, "1.0"),
            new FieldSpec(HOST_HEADER, "reserved0", HostHeaderLayout.RESERVED0_OFFSET, HostHeaderLayout.RESERVED0_LENGTH, "reserved", HOST, "1.0"));

    /** The guest header's fields in offset order. */
    public static final List<FieldSpec> GUEST_HEADER_FIELDS = List.of(
            new FieldSpec(GUEST_HEADER, "guest_seq", GuestHeaderLayout.GUEST_SEQ_OFFSET, 4, "u32", GUEST, "1.0"),
            new FieldSpec(GUEST_HEADER, "attach_state", GuestHeaderLayout.ATTACH_STATE_OFFSET, 4, "u32", GUEST, "1.0"),
            new FieldSpec(GUEST_HEADER, "guest_abi_major", GuestHeaderLayout.GUEST_ABI_MAJOR_OFFSET, 2, "u16", GUEST, "1.0"),
            new FieldSpec(GUEST_HEADER, "guest_abi_minor", GuestHeaderLayout.GUEST_ABI_MINOR_OFFSET, 2, "u16", GUEST, "1.0"),
            new FieldSpec(GUEST_HEADER, "attached_generation", GuestHeaderLayout.ATTACHED_GENERATION_OFFSET, 4, "u32", GUEST, "1.0"),
            new FieldSpec(GUEST_HEADER, "accepted_features", GuestHeaderLayout.ACCEPTED_FEATURES_OFFSET, 8, "u64", GUEST, "1.0"),
            new FieldSpec(GUEST_HEADER, "reserved0", GuestHeaderLayout.RESERVED0_OFFSET, GuestHeaderLayout.RESERVED0_LENGTH, "reserved", GUEST, "1.0"));

    /** A slot guest line's fields in offset order. */
    public static final List<FieldSpec> SLOT_GUEST_FIELDS = List.of(
            new FieldSpec(SLOT_GUEST, "guest_seq", GuestSlotLayout.GUEST_SEQ_OFFSET, 4, "u32", GUEST, "1.0"),
            new FieldSpec(SLOT_GUEST, "request", GuestSlotLayout.REQUEST_OFFSET, 1, "u8", GUEST, "1.0"),
            new FieldSpec(SLOT_GUEST, "policy", GuestSlotLayout.POLICY_OFFSET, 1, "u8", GUEST, "1.0"),
            new FieldSpec(SLOT_GUEST, "priority", GuestSlotLayout.PRIORITY_OFFSET, 1, "u8", GUEST, "1.0"),
            new FieldSpec(SLOT_GUEST, "nice", GuestSlotLayout.NICE_OFFSET, 1, "s8", GUEST, "1.0"),
            new FieldSpec(SLOT_GUEST, "reasons", GuestSlotLayout.REASONS_OFFSET, 4, "u32", GUEST, "1.0"),
            new FieldSpec(SLOT_GUEST, "reserved0", GuestSlotLayout.RESERVED0_OFFSET, GuestSlotLayout.RESERVED0_LENGTH, "reserved", GUEST, "1.0"),
            new FieldSpec(SLOT_GUEST, "request_id", GuestSlotLayout.REQUEST_ID_OFFSET, 8, "u64", GUEST, "1.0"),
            new FieldSpec(SLOT_GUEST, "host_boost_ack", GuestSlotLayout.HOST_BOOST_ACK_OFFSET, 8, "u64", GUEST, "1.0"),
            new FieldSpec(SLOT_GUEST, "reserved1", GuestSlotLayout.RESERVED1_OFFSET, GuestSlotLayout.RESERVED1_LENGTH, "reserved", GUEST, "1.0"));

    /** A slot host line's fields in offset order. */
    public static final List<FieldSpec> SLOT_HOST_FIELDS = List.of(
            new FieldSpec(SLOT_HOST, "host_seq", HostSlotLayout.HOST_SEQ_OFFSET, 4, "u32", HOST, "1.0"),
            new FieldSpec(SLOT_HOST, "status", HostSlotLayout.STATUS_OFFSET, 1, "u8", HOST, "1.0"),
            new FieldSpec(SLOT_HOST, "policy", HostSlotLayout.POLICY_OFFSET, 1, "u8", HOST, "1.0"),
            new FieldSpec(SLOT_HOST, "priority", HostSlotLayout.PRIORITY_OFFSET, 1, "u8", HOST, "1.0"),
            new FieldSpec(SLOT_HOST, "denial", HostSlotLayout.DENIAL_OFFSET, 1, "u8", HOST, "1.0"),
            new FieldSpec(SLOT_HOST, "host_boost_flags", HostSlotLayout.HOST_BOOST_FLAGS_OFFSET, 4, "u32", HOST, "1.0"),
            new FieldSpec(SLOT_HOST, "budget_remaining_us", HostSlotLayout.BUDGET_REMAINING_US_OFFSET, 4, "u32", HOST, "1.0"),
            new FieldSpec(SLOT_HOST, "acted_request_id", HostSlotLayout.ACTED_REQUEST_ID_OFFSET, 8, "u64", HOST, "1.0"),
            new FieldSpec(SLOT_HOST, "host_boost_id", HostSlotLayout.HOST_BOOST_ID_OFFSET, 8, "u64", HOST, "1.0"),
            new FieldSpec(SLOT_HOST, "reserved0", HostSlotLayout.RESERVED0_OFFSET, HostSlotLayout.RESERVED0_LENGTH, "reserved", HOST, "1.0"));

    private LayoutTable() {
    }
}
