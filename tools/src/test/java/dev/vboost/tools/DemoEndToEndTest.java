package dev.vboost.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo end to end, short: three modes of 3 s under two stress-ng hogs. Needs root (real-time priorities)
 * and stress-ng; locally it skips without them, in CI ({@code CI=true}) it must run.
 */
class DemoEndToEndTest {

    @Disabled("dynamic mode still throws \"pending protocol-impl\" on main; issue #6 work in progress")
    @Test
    void dynamicBoostingBeatsVanillaLatencyAndLeavesTheHogsMoreThanStatic(@TempDir Path out) throws IOException {
        boolean ci = "true".equals(System.getenv("CI"));
        boolean root = "root".equals(System.getProperty("user.name"));
        boolean stress = onPath("stress-ng");
        if (!ci) {
            assumeTrue(root, "needs root for SCHED_FIFO (set CI=true to force)");
            assumeTrue(stress, "needs stress-ng on PATH (set CI=true to force)");
        }
        CliRun r = CliRun.of("demo", "--duration", "3", "--warmup", "0.5", "--hogs", "2", "--seed", "7",
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
        assertTrue(dynamicP99 * 4 < vanillaP99, "dynamic p99 not well below vanilla: " + summary);
        assertTrue(dynamicHogs > staticHogs + 0.2, "hogs did not keep more CPU under dynamic than static: " + summary);
        assertTrue(dynamicBoosted > 0 && dynamicBoosted < 0.6, "implausible boosted share: " + summary);
        String svg = Files.readString(out.resolve("latency.svg"));
        assertTrue(svg.startsWith("<svg") && svg.split("<polyline", -1).length - 1 == 3, "plot should have 3 curves");
        for (String m : new String[] {"vanilla", "dynamic", "static"}) {
            assertTrue(Files.size(out.resolve("latency-" + m + ".hgrm")) > 0, m);
        }
        assertTrue(r.out.contains("Output: " + out.toAbsolutePath()), r::toString);
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
