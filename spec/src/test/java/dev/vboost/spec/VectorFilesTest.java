package dev.vboost.spec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checked-in vectors are exactly what the generator makes from the layout tables. With
 * {@code -Dvboost.vectors.write=true} it first rewrites them in {@code spec/vectors/v1.0} and {@code v1.1}.
 */
class VectorFilesTest {

    private static Path specDir() {
        return Path.of(System.getProperty("vboost.spec.dir", "")).toAbsolutePath();
    }

    /** One version's generator: writes its vectors into a directory. */
    private interface Generation {
        void into(Path specDir, Path out) throws IOException;
    }

    @Test
    void checkedInVectorsAreByteIdenticalToARegeneration(@TempDir Path tmp) throws IOException {
        assertRegenerationMatches(VectorGenerator.VECTORS, VectorGenerator::generate, tmp);
    }

    @Test
    void checkedInV11VectorsAreByteIdenticalToARegeneration(@TempDir Path tmp) throws IOException {
        assertRegenerationMatches(VectorGenerator.VECTORS_1_1, VectorGenerator::generate11, tmp);
    }

    private static void assertRegenerationMatches(String vectors, Generation generation, Path tmp) throws IOException {
        Path checkedIn = specDir().resolve(vectors);
        if (Boolean.getBoolean("vboost.vectors.write")) {
            generation.into(specDir(), checkedIn);
        }
        generation.into(specDir(), tmp);
        Set<String> fresh = names(tmp);
        assertEquals(fresh, names(checkedIn), "files in " + checkedIn + " differ from a regeneration; "
                + "rerun with -Dvboost.vectors.write=true and commit the result");
        for (String name : fresh) {
            assertArrayEquals(Files.readAllBytes(tmp.resolve(name)), Files.readAllBytes(checkedIn.resolve(name)),
                    name + " differs from a regeneration");
        }
    }

    @Test
    void v11IdsContinueAfterV10AndNeverReuseOne() throws IOException {
        List<Vector> v10 = VectorCatalog.all(LayoutModel.load(specDir().resolve(VectorGenerator.LAYOUT)));
        List<Vector> v11 = VectorCatalog11.all(LayoutModel.load(specDir().resolve(VectorGenerator.LAYOUT_1_1)));
        Set<String> numbers = new HashSet<>();
        for (Vector v : v10) {
            numbers.add(v.id.substring(0, 4));
        }
        for (Vector v : v11) {
            assertTrue(v.id.matches("V\\d{3}-[a-z0-9.-]+"), v.id);
            assertTrue(numbers.add(v.id.substring(0, 4)), "id number reused: " + v.id);
        }
        assertTrue(v11.stream().anyMatch(v -> v.kind().equals("accept") && "1.0".equals(v.reader)),
                "a vector a 1.0 reader passes on a 1.1 region");
        assertTrue(v11.stream().filter(v -> v.kind().equals("reject")).count() >= 3, "1.1 rejects");
    }

    @Test
    void catalogHasUniqueIdsAndEnoughOfEachKind() throws IOException {
        LayoutModel model = LayoutModel.load(specDir().resolve(VectorGenerator.LAYOUT));
        List<Vector> all = VectorCatalog.all(model);
        Set<String> prefixes = new HashSet<>();
        for (Vector v : all) {
            assertTrue(v.id.matches("V\\d{3}-[a-z0-9.-]+"), v.id);
            assertTrue(prefixes.add(v.id.substring(0, 4)), "id number reused: " + v.id);
        }
        long accepts = all.stream().filter(v -> v.kind().equals("accept")).count();
        assertTrue(all.size() >= 25, "at least 25 vectors");
        assertTrue(accepts >= 10 && all.size() - accepts >= 10, "both kinds covered");
    }

    @Test
    void generatorReadsOffsetsFromTheTable() throws IOException {
        LayoutModel model = LayoutModel.load(specDir().resolve(VectorGenerator.LAYOUT));
        ImageBuilder b = ImageBuilder.standard(model, 3);
        b.set("slot_host_line", 2, "acted_request_id", 0x0102030405060708L);
        byte[] bytes = b.bytes();
        // slot 2's host line starts at 0x80 + 2*0x80 + 0x40 = 0x1C0; acted_request_id at +0x10, little-endian
        assertEquals(0x08, bytes[0x1D0]);
        assertEquals(0x01, bytes[0x1D7]);
        assertEquals(4096, bytes.length);
        assertEquals(0x56, bytes[0]); // 'V'
    }

    private static Set<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
        }
    }
}
