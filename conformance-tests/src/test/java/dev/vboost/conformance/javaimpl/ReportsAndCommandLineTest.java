package dev.vboost.conformance.javaimpl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reports of a failing run, end to end through the command line entry point: the console names the test,
 * the spec rule, a field diff and a hex dump window around the first differing byte, and ends with
 * {@code VERDICT: NOT CONFORMANT}; results.json and the JUnit XML carry the same; the exit status is 1.
 * Usage errors exit 2 with a message.
 */
class ReportsAndCommandLineTest {
    private static final String LAYOUT = "Required.Publish.W1-W4.host-line-layout";

    @Test
    void aFailureIsReportedWithRuleDiffAndHexdump(@TempDir Path out) throws Exception {
        JavaTestees.Run r = JavaTestees.run(out, "--test", "Required.Publish.", "--provider",
                JavaMutants.ByteOrderMutantProvider.class.getName());
        assertEquals(1, r.status(), r.console());
        String c = r.console();
        assertTrue(c.contains("FAIL " + LAYOUT + " (§4.2, §3.5)"), c);
        assertTrue(c.contains("rule: §3.5: slot host line layout, little-endian"), c);
        // budget_remaining_us (host line +0x0C) of slot 1 (host line at 0x140): 0x01020304 stored big-endian
        assertTrue(c.contains("byte 0x14c: expected 04, got 01"), c);
        assertTrue(c.contains("first difference at region offset 0x14c"), c);
        assertTrue(c.contains("0x00140  "), "hex dump row of the host line: " + c);
        assertTrue(c.contains("04*03*02*01*"), "differing bytes are marked: " + c);
        List<String> lines = c.strip().lines().toList();
        assertTrue(lines.stream().filter(l -> l.startsWith("VERDICT:")).findFirst().orElse("")
                .equals("VERDICT: NOT CONFORMANT"), c);
        assertTrue(c.contains("required         0     1     0"), "summary by level: " + c);

        String line = r.line(LAYOUT);
        assertTrue(line.contains("\"status\": \"FAIL\"") && line.contains("\"level\": \"required\"")
                && line.contains("\"diff\": [\"byte 0x14c: expected 04, got 01\"]")
                && line.contains("first difference at region offset 0x14c"), line);
        assertTrue(r.json().contains("\"verdict\": \"NOT CONFORMANT\""), r.json());
        assertTrue(r.junitXml().contains("name=\"" + LAYOUT + "\"") && r.junitXml().contains("<failure message="),
                r.junitXml());
    }

    @Test
    void usageErrorsExitTwo(@TempDir Path out) throws Exception {
        assertEquals(2, JavaTestees.run(out).status(), "no --testee or --provider");
        assertEquals(2, JavaTestees.run(out, "--testee").status(), "--testee without a command");
        assertEquals(2, JavaTestees.run(out, "--bogus").status(), "unknown flag");
        JavaTestees.Run r = JavaTestees.run(out, "--provider", "no.such.Provider");
        assertEquals(2, r.status());
        assertTrue(r.console().contains("cannot use provider 'no.such.Provider'"), r.console());
        JavaTestees.Run missing = JavaTestees.run(out, "--testee", out.resolve("no-such-testee").toString());
        assertEquals(1, missing.status(), missing.console());
        assertTrue(missing.console().contains("VERDICT: NOT CONFORMANT"), missing.console());
    }
}
