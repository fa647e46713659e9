package dev.vboost.conformance.suite;

import static dev.vboost.conformance.suite.Level.REQUIRED;

import dev.vboost.api.layout.RegionLayout;
import dev.vboost.conformance.region.GuestLine;
import dev.vboost.conformance.region.HostLine;
import dev.vboost.conformance.region.TracingMemory;
import java.util.ArrayList;
import java.util.List;

/**
 * Deterministic checks of the writer steps of spec §4.2, for in-process implementations only: the suite's
 * {@link TracingMemory} records every store, so the order of counter and data stores is visible without
 * any timing. Testees in another process cannot be traced; for them the stochastic checks stand in.
 */
final class TraceCases {
    static final String TRACE = "memory-trace";

    private TraceCases() {
    }

    static List<Case> all() {
        List<Case> l = new ArrayList<>();
        l.add(Case.of(REQUIRED, "Seqlock", "W1", "host-counter-odd-before-data", "§4.2 W1", "host",
                "the host makes the line's counter odd before its first data store",
                c -> hostPublish(c, true)).needing(TRACE));
        l.add(Case.of(REQUIRED, "Seqlock", "W2", "host-data-inside-window", "§4.2 W2, W4", "host",
                "every host data store happens while the counter is odd, and an even release store ends it",
                c -> hostPublish(c, false)).needing(TRACE));
        l.add(Case.of(REQUIRED, "Seqlock", "W1", "guest-counter-odd-before-data", "§4.2 W1", "guest",
                "the guest makes the line's counter odd before its first data store",
                c -> guestRequest(c, true)).needing(TRACE));
        l.add(Case.of(REQUIRED, "Seqlock", "W2", "guest-data-inside-window", "§4.2 W2, W4", "guest",
                "every guest data store happens while the counter is odd, and an even release store ends it",
                c -> guestRequest(c, false)).needing(TRACE));
        l.add(Case.of(REQUIRED, "Seqlock", "R5", "counter-changed-mid-read", "§4.3 R5", "guest",
                "a guest read whose counter changes between R1 and R5 is retried and returns the new line",
                TraceCases::guestMidRead).needing(TRACE));
        l.add(Case.of(REQUIRED, "Seqlock", "R5", "host-counter-changed-mid-read", "§4.3 R5", "host",
                "a host read whose counter changes between R1 and R5 is retried and returns the new line",
                TraceCases::hostMidRead).needing(TRACE));
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
        TracingMemory t = tracer(c);
        HostLine first = new HostLine(0, 2, 1, 11, 0, 0x1, 500, 6, 2);
        HostLine second = new HostLine(0, 1, 0, 0, 3, 0, 0, 7, 2);
        c.ref().publishHostLine(1, first);
        int s1 = c.ref().hostLineAtRest(1).seq();
        boolean[] fired = armMidRead(t, RegionLayout.hostLineOffset(1), () -> c.ref().publishHostLine(1, second));
        dev.vboost.conformance.testee.Reply r;
        try {
            r = c.op("guest.read_host_state", "slot", 1);
        } finally {
            t.clearHook();
        }
        c.expect(fired[2], "§4.3 R1..R5", "the read never loaded the counter again after loading data (no R5); "
                + "a change of the line during the copy would go unnoticed");
        c.expectOk(r, "§4.3 R5: a changed counter means retry; with no further writes the retry succeeds");
        c.expectFields(r, CaseContext.merge(second.fields(), "seq", dev.vboost.conformance.region.Unsigned.u32(s1 + 2)),
                "§4.3 R5: s2 != s1 means the copy may be torn and is discarded; the reader returns the line as "
                        + "republished (counter +2), not the copy taken before the change");
    }

    private static void hostMidRead(CaseContext c) throws Exception {
        c.initHost(2);
        TracingMemory t = tracer(c);
        GuestLine first = new GuestLine(0, 1, 1, 12, 0, 0x3, 9, 0);
        GuestLine second = new GuestLine(0, 2, 0, 0, 0, 0, 10, 0);
        c.ref().publishGuestLine(0, first);
        int s1 = c.ref().guestLineAtRest(0).seq();
        boolean[] fired = armMidRead(t, RegionLayout.guestLineOffset(0), () -> c.ref().publishGuestLine(0, second));
        dev.vboost.conformance.testee.Reply r;
        try {
            r = c.op("host.read_request", "slot", 0);
        } finally {
            t.clearHook();
        }
        c.expect(fired[2], "§4.3 R1..R5", "the read never loaded the counter again after loading data (no R5); "
                + "a change of the line during the copy would go unnoticed");
        c.expectOk(r, "§4.3 R5: a changed counter means retry; with no further writes the retry succeeds");
        c.expectFields(r, CaseContext.merge(second.fields(), "seq", dev.vboost.conformance.region.Unsigned.u32(s1 + 2)),
                "§4.3 R5: s2 != s1 means the copy may be torn and is discarded; the reader returns the line as "
                        + "republished (counter +2), not the copy taken before the change");
    }

    private static TracingMemory tracer(CaseContext c) {
        TracingMemory t = c.testee().tracer();
        if (t == null) {
            throw new CaseSkipped("store tracing needs an in-process (Java SPI) implementation");
        }
        return t;
    }

    private static void hostPublish(CaseContext c, boolean w1) throws Exception {
        c.initHost(2);
        TracingMemory t = tracer(c);
        t.start();
        c.expectOk(c.op("host.publish_state", CaseContext.args(new HostLine(0, 2, 1, 9, 0, 1, 100, 4, 0).fields(),
                "slot", 1)), "§4.2");
        check(c, t.stop(), RegionLayout.hostLineOffset(1), w1);
    }

    private static void guestRequest(CaseContext c, boolean w1) throws Exception {
        c.attachedGuest(2);
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
