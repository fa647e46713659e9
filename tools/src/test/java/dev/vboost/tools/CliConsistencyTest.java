package dev.vboost.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vboost.api.role.HostEndpoint;
import dev.vboost.impl.HostRegionConfig;
import dev.vboost.impl.Regions;
import dev.vboost.impl.memory.MappedRegionFile;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rules every subcommand shares (README "Command line"): exit 2 for a bad option or a wrong file, 1 for a
 * failed or invalid result; every message starts with the command's path; a usage hint names that path;
 * output is flushed; a guest waits for a region file that does not exist yet.
 */
class CliConsistencyTest {
    @TempDir
    Path dir;

    @Test
    void aMissingFileIsAUsageErrorEverywhere() {
        String none = dir.resolve("none").toString();
        String[][] commands = {
            {"inspect", none},
            {"guest", "attach", "--attach-timeout", "0", none},
            {"guest", "request", "--attach-timeout", "0", none},
            {"guest", "release", "--attach-timeout", "0", none},
            {"guest", "detach", "--attach-timeout", "0", none},
            {"guest", "status", none},
        };
        for (String[] c : commands) {
            CliRun r = CliRun.of(c);
            assertEquals(VboostCli.USAGE, r.exit, () -> String.join(" ", c) + "\n" + r);
        }
    }

    @Test
    void aDirectoryIsAUsageErrorEverywhere() {
        String d = dir.toString();
        String self = Long.toString(ProcessHandle.current().pid());
        String[][] commands = {
            {"inspect", d},
            {"guest", "attach", "--attach-timeout", "0", d},
            {"guest", "status", d},
            {"region", d},
            {"agent", "--region", d, "--vcpu", "0=" + self, "--duration", "0.1"},
        };
        for (String[] c : commands) {
            CliRun r = CliRun.of(c);
            assertEquals(VboostCli.USAGE, r.exit, () -> String.join(" ", c) + "\n" + r);
            assertTrue(r.err.contains(d), r::toString);
        }
    }

    @Test
    void anEmptyRegionFileIsAProtocolErrorNotACrash() throws Exception {
        Path empty = Files.createFile(dir.resolve("empty"));
        CliRun attach = CliRun.of("guest", "attach", "--attach-timeout", "50", empty.toString());
        assertEquals(VboostCli.FAILURE, attach.exit, attach::toString);
        assertTrue(attach.err.startsWith("vboost guest attach: cannot attach to " + empty), attach::toString);
        assertTrue(attach.err.contains("E_TRUNCATED"), attach::toString);
        assertFalse(attach.err.contains("Exception"), attach::toString);
        CliRun status = CliRun.of("guest", "status", empty.toString());
        assertEquals(VboostCli.FAILURE, status.exit, status::toString);
        assertTrue(status.err.contains("E_TRUNCATED"), status::toString);
        CliRun inspect = CliRun.of("inspect", empty.toString());
        assertEquals(VboostCli.FAILURE, inspect.exit, inspect::toString);
        assertTrue(inspect.err.contains("E_TRUNCATED"), inspect::toString);
    }

    @Test
    void aGuestStartedBeforeItsRegionWaitsForIt() throws Exception {
        Path file = dir.resolve("late-region");
        Thread[] guestThread = new Thread[1];
        CompletableFuture<CliRun> guest = CompletableFuture.supplyAsync(() -> {
            guestThread[0] = Thread.currentThread();
            return CliRun.of("guest", "attach", "--attach-timeout", "20000", file.toString());
        });
        // the guest is waiting once its thread sleeps in the poll loop with the file still absent
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (guestThread[0] == null || guestThread[0].getState() != Thread.State.TIMED_WAITING) {
            assertTrue(System.nanoTime() < deadline, "the guest never started waiting");
            assertFalse(guest.isDone(), () -> "the guest gave up at once: " + guest.join());
            Thread.onSpinWait();
        }
        assertFalse(Files.exists(file));
        try (MappedRegionFile mapping = MappedRegionFile.create(file, HostRegionConfig.defaults(2).regionSize())) {
            HostEndpoint host = Regions.createHost(mapping.memory(), HostRegionConfig.defaults(2));
            CliRun r = guest.get(20, TimeUnit.SECONDS);
            assertEquals(0, r.exit, r::toString);
            assertTrue(r.out.contains("attached to " + file + ": ABI 1.1"), r::toString);
            assertTrue(host.guestAttached(), "the guest attached to the region created after it started");
        }
    }

    @Test
    void hintsNameTheFullCommandPathAndThePrefixIsGivenOnce() {
        CliRun bogus = CliRun.of("bogus");
        assertEquals(VboostCli.USAGE, bogus.exit, bogus::toString);
        assertTrue(bogus.err.startsWith("vboost: "), bogus::toString);
        assertFalse(bogus.err.contains("vboost vboost"), bogus::toString);
        assertTrue(bogus.err.contains("Try 'vboost --help' for more information."), bogus::toString);

        String[][] nested = {
            {"guest", "request", "--bogus", "x"},
            {"guest", "status", "--bogus"},
            {"agent", "--bogus"},
            {"region", "--bogus"},
            {"demo", "--bogus"},
        };
        for (String[] c : nested) {
            CliRun r = CliRun.of(c);
            String path = "vboost " + (c[0].equals("guest") ? "guest " + c[1] : c[0]);
            assertEquals(VboostCli.USAGE, r.exit, r::toString);
            assertTrue(r.err.startsWith(path + ": "), () -> path + "\n" + r);
            assertTrue(r.err.contains("Try '" + path + " --help' for more information."), () -> path + "\n" + r);
        }
        CliRun guest = CliRun.of("guest");
        assertTrue(guest.err.startsWith("vboost guest: missing subcommand"), guest::toString);
        assertTrue(guest.err.contains("Try 'vboost guest --help'"), guest::toString);
    }

    @Test
    void failuresUseTheSamePrefix() {
        Path file = dir.resolve("r");
        assertEquals(0, CliRun.of("region", file.toString(), "--slots", "1", "--ready").exit);
        CliRun r = CliRun.of("guest", "request", file.toString(), "--wait", "50");
        assertEquals(VboostCli.FAILURE, r.exit, r::toString);
        assertTrue(r.err.startsWith("vboost guest request: the host did not act"), r::toString);
    }

    @Test
    void outputIsFlushedEvenThroughABufferedStream() throws Exception {
        Path file = dir.resolve("r");
        assertEquals(0, CliRun.of("region", file.toString(), "--slots", "1", "--ready").exit);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        // no autoflush, as main's streams behave for print(): only execute's own flush makes it appear
        int exit = VboostCli.execute(new String[] {"guest", "status", file.toString()},
                new PrintWriter(out, false, StandardCharsets.UTF_8), new PrintWriter(err, false, StandardCharsets.UTF_8));
        assertEquals(0, exit, () -> err.toString(StandardCharsets.UTF_8));
        String printed = out.toString(StandardCharsets.UTF_8);
        assertTrue(printed.contains("guest header: "), printed);
    }
}
