package dev.vboost.tools.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vboost.agent.actuator.RecordingActuator;
import dev.vboost.agent.actuator.ThreadAttributes;
import dev.vboost.agent.actuator.VcpuThread;
import dev.vboost.api.wire.SchedPolicy;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dynamic mode's account of its boosted time: the actuator's timeline and the report's line and JSON. */
class BoostBreakdownTest {

    @Test
    void timesBoostsAgainstTheTickTheyServeInsideTheWindowOnly() throws Exception {
        BoostTimeline tl = new BoostTimeline(new RecordingActuator().addThread(7, ThreadAttributes.normal(0)));
        VcpuThread t = tl.identify(7);
        tl.apply(t, ThreadAttributes.fifo(10)); // before the schedule is known: not timed
        tl.apply(t, ThreadAttributes.normal(0));
        assertEquals(0, tl.boosts());

        long period = TimeUnit.SECONDS.toNanos(100); // every boost below serves the tick at t0
        long t0 = System.nanoTime();
        tl.schedule(t0, period, t0, t0 + period);
        long before = System.nanoTime();
        tl.timerIteration(true); // raised by the timer's boost
        tl.apply(t, ThreadAttributes.fifo(10));
        tl.timerIteration(false);
        tl.apply(t, ThreadAttributes.fifo(10)); // still raised: the same boost
        tl.apply(t, ThreadAttributes.normal(0));
        long after = System.nanoTime();
        assertEquals(1, tl.boosts());
        assertTrue(tl.meanLeadMicros() <= (t0 - before) / 1e3 && tl.meanLeadMicros() >= (t0 - after) / 1e3,
                "raised after t0: lead " + tl.meanLeadMicros());
        assertTrue(tl.meanTailMicros() >= (before - t0) / 1e3 && tl.meanTailMicros() <= (after - t0) / 1e3,
                "tail " + tl.meanTailMicros());
        assertTrue(tl.medianTailMicros() >= 0, "median " + tl.medianTailMicros());

        tl.schedule(t0, period, t0 + 1, t0 + period); // the tick at t0 is now before the window
        tl.timerIteration(true);
        tl.apply(t, ThreadAttributes.fifo(10));
        tl.timerIteration(false);
        tl.apply(t, ThreadAttributes.normal(0));
        assertEquals(1, tl.boosts());
    }

    @Test
    void timesTheTimersBoostsAgainstTheirTickAndTheGuestsByTheirLength() throws Exception {
        BoostTimeline tl = new BoostTimeline(new RecordingActuator().addThread(7, ThreadAttributes.normal(0)));
        VcpuThread t = tl.identify(7);
        long period = TimeUnit.SECONDS.toNanos(100);
        long t0 = System.nanoTime();
        tl.schedule(t0, period, t0 - period, t0 + period);
        assertEquals("actuator - us per raise, - us per restore; timer's raise to agent thread waiting - us; guest's "
                + "exit to restore call - us", tl.hostSplit(), "nothing timed yet");
        tl.timerIteration(true);
        tl.apply(t, ThreadAttributes.fifo(10));
        tl.timerIteration(false);
        tl.agentParks(System.nanoTime() + 1);
        tl.exitReceived(System.nanoTime());
        tl.apply(t, ThreadAttributes.normal(0)); // the guest's ack, restored outside the timer's iteration
        assertTrue(tl.hostSplit().matches("actuator [0-9.]+ us per raise, [0-9.]+ us per restore; timer's raise to "
                + "agent thread waiting [0-9.]+ us; guest's exit to restore call [0-9.]+ us"), tl.hostSplit());
        long before = System.nanoTime();
        tl.apply(t, ThreadAttributes.fifo(10)); // a guest request's boost
        tl.apply(t, ThreadAttributes.normal(0));
        long after = System.nanoTime();
        assertEquals(1, tl.boosts());
        assertEquals(1, tl.guestBoosts());
        assertTrue(tl.meanGuestBoostMicros() >= 0 && tl.meanGuestBoostMicros() <= (after - before) / 1e3,
                "length " + tl.meanGuestBoostMicros());
    }

    @Test
    void reportAndJsonShowWhoBoostedAndWhereTheTimeWent(@TempDir Path out) throws Exception {
        DemoConfig config = new DemoConfig(1_000_000_000L, 1_000_000L, 20_000L, 100_000L, 3_000_000L, 0, 2, 1,
                List.of(DemoMode.DYNAMIC), out, 1, SchedPolicy.FIFO, 50);
        Histogram h = new Histogram(GuestVcpuMain.HIGHEST_TRACKABLE_NANOS, 3);
        h.recordValue(4_000);
        BoostBreakdown b = new BoostBreakdown(12, 980, 3, 61.5, 2.5, 40.0, 30.0, 59.0, 50.0, 0.071,
                new OwnBoosts(20, 15, 12, 2, 1, 18.5, 33.0, 70.0, 19.0, 28.5), "actuator 9.0 us per raise");
        ModeResult dynamic = new ModeResult(DemoMode.DYNAMIC, "ok", "n", h, 1000, 0, 1.0, 0.06, 0.5, 0.3, 992, 0, b);
        DemoOutcome o = new DemoOutcome(config, List.of(dynamic), null);
        List<String> lines = DemoReport.comparison(o);
        assertTrue(lines.contains("dynamic boosts: 12 guest boosts granted, 980 host (timer) boosts; vCPU boosted "
                + "61.5 us per tick: raised 2.5 us before its tick (timer advance 40.0 us), guest done 30.0 us after, "
                + "restored 59.0 us after (median 50.0); the host's agent and hypercall threads used 7.1% of the CPU"),
                lines.toString());
        assertTrue(lines.contains("guest's own boosts (critical sections the host cannot foresee, 20/s): 15 entered, "
                + "12 granted, in force 18.5 us after the request (p99 33.0, max 70.0), 2 joined a timer boost, 1 not "
                + "granted; each held the vCPU 28.5 us"), lines.toString());
        assertTrue(lines.contains("host side per boost: actuator 9.0 us per raise"), lines.toString());
        String json = DemoReport.json(o);
        assertTrue(json.contains("\"own_boosts\": {"), json);
        assertTrue(json.contains("\"critical_sections\": 15"), json);
        assertTrue(json.contains("\"granted\": 12"), json);
        assertTrue(json.contains("\"joined_timer_boost\": 2"), json);
        assertTrue(json.contains("\"p99\": 33.0"), json);
        assertTrue(json.contains("\"boosted_us_per_own_boost\": 28.5"), json);
        assertTrue(json.contains("\"guest_boosts_granted\": 12"), json);
        assertTrue(json.contains("\"boosted_us_per_tick\": 61.5"), json);
        assertTrue(json.contains("\"host_threads_cpu_share\": 0.071"), json);
    }
}
