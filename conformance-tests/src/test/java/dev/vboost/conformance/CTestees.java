package dev.vboost.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/** Finds the C reference testee Maven built, and builds mutant variants of it. */
final class CTestees {
    private CTestees() {
    }

    static boolean ci() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** The reference testee; skips when it was not built (no compiler), fails under CI=true. */
    static Path reference() {
        Path p = Path.of(System.getProperty("vboost.testee.c", "target/vboost-testee-c"));
        if (!Files.isExecutable(p)) {
            String why = "the C reference testee " + p + " was not built (no C compiler?)";
            if (ci()) {
                fail(why + "; CI=true requires it");
            }
            Assumptions.abort(why);
        }
        return p;
    }

    /** Builds the testee with {@code -DVBOOST_MUTANT_<name>} into {@code dir}. */
    static Path mutant(String name, Path dir) throws IOException, InterruptedException {
        reference(); // same skip rule
        Path out = dir.resolve("vboost-testee-c-" + name.toLowerCase(java.util.Locale.ROOT));
        Path script = Path.of(System.getProperty("vboost.c.sources", "src/main/c")).resolve("build.sh");
        String include = System.getProperty("vboost.spec.include", "../spec/include");
        List<String> cmd = new ArrayList<>(List.of("sh", script.toString(), include, out.toString(),
                "-DVBOOST_MUTANT_" + name));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("building mutant " + name + " timed out");
        }
        assertEquals(0, p.exitValue(), () -> "building mutant " + name + " failed:\n" + text);
        return out;
    }
}
