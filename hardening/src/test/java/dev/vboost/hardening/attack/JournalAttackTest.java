package dev.vboost.hardening.attack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vboost.agent.actuator.LinuxPriorityActuator;
import dev.vboost.agent.actuator.ThreadAttributes;
import dev.vboost.agent.actuator.VcpuThread;
import dev.vboost.agent.journal.LeaseJournal;
import dev.vboost.agent.log.RateLimitedLog;
import dev.vboost.hardening.support.Realtime;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ResourceBundle;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16 rows 5, 6 and 7: forged and corrupted journal records, a journal grown without bound, and a journal
 * that keeps failing. Real processes, real files.
 */
class JournalAttackTest {
    private final LinuxPriorityActuator actuator = new LinuxPriorityActuator();
    private final List<Process> processes = new ArrayList<>();
    @TempDir
    Path dir;

    @BeforeEach
    void needsRealtime() {
        Realtime.assume();
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (Process p : processes) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private VcpuThread process() throws Exception {
        Process p = new ProcessBuilder("sleep", "60").start();
        processes.add(p);
        return actuator.identify((int) p.pid());
    }

    @Test
    void forgedRecordsNeverRaiseAThreadNorDemoteOneThatIsNotBoosted() throws Exception {
        VcpuThread user = process();   // a user's process at SCHED_OTHER: the forger wants it at FIFO 99
        VcpuThread daemon = process(); // a root daemon at SCHED_OTHER: the forger wants it at SCHED_IDLE
        VcpuThread boosted = process(); // a genuinely boosted vCPU: restored
        actuator.apply(boosted, ThreadAttributes.rr(8));
        Path journal = dir.resolve("leases.journal");
        try (LeaseJournal j = LeaseJournal.open(journal)) {
            j.recordOriginal(user, ThreadAttributes.fifo(99));
            j.recordOriginal(daemon, new ThreadAttributes(ThreadAttributes.SCHED_IDLE, 0, 0));
            j.recordOriginal(boosted, ThreadAttributes.DEFAULT);
        }
        LeaseJournal.Recovery r;
        try (LeaseJournal j = LeaseJournal.open(journal)) {
            r = j.recover(actuator);
        }
        assertEquals(ThreadAttributes.DEFAULT, actuator.read(user), "never raised");
        assertEquals(ThreadAttributes.DEFAULT, actuator.read(daemon), "a thread that is not boosted is left alone");
        assertEquals(ThreadAttributes.DEFAULT, actuator.read(boosted), "the real lease is restored");
        assertEquals(2, r.refused().size(), r.toString());
        assertEquals(1, r.restored().size(), r.toString());
    }

    @Test
    void aRecordWhoseIdentityNoLongerMatchesLeavesTheProcessAlone() throws Exception {
        VcpuThread fifo = process();
        actuator.apply(fifo, ThreadAttributes.fifo(50));
        Path journal = dir.resolve("leases.journal");
        try (LeaseJournal j = LeaseJournal.open(journal)) {
            // the vCPU thread that had this id is gone: its start time differs (0 included: never a wildcard)
            j.recordOriginal(new VcpuThread(fifo.tgid(), fifo.tid(), 0), ThreadAttributes.DEFAULT);
        }
        LeaseJournal.Recovery r;
        try (LeaseJournal j = LeaseJournal.open(journal)) {
            r = j.recover(actuator);
        }
        assertEquals(ThreadAttributes.fifo(50), actuator.read(fifo), "an unrelated SCHED_FIFO 50 process kept its policy");
        assertEquals(1, r.gone().size(), r.toString());
    }

    @Test
    void aCorruptedRecordIsCountedAndTheJournalKeptForInspection() throws Exception {
        VcpuThread a = process();
        VcpuThread b = process();
        actuator.apply(a, ThreadAttributes.rr(8));
        actuator.apply(b, ThreadAttributes.rr(8));
        Path journal = dir.resolve("leases.journal");
        try (LeaseJournal j = LeaseJournal.open(journal)) {
            j.recordOriginal(a, ThreadAttributes.DEFAULT);
            j.recordOriginal(b, ThreadAttributes.DEFAULT);
        }
        try (RandomAccessFile f = new RandomAccessFile(journal.toFile(), "rw")) {
            f.seek(LeaseJournal.RECORD_SIZE + 17); // one byte of b's record
            int v = f.read();
            f.seek(LeaseJournal.RECORD_SIZE + 17);
            f.write(v ^ 0x40);
        }
        byte[] corrupted = Files.readAllBytes(journal);
        LeaseJournal.Recovery r;
        try (LeaseJournal j = LeaseJournal.open(journal)) {
            r = j.recover(actuator);
        }
        assertEquals(1, r.badRecords());
        assertEquals(1, r.restored().size());
        assertEquals(ThreadAttributes.DEFAULT, actuator.read(a));
        Path kept = r.keptAs();
        assertNotNull(kept, "kept for inspection");
        assertArrayEquals(corrupted, Files.readAllBytes(kept));
        assertEquals(0100600, (Integer) Files.getAttribute(kept, "unix:mode"));
    }

    @Test
    void aToggledThreadKeepsTheJournalBoundedAndAHugeJournalStillStarts() throws Exception {
        VcpuThread[] vcpus = {process(), process(), process(), process()};
        Path journal = dir.resolve("leases.journal");
        try (LeaseJournal j = LeaseJournal.open(journal)) {
            for (int i = 0; i < 2_000; i++) { // a VMM toggling its threads' nice values while the guest floods
                j.recordOriginal(vcpus[i % 4], ThreadAttributes.normal(i % 7));
                assertTrue(j.size() <= 2L * (LeaseJournal.RECORD_SIZE * 300), "journal grew to " + j.size());
            }
            assertTrue(j.compactions() > 0);
        }
        for (VcpuThread v : vcpus) {
            actuator.apply(v, ThreadAttributes.fifo(5));
        }
        // 20 MiB of garbage after the records: more than the old 16 MiB refusal; the start must not fail
        try (RandomAccessFile f = new RandomAccessFile(journal.toFile(), "rw")) {
            f.seek(f.length());
            byte[] junk = new byte[1 << 20];
            java.util.Arrays.fill(junk, (byte) 0x5A);
            for (int i = 0; i < 20; i++) {
                f.write(junk);
            }
        }
        LeaseJournal.Recovery r;
        try (LeaseJournal j = LeaseJournal.open(journal)) {
            r = j.recover(actuator);
        }
        assertEquals(4, r.restored().size(), r.toString());
        assertTrue(r.badRecords() > 0);
        for (int i = 0; i < 4; i++) {
            assertEquals(ThreadAttributes.normal((2_000 - 4 + i) % 7), actuator.read(vcpus[i]), "newest original wins");
        }
        assertEquals(0, Files.size(journal), "emptied once every thread is back (the bad bytes are kept aside)");
    }

    @Test
    void aRepeatingErrorIsLoggedOnceWithItsCauseThenAsCounts() {
        List<String> lines = new ArrayList<>();
        List<Throwable> causes = new ArrayList<>();
        System.Logger capture = new System.Logger() {
            @Override
            public String getName() {
                return "capture";
            }

            @Override
            public boolean isLoggable(Level level) {
                return true;
            }

            @Override
            public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
                lines.add(msg);
                causes.add(thrown);
            }

            @Override
            public void log(Level level, ResourceBundle bundle, String format, Object... params) {
                lines.add(format);
                causes.add(null);
            }
        };
        AtomicLong now = new AtomicLong();
        RateLimitedLog log = new RateLimitedLog(capture, System.Logger.Level.ERROR, "lease journal write failed",
                TimeUnit.SECONDS.toNanos(10), now::get);
        Exception full = new java.io.IOException("No space left on device");
        for (int i = 0; i < 2979; i++) { // what a full file system produced in 3 s
            now.addAndGet(TimeUnit.MILLISECONDS.toNanos(1));
            log.error("No space left on device", full);
        }
        assertEquals(1, lines.size(), lines.toString());
        assertEquals(full, causes.get(0), "the first one carries its cause");
        now.addAndGet(TimeUnit.SECONDS.toNanos(10));
        log.error("No space left on device", full);
        assertEquals(2, lines.size());
        assertTrue(lines.get(1).contains("2979 more time(s)"), lines.get(1));
        log.recovered();
        assertTrue(lines.get(2).contains("working again"), lines.get(2));
        log.error("again", full);
        assertEquals(full, causes.get(3), "a new episode starts with its cause again");
        assertEquals(2981, log.total());
    }
}
