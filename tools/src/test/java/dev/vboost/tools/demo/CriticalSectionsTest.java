package dev.vboost.tools.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vboost.agent.actuator.ActuatorException;
import dev.vboost.agent.actuator.PriorityActuator;
import dev.vboost.agent.actuator.ThreadAttributes;
import dev.vboost.agent.actuator.VcpuThread;
import dev.vboost.agent.stats.VmCounters;
import dev.vboost.api.wire.SchedPolicy;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The guest's own-request scenario: when a critical section starts, what is counted, and the real request path. */
class CriticalSectionsTest {
    private static final long PERIOD = 1_000_000L;
    private static final long WORK = 10_000L;

    @Test
    void startsOnlyInTheMiddleHalfOfThePeriodOnceItsArrivalCame() {
        CriticalSections cs = new CriticalSections(1_000_000, WORK, PERIOD, 1); // arrivals every µs or so
        long tick = 10 * PERIOD;
        assertFalse(cs.due(tick - 2 * PERIOD, tick - PERIOD, true), "the first call only draws the first arrival");
        assertTrue(cs.due(tick - 500_000, tick, true), "well past that arrival, in the window");
        assertFalse(cs.due(tick - 750_001, tick, true), "within a quarter period after the previous tick");
        assertTrue(cs.due(tick - 750_000, tick, true));
        assertTrue(cs.due(tick - 250_000 - WORK, tick, true));
        assertFalse(cs.due(tick - 250_000 - WORK + 1, tick, true), "its work would reach the last quarter before the tick");
        assertFalse(cs.due(tick - 1_000, tick, true));

        CriticalSections none = new CriticalSections(0, WORK, PERIOD, 1);
        for (long t = 0; t < 100 * PERIOD; t += 10_000) {
            assertFalse(none.due(t, (t / PERIOD + 1) * PERIOD, true), "0 per second: never");
        }
    }

    @Test
    void arrivalsComeAtTheConfiguredRateAndWaitForTheWindow() {
        long perSecond = 50;
        CriticalSections cs = new CriticalSections(perSecond, WORK, PERIOD, 42);
        long seconds = 200;
        long ran = 0;
        long outside = 0;
        for (long now = 0; now < seconds * 1_000_000_000L; now += 5_000) { // a vCPU polling every 5 µs
            long next = (now / PERIOD + 1) * PERIOD;
            if (cs.due(now, next, true)) {
                long toTick = next - now;
                if (toTick > 750_000 || toTick < 250_000 + WORK) {
                    outside++;
                }
                ran++;
                cs.ran(CriticalSections.Answer.NONE, 0, now + WORK, true);
                now += WORK;
            }
        }
        assertEquals(0, outside);
        assertEquals(ran, cs.entered());
        double rate = ran / (double) seconds;
        assertTrue(Math.abs(rate - perSecond) < perSecond * 0.1, "rate " + rate);
    }

    @Test
    void warmsUpWithOnePerPeriodBeforeTheWindow() {
        CriticalSections cs = new CriticalSections(1, WORK, PERIOD, 5); // one a second once measured
        long ran = 0;
        for (long now = 0; now < 100 * PERIOD; now += 5_000) {
            long next = (now / PERIOD + 1) * PERIOD;
            if (cs.due(now, next, false)) {
                ran++;
                cs.ran(CriticalSections.Answer.GRANTED, 1_000, now + WORK, false);
                now += WORK;
            }
        }
        assertTrue(ran >= 98 && ran <= 100, "one per period while warming up: " + ran);
        assertEquals(0, cs.entered(), "none counted");
    }

    @Test
    void countsEachAnswerInTheMeasuredWindowAndTheGrantedLatency() {
        CriticalSections cs = new CriticalSections(20, WORK, PERIOD, 3);
        cs.ran(CriticalSections.Answer.GRANTED, 99_000, 0, false); // warm-up: not counted
        cs.ran(CriticalSections.Answer.GRANTED, 20_000, 0, true);
        cs.ran(CriticalSections.Answer.GRANTED, 40_000, 0, true);
        cs.ran(CriticalSections.Answer.JOINED, 5_000, 0, true);
        cs.ran(CriticalSections.Answer.NOT_GRANTED, 7_000, 0, true);
        assertEquals(4, cs.entered());
        assertEquals(2, cs.granted());
        assertEquals(1, cs.joined());
        assertEquals(1, cs.notGranted());
        String summary = cs.summary();

        OwnBoosts own = OwnBoosts.parse("RESULT ticks=9 " + summary + " guestRequests=0", 20, 31.5);
        assertEquals(new OwnBoosts(20, 4, 2, 1, 1, 20.0, 40.0, 40.0, 30.0, 31.5), roundedMicros(own), summary);
        assertEquals("guest's own boosts (critical sections the host cannot foresee, 20/s): 4 entered, 2 granted, in "
                + "force 20.0 us after the request (p99 40.0, max 40.0), 1 joined a timer boost, 1 not granted; each "
                + "held the vCPU 31.5 us", own.describe());

        OwnBoosts empty = OwnBoosts.parse(new CriticalSections(20, WORK, PERIOD, 3).summary(), 20, Double.NaN);
        assertEquals(0, empty.granted());
        assertTrue(Double.isNaN(empty.inForceP99()), "no latency without grants");
    }

    /** HdrHistogram keeps 3 significant digits: compare at 0.1 µs. */
    private static OwnBoosts roundedMicros(OwnBoosts o) {
        return new OwnBoosts(o.perSecond(), o.entered(), o.granted(), o.joined(), o.notGranted(),
                Math.round(o.inForceP50() * 10) / 10.0, Math.round(o.inForceP99() * 10) / 10.0,
                Math.round(o.inForceMax() * 10) / 10.0, Math.round(o.inForceMean() * 10) / 10.0, o.boostedMean());
    }

    /** Accepts every thread and change, as root would, and remembers each thread's attributes. */
    private static final class PermissiveActuator implements PriorityActuator {
        final Map<Integer, ThreadAttributes> current = new ConcurrentHashMap<>();

        @Override
        public VcpuThread identify(int tid) {
            return new VcpuThread(1, tid, 1);
        }

        @Override
        public ThreadAttributes read(VcpuThread t) {
            return current.getOrDefault(t.tid(), ThreadAttributes.normal(0));
        }

        @Override
        public void apply(VcpuThread t, ThreadAttributes attributes) throws ActuatorException {
            current.put(t.tid(), attributes);
        }
    }

    @Test
    void theGuestsOwnRequestIsGrantedThroughItsNotifyAndReleasedAfter(@TempDir Path out) throws Exception {
        int vcpuTid = 4242; // stands for the guest's vCPU thread: the agent changes it through the actuator only
        PermissiveActuator actuator = new PermissiveActuator();
        DemoConfig config = new DemoConfig(1_000_000_000L, PERIOD, 20_000L, 100_000L, 1_000_000_000L, 0, 0, 0,
                List.of(DemoMode.DYNAMIC), out, 1, SchedPolicy.FIFO, 50);
        try (DynamicHost host = DynamicHost.create(config, new RtControl(actuator))) {
            List<String> args = host.guestArguments();
            Path region = Path.of(args.get(0).substring("region=".length()));
            Path socket = Path.of(args.get(2).substring("socket=".length()));
            try (GuestProtocolHooks hooks = GuestProtocolHooks.open(region, 0, socket, 50, "FIFO")) {
                // not connected: the request is in the region but no NOTIFY made the host act on it yet
                assertEquals(CriticalSections.Answer.NOT_GRANTED, hooks.enterCritical());
                hooks.leaveCritical();
                host.acceptGuest(vcpuTid);
                hooks.connect();
                // the guest's answer must be the agent's decision; the first is granted (nothing boosted before),
                // a later one may be denied when a slow (cold, loaded) run used up the 50 ms per 100 ms budget
                for (int i = 0; i < 3; i++) {
                    VmCounters before = host.counters();
                    CriticalSections.Answer answer = hooks.enterCritical();
                    VmCounters after = host.counters();
                    String why = "request " + i + ", agent: " + after;
                    if (after.granted() > before.granted()) {
                        assertEquals(CriticalSections.Answer.GRANTED, answer, why);
                        assertEquals(ThreadAttributes.fifo(50), actuator.current.get(vcpuTid), "in force: " + why);
                    } else {
                        assertEquals(1, after.denied() - before.denied(), why);
                        assertEquals(CriticalSections.Answer.NOT_GRANTED, answer, why);
                        assertTrue(i > 0, why);
                    }
                    hooks.leaveCritical();
                    assertEquals(ThreadAttributes.normal(0), actuator.current.get(vcpuTid), "put back at once: " + why);
                }
                assertTrue(host.counters().granted() >= 1);
                assertEquals(0, host.counters().hostGranted());
            }
        }
    }
}
