package dev.vboost.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code vboost agent --vm-dir} and {@code --metrics} on the command line. */
class AgentVmDirCommandTest {
    @TempDir
    Path dir;

    @Test
    void badOptionsAreUsageErrorsNamingTheProblem() throws Exception {
        Path vms = Files.createDirectory(dir.resolve("vms"));
        String d = vms.toString();
        String[][] cases = {
            {"--vm-dir replaces --region, --vcpu", "--vm-dir", d, "--region", dir.resolve("r").toString(), "--vcpu", "0=1"},
            {"--vm-dir replaces --hypercall-socket/--region-gpa", "--vm-dir", d, "--region-gpa", "0x1000"},
            {"is not a directory", "--vm-dir", dir.resolve("none").toString()},
            {"--rescan must be 0.05..3600 seconds", "--vm-dir", d, "--rescan", "0"},
            {"--metrics 'nope' is not ADDRESS:PORT", "--vm-dir", d, "--metrics", "nope"},
            {"port 99999 is outside 0..65535", "--vm-dir", d, "--metrics", "127.0.0.1:99999"},
            {"port 'x' is not a number", "--region", dir.resolve("r").toString(), "--vcpu", "0=1", "--metrics", "127.0.0.1:x"},
            {"--journal: directory", "--vm-dir", d, "--journal", dir.resolve("no/such/j").toString()},
        };
        for (String[] c : cases) {
            String[] args = new String[c.length];
            args[0] = "agent";
            System.arraycopy(c, 1, args, 1, c.length - 1);
            CliRun r = CliRun.of(args);
            assertEquals(VboostCli.USAGE, r.exit, () -> String.join(" ", args) + "\n" + r);
            assertTrue(r.err.contains(c[0]), () -> "'" + c[0] + "' expected for " + String.join(" ", args) + "\n" + r);
        }
        assertTrue(Files.notExists(dir.resolve("r")), "no region file may be left by a rejected command line");
    }

    @Test
    void emptyDirectoryRunsAndStopsCleanly() throws Exception {
        Path vms = Files.createDirectory(dir.resolve("vms"));
        CliRun r = CliRun.of("agent", "--vm-dir", vms.toString(), "--metrics", "127.0.0.1:0", "--duration", "0.5",
                "--stats", "0");
        assertEquals(VboostCli.OK, r.exit, r::toString);
        assertTrue(r.out.contains("serving VM directory " + vms + " (0 VM(s), 0 file(s) not served)"), r::toString);
        assertTrue(r.out.contains("metrics on http://127.0.0.1:"), r::toString);
        assertTrue(r.out.contains("stopped; 0 VM(s): granted 0"), r::toString);
    }
}
