package dev.vboost.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vboost.agent.actuator.ActuatorException;
import dev.vboost.agent.actuator.LinuxPriorityActuator;
import dev.vboost.agent.actuator.LinuxThreads;
import dev.vboost.agent.actuator.ThreadAttributes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo end to end, short: three modes of 4 s under two CPU hogs (stress-ng, or child JVMs without it) on one
 * CPU. Needs the right to set real-time priorities; locally it skips without it, in CI ({@code CI=true}) it
 * must run.
 */
class DemoEndToEndTest {

    @Test
    void dynamicBoostingBeatsVanillaLatencyAndLeavesTheHogsMoreThanStatic(@TempDir Path out) throws IOException, InterruptedException {
        boolean ci = "true".equals(System.getenv("CI"));
        String noRt = realtimeUnavailable();
        if (!ci) {
            assumeTrue(noRt == null, () -> "cannot set real-time priorities here: " + noRt + " (CI=true forces the test)");
        }
        // one CPU shared by the vCPU, two hogs and the host agent; 4 s x 1 ms ticks per mode is ~4000 samples,
        // 40 of them above p99, so one unlucky stall of a loaded shared machine cannot decide the outcome alone
        CliRun r = CliRun.of("demo", "--duration", "4", "--warmup", "0.5", "--hogs", "2", "--seed", "7",
                "--out", out.toString());
        assertEquals(0, r.exit, r::toString);
        String json = Files.readString(out.resolve("demo.json"));
        assertTrue(json.contains("\"realtime_available\": true"), json);
        double vanillaP99 = number(json, "vanilla", "p99");
        double dynamicP99 = number(json, "dynamic", "p99");
        double dynamicHogs = number(json, "dynamic", "hog_cpu_share");
        double staticHogs = number(json, "static", "hog_cpu_share");
        double dynamicBoosted = number(json, "dynamic", "boosted_share");
        String summary = String.format("vanilla p99 %.1f us, dynamic p99 %.1f us, hogs dynamic %.3f vs static %.3f, "
                + "dynamic boosted %.3f%n%s", vanillaP99, dynamicP99, dynamicHogs, staticHogs, dynamicBoosted, r.out);
        double vanillaHogs = number(json, "vanilla", "hog_cpu_share");
        assertTrue(dynamicP99 * 4 < vanillaP99, "dynamic p99 not well below vanilla: " + summary);
        assertTrue(dynamicBoosted > 0 && dynamicBoosted < 0.6, "implausible boosted share: " + summary);
        // the guest's own requests (critical sections, 20/s by default): every one answered one way or another,
        // and some granted on their own (they are kept away from the ticks; a late timer boost may still be in
        // force, then they join it)
        double sections = number(json, "dynamic", "critical_sections");
        double granted = number(json, "dynamic", "granted");
        assertTrue(sections > 0 && granted > 0, "no own boost granted: " + summary);
        assertEquals(sections, granted + number(json, "dynamic", "joined_timer_boost")
                + number(json, "dynamic", "not_granted"), 0.0, summary);
        String svg = Files.readString(out.resolve("latency.svg"));
        assertTrue(svg.startsWith("<svg") && svg.split("<polyline", -1).length - 1 == 3, "plot should have 3 curves");
        for (String m : new String[] {"vanilla", "dynamic", "static"}) {
            assertTrue(Files.size(out.resolve("latency-" + m + ".hgrm")) > 0, m);
        }
        assertTrue(r.out.contains("Output: " + out.toAbsolutePath()), r::toString);
        // Static RT leaves the hogs only what RT throttling spares (5 % of the CPU); dynamic boosting takes a
        // fraction of each period. On an otherwise idle CPU the gap is large (about 0.6 vs 0.05). When other
        // processes crowd the measured CPU, the hogs get little even in vanilla mode and the difference cannot be
        // measured: locally that is a reason to stop here (said so), in CI the check runs regardless.
        if (!ci) {
            assumeTrue(vanillaHogs >= 0.3, () -> "latency checks passed; the hogs' CPU comparison needs a quieter "
                    + "machine: other processes left the hogs only " + Math.round(vanillaHogs * 100)
                    + " % of the CPU even in vanilla mode (" + summary + ")");
        }
        assertTrue(dynamicHogs > staticHogs * 1.1, "hogs did not keep more CPU under dynamic than static: " + summary);
    }

    /** The number after {@code "key":} inside the modes entry of {@code mode}. */
    static double number(String json, String mode, String key) {
        int at = json.indexOf("\"mode\": \"" + mode + "\"");
        assertTrue(at >= 0, "no entry for " + mode + " in\n" + json);
        int endOfEntry = json.indexOf("\"mode\": ", at + 1);
        String entry = json.substring(at, endOfEntry < 0 ? json.length() : endOfEntry);
        Matcher m = Pattern.compile("\"" + Pattern.quote(key) + "\": (-?[0-9.]+)").matcher(entry);
        assertTrue(m.find(), "no number " + key + " for " + mode + " in\n" + entry);
        String v = m.group(1);
        assertNotNull(v);
        return Double.parseDouble(v);
    }

    /** Null if this process may give its threads SCHED_FIFO, else why not (tried on a scratch thread). */
    static @org.checkerframework.checker.nullness.qual.Nullable String realtimeUnavailable() throws InterruptedException {
        String[] why = new String[1];
        Thread t = new Thread(() -> {
            try {
                LinuxPriorityActuator a = new LinuxPriorityActuator();
                int tid = LinuxThreads.currentTid();
                ThreadAttributes before = a.read(tid);
                a.apply(tid, ThreadAttributes.fifo(1));
                a.apply(tid, before);
            } catch (ActuatorException | RuntimeException | LinkageError e) {
                why[0] = e.toString();
            }
        }, "rt-probe");
        t.start();
        t.join();
        return why[0];
    }

    static boolean onPath(String exe) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, exe))) {
                return true;
            }
        }
        return false;
    }
}
