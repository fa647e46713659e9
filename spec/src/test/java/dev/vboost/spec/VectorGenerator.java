package dev.vboost.spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes every golden vector of one released version (v1.0, v1.1) and its index into a directory, from that
 * version's layout table alone. Released directories never change (spec §10): v1.0 is still generated from
 * {@code region-v1.0.json} and {@link VectorCatalog}; v1.1 adds {@link VectorCatalog11} over
 * {@code region-v1.1.json}.
 *
 * <p>Usual way to regenerate the checked-in files: {@code ./mvnw -q -B -pl spec test -Dtest=VectorFilesTest
 * -Dvboost.vectors.write=true}. {@link #main} does the same given the spec directory and an output directory.
 */
public final class VectorGenerator {

    static final String LAYOUT = "layout/region-v1.0.json";
    static final String VECTORS = "vectors/v1.0";
    static final String LAYOUT_1_1 = "layout/region-v1.1.json";
    static final String VECTORS_1_1 = "vectors/v1.1";

    private VectorGenerator() {
    }

    /** Generates the v1.0 vectors into {@code out} (created if missing) and returns the vectors written. */
    static List<Vector> generate(Path specDir, Path out) throws IOException {
        LayoutModel model = LayoutModel.load(specDir.resolve(LAYOUT));
        return write(VectorCatalog.all(model), new VectorWriter(model, "1.0", LAYOUT), out);
    }

    /** Generates the v1.1 vectors into {@code out} (created if missing) and returns the vectors written. */
    static List<Vector> generate11(Path specDir, Path out) throws IOException {
        LayoutModel model = LayoutModel.load(specDir.resolve(LAYOUT_1_1));
        return write(VectorCatalog11.all(model), new VectorWriter(model, "1.1", LAYOUT_1_1), out);
    }

    private static List<Vector> write(List<Vector> vectors, VectorWriter writer, Path out) throws IOException {
        Files.createDirectories(out);
        for (Vector v : vectors) {
            writer.write(v, out);
        }
        writer.writeIndex(vectors, out);
        return vectors;
    }

    /**
     * {@code VectorGenerator <spec dir> [<out dir>]}: writes {@code v1.0/} and {@code v1.1/} under the out dir,
     * which defaults to {@code <spec dir>/vectors}.
     */
    public static void main(String[] args) throws IOException {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: VectorGenerator <spec dir> [<out dir>]");
            System.exit(2);
        }
        Path spec = Path.of(args[0]);
        Path out = args.length == 2 ? Path.of(args[1]) : spec.resolve("vectors");
        List<Vector> v10 = generate(spec, out.resolve("v1.0"));
        List<Vector> v11 = generate11(spec, out.resolve("v1.1"));
        System.out.println("wrote " + v10.size() + " + " + v11.size() + " vectors to " + out);
    }
}
