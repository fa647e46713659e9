package dev.vboost.hardening.attack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vboost.agent.HostAgent;
import dev.vboost.agent.actuator.LinuxPriorityActuator;
import dev.vboost.agent.actuator.ThreadAttributes;
import dev.vboost.agent.actuator.VcpuThread;
import dev.vboost.agent.journal.LeaseJournal;
import dev.vboost.agent.log.RateLimitedLog;
import dev.vboost.agent.policy.PolicyConfig;
import dev.vboost.api.HostSlotSnapshot;
import dev.vboost.api.layout.RegionLayout;
import dev.vboost.api.role.GuestEndpoint;
import dev.vboost.api.role.HostEndpoint;
import dev.vboost.api.wire.BoostReason;
import dev.vboost.api.wire.DenialReason;
import dev.vboost.api.wire.Feature;
import dev.vboost.api.wire.SchedPolicy;
import dev.vboost.api.wire.SlotStatus;
import dev.vboost.hardening.support.Realtime;
import dev.vboost.hardening.support.VcpuThreads;
import dev.vboost.impl.HostRegionConfig;
import dev.vboost.impl.Regions;
import dev.vboost.impl.memory.MappedRegionFile;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.ResourceBundle;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16 rows 5, 6 and 7: forged and corrupted journal records, a journal grown without bound, and a journal
 * that keeps failing (on a real full tmpfs). Real processes, real files.
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
        // what they start with (inherited from this JVM: SCHED_OTHER, at whatever nice the build runs)
        ThreadAttributes userBefore = actuator.read(user);
        ThreadAttributes daemonBefore = actuator.read(daemon);
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
        assertEquals(userBefore, actuator.read(user), "never raised");
        assertEquals(daemonBefore, actuator.read(daemon), "a thread that is not boosted is left alone");
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

    /**
     * Row 7, a record torn by a full file system: a record that crosses into a page the file system cannot give
     * is written in part before {@code ENOSPC}; the journal cuts that part off, so the records after it are whole
     * and recovery finds every lease and no bad record.
     */
    @Test
    void aRecordTornByAFullFileSystemIsCutOffAndTheNextRecordsStayWhole() throws Exception {
        try (Tmpfs fs = Tmpfs.mount(dir, "torn-fs", 64)) {
            Path path = fs.path().resolve("leases.journal");
            int recorded = 0;
            try (LeaseJournal journal = LeaseJournal.open(path)) {
                int page = 4096;
                // records up to the last one that still ends inside a page: the next one crosses into a new page
                while (journal.size() % page <= page - LeaseJournal.RECORD_SIZE) {
                    assertTrue(recorded < 4 * page / LeaseJournal.RECORD_SIZE, "never reached a page boundary");
                    journal.recordOriginal(new VcpuThread(1, 10_000 + recorded, 50_000 + recorded), ThreadAttributes.normal(0));
                    recorded++;
                }
                long before = journal.size();
                fs.fill("filler");
                VcpuThread torn = new VcpuThread(1, 20_000, 60_000);
                org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
                        () -> journal.recordOriginal(torn, ThreadAttributes.normal(0)));
                assertEquals(before, journal.size(), "the part written before ENOSPC is cut off");
                Files.delete(fs.path().resolve("filler"));
                journal.recordOriginal(torn, ThreadAttributes.normal(0));
                recorded++;
            }
            int[] bad = new int[1];
            List<LeaseJournal.Lease> leases = LeaseJournal.read(path, bad);
            assertEquals(0, bad[0], "no bad record after the torn one was cut off");
            assertEquals(recorded, leases.size());
            assertEquals(20_000, leases.get(leases.size() - 1).thread().tid());
        }
    }

    /**
     * Row 7 on a real full file system: the journal on a small tmpfs, the tmpfs filled to {@code ENOSPC}, a real
     * thread and the real actuator. Every boost that needs a record is refused and the thread never leaves its
     * original attributes; the log holds the first failure with its cause and then counts only; once space is
     * freed the next boost is journalled and applied.
     */
    @Test
    void aJournalOnARealFullFileSystemRefusesBoostsLogsOnceThenCountsAndRecovers() throws Exception {
        int attempts = 40;
        java.util.logging.Logger jul = java.util.logging.Logger.getLogger(HostAgent.class.getName());
        List<LogRecord> records = Collections.synchronizedList(new ArrayList<>());
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                records.add(r);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        jul.addHandler(capture);
        try (Tmpfs fs = Tmpfs.mount(dir, "small-fs", 64);
                VcpuThreads vcpu = new VcpuThreads("fullfs", 1);
                MappedRegionFile file = MappedRegionFile.create(dir.resolve("vm.region"), RegionLayout.regionSize(1))) {
            int tid = vcpu.tid(0);
            ThreadAttributes original = ThreadAttributes.normal(3);
            actuator.apply(tid, original);
            Path journal = fs.path().resolve("leases.journal");
            HostEndpoint endpoint = Regions.createHost(file.memory(), HostRegionConfig.defaults(1));
            HostAgent agent = HostAgent.builder().journal(journal).build().prepare();
            try {
                agent.addVm("vm", endpoint, PolicyConfig.builder().boostPolicy(SchedPolicy.RR).priorityCeiling(5)
                        .maxBoostNanos(TimeUnit.SECONDS.toNanos(5)).maxTransitionsPerSecond(1_000).build(),
                        Map.of(0, tid));
                agent.runOnce();
                GuestEndpoint guest = Regions.attachGuest(file.memory(), Feature.DEFINED_MASK);
                agent.runOnce();
                long filled = fs.fill("filler");
                assertTrue(filled > 0, "the tmpfs took some bytes before it was full");
                HostSlotSnapshot line = new HostSlotSnapshot();
                for (int i = 0; i < attempts; i++) {
                    long id = guest.requestBoost(0, SchedPolicy.RR, 5, 0, BoostReason.IRQ.bit());
                    agent.runOnce();
                    endpoint.lastPublished(0, line);
                    assertEquals(id, line.actedRequestId(), "attempt " + i);
                    assertEquals(SlotStatus.NORMAL, line.status(), "attempt " + i);
                    assertEquals(DenialReason.ACTUATOR_FAILED, line.denial(), "attempt " + i);
                    assertEquals(original, actuator.read(tid), "attempt " + i + ": the thread was never boosted");
                }
                assertEquals(0, Files.size(journal), "no torn record left behind");
                List<LogRecord> failing = journalLines(records);
                LogRecord first = failing.get(0);
                assertEquals(Level.SEVERE, first.getLevel());
                assertNotNull(first.getThrown(), "the first failure carries its cause");
                assertTrue(String.valueOf(first.getThrown().getMessage()).contains("No space left on device"),
                        String.valueOf(first.getThrown()));
                long counted = 1;
                for (LogRecord r : failing.subList(1, failing.size())) {
                    assertNull(r.getThrown(), "later lines are counts only: " + r.getMessage());
                    counted += countIn(r.getMessage(), "more time(s)");
                }

                Files.delete(fs.path().resolve("filler"));
                long id = guest.requestBoost(0, SchedPolicy.RR, 5, 0, BoostReason.IRQ.bit());
                agent.runOnce();
                endpoint.lastPublished(0, line);
                assertEquals(id, line.actedRequestId());
                assertEquals(SlotStatus.BOOSTED, line.status(), "boosts work again once there is space");
                ThreadAttributes boosted = actuator.read(tid);
                assertEquals(ThreadAttributes.SCHED_RR, boosted.policy());
                assertEquals(5, boosted.priority());
                assertEquals(LeaseJournal.RECORD_SIZE, Files.size(journal), "the original is journalled first");
                List<LogRecord> after = journalLines(records);
                LogRecord again = after.get(after.size() - 1);
                assertTrue(again.getMessage().contains("working again"), again.getMessage());
                counted += countIn(again.getMessage(), "more failure(s)");
                assertEquals(attempts, counted, "every refused boost is accounted for in the log: " + messages(after));
                assertTrue(after.size() < attempts / 4, "rate-limited: " + messages(after));

                guest.release(0);
                agent.runOnce();
                assertEquals(original, actuator.read(tid), "restored exactly");
            } finally {
                agent.stop();
            }
            assertEquals(0, Files.size(journal), "cleared at stop");
        } finally {
            jul.removeHandler(capture);
        }
    }

    private static List<LogRecord> journalLines(List<LogRecord> records) {
        synchronized (records) {
            return records.stream().filter(r -> String.valueOf(r.getMessage()).contains("lease journal write failed"))
                    .collect(Collectors.toList());
        }
    }

    /** The number just before {@code suffix} in {@code message}, or 0 when the message has none. */
    private static long countIn(String message, String suffix) {
        Matcher m = Pattern.compile("(\\d+) " + Pattern.quote(suffix)).matcher(message);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    private static List<String> messages(List<LogRecord> records) {
        return records.stream().map(LogRecord::getMessage).collect(Collectors.toList());
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
