package dev.vboost.conformance.suite;

import dev.vboost.api.layout.RegionLayout;
import dev.vboost.conformance.region.GuestLine;
import dev.vboost.conformance.region.HeaderImage;
import dev.vboost.conformance.region.HostLine;
import dev.vboost.conformance.region.MappedRegion;
import dev.vboost.conformance.region.RefRegion;
import dev.vboost.conformance.testee.Reply;
import dev.vboost.conformance.testee.Testee;
import dev.vboost.conformance.testee.TesteeException;
import dev.vboost.conformance.testee.TesteeInfo;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * What a test works with: the testee, a fresh region file the runner owns, and checks that fail with the
 * spec rule, a field diff and a hex dump.
 */
public final class CaseContext implements AutoCloseable {
    /** Features the runner's host offers in guest tests. */
    public static final long HOST_FEATURES = 0xFL;
    /** Generation the runner's host publishes in guest tests. */
    public static final int GENERATION = 5;

    private final Testee testee;
    private final TesteeInfo info;
    private final Path dir;
    private final String caseId;
    private final List<MappedRegion> regions = new ArrayList<>();
    private @Nullable MappedRegion region;
    private @Nullable RefRegion ref;
    private int files;

    public CaseContext(Testee testee, TesteeInfo info, Path dir, String caseId) {
        this.testee = testee;
        this.info = info;
        this.dir = dir;
        this.caseId = caseId;
    }

    public Testee testee() {
        return testee;
    }

    public TesteeInfo info() {
        return info;
    }

    public Path dir() {
        return dir;
    }

    /** A fresh zero-filled region for {@code slots} slots; it becomes {@link #region()}. */
    public MappedRegion newRegion(int slots) {
        return newRegion((int) RegionLayout.regionSize(slots), null);
    }

    public MappedRegion newRegion(int size, byte @Nullable [] initial) {
        String name = caseId.replaceAll("[^A-Za-z0-9.-]", "_") + "-" + (files++) + ".region";
        MappedRegion r = MappedRegion.create(dir.resolve(name), size, initial);
        regions.add(r);
        region = r;
        ref = new RefRegion(r.memory());
        return r;
    }

    public MappedRegion region() {
        MappedRegion r = region;
        if (r == null) {
            throw new IllegalStateException("no region yet");
        }
        return r;
    }

    public RefRegion ref() {
        RefRegion r = ref;
        if (r == null) {
            throw new IllegalStateException("no region yet");
        }
        return r;
    }

    public Path newFile(String suffix) {
        return dir.resolve(caseId.replaceAll("[^A-Za-z0-9.-]", "_") + "-" + (files++) + suffix);
    }

    // ---- driving the testee ----

    /** Attaches the testee to the current region in {@code role}. */
    public void attach(String role) throws TesteeException {
        Reply r = testee.attach(role, region().file(), region().size());
        if (r.isUnsupported()) {
            throw new CaseSkipped("testee does not support attach as " + role);
        }
        if (!r.isOk()) {
            throw new ConformanceFailure("testee protocol §4 attach", "attach failed: " + r);
        }
    }

    /** Runs an operation; {@code kv} alternates keys and values. {@code unsupported} skips the test. */
    public Reply op(String name, Object... kv) throws TesteeException {
        Map<String, String> args = new LinkedHashMap<>();
        for (int i = 0; i + 1 < kv.length; i += 2) {
            args.put(String.valueOf(kv[i]), String.valueOf(kv[i + 1]));
        }
        Reply r = testee.op(name, args);
        if (r.isUnsupported()) {
            throw new CaseSkipped("testee answered 'unsupported' to " + name);
        }
        if (r.status().equals("internal")) {
            throw new ConformanceFailure("testee protocol §3", name + " failed inside the testee: "
                    + r.values().getOrDefault("message", "(no message)"));
        }
        return r;
    }

    public void sync() throws TesteeException {
        testee.sync();
    }

    /** The runner as host: a valid READY header for {@code slots} slots, then the testee attaches as guest. */
    public Reply attachedGuest(int slots) throws TesteeException {
        newRegion(slots);
        ref().writeHostHeader(HeaderImage.valid(slots, GENERATION, HOST_FEATURES));
        attach("guest");
        return expectOk(op("guest.attach", "features", HOST_FEATURES), "§5.2 a guest attaches to a valid READY region");
    }

    /** The testee as host initialises a fresh region of {@code slots} slots. */
    public Reply initHost(int slots) throws TesteeException {
        newRegion(slots);
        attach("host");
        return expectOk(op("host.init_region", "slot_count", slots, "host_features", 0xB, "prio_ceiling", 40,
                "max_boost_us", 3000), "§4.4 a host initialises a region");
    }

    public static Object[] args(Map<String, String> fields, Object... more) {
        List<Object> l = new ArrayList<>();
        for (Object o : more) {
            l.add(o);
        }
        fields.forEach((k, v) -> {
            l.add(k);
            l.add(v);
        });
        return l.toArray();
    }

    /** {@code fields} with {@code key} set to {@code value}. */
    public static Map<String, String> merge(Map<String, String> fields, String key, String value) {
        Map<String, String> m = new LinkedHashMap<>(fields);
        m.put(key, value);
        return m;
    }

    // ---- checks ----

    public Reply expectOk(Reply r, String rule) {
        if (!r.isOk()) {
            throw new ConformanceFailure(rule, "expected ok, got " + r);
        }
        return r;
    }

    public void expectError(Reply r, String code, String rule) {
        if (!r.isError() || !r.code().equals(code)) {
            throw new ConformanceFailure(rule, "expected error " + code + ", got " + r);
        }
    }

    public void expectAnyError(Reply r, String rule) {
        if (!r.isError()) {
            throw new ConformanceFailure(rule, "expected an error, got " + r);
        }
    }

    public void expect(boolean condition, String rule, String message) {
        if (!condition) {
            throw new ConformanceFailure(rule, message);
        }
    }

    /** Every key of {@code expected} must be in the reply with that value. */
    public void expectFields(Reply r, Map<String, String> expected, String rule) {
        List<String> diff = new ArrayList<>();
        expected.forEach((k, v) -> {
            String got = r.values().get(k);
            if (!v.equals(got)) {
                diff.add(k + ": expected " + v + ", got " + got);
            }
        });
        if (!diff.isEmpty()) {
            throw new ConformanceFailure(rule, "the reply differs from the region's content in " + diff.size()
                    + " field(s)", diff, "");
        }
    }

    public void expectHostLine(int slot, HostLine expected, String rule) {
        HostLine actual = ref().hostLineAtRest(slot);
        compareLines(expected.fields(), actual.fields(), rule, "slot " + slot + " host line");
    }

    public void expectGuestLine(int slot, GuestLine expected, String rule) {
        GuestLine actual = ref().guestLineAtRest(slot);
        compareLines(expected.fields(), actual.fields(), rule, "slot " + slot + " guest line");
    }

    private static void compareLines(Map<String, String> e, Map<String, String> a, String rule, String what) {
        List<String> diff = new ArrayList<>();
        e.forEach((k, v) -> {
            if (!v.equals(a.get(k))) {
                diff.add(what + "." + k + ": expected " + v + ", got " + a.get(k));
            }
        });
        if (!diff.isEmpty()) {
            throw new ConformanceFailure(rule, what + " differs in " + diff.size() + " field(s)", diff, "");
        }
    }

    /** Region bytes [from, from+expected.length) must equal {@code expected}; fails with a hex dump. */
    public void expectBytes(int from, byte[] expected, String rule, String what) {
        byte[] all = region().snapshot();
        byte[] actual = java.util.Arrays.copyOfRange(all, from, from + expected.length);
        int at = Hex.firstDifference(expected, actual);
        if (at >= 0) {
            throw new ConformanceFailure(rule, what + " differs from the spec's layout at region offset 0x"
                    + Integer.toHexString(from + at), List.of(String.format("byte 0x%x: expected %02x, got %02x",
                    from + at, expected[at] & 0xFF, actual[at] & 0xFF)), Hex.window(expected, actual, at, from));
        }
    }

    @Override
    public void close() {
        for (MappedRegion r : regions) {
            r.close();
        }
    }
}
