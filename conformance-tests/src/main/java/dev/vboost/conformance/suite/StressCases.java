package dev.vboost.conformance.suite;

import dev.vboost.conformance.region.Unsigned;
import static dev.vboost.conformance.suite.Level.STOCHASTIC;

import dev.vboost.conformance.region.GuestLine;
import dev.vboost.conformance.region.HostLine;
import dev.vboost.conformance.testee.Reply;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Concurrent checks across the process boundary (testee protocol §5.4): one side writes self-validating
 * payloads as fast as it can while the other reads; every consistent copy must be one whole payload. A
 * violation is a definite failure; a pass means only "not disproven". Start is signalled by a latch,
 * never by sleeping.
 */
final class StressCases {
    private static final String STRESS = "stress";
    private static final int RECORD = 32;
    private static final int MAX_SHOWN = 5;

    private StressCases() {
    }

    /** Iterations per check: {@code vboost.tck.stressIterations}, default 20000. */
    static long iterations() {
        return Long.getLong("vboost.tck.stressIterations", 20_000L);
    }

    static List<Case> all() {
        List<Case> l = new ArrayList<>();
        l.add(Case.of(STOCHASTIC, "Seqlock", "4.3", "guest-reader-vs-runner-writer", "§4.2, §4.3", "guest",
                "the guest's reads of a host line being rewritten are never torn", StressCases::guestReader)
                .needing(STRESS));
        l.add(Case.of(STOCHASTIC, "Seqlock", "4.3", "host-reader-vs-runner-writer", "§4.2, §4.3", "host",
                "the host's reads of a guest line being rewritten are never torn", StressCases::hostReader)
                .needing(STRESS));
        l.add(Case.of(STOCHASTIC, "Seqlock", "4.2", "guest-writer-vs-runner-reader", "§4.2, §4.3", "guest",
                "the guest's request publications are never seen torn by a concurrent reader",
                StressCases::guestWriter).needing(STRESS));
        l.add(Case.of(STOCHASTIC, "Seqlock", "4.2", "host-writer-vs-runner-reader", "§4.2, §4.3", "host",
                "the host's publications are never seen torn by a concurrent reader", StressCases::hostWriter)
                .needing(STRESS));
        return l;
    }

    /** A runner thread that loops {@code step} until stopped, after signalling its first round. */
    private static final class Loop implements AutoCloseable {
        final AtomicBoolean stop = new AtomicBoolean();
        final CountDownLatch started = new CountDownLatch(1);
        final List<String> violations = new ArrayList<>();
        long rounds;
        @Nullable Throwable crash;
        private final String name;
        private final Step step;
        private @Nullable Thread thread;

        interface Step {
            void run(Loop loop, long round);
        }

        Loop(String name, Step step) {
            this.name = name;
            this.step = step;
        }

        Loop start() {
            Thread t = new Thread(this::body, name);
            t.setDaemon(true);
            thread = t;
            t.start();
            return this;
        }

        private void body() {
            {
                try {
                    long i = 1;
                    while (!stop.get()) {
                        step.run(this, i++);
                        rounds = i - 1;
                        started.countDown();
                    }
                } catch (Throwable t) {
                    crash = t;
                    started.countDown();
                }
            }
        }

        void awaitStarted() throws InterruptedException {
            if (!started.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("runner thread did not start within 10 s");
            }
        }

        synchronized void violation(String v) {
            if (violations.size() < MAX_SHOWN) {
                violations.add(v);
            }
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            Thread t = thread;
            if (t == null) {
                return;
            }
            t.join(10_000);
            if (t.isAlive()) {
                throw new IllegalStateException("runner thread did not stop within 10 s");
            }
        }
    }

    private static void guestReader(CaseContext c) throws Exception {
        c.attachedGuest(2);
        Path out = c.newFile(".records");
        Reply r;
        try (Loop writer = new Loop("vboost-runner-writer", (loop, i) -> {
            c.ref().publishHostLine(1, HostLine.payload(i));
            breathe();
        }).start()) {
            writer.awaitStarted();
            r = c.op("stress.guest_read", "slot", 1, "iterations", iterations(), "out", out);
        }
        c.expectOk(r, "testee protocol §5.4");
        List<String> bad = new ArrayList<>();
        long n = checkRecords(out, bad, true);
        report(c, bad, n, r, "§4.3: a reader returns only copies taken between two equal even counter values; "
                + "the guest returned torn or out-of-order host lines");
    }

    private static void hostReader(CaseContext c) throws Exception {
        c.initHost(2);
        Path out = c.newFile(".records");
        Reply r;
        try (Loop writer = new Loop("vboost-runner-writer",
                (loop, i) -> {
                    c.ref().publishGuestLine(1, GuestLine.payload(i - 1, i));
                    breathe();
                }).start()) {
            writer.awaitStarted();
            r = c.op("stress.host_read", "slot", 1, "iterations", iterations(), "out", out);
        }
        c.expectOk(r, "testee protocol §5.4");
        List<String> bad = new ArrayList<>();
        long n = checkRecords(out, bad, false);
        report(c, bad, n, r, "§4.3: a reader returns only copies taken between two equal even counter values; "
                + "the host returned torn or out-of-order guest lines");
    }

    /**
     * A few spin hints between publications: a writer that never pauses starves seqlock readers (they
     * legitimately report busy), which would leave nothing to check.
     */
    private static void breathe() {
        for (int k = 0; k < 64; k++) {
            Thread.onSpinWait();
        }
    }

    private static long checkRecords(Path file, List<String> bad, boolean hostLines) throws Exception {
        byte[] all = Files.readAllBytes(file);
        if (all.length % RECORD != 0) {
            bad.add("record file has " + all.length + " bytes, not a multiple of 32");
            return 0;
        }
        ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        long lastId = -1;
        for (int off = 0; off < all.length; off += RECORD) {
            int seq = b.getInt(off);
            String problem;
            long id;
            if (hostLines) {
                HostLine l = new HostLine(seq, b.get(off + 4) & 0xFF, b.get(off + 5) & 0xFF, b.get(off + 6) & 0xFF,
                        b.get(off + 7) & 0xFF, b.getInt(off + 8), b.getInt(off + 12), b.getLong(off + 16),
                        b.getLong(off + 24));
                id = l.actedRequestId();
                problem = id == 0 ? null : l.sameData(HostLine.payload(id)) ? null
                        : "torn copy " + l + ", expected " + HostLine.payload(id).withSeq(seq);
            } else {
                GuestLine l = new GuestLine(seq, b.get(off + 4) & 0xFF, b.get(off + 5) & 0xFF, b.get(off + 6) & 0xFF,
                        b.get(off + 7), b.getInt(off + 8), b.getLong(off + 16), b.getLong(off + 24));
                id = l.requestId();
                problem = id == 0 ? null : l.sameData(GuestLine.payload(id - 1, id)) ? null
                        : "torn copy " + l + ", expected " + GuestLine.payload(id - 1, id).withSeq(seq);
            }
            if (problem == null && (seq & 1) != 0) {
                problem = "copy returned under an odd counter " + Unsigned.u32(seq);
            }
            if (problem == null && id < lastId) {
                problem = "the line went backwards: id " + id + " after " + lastId;
            }
            if (problem != null && bad.size() < MAX_SHOWN) {
                bad.add("record " + off / RECORD + ": " + problem);
            }
            lastId = Math.max(lastId, id);
        }
        return all.length / RECORD;
    }

    private static void report(CaseContext c, List<String> bad, long records, Reply r, String rule) {
        if (!bad.isEmpty()) {
            throw new ConformanceFailure(rule, bad.size() + (bad.size() == MAX_SHOWN ? "+" : "")
                    + " violation(s) in " + records + " consistent reads (reply " + r.values() + ")", bad, "");
        }
        if (records == 0) {
            // seqlock readers may starve under a busy writer (they report E_BUSY, which is allowed): no evidence
            throw new CaseSkipped("inconclusive: no consistent read in " + iterations() + " attempts while the runner"
                    + " wrote (reply " + r.values() + ")");
        }
    }

    private static void guestWriter(CaseContext c) throws Exception {
        c.attachedGuest(2);
        c.sync();
        long base = c.ref().guestLineAtRest(0).requestId();
        Reply r;
        long[] reads = {0};
        try (Loop reader = new Loop("vboost-runner-reader", (loop, i) -> {
            GuestLine l = c.ref().readGuestLine(0);
            if (l == null) {
                return;
            }
            reads[0]++;
            long k = l.requestId() - base - 1;
            if (l.requestId() != base && !l.sameData(GuestLine.payload(k, l.requestId()))) {
                loop.violation("torn copy " + l + ", expected " + GuestLine.payload(k, l.requestId()).withSeq(l.seq()));
            }
        }).start()) {
            reader.awaitStarted();
            r = c.op("stress.guest_request", "slot", 0, "iterations", iterations());
            reader.close();
            check(c, reader, reads[0], r, "§4.2: data stores happen only while the counter is odd (W1 before, W4 after)");
        }
    }

    private static void hostWriter(CaseContext c) throws Exception {
        c.initHost(2);
        Reply r;
        long[] reads = {0};
        try (Loop reader = new Loop("vboost-runner-reader", (loop, i) -> {
            HostLine l = c.ref().readHostLine(0);
            if (l == null) {
                return;
            }
            reads[0]++;
            if (l.actedRequestId() != 0 && !l.sameData(HostLine.payload(l.actedRequestId()))) {
                loop.violation("torn copy " + l + ", expected " + HostLine.payload(l.actedRequestId()).withSeq(l.seq()));
            }
        }).start()) {
            reader.awaitStarted();
            r = c.op("stress.host_publish", "slot", 0, "iterations", iterations());
            reader.close();
            check(c, reader, reads[0], r, "§4.2: data stores happen only while the counter is odd (W1 before, W4 after)");
        }
    }

    private static void check(CaseContext c, Loop reader, long reads, Reply r, String rule) {
        c.expectOk(r, "testee protocol §5.4");
        Throwable crash = reader.crash;
        if (crash != null) {
            throw new IllegalStateException("runner reader failed", crash);
        }
        if (!reader.violations.isEmpty()) {
            throw new ConformanceFailure(rule, reader.violations.size() + " torn read(s) seen by the runner in "
                    + reads + " consistent reads", reader.violations, "");
        }
    }
}
