package dev.vboost.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vboost.tools.bench.ScaleBench;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A very short run of the scale benchmark (scripts/scale-bench.sh) in doorbell mode: the agent child serves two
 * VMs through their ivshmem servers and one eventfd waiter, the guests ring; the line must parse, show answered
 * requests and the rings the waiter consumed, and leave no region or socket behind. Boosts are real, so it needs
 * the right to set real-time priorities (skips without it locally, runs regardless with {@code CI=true}).
 */
class ScaleBenchTest {
    @TempDir
    Path tmp;

    @Test
    void doorbellModeAnswersRequestsWokenByRings() throws Exception {
        if (!"true".equals(System.getenv("CI"))) {
            String noRt = DemoEndToEndTest.realtimeUnavailable();
            assumeTrue(noRt == null, () -> "cannot set real-time priorities here: " + noRt + " (CI=true forces the test)");
        }
        String line = ScaleBench.run(2, "steady", 1, 50, tmp, true);
        Map<String, String> f = new HashMap<>();
        for (String kv : line.split(" ")) {
            int eq = kv.indexOf('=');
            assertTrue(eq > 0, () -> "not key=value: '" + kv + "' in " + line);
            f.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        assertEquals("2", f.get("vms"), line);
        assertEquals("doorbell", f.get("agent_mode"), line);
        long requests = Long.parseLong(f.getOrDefault("requests", "-1"));
        long rings = Long.parseLong(f.getOrDefault("rings", "-1"));
        assertTrue(requests > 0, () -> "no request answered: " + line);
        // each answered request and its release were rung, and the interval ends with every release answered
        assertTrue(rings >= 2 * requests, () -> "fewer rings consumed than publications rung: " + line);
        assertTrue(Double.parseDouble(f.getOrDefault("p50_us", "-1")) > 0, line);
        assertTrue(Long.parseLong(f.getOrDefault("wakeups", "-1")) > 0, line);
        try (Stream<Path> left = Files.list(tmp)) {
            assertEquals(0, left.count(), "regions, sockets and the spec file are removed after the run");
        }
    }
}
