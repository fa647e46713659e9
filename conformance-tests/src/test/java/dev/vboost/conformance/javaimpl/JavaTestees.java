package dev.vboost.conformance.javaimpl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vboost.conformance.ConformanceMain;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Helpers: the command line of a Java testee child JVM, and a checked run of {@link ConformanceMain}. */
public final class JavaTestees {
    private JavaTestees() {
    }

    /** {@code java [jvmArgs] -cp TEST_CLASSPATH dev.vboost.conformance.testee.JavaTesteeMain mainArgs...}. */
    public static List<String> command(String jvmArgs, String mainClass, String... mainArgs) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String a : jvmArgs.trim().split("\\s+")) {
            if (!a.isEmpty()) {
                cmd.add(a);
            }
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
        cmd.add(mainClass);
        cmd.addAll(Arrays.asList(mainArgs));
        return cmd;
    }

    /** What one run of the command line produced. */
    public record Run(int status, String console, String json, String junitXml) {

        /** The results.json entry of test {@code id}. */
        public JsonNode test(String id) {
            try {
                for (JsonNode t : new ObjectMapper().readTree(json).path("tests")) {
                    if (t.path("id").asText().equals(id)) {
                        return t;
                    }
                }
            } catch (IOException e) {
                throw new AssertionError("results.json is not JSON: " + json, e);
            }
            throw new AssertionError("no test " + id + " in results.json");
        }

        public void assertStatus(String id, String status) {
            JsonNode t = test(id);
            assertEquals(status, t.path("status").asText(), () -> id + " is not " + status + ": " + t);
        }
    }

    public static Run run(Path out, String... args) throws IOException {
        List<String> all = new ArrayList<>(List.of("--out", out.toString()));
        all.addAll(Arrays.asList(args));
        return runRaw(out, all.toArray(new String[0]));
    }

    /** Runs exactly {@code args}; {@code out} is where the reports are looked for. */
    public static Run runRaw(Path out, String... args) throws IOException {
        List<String> all = Arrays.asList(args);
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        int status = ConformanceMain.run(all.toArray(new String[0]), new PrintStream(stdout, true, StandardCharsets.UTF_8),
                new PrintStream(stderr, true, StandardCharsets.UTF_8));
        String text = stdout.toString(StandardCharsets.UTF_8) + stderr.toString(StandardCharsets.UTF_8);
        System.out.println(text);
        Path json = out.resolve("results.json");
        Path xml = out.resolve("TEST-vboost-conformance.xml");
        return new Run(status, text, Files.exists(json) ? Files.readString(json) : "",
                Files.exists(xml) ? Files.readString(xml) : "");
    }

    /** Exit 0, the VERDICT line last, and results.json agreeing. */
    public static void assertConformant(Run r) {
        assertEquals(0, r.status(), () -> "not CONFORMANT:\n" + r.console());
        String[] lines = r.console().strip().split("\n");
        assertTrue(Arrays.stream(lines).anyMatch(l -> l.startsWith("VERDICT: CONFORMANT")), r.console());
        assertTrue(r.json().contains("\"verdict\": \"CONFORMANT\""), r.json());
    }
}
