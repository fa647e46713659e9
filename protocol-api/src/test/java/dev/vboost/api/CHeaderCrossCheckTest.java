package dev.vboost.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.vboost.api.hypercall.HypercallNumbers;
import dev.vboost.api.hypercall.KvmError;
import dev.vboost.api.layout.DoorbellAbi;
import dev.vboost.api.layout.FieldSpec;
import dev.vboost.api.layout.GuestHeaderLayout;
import dev.vboost.api.layout.GuestSlotLayout;
import dev.vboost.api.layout.HostHeaderLayout;
import dev.vboost.api.layout.HostSlotLayout;
import dev.vboost.api.layout.LayoutTable;
import dev.vboost.api.layout.RegionLayout;
import dev.vboost.api.wire.AttachState;
import dev.vboost.api.wire.BoostReason;
import dev.vboost.api.wire.BoostRequest;
import dev.vboost.api.wire.DenialReason;
import dev.vboost.api.wire.Feature;
import dev.vboost.api.wire.HostBoostFlag;
import dev.vboost.api.wire.RegionState;
import dev.vboost.api.wire.SchedPolicy;
import dev.vboost.api.wire.SlotStatus;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compiles a C program that includes {@code spec/include/vboost_abi.h} with the system C compiler, runs it,
 * and checks that every offset, size, member type, enum code, flag bit, hypercall number and error code it
 * prints equals the Java constant of protocol-api, and that every object-like {@code VBOOST_*} macro in the
 * header is covered by such a check (names match one to one).
 *
 * <p>Skips when no C compiler is installed, except under {@code CI=true}, where that is a failure.
 */
class CHeaderCrossCheckTest {

    private static final String HEADER = "vboost_abi.h";
    /** Macros of the header that are machinery, not ABI values. */
    private static final Set<String> NOT_ABI = Set.of("VBOOST_ABI_H");

    /** Expected values by C expression; the expression is usually a macro name. */
    private final Map<String, String> expected = new LinkedHashMap<>();

    @Test
    void headerMatchesJavaConstants(@TempDir Path dir) throws Exception {
        String cc = findCompiler();
        Path header = locateHeader(dir);

        collectDescriptorConstants();
        collectStructChecks();
        collectEnums();
        collectFlags();
        collectHypercalls();
        collectErrors();
        collectFormulas();

        Path src = dir.resolve("abi_dump.c");
        Files.writeString(src, program(), StandardCharsets.UTF_8);
        Path exe = dir.resolve("abi_dump");
        run(List.of(cc, "-std=c11", "-Wall", "-Wextra", "-Werror", "-pedantic", "-I", header.getParent().toString(),
                src.toString(), "-o", exe.toString()), dir);
        String out = run(List.of(exe.toString()), dir);

        Map<String, String> actual = new LinkedHashMap<>();
        for (String line : out.split("\n")) {
            if (!line.isBlank()) {
                int tab = line.indexOf('\t');
                actual.put(line.substring(0, tab), line.substring(tab + 1));
            }
        }
        List<String> mismatches = new ArrayList<>();
        for (Map.Entry<String, String> e : expected.entrySet()) {
            String got = actual.get(e.getKey());
            if (!e.getValue().equals(got)) {
                mismatches.add(e.getKey() + ": Java says " + e.getValue() + ", C says " + got);
            }
        }
        assertTrue(mismatches.isEmpty(), () -> "C header and Java constants disagree:\n  " + String.join("\n  ", mismatches));
        assertEquals(expected.size(), actual.size(), "every check printed one line");

        Set<String> uncovered = new TreeSet<>(objectLikeMacros(Files.readString(header, StandardCharsets.UTF_8)));
        uncovered.removeAll(expected.keySet());
        uncovered.removeAll(NOT_ABI);
        assertTrue(uncovered.isEmpty(), () -> "macros in " + HEADER + " without a Java counterpart: " + uncovered);
    }

    // ---- what Java says ------------------------------------------------------------------------------

    private void collectDescriptorConstants() throws IllegalAccessException {
        constants(RegionLayout.class, "VBOOST_");
        constants(HostHeaderLayout.class, "VBOOST_HOST_HEADER_");
        constants(GuestHeaderLayout.class, "VBOOST_GUEST_HEADER_");
        constants(GuestSlotLayout.class, "VBOOST_GUEST_SLOT_");
        constants(HostSlotLayout.class, "VBOOST_HOST_SLOT_");
        constants(DoorbellAbi.class, "VBOOST_DOORBELL_");
    }

    private void constants(Class<?> type, String prefix) throws IllegalAccessException {
        int n = 0;
        for (Field f : type.getDeclaredFields()) {
            int m = f.getModifiers();
            if (Modifier.isPublic(m) && Modifier.isStatic(m) && Modifier.isFinal(m)
                    && (f.getType() == int.class || f.getType() == long.class)) {
                expect(prefix + f.getName(), ((Number) f.get(null)).longValue());
                n++;
            }
        }
        assertTrue(n > 0, type.getSimpleName() + " has constants");
    }

    private void collectStructChecks() {
        structSize("vboost_host_header", HostHeaderLayout.LENGTH);
        structSize("vboost_guest_header", GuestHeaderLayout.LENGTH);
        structSize("vboost_slot_guest", GuestSlotLayout.LENGTH);
        structSize("vboost_slot_host", HostSlotLayout.LENGTH);
        structSize("vboost_slot", RegionLayout.SLOT_SIZE);
        structSize("vboost_region", RegionLayout.HEADER_SIZE);
        for (List<FieldSpec> table : List.of(LayoutTable.HOST_HEADER_FIELDS, LayoutTable.GUEST_HEADER_FIELDS,
                LayoutTable.SLOT_GUEST_FIELDS, LayoutTable.SLOT_HOST_FIELDS)) {
            for (FieldSpec f : table) {
                String member = "((struct vboost_" + f.struct() + " *)0)->" + f.name();
                expect("offsetof(struct vboost_" + f.struct() + ", " + f.name() + ")", f.offset());
                expect("sizeof(" + member + ")", f.size());
                expected.put("TYPE(" + member + ")", f.type());
            }
        }
    }

    private void structSize(String struct, long size) {
        expect("sizeof(struct " + struct + ")", size);
    }

    private void collectEnums() {
        for (RegionState v : RegionState.values()) {
            enumCode("VBOOST_REGION_STATE_", v.name(), v.code());
        }
        for (AttachState v : AttachState.values()) {
            enumCode("VBOOST_ATTACH_STATE_", v.name(), v.code());
        }
        for (BoostRequest v : BoostRequest.values()) {
            enumCode("VBOOST_REQUEST_", v.name(), v.code());
        }
        for (SchedPolicy v : SchedPolicy.values()) {
            enumCode("VBOOST_POLICY_", v.name(), v.code());
        }
        for (SlotStatus v : SlotStatus.values()) {
            enumCode("VBOOST_SLOT_STATUS_", v.name(), v.code());
        }
        for (DenialReason v : DenialReason.values()) {
            enumCode("VBOOST_DENIAL_", v.name(), v.code());
        }
    }

    /** UNKNOWN (code -1) is a Java decoding artefact, never on the wire, so it has no macro. */
    private void enumCode(String prefix, String name, int code) {
        if (code >= 0) {
            expect(prefix + name, code);
        }
    }

    private void collectFlags() {
        for (BoostReason f : BoostReason.values()) {
            flag("VBOOST_REASON_", f.name(), f.bitIndex(), f.bit());
        }
        expect("VBOOST_REASON_DEFINED_MASK", BoostReason.DEFINED_MASK);
        for (HostBoostFlag f : HostBoostFlag.values()) {
            flag("VBOOST_HOST_BOOST_", f.name(), f.bitIndex(), f.bit());
        }
        expect("VBOOST_HOST_BOOST_DEFINED_MASK", HostBoostFlag.DEFINED_MASK);
        for (Feature f : Feature.values()) {
            flag("VBOOST_FEATURE_", f.name(), f.bitIndex(), f.bit());
        }
        expect("VBOOST_FEATURE_DEFINED_MASK", Feature.DEFINED_MASK);
        expect("VBOOST_FEATURE_DEFINED_MASK_1_0", Feature.DEFINED_MASK_1_0);
    }

    private void flag(String prefix, String name, int bitIndex, long mask) {
        expect(prefix + name + "_BIT", bitIndex);
        expect(prefix + name, mask);
    }

    private void collectHypercalls() throws IllegalAccessException {
        for (Field f : HypercallNumbers.class.getDeclaredFields()) {
            int m = f.getModifiers();
            if (Modifier.isPublic(m) && Modifier.isStatic(m) && Modifier.isFinal(m)) {
                String n = f.getName();
                String c = n.startsWith("QUERY_") || n.startsWith("NOTIFY_") ? "VBOOST_" + n : "VBOOST_HC_" + n;
                expect(c, ((Number) f.get(null)).longValue());
            }
        }
        expect("VBOOST_NOTIFY_REQUEST_BIT", Integer.numberOfTrailingZeros(HypercallNumbers.NOTIFY_REQUEST));
        expect("VBOOST_NOTIFY_HOST_BOOST_ACK_BIT", Integer.numberOfTrailingZeros(HypercallNumbers.NOTIFY_HOST_BOOST_ACK));
        for (KvmError e : KvmError.values()) {
            expect("VBOOST_KVM_" + e.name(), e.code());
        }
    }

    /** Region error numbers are the header's C API codes: the WireError order, OK first. */
    private void collectErrors() {
        for (WireError e : WireError.values()) {
            expect("VBOOST_" + e.code(), e.ordinal());
        }
    }

    private void collectFormulas() {
        for (int n : new int[] {1, 2, 31, 32, 33, 100, RegionLayout.MAX_SLOTS}) {
            expect("VBOOST_REGION_SIZE(" + n + ")", RegionLayout.regionSize(n));
        }
        for (int i : new int[] {0, 1, 7, RegionLayout.MAX_SLOTS - 1}) {
            expect("VBOOST_SLOT_GUEST_LINE(" + i + ")", RegionLayout.guestLineOffset(i));
            expect("VBOOST_SLOT_HOST_LINE(" + i + ")", RegionLayout.hostLineOffset(i));
        }
        // ids are u64 with bit 63 clear: the first invalid value is 2^63 (Long.MIN_VALUE as unsigned)
        expect("VBOOST_ID_LIMIT", Long.MIN_VALUE);
    }

    private void expect(String cExpr, long value) {
        String previous = expected.put(cExpr, Long.toUnsignedString(value));
        if (previous != null && !previous.equals(Long.toUnsignedString(value))) {
            fail(cExpr + " expected twice with different values: " + previous + " and " + value);
        }
    }

    // ---- the C side ----------------------------------------------------------------------------------

    private String program() {
        StringBuilder c = new StringBuilder();
        c.append("#include <stdio.h>\n#include \"").append(HEADER).append("\"\n");
        c.append("#define TYPE(x) _Generic((x), uint8_t: \"u8\", int8_t: \"s8\", uint16_t: \"u16\", ")
                .append("uint32_t: \"u32\", uint64_t: \"u64\", uint8_t *: \"reserved\", default: \"other\")\n");
        c.append("int main(void) {\n");
        for (String expr : expected.keySet()) {
            String name = expr.replace("\\", "\\\\").replace("\"", "\\\"");
            if (expr.startsWith("TYPE(")) {
                c.append("  printf(\"%s\\t%s\\n\", \"").append(name).append("\", ").append(expr).append(");\n");
            } else {
                c.append("  printf(\"%s\\t%llu\\n\", \"").append(name).append("\", (unsigned long long)(")
                        .append(expr).append("));\n");
            }
        }
        return c.append("  return 0;\n}\n").toString();
    }

    private static Set<String> objectLikeMacros(String header) {
        Set<String> names = new TreeSet<>();
        Matcher m = Pattern.compile("(?m)^#define\\s+(VBOOST_\\w+)(\\(?)").matcher(header);
        while (m.find()) {
            if (m.group(2).isEmpty()) {
                names.add(m.group(1));
            }
        }
        return names;
    }

    /** The header in the source tree (the truth), else the copy in the vboost-spec jar. */
    private static Path locateHeader(Path tmp) throws IOException {
        Path cwd = Path.of("").toAbsolutePath();
        for (Path p = cwd; p != null; p = p.getParent()) {
            Path candidate = p.resolve("spec/include").resolve(HEADER);
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        try (InputStream in = CHeaderCrossCheckTest.class.getClassLoader()
                .getResourceAsStream("vboost/spec/include/" + HEADER)) {
            if (in == null) {
                return fail("cannot find spec/include/" + HEADER + " above " + cwd + " nor on the class path");
            }
            Path copy = tmp.resolve("include").resolve(HEADER);
            Files.createDirectories(copy.getParent());
            Files.copy(in, copy);
            return copy;
        }
    }

    private static String findCompiler() {
        List<String> candidates = new ArrayList<>();
        String env = System.getenv("CC");
        if (env != null && !env.isBlank()) {
            candidates.add(env.trim());
        }
        candidates.addAll(List.of("cc", "gcc", "clang"));
        for (String c : candidates) {
            if (onPath(c)) {
                return c;
            }
        }
        String why = "no C compiler found (tried " + candidates + " on PATH)";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            return fail(why + "; CI=true requires one (install gcc)");
        }
        Assumptions.abort(why + "; install gcc to run the C header cross-check");
        throw new AssertionError("unreachable");
    }

    private static boolean onPath(String exe) {
        if (exe.contains("/")) {
            return Files.isExecutable(Path.of(exe));
        }
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String d : path.split(java.io.File.pathSeparator)) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, exe))) {
                return true;
            }
        }
        return false;
    }

    private static String run(List<String> cmd, Path dir) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("timed out: " + String.join(" ", cmd));
        }
        String text = new String(out, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), () -> String.join(" ", cmd) + " failed:\n" + text);
        return text;
    }
}
