package dev.vboost.api.image;

import static dev.vboost.api.testutil.MiniJson.arr;
import static dev.vboost.api.testutil.MiniJson.obj;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.vboost.api.WireError;
import dev.vboost.api.testutil.SpecFiles;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every golden vector of spec/vectors/v1.0 and v1.1, decoded by {@link RegionImage} (a 1.1 reader), gives
 * exactly what its JSON says. A vector written for an older reader about a region of a newer minor than that
 * reader (V018: a 1.1 region for a 1.0 reader) is judged in its newer counterpart instead (V075, spec §10).
 */
class GoldenVectorTest {

    private static final String DIR = "vectors/v1.0/";
    private static final String DIR_1_1 = "vectors/v1.1/";

    @TestFactory
    Stream<DynamicTest> everyVector() {
        List<DynamicTest> tests = new ArrayList<>();
        for (String dir : List.of(DIR, DIR_1_1)) {
            for (Object e : arr(SpecFiles.json(dir + "index.json").get("vectors"))) {
                String id = (String) obj(e).get("id");
                Map<String, Object> v = SpecFiles.json(dir + obj(e).get("json"));
                if (!forNewerReaders(v)) {
                    tests.add(dynamicTest(id, () -> check(v, dir)));
                }
            }
        }
        return tests.stream();
    }

    /** True for a vector about a region newer than its reader, where this newer reader knows more bits. */
    static boolean forNewerReaders(Map<String, Object> v) {
        int readerMinor = Integer.parseInt(((String) v.get("reader")).substring(2));
        Object host = obj(v.get("expect")).get("host_header");
        return readerMinor < dev.vboost.api.layout.RegionLayout.ABI_MINOR && host != null
                && Integer.parseInt((String) obj(host).get("abi_minor")) > readerMinor;
    }

    @Test
    void onlyV018IsLeftToItsNewerCounterpart() {
        List<String> skipped = new ArrayList<>();
        for (Object e : arr(SpecFiles.json(DIR + "index.json").get("vectors"))) {
            if (forNewerReaders(SpecFiles.json(DIR + obj(e).get("json")))) {
                skipped.add((String) obj(e).get("id"));
            }
        }
        assertEquals(List.of("V018-version-skew-1.1"), skipped);
    }

    @Test
    void indexListsEnoughVectorsOfBothKinds() {
        List<Object> all = arr(SpecFiles.json(DIR + "index.json").get("vectors"));
        long rejects = all.stream().filter(v -> "reject".equals(obj(v).get("kind"))).count();
        assertTrue(all.size() >= 25, "at least 25 vectors, found " + all.size());
        assertTrue(rejects >= 10 && all.size() - rejects >= 10, "accepts and rejects");
    }

    private static void check(Map<String, Object> v, String dir) throws Exception {
        String id = (String) v.get("id");
        Map<String, Object> image = obj(v.get("image"));
        byte[] bin = SpecFiles.bytes(dir + image.get("file"));
        assertEquals(image.get("size"), Integer.toString(bin.length), id + " size");
        assertEquals(image.get("sha256"), HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bin)));

        RegionImage img = RegionImage.decode(bin);
        ImageError first = img.firstError();
        assertEquals(v.get("kind"), first == null ? "accept" : "reject", id + ": " + img);
        Object err = v.get("error");
        if (err == null) {
            assertNull(first, id);
        } else {
            Map<String, Object> e = obj(err);
            assertNotNull(first, id);
            assertEquals(e.get("code"), first.error().code(), id + " error code");
            assertEquals(e.get("struct"), first.struct().wireName(), id + " error struct");
            assertEquals(e.get("slot"), first.slot() < 0 ? null : Integer.toString(first.slot()), id + " slot");
            assertEquals(Integer.decode((String) e.get("offset")), first.offset(), id + " error offset");
        }
        WireError attach = img.attachOutcome();
        assertEquals(v.get("attach"), attach == WireError.NONE ? "OK" : attach.code(), id + " attach outcome");

        Map<String, Object> expect = obj(v.get("expect"));
        if (expect.containsKey("host_header")) {
            assertNotNull(img.hostHeader(), id);
            assertFields(id + " host_header", obj(expect.get("host_header")), VectorFields.HOST_HEADER,
                    img.hostHeader());
        } else {
            assertNull(img.hostHeader(), id);
        }
        if (expect.containsKey("guest_header")) {
            assertNotNull(img.guestHeader(), id);
            assertLine(id + " guest_header", obj(expect.get("guest_header")), VectorFields.GUEST_HEADER,
                    img.guestHeader(), "guest_seq");
        } else {
            assertNull(img.guestHeader(), id);
        }
        List<Object> slots = expect.containsKey("slots") ? arr(expect.get("slots")) : List.of();
        assertEquals(slots.size(), img.slots().size(), id + " slot count");
        for (int i = 0; i < slots.size(); i++) {
            Map<String, Object> s = obj(slots.get(i));
            SlotImage actual = img.slots().get(i);
            assertEquals(s.get("index"), Integer.toString(actual.index()));
            assertLine(id + " slot " + i + " guest", obj(s.get("guest")), VectorFields.SLOT_GUEST, actual.guest(),
                    "guest_seq");
            assertLine(id + " slot " + i + " host", obj(s.get("host")), VectorFields.SLOT_HOST, actual.host(),
                    "host_seq");
        }
    }

    private static <T> void assertLine(String where, Map<String, Object> expected,
            Map<String, Function<T, String>> readers, LineImage<T> line, String seqName) {
        String result = line.error() == null ? "OK" : line.error().error().code();
        assertEquals(expected.get("result"), result, where + " result");
        assertEquals(expected.get(seqName), Long.toString(line.seq()), where + " " + seqName);
        T value = line.value();
        if (expected.size() == 2) {
            assertNull(value, where + ": a busy line has no value");
            assertEquals("E_BUSY", result, where);
            return;
        }
        assertNotNull(value, where);
        Map<String, Object> fields = new java.util.LinkedHashMap<>(expected);
        fields.remove("result");
        fields.remove(seqName);
        if (readers.containsKey(seqName)) {
            readers = new java.util.LinkedHashMap<>(readers);
            readers.remove(seqName);
        }
        assertFields(where, fields, readers, value);
    }

    private static <T> void assertFields(String where, Map<String, Object> expected,
            Map<String, Function<T, String>> readers, T value) {
        assertEquals(expected.keySet(), readers.keySet(), where + ": field names");
        for (Map.Entry<String, Function<T, String>> r : readers.entrySet()) {
            assertEquals(expected.get(r.getKey()), r.getValue().apply(value), where + "." + r.getKey());
        }
    }
}
