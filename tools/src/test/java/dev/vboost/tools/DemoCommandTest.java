package dev.vboost.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DemoCommandTest {

    @Test
    void helpDescribesEveryOption() {
        CliRun r = CliRun.of("demo", "--help");
        assertEquals(0, r.exit, r::toString);
        for (String opt : new String[] {"--duration", "--period", "--hogs", "--cpu", "--modes", "--out", "--seed",
            "--critical-sections", "--critical-work", "--timer-margin"}) {
            assertTrue(r.out.contains(opt), () -> opt + " missing from help:\n" + r);
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--duration|0|--duration must be in (0, 3600]",
        "--duration|abc|Invalid value for option '--duration'",
        "--period|50|--period must be 100..1000000",
        "--hogs|-1|--hogs must be 0..64",
        "--cpu|4096|--cpu must be 0..",
        "--modes|vanilla,turbo|unknown mode 'turbo'",
        "--modes|static,static|'static' given twice",
        "--policy|deadline|--policy must be fifo or rr",
        "--priority|99|--priority must be 1..98",
        "--work|900|--work must be 0..half the period",
        "--timer-advance|1000|--timer-advance must be 0..period-1",
        "--critical-sections|-1|--critical-sections must be 0..1000 per second",
        "--critical-work|300|--critical-work must be 1..a quarter of the period (250 us)",
        "--timer-margin|101|--timer-margin must be 0..--timer-advance (100 us)"})
    void badValuesAreUsageErrorsNamingTheOption(String option, String value, String expected) {
        CliRun r = CliRun.of("demo", option, value, "--out", "/nonexistent-never-created");
        assertEquals(VboostCli.USAGE, r.exit, r::toString);
        assertTrue(r.err.contains(expected), () -> "expected '" + expected + "' in:\n" + r);
        assertTrue(r.err.startsWith("vboost demo: "), r::toString);
    }

    @Test
    void unknownFlagIsUsageError() {
        CliRun r = CliRun.of("demo", "--frobnicate");
        assertEquals(VboostCli.USAGE, r.exit, r::toString);
        assertTrue(r.err.contains("Unknown option: '--frobnicate'"), r::toString);
    }

    @Test
    void topLevelWithoutCommandOrWithUnknownCommandIsUsageError() {
        CliRun none = CliRun.of();
        assertEquals(VboostCli.USAGE, none.exit, none::toString);
        assertTrue(none.err.contains("missing command"), none::toString);
        CliRun unknown = CliRun.of("teleport");
        assertEquals(VboostCli.USAGE, unknown.exit, unknown::toString);
        assertTrue(unknown.err.contains("teleport"), unknown::toString);
    }

    @Test
    void everyCommandHasHelp() {
        for (String cmd : new String[] {"demo", "agent", "guest", "inspect", "region", "conformance"}) {
            CliRun r = CliRun.of(cmd, "--help");
            assertEquals(0, r.exit, r::toString);
            assertTrue(r.out.startsWith("Usage: vboost " + cmd), r::toString);
        }
        CliRun top = CliRun.of("--help");
        assertEquals(0, top.exit, top::toString);
        assertTrue(top.out.contains("demo") && top.out.contains("inspect"), top::toString);
    }
}
