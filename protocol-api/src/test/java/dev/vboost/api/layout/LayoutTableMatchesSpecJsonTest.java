package dev.vboost.api.layout;

import static dev.vboost.api.testutil.MiniJson.arr;
import static dev.vboost.api.testutil.MiniJson.obj;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vboost.api.hypercall.HypercallNumbers;
import dev.vboost.api.hypercall.KvmError;
import dev.vboost.api.testutil.SpecFiles;
import dev.vboost.api.WireError;
import dev.vboost.api.wire.AttachState;
import dev.vboost.api.wire.BoostReason;
import dev.vboost.api.wire.BoostRequest;
import dev.vboost.api.wire.DenialReason;
import dev.vboost.api.wire.Feature;
import dev.vboost.api.wire.HostBoostFlag;
import dev.vboost.api.wire.RegionState;
import dev.vboost.api.wire.SchedPolicy;
import dev.vboost.api.wire.SlotStatus;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

/** The Java mirror equals spec/layout/region-v1.0.json: struct rows, constants, enums, flags, hypercalls, errors. */
class LayoutTableMatchesSpecJsonTest {

    private final Map<String, Object> layout = SpecFiles.layout();

    @Test
    void structRowsMatchRowForRow() {
        Map<String, List<FieldSpec>> java = Map.of(
                LayoutTable.HOST_HEADER, LayoutTable.HOST_HEADER_FIELDS,
                LayoutTable.GUEST_HEADER, LayoutTable.GUEST_HEADER_FIELDS,
                LayoutTable.SLOT_GUEST, LayoutTable.SLOT_GUEST_FIELDS,
                LayoutTable.SLOT_HOST, LayoutTable.SLOT_HOST_FIELDS);
        List<Object> structs = arr(layout.get("structs"));
        assertEquals(4, structs.size());
        for (Object o : structs) {
            Map<String, Object> s = obj(o);
            String name = ((String) s.get("c_struct")).replaceFirst("^vboost_", "");
            List<FieldSpec> rows = java.get(name);
            FieldSpec.Writer writer = FieldSpec.Writer.valueOf(((String) s.get("writer")).toUpperCase());
            List<FieldSpec> expected = new ArrayList<>();
            for (Object f : arr(s.get("fields"))) {
                Map<String, Object> field = obj(f);
                expected.add(new FieldSpec(name, (String) field.get("name"),
                        Integer.decode((String) field.get("offset")), Integer.parseInt((String) field.get("size")),
                        (String) field.get("type"), writer, (String) field.get("since")));
            }
            assertEquals(expected, rows, "LayoutTable rows of " + name);
            assertEquals(Integer.parseInt((String) s.get("size")), 64);
        }
    }

    @Test
    void structBasesMatchTheDescriptors() {
        Map<String, String> bases = new LinkedHashMap<>();
        for (Object o : arr(layout.get("structs"))) {
            bases.put((String) obj(o).get("name"), (String) obj(o).get("base"));
        }
        assertEquals("0x000", bases.get("host_header"));
        assertEquals(RegionLayout.GUEST_HEADER_OFFSET, Integer.decode(bases.get("guest_header")));
        assertEquals("0x080 + i*0x80", bases.get("slot_guest_line"));
        assertEquals("0x0C0 + i*0x80", bases.get("slot_host_line"));
        assertEquals(0x0C0 + 5 * 0x80, RegionLayout.hostLineOffset(5));
    }

    @Test
    void constantsMatch() {
        Map<String, Object> c = obj(layout.get("constants"));
        assertEquals(RegionLayout.MAGIC, Integer.decode((String) c.get("VBOOST_MAGIC")));
        assertEquals(RegionLayout.ABI_MAJOR, Integer.parseInt((String) c.get("VBOOST_ABI_MAJOR")));
        assertEquals(RegionLayout.ABI_MINOR, Integer.parseInt((String) c.get("VBOOST_ABI_MINOR")));
        assertEquals(RegionLayout.REGION_ALIGNMENT, Integer.parseInt((String) c.get("VBOOST_REGION_ALIGNMENT")));
        assertEquals(RegionLayout.LINE_SIZE, Integer.parseInt((String) c.get("VBOOST_LINE_SIZE")));
        assertEquals(RegionLayout.HEADER_SIZE, Integer.parseInt((String) c.get("VBOOST_HEADER_SIZE")));
        assertEquals(RegionLayout.SLOT_SIZE, Integer.parseInt((String) c.get("VBOOST_SLOT_SIZE")));
        assertEquals(RegionLayout.SLOTS_OFFSET, Integer.parseInt((String) c.get("VBOOST_SLOTS_OFFSET")));
        assertEquals(RegionLayout.MAX_SLOTS, Integer.parseInt((String) c.get("VBOOST_MAX_SLOTS")));
        assertEquals(RegionLayout.MAX_READ_ATTEMPTS, Integer.parseInt((String) c.get("VBOOST_MAX_READ_ATTEMPTS")));
        assertEquals(RegionLayout.PRIO_MAX, Integer.parseInt((String) c.get("VBOOST_PRIO_MAX")));
        assertEquals(RegionLayout.NICE_MIN, Integer.parseInt((String) c.get("VBOOST_NICE_MIN")));
        assertEquals(RegionLayout.NICE_MAX, Integer.parseInt((String) c.get("VBOOST_NICE_MAX")));
        Map<String, Object> abi = obj(layout.get("abi"));
        assertEquals(String.valueOf(RegionLayout.ABI_MAJOR), abi.get("major"));
    }

    @Test
    void enumCodesMatch() {
        Map<String, Object> enums = obj(layout.get("enums"));
        assertEnum(enums, "region_state", RegionState.values(), RegionState::fromCode);
        assertEnum(enums, "attach_state", AttachState.values(), AttachState::fromCode);
        assertEnum(enums, "boost_request", BoostRequest.values(), BoostRequest::fromCode);
        assertEnum(enums, "sched_policy", SchedPolicy.values(), SchedPolicy::fromCode);
        assertEnum(enums, "slot_status", SlotStatus.values(), SlotStatus::fromCode);
        assertEnum(enums, "denial_reason", DenialReason.values(), DenialReason::fromCode);
    }

    private static <E extends Enum<E>> void assertEnum(Map<String, Object> enums, String name, E[] javaValues,
            IntFunction<E> fromCode) {
        Map<String, Object> values = obj(obj(enums.get(name)).get("values"));
        Map<String, Integer> java = new LinkedHashMap<>();
        for (E e : javaValues) {
            if (!e.name().equals("UNKNOWN")) {
                java.put(e.name(), fromCodeInverse(e, fromCode));
            }
        }
        Map<String, Integer> spec = new LinkedHashMap<>();
        values.forEach((k, v) -> spec.put(k, Integer.parseInt((String) v)));
        assertEquals(spec, java, "enum " + name);
    }

    private static <E extends Enum<E>> int fromCodeInverse(E e, IntFunction<E> fromCode) {
        for (int code = 0; code < 256; code++) {
            if (fromCode.apply(code) == e) {
                return code;
            }
        }
        return -1;
    }

    @Test
    void flagBitsAndMasksMatch() {
        Map<String, Object> flags = obj(layout.get("flags"));
        Map<String, Integer> reasons = new LinkedHashMap<>();
        for (BoostReason r : BoostReason.values()) {
            reasons.put(r.name(), r.bitIndex());
        }
        assertFlags(flags, "boost_reason", reasons, BoostReason.DEFINED_MASK);
        Map<String, Integer> hostFlags = new LinkedHashMap<>();
        for (HostBoostFlag f : HostBoostFlag.values()) {
            hostFlags.put(f.name(), f.bitIndex());
        }
        assertFlags(flags, "host_boost_flag", hostFlags, HostBoostFlag.DEFINED_MASK);
        Map<String, Integer> features = new LinkedHashMap<>();
        for (Feature f : Feature.values()) {
            features.put(f.name(), f.bitIndex());
        }
        assertFlags(flags, "feature", features, Feature.DEFINED_MASK);
    }

    private static void assertFlags(Map<String, Object> flags, String name, Map<String, Integer> java, long mask) {
        Map<String, Object> set = obj(flags.get(name));
        Map<String, Integer> spec = new LinkedHashMap<>();
        obj(set.get("bits")).forEach((k, v) -> spec.put(k, Integer.parseInt((String) v)));
        assertEquals(spec, java, "flags " + name);
        assertEquals(Long.decode((String) set.get("defined_mask")), mask, "defined mask of " + name);
        long fromBits = 0;
        for (int bit : spec.values()) {
            fromBits |= 1L << bit;
        }
        assertEquals(fromBits, mask, "defined mask of " + name + " is the union of its bits");
    }

    @Test
    void hypercallNumbersErrorsAndSelectorsMatch() {
        Map<String, Object> hc = obj(layout.get("hypercalls"));
        assertEquals(HypercallNumbers.BASE, Long.decode((String) hc.get("base")));
        Map<String, Object> calls = obj(hc.get("calls"));
        assertEquals(HypercallNumbers.QUERY, nr(calls, "VBOOST_HC_QUERY"));
        assertEquals(HypercallNumbers.ATTACH, nr(calls, "VBOOST_HC_ATTACH"));
        assertEquals(HypercallNumbers.DETACH, nr(calls, "VBOOST_HC_DETACH"));
        assertEquals(HypercallNumbers.NOTIFY, nr(calls, "VBOOST_HC_NOTIFY"));
        assertEquals(4, calls.size());
        Map<String, Integer> errors = new LinkedHashMap<>();
        obj(hc.get("errors")).forEach((k, v) -> errors.put(k, Integer.parseInt((String) v)));
        Map<String, Integer> java = new LinkedHashMap<>();
        for (KvmError e : KvmError.values()) {
            java.put("KVM_" + e.name(), e.code());
        }
        assertEquals(errors, java);
        Map<String, Object> notify = obj(hc.get("notify_flags"));
        assertEquals(HypercallNumbers.NOTIFY_REQUEST, 1 << Integer.parseInt((String) notify.get("REQUEST")));
        assertEquals(HypercallNumbers.NOTIFY_HOST_BOOST_ACK,
                1 << Integer.parseInt((String) notify.get("HOST_BOOST_ACK")));
        Map<String, Object> sel = obj(hc.get("query_selectors"));
        assertEquals(HypercallNumbers.QUERY_ABI_VERSION, Integer.parseInt((String) sel.get("ABI_VERSION")));
        assertEquals(HypercallNumbers.QUERY_HOST_FEATURES, Integer.parseInt((String) sel.get("HOST_FEATURES")));
        assertEquals(HypercallNumbers.QUERY_SLOT_COUNT, Integer.parseInt((String) sel.get("SLOT_COUNT")));
    }

    private static long nr(Map<String, Object> calls, String name) {
        return Long.decode((String) obj(calls.get(name)).get("nr"));
    }

    @Test
    void regionErrorCodesMatchWireError() {
        List<String> spec = new ArrayList<>(obj(layout.get("region_errors")).keySet());
        List<String> java = new ArrayList<>();
        for (WireError e : WireError.values()) {
            if (e != WireError.NONE) {
                java.add(e.code());
            }
        }
        assertEquals(spec, java);
    }
}
