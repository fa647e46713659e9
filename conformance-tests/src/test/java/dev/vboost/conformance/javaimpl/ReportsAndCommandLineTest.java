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

        com.fasterxml.jackson.databind.JsonNode t = r.test(LAYOUT);
        assertEquals("FAIL", t.path("status").asText(), t.toString());
        assertEquals("required", t.path("level").asText(), t.toString());
        assertEquals("byte 0x14c: expected 04, got 01", t.path("diff").path(0).asText(), t.toString());
        assertEquals(1, t.path("diff").size(), t.toString());
        assertTrue(t.path("hexdump").asText().contains("first difference at region offset 0x14c"), t.toString());
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
        assertEquals(2, missing.status(), missing.console());
        assertTrue(missing.console().contains("no-such-testee' does not exist"), missing.console());
        JavaTestees.Run notOnPath = JavaTestees.run(out, "--testee", "vboost-no-such-testee-on-path");
        assertEquals(2, notOnPath.status(), notOnPath.console());
        assertTrue(notOnPath.console().contains("is not on PATH"), notOnPath.console());
    }

    @Test
    void theSuitesOptionsMayStandAfterTheTesteesWords(@TempDir Path dir) throws Exception {
        List<String> cmd = JavaTestees.command("", "dev.vboost.conformance.testee.JavaTesteeMain");
        List<String> args = new java.util.ArrayList<>();
        args.add("--testee");
        args.addAll(cmd);
        // the suite's options after the testee's words; after "--" a word is the testee's whatever it looks like
        args.addAll(List.of("--test", "Required.Init.", "--out", dir.resolve("late").toString(), "--",
                VarHandleProvider.class.getName()));
        JavaTestees.Run r = JavaTestees.runRaw(dir.resolve("late"), args.toArray(new String[0]));
        assertEquals(0, r.status(), r.console());
        assertTrue(r.console().contains("vs vboost-java (VarHandle backend)"), r.console());
        r.assertStatus("Required.Init.4.4.host-lines-at-rest", "PASS");
        JavaTestees.Run p = JavaTestees.runRaw(dir.resolve("p"), "--test", "Required.Init.", "--provider",
                VarHandleProvider.class.getName(), "--out", dir.resolve("p").toString());
        assertEquals(0, p.status(), p.console());
        p.assertStatus("Required.Init.4.4.host-lines-at-rest", "PASS");
    }
}
