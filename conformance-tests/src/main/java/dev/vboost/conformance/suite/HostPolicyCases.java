package dev.vboost.conformance.suite;

import static dev.vboost.conformance.suite.Level.RECOMMENDED;
import static dev.vboost.conformance.suite.Level.REQUIRED;

import dev.vboost.api.layout.RegionLayout;
import dev.vboost.conformance.region.GuestLine;
import dev.vboost.conformance.region.HostLine;
import dev.vboost.conformance.testee.Reply;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The host's behaviour (§5.3 HA1..HA5, §5.4, §5.5 HB1..HB3, §5.6, §5.8, §8): the runner plays the guest by
 * writing its lines, gives the host a policy and a clock (testee protocol §5.3, feature {@code host-policy}),
 * asks it to look at a slot, and checks what the host applied to the (simulated) vCPU thread and published.
 *
 * <p>Over 400 lines on purpose: a catalogue of independent tests, one small method per test id, each read alone.
 */
final class HostPolicyCases {
    static final String FEATURE = "host-policy";
    private static final String H = "host";
    private static final int SLOTS = 2;
    /** prio_ceiling of the header; the policy's own cap is lower by default. */
    private static final int CEILING = 40;
    private static final int HEADER_BOUND = 3000;
    private static final int ATTACHED = 1;
    private static final int BOOST = 1;
    private static final int UNBOOST = 2;
    private static final int FIFO = 1;
    private static final int RR = 2;
    private static final int NORMAL = 1;
    private static final int BOOSTED = 2;
    private static final int THROTTLED = 3;
    private static final long HOST_BOOST = 1;
    private static final long BUDGET_REPORT = 4;
    private static final long NICE_HINTS = 8;

    private HostPolicyCases() {
    }

    private static Case req(String area, String rule, String subject, String spec, String title, Case.Body b) {
        return Case.of(REQUIRED, area, rule, subject, spec, H, title, b).needing(FEATURE);
    }

    static List<Case> all() {
        List<Case> l = new ArrayList<>();
        l.add(req("HostPolicy", "HA1", "busy-line-leaves-slot", "§5.3 HA1, §4.3",
                "a guest line held odd is BUSY: the host neither starts nor ends a boost and publishes nothing",
                HostPolicyCases::busyLine));
        l.add(req("HostPolicy", "HA2", "stale-or-invalid-id-ignored", "§5.3 HA2, §6.6, §9 T5 T7",
                "a request id that went backwards or is not valid is ignored and counted, never answered",
                HostPolicyCases::staleIds));
        l.add(req("HostPolicy", "HA2", "skipped-ids-accepted", "§5.3 HA2, §9 T6",
                "a request whose id skips ahead is acted on", HostPolicyCases::idJump));
        l.add(Case.of(RECOMMENDED, "HostPolicy", "8.12", "counts", "§8.12, §5.3 HA2", H,
                "the host counts id jumps and acknowledgements of ids it never issued", HostPolicyCases::counts)
                .needing(FEATURE));
        l.add(req("HostPolicy", "HA3", "invalid-line-answered", "§5.3 HA3, §6.4",
                "a valid id on a line breaking CS2..CS5 is answered INVALID_REQUEST and ends the guest's boost",
                HostPolicyCases::invalidLine));
        l.add(req("HostPolicy", "HA4", "clamped-to-limits", "§5.3 HA4, §8.1, §9 T25",
                "a granted priority is clamped to prio_ceiling and to the VM policy; the thread gets the clamped value",
                HostPolicyCases::clamp));
        l.add(req("HostPolicy", "HA4", "reason-or-policy-not-allowed", "§5.3 HA4, §8.5, §3.6",
                "a request with no allowed reason, a policy the VM may not have, or a nice hint without NICE_HINTS "
                        + "is denied REASON_NOT_ALLOWED and changes nothing", HostPolicyCases::notAllowed));
        l.add(req("HostPolicy", "HA5", "apply-then-publish", "§5.3 HA5",
                "a grant is applied to the thread before it is published, and the line says what was applied",
                HostPolicyCases::applyThenPublish));
        l.add(req("HostPolicy", "5.4", "unboost-restores-original", "§5.4, §8.6",
                "UNBOOST restores exactly the thread's original attributes, before publishing NORMAL",
                HostPolicyCases::unboostRestores));
        l.add(req("HostPolicy", "5.6", "expiry-at-the-bound", "§5.6, §8.2, §9 T15",
                "a boost ends, on the host clock, exactly when the bound has passed since it was applied: restored, "
                        + "then NORMAL with denial EXPIRED; the standing request is not granted again",
                HostPolicyCases::expiry));
        l.add(req("HostPolicy", "8.3", "budget-exhausted", "§8.3, §5.1",
                "a slot that used its budget is restored and THROTTLED (BUDGET_EXHAUSTED) until the window refills",
                HostPolicyCases::budget));
        l.add(req("HostPolicy", "8.4", "rate-limited", "§8.4, §5.4",
                "grants beyond the rate limit are denied RATE_LIMITED; an UNBOOST is never refused",
                HostPolicyCases::rate));
        l.add(req("HostPolicy", "5.5", "host-boost-needs-acceptance", "§5.5, §3.6 HOST_BOOST",
                "the host starts no host-initiated boost unless the attached guest accepted HOST_BOOST",
                HostPolicyCases::hostBoostNeedsAcceptance));
        l.add(req("HostPolicy", "HB3", "ack-ends-host-boost", "§5.5 HB1..HB3, §9 T17",
                "the guest's ack of the host boost ends it and restores the thread; an ack above the issued id "
                        + "is ignored", HostPolicyCases::ackEnds));
        l.add(req("HostPolicy", "HB3", "host-boost-timeout", "§5.5 HB3, §9 T16",
                "a host-initiated boost the guest never acknowledges ends at the host's timeout",
                HostPolicyCases::hostBoostTimeout));
        l.add(req("HostPolicy", "5.8", "detach-restores-every-slot", "§5.8, §5.2, §8.6",
                "a guest header that says DETACHED ends every boost: each thread restored before its slot is "
                        + "published NORMAL", HostPolicyCases::detach));
        l.add(req("HostPolicy", "3.5", "budget-report-only-when-accepted", "§3.5, §3.6 BUDGET_REPORT",
                "budget_remaining_us is 0 unless the guest accepted BUDGET_REPORT, and the budget left when it did",
                HostPolicyCases::budgetReport));
        return l;
    }

    // ---- set-up ----

    /** A served host: init, the runner's guest header ATTACHED with {@code accepted}, then the policy. */
    private static void serve(CaseContext c, long accepted, Object... policy) throws Exception {
        c.newRegion(SLOTS);
        c.attach(H);
        Reply init = c.expectOk(c.op("host.init_region", "slot_count", SLOTS, "host_features", 0xF, "prio_ceiling",
                CEILING, "max_boost_us", HEADER_BOUND), "§4.4");
        int generation = (int) init.getLong("host_generation");
        c.ref().writeGuestHeader(ATTACHED, RegionLayout.ABI_MAJOR, 0, generation, accepted);
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("max_priority", 30);
        p.put("allowed_policies", 7);
        p.put("allowed_reasons", 0x7F);
        p.put("max_boost_us", 2000);
        p.put("host_boost_timeout_us", 1000);
        p.put("budget_us", 1_000_000);
        p.put("budget_window_us", 1_000_000);
        p.put("rate_limit", 1000);
        p.put("rate_window_us", 1_000_000);
        for (int i = 0; i + 1 < policy.length; i += 2) {
            p.put(String.valueOf(policy[i]), policy[i + 1]);
        }
        List<Object> kv = new ArrayList<>();
        p.forEach((k, v) -> {
            kv.add(k);
            kv.add(v);
        });
        c.expectOk(c.op("host.set_policy", kv.toArray()), "testee protocol §5.3 host.set_policy");
    }

    private static void request(CaseContext c, int slot, int request, int policy, int prio, int nice, int reasons,
            long id, long ack) {
        c.ref().publishGuestLine(slot, new GuestLine(0, request, policy, prio, nice, reasons, id, ack));
    }

    private static Reply look(CaseContext c, int slot) throws Exception {
        return c.expectOk(c.op("host.serve", "slot", slot), "testee protocol §5.3 host.serve");
    }

    private static Reply tick(CaseContext c, long us) throws Exception {
        return c.expectOk(c.op("host.tick", "elapsed_us", us), "testee protocol §5.3 host.tick");
    }

    private static int[] thread(CaseContext c, int slot) throws Exception {
        Reply r = c.expectOk(c.op("host.thread", "slot", slot), "testee protocol §5.3 host.thread");
        return new int[] {(int) r.getLong("policy"), (int) r.getLong("priority"), Integer.parseInt(r.get("nice"))};
    }

    private static void expectThread(CaseContext c, int slot, int[] want, String rule) throws Exception {
        int[] got = thread(c, slot);
        c.expect(Arrays.equals(got, want), rule, "slot " + slot + " thread runs with (policy, priority, nice) "
                + Arrays.toString(got) + ", expected " + Arrays.toString(want));
    }

    private static HostLine line(CaseContext c, int slot) throws Exception {
        c.sync();
        return c.ref().hostLineAtRest(slot);
    }

    private static void expectLine(CaseContext c, int slot, int status, int denial, long acted, String rule)
            throws Exception {
        HostLine l = line(c, slot);
        c.expect(l.status() == status && l.denial() == denial && l.actedRequestId() == acted, rule,
                "slot " + slot + " host line is " + l + "; expected status " + status + ", denial " + denial
                        + ", acted_request_id " + acted);
    }

    private static void expectOutcome(CaseContext c, Reply r, String outcome, String rule) {
        c.expect(outcome.equals(r.get("outcome")), rule, "host.serve outcome " + r.get("outcome") + ", expected "
                + outcome + " (actions: " + r.values().getOrDefault("actions", "") + ")");
    }

    /** {@code first} happens before {@code then} in the reply's actions list, and both happen. */
    private static void expectOrder(CaseContext c, Reply r, String first, String then, String rule) {
        List<String> a = Arrays.asList(r.values().getOrDefault("actions", "").split(","));
        int i = a.indexOf(first);
        int j = a.indexOf(then);
        c.expect(i >= 0 && j > i, rule, "actions were " + a + "; expected " + first + " before " + then);
    }

    private static final int[] ORIGINAL = {0, 0, 0};

    // ---- tests ----

    private static void busyLine(CaseContext c) throws Exception {
        serve(c, 0);
        request(c, 0, BOOST, FIFO, 10, 0, 1, 1, 0);
        look(c, 0);
        byte[] before = hostLineBytes(c, 0);
        c.ref().putGuestLineRaw(0, new GuestLine(7, UNBOOST, 0, 0, 0, 0, 2, 0));
        expectOutcome(c, look(c, 0), "busy", "§5.3 HA1: a line whose counter stays odd is BUSY");
        c.expectBytes(RegionLayout.hostLineOffset(0), before, "§4.3: on BUSY the host leaves the slot as it is",
                "slot 0 host line");
        expectThread(c, 0, new int[] {FIFO, 10, 0}, "§4.3: BUSY neither starts nor ends a boost");
    }

    private static byte[] hostLineBytes(CaseContext c, int slot) throws Exception {
        c.sync();
        int at = RegionLayout.hostLineOffset(slot);
        return Arrays.copyOfRange(c.region().snapshot(), at, at + RegionLayout.LINE_SIZE);
    }

    private static void staleIds(CaseContext c) throws Exception {
        serve(c, 0);
        request(c, 0, BOOST, FIFO, 10, 0, 1, 5, 0);
        look(c, 0);
        expectLine(c, 0, BOOSTED, 0, 5, "§5.3: request 5 granted");
        byte[] before = hostLineBytes(c, 0);
        request(c, 0, UNBOOST, 0, 0, 0, 0, 3, 0);
        expectOutcome(c, look(c, 0), "ignored", "§5.3 HA2: an id below acted_request_id (gone backwards) is ignored");
        c.expectBytes(RegionLayout.hostLineOffset(0), before, "§5.3 HA2, §6.6: an ignored line is not answered: the "
                + "host line, counter included, stays as it was", "slot 0 host line");
        expectThread(c, 0, new int[] {FIFO, 10, 0}, "§5.3 HA2: an ignored line changes nothing");
        request(c, 0, UNBOOST, 0, 0, 0, 0, Long.MIN_VALUE + 9, 0);
        expectOutcome(c, look(c, 0), "ignored", "§5.3 HA2, §9 T7: an id of 2^63 or more is not a valid id: ignored");
        c.expectBytes(RegionLayout.hostLineOffset(0), before, "§5.3 HA2: an invalid id is not answered",
                "slot 0 host line");
        Reply n = c.expectOk(c.op("host.counters", "slot", 0), "testee protocol §5.3 host.counters");
        c.expect(n.getLong("ignored") >= 2, "§5.3 HA2: ignored lines are counted",
                "the host counted " + n.get("ignored") + " ignored line(s) after two");
    }

    private static void idJump(CaseContext c) throws Exception {
        serve(c, 0);
        request(c, 1, BOOST, RR, 7, 0, 1, 10, 0);
        expectOutcome(c, look(c, 1), "acted", "§5.3 HA2: n > a + 1 is accepted");
        expectLine(c, 1, BOOSTED, 0, 10, "§5.3 HA2: skipped ids are accepted; the newest request is what matters");
    }

    private static void counts(CaseContext c) throws Exception {
        serve(c, HOST_BOOST);
        request(c, 0, BOOST, FIFO, 5, 0, 1, 4, 0);
        look(c, 0);
        request(c, 0, BOOST, FIFO, 5, 0, 1, 4, 99);
        look(c, 0);
        Reply n = c.expectOk(c.op("host.counters", "slot", 0), "testee protocol §5.3 host.counters");
        c.expect(n.getLong("id_jumps") >= 1 && n.getLong("acks_out_of_range") >= 1,
                "§8.12: count id jumps and acks of ids the host never issued", "counters " + n.values());
    }

    private static void invalidLine(CaseContext c) throws Exception {
        serve(c, 0);
        request(c, 0, BOOST, FIFO, 10, 0, 1, 1, 0);
        look(c, 0);
        request(c, 0, BOOST, FIFO, 0, 0, 1, 2, 0);
        Reply r = look(c, 0);
        expectOutcome(c, r, "acted", "§5.3 HA3: a line with a valid id that breaks CS5 is answered");
        expectLine(c, 0, NORMAL, 5, 2, "§5.3 HA3: acted_request_id = n, denial INVALID_REQUEST, the boost in force "
                + "ended");
        expectThread(c, 0, ORIGINAL, "§5.3 HA3: grant nothing and end a guest-requested boost in force");
    }

    private static void clamp(CaseContext c) throws Exception {
        serve(c, 0, "max_priority", 30);
        request(c, 0, BOOST, FIFO, 99, 0, 1, 1, 0);
        look(c, 0);
        HostLine l = line(c, 0);
        c.expect(l.status() == BOOSTED && l.priority() == 30 && l.policy() == FIFO, "§8.1: the VM policy caps the "
                + "priority (30 here)", "host line " + l + " after a request for FIFO 99");
        expectThread(c, 0, new int[] {FIFO, 30, 0}, "§8.1: the thread runs with the clamped priority");
        serve(c, 0, "max_priority", 60);
        request(c, 1, BOOST, RR, 80, 0, 1, 1, 0);
        look(c, 1);
        HostLine l2 = line(c, 1);
        c.expect(l2.status() == BOOSTED && l2.priority() == CEILING, "§8.1: never above prio_ceiling (" + CEILING
                + "), whatever the VM policy allows", "host line " + l2 + " after a request for RR 80");
        expectThread(c, 1, new int[] {RR, CEILING, 0}, "§8.1: the thread runs with the clamped priority");
    }

    private static void notAllowed(CaseContext c) throws Exception {
        serve(c, 0, "allowed_reasons", 0x1, "allowed_policies", 1 << FIFO);
        request(c, 0, BOOST, FIFO, 10, 0, 0x2, 1, 0);
        look(c, 0);
        expectLine(c, 0, NORMAL, 1, 1, "§8.5: no reason the policy allows: REASON_NOT_ALLOWED");
        request(c, 0, BOOST, RR, 10, 0, 0x1, 2, 0);
        look(c, 0);
        expectLine(c, 0, NORMAL, 1, 2, "§8.1: a policy the VM may not have is denied REASON_NOT_ALLOWED");
        serve(c, 0);
        request(c, 0, BOOST, 0, 0, -5, 0x1, 1, 0);
        look(c, 0);
        expectLine(c, 0, NORMAL, 1, 1, "§3.6 NICE_HINTS: without it a NORMAL request with a nice value is denied "
                + "REASON_NOT_ALLOWED");
        expectThread(c, 0, ORIGINAL, "§5.3 HA4: a denial changes no attribute");
    }

    private static void applyThenPublish(CaseContext c) throws Exception {
        serve(c, NICE_HINTS);
        request(c, 1, BOOST, 0, 0, -7, 0x40, 1, 0);
        Reply r = look(c, 1);
        expectOrder(c, r, "apply@1", "publish@1", "§5.3 HA5: apply the change to the thread, then publish it");
        expectLine(c, 1, BOOSTED, 0, 1, "§5.3 HA5: status BOOSTED, denial NONE, acted_request_id = n");
        expectThread(c, 1, new int[] {0, 0, -7}, "§5.3 HA5: the nice hint applied (NICE_HINTS accepted)");
    }

    private static void unboostRestores(CaseContext c) throws Exception {
        serve(c, 0);
        c.expectOk(c.op("host.set_thread", "slot", 0, "policy", RR, "priority", 5, "nice", 0), "testee protocol §5.3");
        request(c, 0, BOOST, FIFO, 20, 0, 1, 1, 0);
        look(c, 0);
        expectThread(c, 0, new int[] {FIFO, 20, 0}, "§5.3: granted");
        request(c, 0, UNBOOST, 0, 0, 0, 0, 2, 0);
        Reply r = look(c, 0);
        expectOrder(c, r, "restore@0", "publish@0", "§5.4, §8.6: restore the thread, then publish NORMAL");
        expectThread(c, 0, new int[] {RR, 5, 0}, "§8.6: every unboost restores exactly the original attributes (RR 5 "
                + "here), not a fixed normal policy");
        HostLine l = line(c, 0);
        c.expect(l.status() == NORMAL && l.denial() == 0 && l.actedRequestId() == 2 && l.policy() == RR
                && l.priority() == 5, "§5.4: NORMAL, denial NONE, acted_request_id = n, the attributes now applied",
                "host line " + l);
    }

    private static void expiry(CaseContext c) throws Exception {
        serve(c, 0, "max_boost_us", 2000);
        request(c, 0, BOOST, FIFO, 10, 0, 1, 3, 0);
        look(c, 0);
        tick(c, 1999);
        expectLine(c, 0, BOOSTED, 0, 3, "§5.6: still boosted 1 us before the bound");
        Reply r = tick(c, 1);
        expectOrder(c, r, "restore@0", "publish@0", "§5.6: on expiry restore, then publish");
        expectLine(c, 0, NORMAL, 7, 3, "§5.6: at max_boost_us after it was applied the boost has ended: NORMAL, denial "
                + "EXPIRED, acted_request_id unchanged");
        expectThread(c, 0, ORIGINAL, "§5.6: the original attributes are restored");
        c.expect(line(c, 0).hostBoostFlags() == 0, "§5.6", "host_boost_flags not 0 after expiry");
        expectOutcome(c, look(c, 0), "unchanged", "§5.6: the standing BOOST is not granted again; only a new id is");
        serve(c, 0, "max_boost_us", 10_000);
        request(c, 0, BOOST, FIFO, 10, 0, 1, 1, 0);
        look(c, 0);
        tick(c, HEADER_BOUND);
        expectLine(c, 0, NORMAL, 7, 1, "§3.2, §8.2: max_boost_us of the header bounds every boost, whatever the "
                + "host's own policy says");
    }

    private static void budget(CaseContext c) throws Exception {
        serve(c, 0, "budget_us", 500, "budget_window_us", 10_000);
        request(c, 0, BOOST, FIFO, 10, 0, 1, 1, 0);
        look(c, 0);
        tick(c, 500);
        expectLine(c, 0, THROTTLED, 2, 1, "§8.3: the budget is used up: THROTTLED, BUDGET_EXHAUSTED");
        expectThread(c, 0, ORIGINAL, "§8.3: an exhausted budget ends the boost");
        request(c, 0, BOOST, FIFO, 10, 0, 1, 2, 0);
        look(c, 0);
        expectLine(c, 0, THROTTLED, 2, 2, "§8.3: a request while exhausted is denied BUDGET_EXHAUSTED");
        expectThread(c, 0, ORIGINAL, "§8.3: nothing applied while exhausted");
        tick(c, 9500);
        expectLine(c, 0, NORMAL, 0, 2, "§5.1: THROTTLED becomes NORMAL when the window refills");
        request(c, 0, BOOST, FIFO, 10, 0, 1, 3, 0);
        look(c, 0);
        expectLine(c, 0, BOOSTED, 0, 3, "§8.3: a refilled budget grants again");
    }

    private static void rate(CaseContext c) throws Exception {
        serve(c, 0, "rate_limit", 2, "rate_window_us", 1_000_000);
        long id = 0;
        for (int i = 0; i < 2; i++) {
            request(c, 0, BOOST, FIFO, 10, 0, 1, ++id, 0);
            look(c, 0);
            expectLine(c, 0, BOOSTED, 0, id, "§8.4: within the rate limit");
            request(c, 0, UNBOOST, 0, 0, 0, 0, ++id, 0);
            look(c, 0);
        }
        request(c, 0, BOOST, FIFO, 10, 0, 1, ++id, 0);
        look(c, 0);
        expectLine(c, 0, NORMAL, 3, id, "§8.4: a third grant in the window is denied RATE_LIMITED");
        expectThread(c, 0, ORIGINAL, "§8.4: a rate-limited request changes nothing");
        request(c, 0, UNBOOST, 0, 0, 0, 0, ++id, 0);
        look(c, 0);
        expectLine(c, 0, NORMAL, 0, id, "§8.4, §5.4: an UNBOOST is never refused");
        tick(c, 1_000_000);
        request(c, 0, BOOST, FIFO, 10, 0, 1, ++id, 0);
        look(c, 0);
        expectLine(c, 0, BOOSTED, 0, id, "§8.4: the next window grants again");
    }

    private static void hostBoostNeedsAcceptance(CaseContext c) throws Exception {
        serve(c, 0);
        byte[] before = hostLineBytes(c, 0);
        Reply r = c.expectOk(c.op("host.boost", "slot", 0, "host_boost_flags", 1, "policy", FIFO, "priority", 10),
                "testee protocol §5.3 host.boost");
        c.expect("0".equals(r.get("started")), "§5.5: without HOST_BOOST accepted the host MUST NOT boost",
                "host.boost started a boost the guest did not accept");
        c.expectBytes(RegionLayout.hostLineOffset(0), before, "§5.5: nothing published", "slot 0 host line");
        expectThread(c, 0, ORIGINAL, "§5.5: nothing applied");
        serve(c, HOST_BOOST);
        Reply ok = c.expectOk(c.op("host.boost", "slot", 0, "host_boost_flags", 0x9, "policy", FIFO, "priority", 90),
                "testee protocol §5.3 host.boost");
        c.expect("1".equals(ok.get("started")) && ok.getLong("host_boost_id") == 1, "§5.5 HB1: the first host boost "
                + "has id 1", "host.boost replied " + ok.values());
        HostLine l = line(c, 0);
        c.expect(l.status() == BOOSTED && l.hostBoostId() == 1 && l.hostBoostFlags() == 0x9 && l.priority() == 30,
                "§5.5 HB2: BOOSTED, host_boost_id, the flags, and the priority clamped as always", "host line " + l);
        expectOrder(c, ok, "apply@0", "publish@0", "§5.5 HB2: apply, then publish");
    }

    private static void ackEnds(CaseContext c) throws Exception {
        serve(c, HOST_BOOST);
        long b = c.expectOk(c.op("host.boost", "slot", 1, "host_boost_flags", 1, "policy", RR, "priority", 9),
                "§5.5").getLong("host_boost_id");
        request(c, 1, 0, 0, 0, 0, 0, 0, b + 5);
        look(c, 1);
        expectLine(c, 1, BOOSTED, 0, 0, "§5.5: an ack above the current host_boost_id is invalid and ignored");
        request(c, 1, 0, 0, 0, 0, 0, 0, b);
        Reply r = look(c, 1);
        expectOrder(c, r, "restore@1", "publish@1", "§5.5 HB3: restore, then publish NORMAL");
        HostLine l = line(c, 1);
        c.expect(l.status() == NORMAL && l.hostBoostFlags() == 0 && l.hostBoostId() == b, "§5.5 HB3: the ack ends "
                + "the host boost: NORMAL, host_boost_flags 0, host_boost_id kept", "host line " + l);
        expectThread(c, 1, ORIGINAL, "§5.5 HB3: restored");
    }

    private static void hostBoostTimeout(CaseContext c) throws Exception {
        serve(c, HOST_BOOST, "host_boost_timeout_us", 1000);
        c.expectOk(c.op("host.boost", "slot", 0, "host_boost_flags", 2, "policy", FIFO, "priority", 9), "§5.5");
        tick(c, 999);
        expectLine(c, 0, BOOSTED, 0, 0, "§5.5: within the host's timeout");
        Reply r = tick(c, 1);
        expectOrder(c, r, "restore@0", "publish@0", "§5.5 HB3: restore, then publish");
        HostLine l = line(c, 0);
        c.expect(l.status() == NORMAL && l.hostBoostFlags() == 0, "§5.5 HB3: the host's own timeout ends a boost the "
                + "guest never acknowledges", "host line " + l);
        expectThread(c, 0, ORIGINAL, "§5.5 HB3: restored");
    }

    private static void detach(CaseContext c) throws Exception {
        serve(c, 0);
        c.expectOk(c.op("host.set_thread", "slot", 1, "policy", 0, "priority", 0, "nice", 4), "testee protocol §5.3");
        request(c, 0, BOOST, FIFO, 10, 0, 1, 1, 0);
        look(c, 0);
        request(c, 1, BOOST, RR, 11, 0, 1, 1, 0);
        look(c, 1);
        int generation = c.ref().readHostHeader().hostGeneration();
        c.ref().writeGuestHeader(0, 0, 0, 0, 0);
        Reply r = look(c, 0);
        expectOutcome(c, r, "detached", "§5.8: a DETACHED guest header means detached");
        expectOrder(c, r, "restore@0", "publish@0", "§5.8: restore, then publish");
        expectOrder(c, r, "restore@1", "publish@1", "§5.8: every slot of the guest, restored, then published");
        expectLine(c, 0, NORMAL, 0, 1, "§5.8: slots published NORMAL");
        expectLine(c, 1, NORMAL, 0, 1, "§5.8: slots published NORMAL");
        expectThread(c, 0, ORIGINAL, "§5.8: restored");
        expectThread(c, 1, new int[] {0, 0, 4}, "§5.8, §8.6: restored to the original nice 4");
        request(c, 0, BOOST, FIFO, 10, 0, 1, 2, 0);
        expectOutcome(c, look(c, 0), "detached", "§5.8: the host acts on no slot until the guest attaches again");
        c.ref().writeGuestHeader(ATTACHED, 1, 0, generation + 1, 0);
        expectOutcome(c, look(c, 0), "detached", "§6.3 CG4: a header naming another generation is not attached");
    }

    private static void budgetReport(CaseContext c) throws Exception {
        serve(c, 0, "budget_us", 800, "budget_window_us", 10_000);
        request(c, 0, BOOST, FIFO, 10, 0, 1, 1, 0);
        look(c, 0);
        tick(c, 100);
        request(c, 0, BOOST, FIFO, 11, 0, 1, 2, 0);
        look(c, 0);
        c.expect(line(c, 0).budgetRemainingUs() == 0, "§3.5: without BUDGET_REPORT the host writes 0",
                "budget_remaining_us is " + line(c, 0).budgetRemainingUs() + " without BUDGET_REPORT accepted");
        serve(c, BUDGET_REPORT, "budget_us", 800, "budget_window_us", 10_000);
        request(c, 0, BOOST, FIFO, 10, 0, 1, 1, 0);
        look(c, 0);
        tick(c, 100);
        request(c, 0, BOOST, FIFO, 11, 0, 1, 2, 0);
        look(c, 0);
        c.expect(line(c, 0).budgetRemainingUs() == 700, "§3.5, §3.6 BUDGET_REPORT: the host keeps "
                + "budget_remaining_us current", "budget_remaining_us is " + line(c, 0).budgetRemainingUs()
                + " after 100 us of an 800 us budget");
    }
}
