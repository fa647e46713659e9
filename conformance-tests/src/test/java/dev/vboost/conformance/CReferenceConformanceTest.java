package dev.vboost.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The C reference implementation, driven through the testee protocol, is CONFORMANT. */
class CReferenceConformanceTest {

    @Test
    void cReferenceTesteeIsConformant(@TempDir Path out) throws Exception {
        Path testee = CTestees.reference();
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        int status = ConformanceMain.run(new String[] {"--out", out.toString(), "--testee", testee.toString()},
                new PrintStream(stdout, true, StandardCharsets.UTF_8), new PrintStream(stderr, true, StandardCharsets.UTF_8));
        String text = stdout.toString(StandardCharsets.UTF_8);
        System.out.println(text);
        assertEquals(0, status, () -> text + stderr.toString(StandardCharsets.UTF_8));
        assertTrue(text.contains("VERDICT: CONFORMANT"), text);
        assertTrue(text.lines().anyMatch(l -> l.matches("required +\\d+ +0 +0 +0 +0 +0")),
                "summary table printed, nothing required failed or skipped: " + text);
        String json = Files.readString(out.resolve("results.json"));
        assertTrue(json.contains("\"verdict\": \"CONFORMANT\"") && json.contains("\"language\": \"c\""), json);
        assertTrue(Files.readString(out.resolve("TEST-vboost-conformance.xml")).contains("<testsuite"), "JUnit XML");
    }
}
