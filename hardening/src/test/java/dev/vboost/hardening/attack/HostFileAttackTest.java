package dev.vboost.hardening.attack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vboost.agent.journal.LeaseJournal;
import dev.vboost.hardening.support.ChildJvm;
import dev.vboost.impl.memory.FileAccess;
import dev.vboost.impl.memory.MappedRegionFile;
import dev.vboost.tools.VboostCli;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16 rows 1, 10 and 11, played as a local user against a root agent: links, FIFOs, hard links and foreign
 * files planted at the region or journal path in a sticky world-writable directory (as {@code /dev/shm} and
 * {@code /tmp} are; {@code fs.protected_symlinks} off or not, the agent must not depend on it), modes under the
 * umask, a second agent, and a region file replaced under a live mapping. Real files, real links.
 */
class HostFileAttackTest {
    private static final byte[] SECRET = "root:only:secret\n".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path tmp;
    private Path shared;
    private Path victim;

    @BeforeEach
    void plant() throws Exception {
        Root.assume();
        shared = Root.stickyDir(tmp);
        victim = tmp.resolve("victim");
        Files.write(victim, SECRET);
        Root.run("chmod", "0600", victim.toString());
    }

    @Test
    void aSymlinkAtTheRegionOrJournalPathIsRefusedAndItsTargetUntouched() throws Exception {
        Path region = shared.resolve("vm.region");
        Path journal = shared.resolve("leases.journal");
        Files.createSymbolicLink(region, victim);
        Files.createSymbolicLink(journal, victim);
        assertThrows(UncheckedIOException.class, () -> MappedRegionFile.create(region, 4096));
        assertThrows(UncheckedIOException.class, () -> MappedRegionFile.createOrReuse(region, 4096, FileAccess.OWNER_ONLY));
        assertThrows(UncheckedIOException.class, () -> MappedRegionFile.open(region));
        assertThrows(IOException.class, () -> LeaseJournal.open(journal));
        java.io.StringWriter err = new java.io.StringWriter();
        int exit = VboostCli.execute(new String[] {"region", region.toString()},
                new java.io.PrintWriter(new java.io.StringWriter()), new java.io.PrintWriter(err, true));
        assertEquals(VboostCli.USAGE, exit, "vboost region on a link: " + err);
        assertTrue(err.toString().contains("symbolic link"), err.toString());
        assertArrayEquals(SECRET, Files.readAllBytes(victim), "the link's target was written");
        assertTrue(Files.isSymbolicLink(region), "the link itself stays for inspection");
    }

    @Test
    void aFifoIsRefusedWithoutHangingInOpen() throws Exception {
        Path fifo = shared.resolve("vm.region");
        Root.run("mkfifo", fifo.toString());
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            assertThrows(UncheckedIOException.class, () -> MappedRegionFile.create(fifo, 4096));
            assertThrows(UncheckedIOException.class, () -> MappedRegionFile.openReadOnly(fifo));
            assertThrows(UncheckedIOException.class, () -> MappedRegionFile.open(fifo));
            assertThrows(IOException.class, () -> LeaseJournal.open(fifo));
        });
    }

    @Test
    void aHardLinkToAnotherFileIsRefused() throws Exception {
        Path region = shared.resolve("vm.region");
        Files.createLink(region, victim);
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> MappedRegionFile.create(region, 4096));
        assertTrue(e.getMessage().contains("hard links"), e.getMessage());
        assertThrows(IOException.class, () -> LeaseJournal.open(region));
        assertArrayEquals(SECRET, Files.readAllBytes(victim));
    }

    @Test
    void aFileAnotherUserOwnsIsRefusedNotAdopted() throws Exception {
        Path region = shared.resolve("vm.region");
        Files.write(region, new byte[4096]);
        Root.run("chown", Root.NOBODY + ":" + Root.NOBODY, region.toString());
        UncheckedIOException e = assertThrows(UncheckedIOException.class,
                () -> MappedRegionFile.createOrReuse(region, 4096, FileAccess.OWNER_ONLY));
        assertTrue(e.getMessage().contains("belongs to uid " + Root.NOBODY), e.getMessage());
        Path journal = shared.resolve("leases.journal");
        Files.write(journal, new byte[0]);
        Root.run("chown", Root.NOBODY + ":" + Root.NOBODY, journal.toString());
        assertThrows(IOException.class, () -> LeaseJournal.open(journal));
        assertEquals(Root.NOBODY, (Integer) Files.getAttribute(region, "unix:uid", LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void aJournalOthersCanWriteIsRefused() throws Exception {
        Path journal = tmp.resolve("leases.journal");
        Files.write(journal, new byte[0]);
        Root.run("chmod", "0666", journal.toString());
        IOException e = assertThrows(IOException.class, () -> LeaseJournal.open(journal));
        assertTrue(e.getMessage().contains("writable by every user"), e.getMessage());
        Root.run("chmod", "0620", journal.toString());
        assertThrows(IOException.class, () -> LeaseJournal.open(journal));
    }

    @Test
    void aDirectoryOthersCanWriteWithoutTheStickyBitIsRefused() throws Exception {
        Path open = tmp.resolve("open");
        Files.createDirectory(open);
        Root.run("chmod", "0777", open.toString());
        UncheckedIOException e = assertThrows(UncheckedIOException.class,
                () -> MappedRegionFile.create(open.resolve("vm.region"), 4096));
        assertTrue(e.getMessage().contains("sticky"), e.getMessage());
        assertThrows(IOException.class, () -> LeaseJournal.open(open.resolve("j")));
    }

    @Test
    void ownerGroupAndModeAreSetExplicitlyNotLeftToTheUmask() throws Exception {
        // the build's umask (022 here) would turn a requested 0660 into 0640
        var lookup = FileSystems.getDefault().getUserPrincipalLookupService();
        FileAccess access = new FileAccess(0660, null, lookup.lookupPrincipalByGroupName(Integer.toString(Root.NOBODY)));
        Path region = shared.resolve("vm.region");
        try (MappedRegionFile r = MappedRegionFile.create(region, 4096, access)) {
            assertEquals(0100660, (Integer) Files.getAttribute(region, "unix:mode", LinkOption.NOFOLLOW_LINKS));
            assertEquals(Root.NOBODY, (Integer) Files.getAttribute(region, "unix:gid", LinkOption.NOFOLLOW_LINKS));
            assertEquals(0, (Integer) Files.getAttribute(region, "unix:uid", LinkOption.NOFOLLOW_LINKS));
        }
        Path journal = shared.resolve("leases.journal");
        try (LeaseJournal j = LeaseJournal.open(journal)) {
            assertEquals(0100600, (Integer) Files.getAttribute(journal, "unix:mode", LinkOption.NOFOLLOW_LINKS));
        }
        try (MappedRegionFile r = MappedRegionFile.create(shared.resolve("default.region"), 4096)) {
            assertEquals(0100600, (Integer) Files.getAttribute(r.path(), "unix:mode", LinkOption.NOFOLLOW_LINKS));
        }
    }

    @Test
    void aSecondAgentOnTheSameRegionOrJournalRefusesWithAClearError() throws Exception {
        Path region = tmp.resolve("vm.region");
        Path journal = tmp.resolve("leases.journal");
        try (MappedRegionFile first = MappedRegionFile.create(region, 4096);
                LeaseJournal firstJournal = LeaseJournal.open(journal)) {
            first.memory().putIntRelease(0, 0x5eed);
            // another process: the kernel's lock
            try (ChildJvm second = ChildJvm.start(tmp, "second-agent", SecondAgentMain.class, region.toString(),
                    journal.toString())) {
                assertTrue(second.expectLine("region=", 60_000).contains("locked by another process"), second.output());
                assertTrue(second.expectLine("journal=", 60_000).contains("locked by another process"), second.output());
                second.awaitSuccess(60_000);
            }
            // this process: the JDK's lock table
            UncheckedIOException e = assertThrows(UncheckedIOException.class,
                    () -> MappedRegionFile.createOrReuse(region, 4096, FileAccess.OWNER_ONLY));
            assertTrue(e.getMessage().contains("already in use"), e.getMessage());
            assertThrows(IOException.class, () -> LeaseJournal.open(journal));
            assertEquals(0x5eed, first.memory().getIntAcquire(0), "the first agent's region was not re-initialised");
        }
        try (MappedRegionFile again = MappedRegionFile.createOrReuse(region, 4096, FileAccess.OWNER_ONLY)) {
            assertTrue(again.reused(), "once the first agent is gone the next one takes over the same file");
        }
    }

    @Test
    void aRegionFileUnlinkedOrReplacedWhileMappedIsNoticed() throws Exception {
        Path region = tmp.resolve("vm.region");
        try (MappedRegionFile r = MappedRegionFile.create(region, 4096)) {
            assertTrue(r.stillLinked());
            Files.delete(region);
            assertFalse(r.stillLinked(), "unlinked");
            Files.write(region, new byte[4096]); // recreated: same name, another inode
            assertFalse(r.stillLinked(), "replaced by another file under the same name");
        }
        try (MappedRegionFile r = MappedRegionFile.create(region, 4096)) {
            Files.move(region, tmp.resolve("elsewhere"));
            assertFalse(r.stillLinked(), "renamed away");
        }
    }
}
