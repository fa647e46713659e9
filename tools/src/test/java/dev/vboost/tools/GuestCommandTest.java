package dev.vboost.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The guest steps without an agent: attach and status work on a READY region; requests go unanswered. */
class GuestCommandTest {
    @TempDir
    Path dir;

    private Path region() {
        Path f = dir.resolve("region");
        CliRun r = CliRun.of("region", f.toString(), "--slots", "2", "--ready");
        assertEquals(0, r.exit, r::toString);
        return f;
    }

    @Test
    void attachThenStatusShowsTheAttachedGuest() {
        Path f = region();
        CliRun a = CliRun.of("guest", "attach", f.toString());
        assertEquals(0, a.exit, a::toString);
        assertTrue(a.out.contains("attached to " + f + ": ABI 1.1"), a::toString);
        assertTrue(a.out.contains("2 slot(s)"), a::toString);
        CliRun s = CliRun.of("guest", "status", f.toString());
        assertEquals(0, s.exit, s::toString);
        assertTrue(s.out.contains("guest header: ") && s.out.contains("ATTACHED"), s::toString);
        CliRun d = CliRun.of("guest", "detach", f.toString());
        assertEquals(0, d.exit, d::toString);
        assertTrue(CliRun.of("guest", "status", f.toString()).out.contains("DETACHED"));
    }

    @Test
    void requestWithoutAnAgentIsPostedButUnanswered() {
        Path f = region();
        CliRun r = CliRun.of("guest", "request", f.toString(), "--slot", "1", "--priority", "5", "--wait", "200");
        assertEquals(VboostCli.FAILURE, r.exit, r::toString);
        assertTrue(r.err.contains("the host did not act on request 1 within 200 ms"), r::toString);
        CliRun s = CliRun.of("guest", "status", f.toString());
        assertTrue(s.out.contains("BOOST"), s::toString);
        CliRun noWait = CliRun.of("guest", "request", f.toString(), "--wait", "0");
        assertEquals(0, noWait.exit, noWait::toString);
        assertTrue(noWait.out.contains("posted on slot 0"), noWait::toString);
    }

    @Test
    void badValuesAreUsageErrors() {
        Path f = region();
        String[][] cases = {
            {"--slot", "2", "--slot must be 0..1"},
            {"--policy", "idle", "--policy must be fifo, rr or normal"},
            {"--priority", "0", "--priority must be 1..99 for fifo"},
            {"--reason", "coffee", "unknown reason 'coffee'"},
            {"--nice", "-5", "--nice must be -20..19 and only with --policy normal"},
        };
        for (String[] c : cases) {
            CliRun r = CliRun.of("guest", "request", f.toString(), c[0], c[1], "--wait", "0");
            assertEquals(VboostCli.USAGE, r.exit, r::toString);
            assertTrue(r.err.contains(c[2]), () -> c[2] + " expected in\n" + r);
        }
    }

    @Test
    void missingRegionIsUsageAndInvalidRegionFails() throws Exception {
        CliRun missing = CliRun.of("guest", "attach", "--attach-timeout", "0", dir.resolve("none").toString());
        assertEquals(VboostCli.USAGE, missing.exit, missing::toString);
        assertTrue(missing.err.contains("does not exist"), missing::toString);
        Path junk = dir.resolve("junk");
        java.nio.file.Files.write(junk, new byte[4096]);
        java.nio.file.Files.write(junk, new byte[] {1, 2, 3, 4}, java.nio.file.StandardOpenOption.WRITE);
        CliRun bad = CliRun.of("guest", "attach", "--attach-timeout", "0", junk.toString());
        assertEquals(VboostCli.FAILURE, bad.exit, bad::toString);
        assertTrue(bad.err.contains("E_BAD_MAGIC"), bad::toString);
        CliRun status = CliRun.of("guest", "status", junk.toString());
        assertEquals(VboostCli.FAILURE, status.exit, status::toString);
        assertTrue(status.err.contains("E_BAD_MAGIC at host_header, offset 0"), status::toString);
    }

    @Test
    void noSubcommandIsUsage() {
        CliRun r = CliRun.of("guest");
        assertEquals(VboostCli.USAGE, r.exit, r::toString);
        assertTrue(r.err.contains("missing subcommand"), r::toString);
        for (String sub : new String[] {"attach", "request", "release", "detach", "status"}) {
            CliRun h = CliRun.of("guest", sub, "--help");
            assertEquals(0, h.exit, h::toString);
            assertTrue(h.out.startsWith("Usage: vboost guest " + sub), h::toString);
        }
    }

    @Test
    void aRegionFileOrPciIsNeededNotBoth() {
        CliRun none = CliRun.of("guest", "attach");
        assertEquals(VboostCli.USAGE, none.exit, none::toString);
        assertTrue(none.err.contains("give a REGION file, or --pci [BDF] inside a guest"), none::toString);
        CliRun both = CliRun.of("guest", "attach", region().toString(), "--pci");
        assertEquals(VboostCli.USAGE, both.exit, both::toString);
        assertTrue(both.err.contains("not both"), both::toString);
    }

    @Test
    void pciOnAHostWithoutTheDeviceNamesWhereItLooked() {
        // this test machine has no ivshmem device carrying a region (the VM end-to-end test has one)
        CliRun r = CliRun.of("guest", "attach", "--pci", "0000:ff:1f.7");
        assertEquals(VboostCli.FAILURE, r.exit, r::toString);
        assertTrue(r.err.contains("vboost guest attach: /sys/bus/pci/devices"), r::toString);
    }
}
