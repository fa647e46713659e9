package dev.vboost.agent.core;

import dev.vboost.agent.policy.PolicyConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.vboost.api.GuestSlotSnapshot;
import dev.vboost.api.wire.BoostReason;
import dev.vboost.api.wire.HostBoostFlag;
import dev.vboost.api.wire.SchedPolicy;
import dev.vboost.api.wire.SlotStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Generated request streams against the pure engine with a fake clock. The driver plays a well-behaved agent
 * (ticks exactly at {@link PolicyEngine#nextDeadline}) and a hostile guest (random, repeated, stale and
 * invalid lines, host-boost acks at random). Seeded: the seed is printed on failure and set with
 * {@code -Dvboost.seed=...}; {@code -Dvboost.streams=...} runs more streams.
 */
class PolicyPropertyTest {
    private static final long US = 1_000L;
    private static final long MS = 1_000_000L;
    private static final long SECOND = 1_000_000_000L;
    private static final boolean TRACE = Boolean.getBoolean("vboost.trace");

    @Test
    void generatedStreamsKeepEveryBound() {
        long seed = Long.getLong("vboost.seed", System.nanoTime());
        if (Long.getLong("vboost.streamSeed") != null) {
            runStream(new SplittableRandom(Long.getLong("vboost.streamSeed")));
            return;
        }
        int streams = Integer.getInteger("vboost.streams", 300);
        SplittableRandom seeds = new SplittableRandom(seed);
        for (int i = 0; i < streams; i++) {
            long streamSeed = seeds.nextLong();
            try {
                runStream(new SplittableRandom(streamSeed));
            } catch (AssertionError e) {
                fail("stream " + i + " failed; rerun with -Dvboost.seed=" + seed + " (stream seed " + streamSeed
                        + "): " + e.getMessage(), e);
            }
        }
    }

    private static PolicyConfig randomConfig(SplittableRandom r) {
        long window = (1 + r.nextInt(200)) * MS;
        long budget = Math.max(US, (long) (window * (0.05 + 0.95 * r.nextDouble())));
        long maxBoost = (10 + r.nextInt(10_000)) * US;
        return PolicyConfig.builder()
                .allowedReasons(r.nextInt(4) == 0 ? r.nextInt(BoostReason.DEFINED_MASK + 1) : BoostReason.DEFINED_MASK)
                .boostPolicy(r.nextBoolean() ? SchedPolicy.FIFO : SchedPolicy.RR)
                .priorityCeiling(1 + r.nextInt(99))
                .niceFloor(-20 + r.nextInt(40))
                .maxBoostNanos(maxBoost)
                .budget(budget, window)
                .maxTransitionsPerSecond(2 + r.nextInt(r.nextBoolean() ? 20 : 3000))
                .hostBoostEnabled(r.nextInt(3) != 0)
                .hostBoostTimeoutNanos(Math.max(US, maxBoost / (1 + r.nextInt(10))))
                .enabled(r.nextInt(20) != 0)
                .build();
    }

    private static void runStream(SplittableRandom r) {
        PolicyConfig c = randomConfig(r);
        PolicyEngine e = new PolicyEngine(c, 1);
        e.acceptedFeatures(r.nextInt(4) == 0 ? r.nextLong(16) : dev.vboost.api.wire.Feature.DEFINED_MASK);
        GuestSlotSnapshot line = new GuestSlotSnapshot();
        Decision d = new Decision();
        Model m = new Model(c);
        long now = r.nextLong(1L << 40);
        m.firstEvent = now;
        e.tick(0, now, d); // the slot's first event starts its first budget window
        long nextId = 1;
        long lastAck = 0;
        int events = 500 + r.nextInt(1500);
        for (int i = 0; i < events; i++) {
            now += gap(r, c);
            // a punctual agent: every deadline up to now is ticked at its own time
            long due;
            while ((due = e.nextDeadline(0)) <= now) {
                m.apply(e.tick(0, due, d), due, e);
            }
            int kind = r.nextInt(10);
            if (kind < 6) {
                int request = r.nextInt(10) < 6 ? 1 : r.nextInt(10) < 8 ? 2 : r.nextInt(4);
                int policy = r.nextInt(10) < 8 ? 1 + r.nextInt(2) : r.nextInt(4);
                int prio = policy == 0 ? 0 : 1 + r.nextInt(99);
                int nice = policy == 0 ? -20 + r.nextInt(40) : 0;
                if (r.nextInt(30) == 0) {
                    prio = r.nextInt(256); // possibly out of range
                }
                int reasons = r.nextInt(25) == 0 ? r.nextInt() : 1 + r.nextInt(BoostReason.DEFINED_MASK);
                long id = r.nextInt(8) == 0 ? Math.max(0, nextId - 1 - r.nextInt(3)) : nextId++;
                if (r.nextInt(50) == 0) {
                    id = -1 - r.nextInt(5); // >= 2^63 on the wire
                }
                if (r.nextInt(4) == 0) {
                    lastAck = m.hostBoostId;
                }
                line.set(0, request, policy, prio, nice, reasons, id, lastAck).validate(); // HA1: the reader checks the copy once
                Decision out;
                do {
                    out = e.onGuestLine(0, now, line, d);
                    m.apply(out, now, e);
                } while (out.deferred());
            } else if (kind < 8) {
                int flags = 1 + r.nextInt(HostBoostFlag.DEFINED_MASK);
                Decision out;
                do {
                    out = e.onHostBoost(0, now, flags, d);
                    m.apply(out, now, e);
                } while (out.deferred());

            } else if (kind == 8) {
                m.apply(e.tick(0, now, d), now, e);
            } else if (m.boosted && r.nextInt(5) == 0) {
                // the actuator fails a fresh boost now and then
                if (m.justBoostedAt == now) {
                    boolean host = m.justBoostedByHost;
                    m.apply(e.actuatorFailed(0, now, host, d), now, e);
                    if (host) {
                        m.hostBoostId--; // the failed host boost's id is not used
                    }
                }
            }
        }
        // let everything run out
        long due;
        while ((due = e.nextDeadline(0)) != Long.MAX_VALUE) {
            m.apply(e.tick(0, due, d), due, e);
        }
        m.checkAfterwards();
    }

    private static long gap(SplittableRandom r, PolicyConfig c) {
        switch (r.nextInt(6)) {
            case 0:
                return 0;
            case 1:
                return r.nextLong(50 * US);
            case 2:
                return r.nextLong(Math.max(1, c.maxBoostNanos()));
            case 3:
                return r.nextLong(Math.max(1, c.windowNanos()));
            case 4:
                return r.nextInt(40) == 0 ? r.nextLong(3 * SECOND) : r.nextLong(2 * MS);
            default:
                return r.nextLong(500 * US);
        }
    }

    /** What the thread and the published slot look like, derived only from the decisions. */
    private static final class Model {
        final PolicyConfig c;
        long firstEvent;
        boolean boosted;
        long boostStart;
        long justBoostedAt = -1;
        boolean justBoostedByHost;
        boolean guestEverHeld;
        long lastHostGrant;
        long hostBoostId;
        long lastActed;
        final List<long[]> intervals = new ArrayList<>();
        final List<Long> transitions = new ArrayList<>();

        Model(PolicyConfig c) {
            this.c = c;
        }

        void apply(Decision d, long t, PolicyEngine e) {
            if (TRACE && (d.action() != Decision.Action.NONE || d.outcome() != Outcome.NONE)) {
                System.out.println(t + " " + d + " next=" + e.nextDeadline(0));
            }
            switch (d.action()) {
                case BOOST:
                    assertTrue(!boosted, "BOOST while boosted");
                    if (d.policy() == SchedPolicy.NORMAL) {
                        assertEquals(Outcome.GRANTED, d.outcome());
                        assertTrue(d.nice() >= c.niceFloor(), "nice " + d.nice() + " below floor " + c.niceFloor());
                    } else {
                        assertEquals(c.boostPolicy(), d.policy(), "boost policy");
                        assertTrue(d.priority() >= 1 && d.priority() <= c.priorityCeiling(),
                                "priority " + d.priority() + " above ceiling " + c.priorityCeiling());
                    }
                    assertTrue(c.enabled(), "boost while disabled");
                    boosted = true;
                    boostStart = t;
                    justBoostedAt = t;
                    justBoostedByHost = d.hostInitiated();
                    guestEverHeld = d.outcome() == Outcome.GRANTED;

                    transitions.add(t);
                    break;
                case UNBOOST:
                    assertTrue(boosted, "UNBOOST while not boosted");
                    end(t);
                    transitions.add(t);
                    break;
                default:
                    break;
            }
            if ((d.outcome() == Outcome.DENIED || d.outcome() == Outcome.HOST_DENIED)
                    && d.denial() == dev.vboost.api.wire.DenialReason.ACTUATOR_FAILED
                    && boosted) {
                // the engine forgot a boost the actuator never applied
                boosted = false;
                transitions.remove(transitions.size() - 1);
                transitions.add(t);
            }
            if (d.outcome() == Outcome.HOST_GRANTED) {
                hostBoostId++; // HB1: up by one per host boost
                lastHostGrant = t; // each host event holds the boost for its own timeout
            }
            if (d.outcome() == Outcome.JOINED) {
                guestEverHeld = true;
            }
            if (d.publish()) {
                assertTrue(d.actedRequestId() >= lastActed, "acted id went back");
                lastActed = d.actedRequestId();
                assertEquals(boosted, d.status() == SlotStatus.BOOSTED, "published status " + d.status()
                        + " vs boosted=" + boosted);
                long budgetUs = Integer.toUnsignedLong(d.budgetRemainingUs());
                assertTrue(budgetUs * 1000 <= c.budgetNanos(), "budget " + budgetUs + " µs above the budget");
                assertEquals(hostBoostIdSeen(d), d.hostBoostId(), "published host boost id");
            }
            assertEquals(boosted, e.isBoosted(0), "engine and model disagree");
        }

        long hostBoostIdSeen(Decision d) {
            return hostBoostId;
        }

        void end(long t) {
            long length = t - boostStart;
            assertTrue(length <= c.maxBoostNanos(), "boost of " + length + " ns > " + c.maxBoostNanos());
            if (!guestEverHeld) {
                long sinceGrant = t - lastHostGrant;
                assertTrue(sinceGrant <= c.hostBoostTimeoutNanos(), "host-only boost lasted " + sinceGrant
                        + " ns after the last host grant > timeout " + c.hostBoostTimeoutNanos());
            }
            intervals.add(new long[] {boostStart, t});
            boosted = false;
        }

        void checkAfterwards() {
            assertTrue(!boosted, "a boost never ended");
            // budget per window, windows start at the first event
            long w = c.windowNanos();
            java.util.Map<Long, Long> perWindow = new java.util.HashMap<>();
            for (long[] iv : intervals) {
                long a = iv[0];
                while (a < iv[1]) {
                    long k = Math.floorDiv(a - firstEvent, w);
                    long end = Math.min(iv[1], firstEvent + (k + 1) * w);
                    perWindow.merge(k, end - a, Long::sum);
                    a = end;
                }
            }
            for (java.util.Map.Entry<Long, Long> en : perWindow.entrySet()) {
                assertTrue(en.getValue() <= c.budgetNanos(), "window " + en.getKey() + " used " + en.getValue()
                        + " ns > budget " + c.budgetNanos());
            }
            // rate: no N+1 changes within less than one second
            int n = c.maxTransitionsPerSecond();
            for (int i = 0; i + n < transitions.size(); i++) {
                long span = transitions.get(i + n) - transitions.get(i);
                assertTrue(span >= SECOND, (n + 1) + " changes within " + span + " ns (limit " + n + "/s)");
            }
        }
    }
}
