package dev.vboost.conformance.suite;

import static dev.vboost.conformance.suite.Level.REQUIRED;

import dev.vboost.api.layout.RegionLayout;
import dev.vboost.conformance.region.GuestLine;
import dev.vboost.conformance.region.HostLine;
import dev.vboost.conformance.region.TracingMemory;
import java.util.ArrayList;
import java.util.List;

/**
 * Deterministic checks of the writer steps of spec §4.2 and of the reader's R5. In process (feature
 * {@code memory-trace}) the suite's {@link TracingMemory} records every store and interposes between loads.
 * Across a process boundary (feature {@code step-control}, testee protocol §5.5) the testee's writer stops after
 * W1 or W2 and leaves the line as that step left it, and its reader pauses between R3 and R4 while the runner
 * republishes the line. A testee with neither is SKIPPED with that reason.
 */
final class TraceCases {
    static final String TRACE = "memory-trace";
    static final String STEPS = "step-control";

    private TraceCases() {
    }

    static List<Case> all() {
        List<Case> l = new ArrayList<>();
        l.add(Case.of(REQUIRED, "Seqlock", "W1", "host-counter-odd-before-data", "§4.2 W1", "host",
                "the host makes the line's counter odd before its first data store",
                c -> hostPublish(c, true)));
        l.add(Case.of(REQUIRED, "Seqlock", "W2", "host-data-inside-window", "§4.2 W2, W4", "host",
                "every host data store happens while the counter is odd, and an even release store ends it",
                c -> hostPublish(c, false)));
        l.add(Case.of(REQUIRED, "Seqlock", "W1", "guest-counter-odd-before-data", "§4.2 W1", "guest",
                "the guest makes the line's counter odd before its first data store",
                c -> guestRequest(c, true)));
        l.add(Case.of(REQUIRED, "Seqlock", "W2", "guest-data-inside-window", "§4.2 W2, W4", "guest",
                "every guest data store happens while the counter is odd, and an even release store ends it",
                c -> guestRequest(c, false)));
        l.add(Case.of(REQUIRED, "Seqlock", "R5", "counter-changed-mid-read", "§4.3 R5", "guest",
                "a guest read whose counter changes between R1 and R5 is retried and returns the new line",
                TraceCases::guestMidRead));
        l.add(Case.of(REQUIRED, "Seqlock", "R5", "host-counter-changed-mid-read", "§4.3 R5", "host",
                "a host read whose counter changes between R1 and R5 is retried and returns the new line",
                TraceCases::hostMidRead));
        return l;
    }

    /**
     * Arms a hook on the implementation's loads: after it has loaded the counter of {@code line} and then
     * some of the line's data, its next load of the counter (R5) first sees {@code change} run, which
     * republishes the line (counter +2, new data). Returns whether the hook fired.
     */
    private static boolean[] armMidRead(TracingMemory t, int line, Runnable change) {
        boolean[] state = new boolean[3]; // counter seen, data seen, fired
        t.onLoad((index, width) -> {
            boolean counterOnly = index == line && width <= 4;
            boolean data = index < line + RegionLayout.LINE_SIZE && index + width > line + 4;
            if (counterOnly && state[1]) {
                change.run();
                state[2] = true;
                return true;
            }
            if (counterOnly) {
                state[0] = true;
            } else if (data && state[0]) {
                state[1] = true;
            }
            return false;
        });
        return state;
    }

    private static void guestMidRead(CaseContext c) throws Exception {
        c.attachedGuest(2);
        HostLine second = new HostLine(0, 1, 0, 0, 3, 0, 0, 7, 2);
        c.ref().publishHostLine(1, new HostLine(0, 2, 1, 11, 0, 0x1, 500, 6, 2));
        int s1 = c.ref().hostLineAtRest(1).seq();
        midRead(c, "guest.read_host_state", 1, RegionLayout.hostLineOffset(1), () -> c.ref().publishHostLine(1, second),
                CaseContext.merge(second.fields(), "seq", dev.vboost.conformance.region.Unsigned.u32(s1 + 2)));
    }

    private static void hostMidRead(CaseContext c) throws Exception {
        c.initHost(2);
        GuestLine second = new GuestLine(0, 2, 0, 0, 0, 0, 10, 0);
        c.ref().publishGuestLine(0, new GuestLine(0, 1, 1, 12, 0, 0x3, 9, 0));
        int s1 = c.ref().guestLineAtRest(0).seq();
        midRead(c, "host.read_request", 0, RegionLayout.guestLineOffset(0), () -> c.ref().publishGuestLine(0, second),
                CaseContext.merge(second.fields(), "seq", dev.vboost.conformance.region.Unsigned.u32(s1 + 2)));
    }

    /**
     * Reads line {@code slot} with {@code op} while {@code change} republishes it between the reader's data copy
     * (R3) and its counter re-check (R5): through the store tracer where the testee is in-process, else with a
     * pause file; the read must notice and return {@code want}, the line as republished.
     */
    private static void midRead(CaseContext c, String op, int slot, int lineOffset, Runnable change,
            java.util.Map<String, String> want) throws Exception {
        TracingMemory t = c.testee().tracer();
        if (t == null) {
            pausedReadSlot(c, op, slot, change, want);
            return;
        }
        boolean[] fired = armMidRead(t, lineOffset, change);
        dev.vboost.conformance.testee.Reply r;
        try {
            r = c.op(op, "slot", slot);
        } finally {
            t.clearHook();
        }
        c.expect(fired[2], "§4.3 R1..R5", "the read never loaded the counter again after loading data (no R5); "
                + "a change of the line during the copy would go unnoticed");
        c.expectOk(r, "§4.3 R5: a changed counter means retry; with no further writes the retry succeeds");
        c.expectFields(r, want, "§4.3 R5: s2 != s1 means the copy may be torn and is discarded; the reader returns "
                + "the line as republished (counter +2), not the copy taken before the change");
    }

    private static TracingMemory tracer(CaseContext c) {
        TracingMemory t = c.testee().tracer();
        if (t == null) {
            throw new CaseSkipped("store tracing needs an in-process (Java SPI) implementation");
        }
        return t;
    }

    /** Across a process boundary: the testee's step control, or a skip that says why. */
    private static void needSteps(CaseContext c) {
        if (!c.info().hasFeature(STEPS)) {
            throw new CaseSkipped(c.info().name() + " declares neither '" + TRACE + "' (in process) nor '" + STEPS
                    + "' (testee protocol §5.5), so the order of its seqlock steps cannot be observed");
        }
    }

    /**
     * Runs the read with {@code pause_file}: once the testee has copied the line (R3) it creates the file and
     * waits; the runner then republishes the line and removes the file, and the read must notice at R5.
     */
    private static void pausedReadSlot(CaseContext c, String op, int slot, Runnable change,
            java.util.Map<String, String> want) throws Exception {
        needSteps(c);
        java.nio.file.Path pause = c.newFile(".pause");
        java.util.concurrent.CompletableFuture<dev.vboost.conformance.testee.Reply> read =
                java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                    try {
                        return c.op(op, "slot", slot, "pause_file", pause.toString());
                    } catch (dev.vboost.conformance.testee.TesteeException e) {
                        throw new java.util.concurrent.CompletionException(e);
                    }
                });
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (!java.nio.file.Files.exists(pause) && !read.isDone() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
            java.util.concurrent.locks.LockSupport.parkNanos(100_000);
        }
        boolean paused = java.nio.file.Files.exists(pause);
        if (paused) {
            change.run();
            java.nio.file.Files.delete(pause);
        }
        dev.vboost.conformance.testee.Reply r;
        try {
            r = read.get(60, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null) {
                cause = cause.getCause();
            }
            if (cause instanceof Exception ex) {
                throw ex;
            }
            throw e;
        }
        c.expect(paused, "testee protocol §5.5 pause_file", "the read never paused between R3 and R4 (no pause file "
                + "appeared) although the testee declares " + STEPS);
        c.expectOk(r, "§4.3 R5: a changed counter means retry; with no further writes the retry succeeds");
        c.expectFields(r, want, "§4.3 R5: s2 != s1 means the copy may be torn and is discarded; the reader returns "
                + "the line as republished (counter +2), not the copy taken before the change");
    }

    /** W1: counter odd (+1) and no data stored yet; W2: counter still odd and all data stored. */
    private static void stoppedWriter(CaseContext c, int line, java.util.function.Supplier<byte[]> data, boolean w1,
            String op, Object... args) throws Exception {
        needSteps(c);
        c.sync();
        byte[] before = java.util.Arrays.copyOfRange(c.region().snapshot(), line, line + RegionLayout.LINE_SIZE);
        int s = c.ref().memory().getInt(line);
        Object[] kv = new Object[args.length + 2];
        System.arraycopy(args, 0, kv, 0, args.length);
        kv[args.length] = "stop_after";
        kv[args.length + 1] = w1 ? "W1" : "W2";
        c.expectOk(c.op(op, kv), "testee protocol §5.5 stop_after");
        c.sync();
        byte[] after = java.util.Arrays.copyOfRange(c.region().snapshot(), line, line + RegionLayout.LINE_SIZE);
        int s2 = c.ref().memory().getInt(line);
        if (w1) {
            c.expect(s2 == s + 1, "§4.2 W1: the writer's first step makes the counter odd (its value + 1)",
                    "after W1 the counter is " + dev.vboost.conformance.region.Unsigned.u32(s2) + ", was "
                            + dev.vboost.conformance.region.Unsigned.u32(s));
            c.expectBytes(line + 4, java.util.Arrays.copyOfRange(before, 4, before.length), "§4.2 W1: no data is "
                    + "stored before the counter is odd", "line data after W1");
            return;
        }
        c.expect((s2 & 1) != 0, "§4.2 W2: data is stored while the counter is odd",
                "after W2 the counter is even (" + dev.vboost.conformance.region.Unsigned.u32(s2) + ")");
        byte[] want = data.get();
        c.expectBytes(line + 4, java.util.Arrays.copyOfRange(want, 4, want.length), "§4.2 W2: every data field is "
                + "stored between W1 and W4", "line data after W2");
        c.expect(!java.util.Arrays.equals(before, after), "§4.2", "the line did not change");
    }

    private static void hostPublish(CaseContext c, boolean w1) throws Exception {
        c.initHost(2);
        if (c.testee().tracer() == null) {
            HostLine l = new HostLine(0, 2, 1, 9, 0, 1, 100, 4, 0);
            stoppedWriter(c, RegionLayout.hostLineOffset(1), () -> dev.vboost.conformance.region.WireImage.hostLine(l),
                    w1, "host.publish_state", CaseContext.args(l.fields(), "slot", 1));
            return;
        }
        TracingMemory t = tracer(c);
        t.start();
        c.expectOk(c.op("host.publish_state", CaseContext.args(new HostLine(0, 2, 1, 9, 0, 1, 100, 4, 0).fields(),
                "slot", 1)), "§4.2");
        check(c, t.stop(), RegionLayout.hostLineOffset(1), w1);
    }

    private static void guestRequest(CaseContext c, boolean w1) throws Exception {
        c.attachedGuest(2);
        if (c.testee().tracer() == null) {
            stoppedWriter(c, RegionLayout.guestLineOffset(1), () -> dev.vboost.conformance.region.WireImage.guestLine(
                    new GuestLine(0, 1, 1, 10, 0, 1, 1, 0)), w1, "guest.request_boost", "slot", 1, "policy", 1,
                    "priority", 10, "nice", 0, "reasons", 1);
            return;
        }
        TracingMemory t = tracer(c);
        t.start();
        c.expectOk(c.op("guest.request_boost", "slot", 1, "policy", 1, "priority", 10, "nice", 0, "reasons", 1), "§5.3");
        check(c, t.stop(), RegionLayout.guestLineOffset(1), w1);
    }

    private static void check(CaseContext c, List<TracingMemory.Store> all, int line, boolean w1) {
        List<TracingMemory.Store> in = new ArrayList<>();
        for (TracingMemory.Store s : all) {
            if (s.index() >= line && s.index() < line + RegionLayout.LINE_SIZE) {
                in.add(s);
            }
        }
        List<String> shown = new ArrayList<>();
        for (int i = 0; i < Math.min(in.size(), 12); i++) {
            TracingMemory.Store s = in.get(i);
            shown.add(String.format("store %d: +0x%02x width %d value 0x%x (%s)%s", i, s.index() - line, s.width(),
                    s.value(), s.mode(), s.index() == line ? "  <- counter" : ""));
        }
        c.expect(!in.isEmpty(), "§4.2", "the operation stored nothing to the line");
        if (w1) {
            TracingMemory.Store first = in.get(0);
            if (first.index() != line || first.width() != 4 || (first.value() & 1) == 0) {
                throw new ConformanceFailure("§4.2 W1: the first store to a line makes its counter odd, so a reader "
                        + "never takes data written before the counter changed",
                        "the first store to the line is not an odd counter value", shown, "");
            }
            return;
        }
        boolean odd = false;
        for (TracingMemory.Store s : in) {
            if (s.index() == line) {
                odd = (s.value() & 1) != 0;
            } else if (!odd) {
                throw new ConformanceFailure("§4.2 W2: data is stored only while the counter is odd",
                        String.format("data store at +0x%02x while the counter was even", s.index() - line), shown, "");
            }
        }
        TracingMemory.Store last = in.get(in.size() - 1);
        boolean ordered = last.mode().equals("release") || last.mode().equals("volatile") || last.mode().equals("cas");
        if (last.index() != line || odd || !ordered) {
            throw new ConformanceFailure("§4.2 W4: the last store to a line is the even counter, with release",
                    "the line's last store is not an even counter store with release semantics", shown, "");
        }
    }
}
