package dev.vboost.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConformanceCommandTest {
    @TempDir
    Path dir;

    @Test
    void helpListsTheSuiteOptions() {
        CliRun r = CliRun.of("conformance", "--help");
        assertEquals(0, r.exit, r::toString);
        for (String s : new String[] {"Usage: vboost conformance", "--testee CMD", "--provider CLASS", "--out DIR",
            "--test ID_PREFIX", "CONFORMANT"}) {
            assertTrue(r.out.contains(s), () -> s + " missing:\n" + r);
        }
    }

    @Test
    void usageErrorsExitTwo() {
        CliRun none = CliRun.of("conformance");
        assertEquals(VboostCli.USAGE, none.exit, none::toString);
        assertTrue(none.err.contains("give exactly one of --testee and --provider"), none::toString);
        CliRun both = CliRun.of("conformance", "--provider", "x.Y", "--testee", "true");
        assertEquals(VboostCli.USAGE, both.exit, both::toString);
        CliRun bare = CliRun.of("conformance", "--testee");
        assertEquals(VboostCli.USAGE, bare.exit, bare::toString);
        assertTrue(bare.err.contains("--testee needs a command"), bare::toString);
        CliRun unknown = CliRun.of("conformance", "--frobnicate");
        assertEquals(VboostCli.USAGE, unknown.exit, unknown::toString);
        assertTrue(unknown.err.contains("unknown argument '--frobnicate'"), unknown::toString);
        CliRun noClass = CliRun.of("conformance", "--provider", "no.such.Provider");
        assertEquals(VboostCli.USAGE, noClass.exit, noClass::toString);
        assertTrue(noClass.err.contains("cannot use provider 'no.such.Provider'"), noClass::toString);
    }

    @Test
    void aTesteeThatDoesNotSpeakTheProtocolIsNotConformant() {
        Path out = dir.resolve("out");
        // everything after --testee is the testee's command line, its own flags included
        CliRun r = CliRun.of("conformance", "--out", out.toString(), "--testee", "sh", "-c", "echo hello; exit 3");
        assertEquals(VboostCli.FAILURE, r.exit, r::toString);
        assertTrue(r.out.contains("VERDICT: NOT CONFORMANT"), r::toString);
        assertTrue(r.err.contains("the testee did not start"), r::toString);
    }

    @Test
    void aMissingTesteeProgramIsAUsageError() {
        CliRun r = CliRun.of("conformance", "--testee", dir.resolve("no-such-testee").toString());
        assertEquals(VboostCli.USAGE, r.exit, r::toString);
        assertTrue(r.err.contains("does not exist"), r::toString);
        assertFalse(r.out.contains("VERDICT"), r::toString);
    }

    @Test
    void outWorksAfterTheTesteeAndHelpIsTheSuitesOwn() {
        Path out = dir.resolve("late-out");
        CliRun r = CliRun.of("conformance", "--testee", "sh", "-c", "exit 3", "--out", out.toString());
        assertEquals(VboostCli.FAILURE, r.exit, r::toString);
        assertTrue(r.err.contains("the testee did not start"), r::toString);
        CliRun h = CliRun.of("conformance", "--help");
        assertEquals(1, h.out.split("Usage: vboost conformance", -1).length - 1, "one usage text: " + h);
    }
}
