package dev.vboost.spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes every v1.0 golden vector and the index into a directory, from the layout table alone.
 *
 * <p>Usual way to regenerate the checked-in files: {@code ./mvnw -q -B -pl spec test -Dtest=VectorFilesTest
 * -Dvboost.vectors.write=true}. {@link #main} does the same given the spec directory and an output directory.
 */
public final class VectorGenerator {

    static final String LAYOUT = "layout/region-v1.0.json";
    static final String VECTORS = "vectors/v1.0";

    private VectorGenerator() {
    }

    /** Generates into {@code out} (created if missing) and returns the vectors written. */
    static List<Vector> generate(Path specDir, Path out) throws IOException {
        LayoutModel model = LayoutModel.load(specDir.resolve(LAYOUT));
        List<Vector> vectors = VectorCatalog.all(model);
        Files.createDirectories(out);
        VectorWriter writer = new VectorWriter(model);
        for (Vector v : vectors) {
            writer.write(v, out);
        }
        writer.writeIndex(vectors, out);
        return vectors;
    }

    /** {@code VectorGenerator <spec dir> [<out dir>]}; the out dir defaults to {@code <spec dir>/vectors/v1.0}. */
    public static void main(String[] args) throws IOException {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: VectorGenerator <spec dir> [<out dir>]");
            System.exit(2);
        }
        Path spec = Path.of(args[0]);
        Path out = args.length == 2 ? Path.of(args[1]) : spec.resolve(VECTORS);
        List<Vector> written = generate(spec, out);
        System.out.println("wrote " + written.size() + " vectors to " + out);
    }
}
