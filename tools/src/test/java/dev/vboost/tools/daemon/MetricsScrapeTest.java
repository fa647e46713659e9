package dev.vboost.tools.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vboost.agent.actuator.LinuxThreads;
import dev.vboost.agent.actuator.RecordingActuator;
import dev.vboost.agent.actuator.ThreadAttributes;
import dev.vboost.api.wire.SlotStatus;
import dev.vboost.tools.metrics.MetricsEndpoint;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --metrics}: a running daemon's endpoint scraped over loopback; the figures move as boosts happen. */
class MetricsScrapeTest {
    @TempDir
    Path tmp;

    @Test
    void figuresMoveAsBoostsHappen() throws Exception {
        Path vms = Files.createDirectory(tmp.resolve("vms"));
        Path policy = tmp.resolve("p");
        // 200 ms longest boost: the second boost ends by expiry
        Files.writeString(policy, "boost.policy=RR\npriority.ceiling=10\nboost.max.us=200000\n"
                + "budget.window.us=10000000\nbudget.us=10000000\n");
        int[] tids = LinuxThreads.threadsOf(ProcessHandle.current().pid());
        RecordingActuator actuator = new RecordingActuator();
        for (int t : tids) {
            actuator.addThread(t, ThreadAttributes.DEFAULT);
        }
        Files.writeString(vms.resolve("web1.vm"), "region=" + tmp.resolve("r1") + "\npolicy=" + policy
                + "\nvcpus=0=" + tids[0] + ",1=" + tids[1] + "\n");
        Files.writeString(vms.resolve("broken.vm"), "region=" + tmp.resolve("r2") + "\n");
        AgentDaemon.Options o = new AgentDaemon.Options(vms, null, "127.0.0.1:0", Duration.ofSeconds(600), true);
        HttpClient http = HttpClient.newHttpClient();
        try (AgentDaemon d = AgentDaemon.start(o, () -> actuator)) {
            MetricsEndpoint m = d.metrics();
            assertTrue(m != null && m.url().startsWith("http://127.0.0.1:"), String.valueOf(m));
            URI uri = URI.create(m.url());
            String before = scrape(http, uri);
            assertEquals(1.0, value(before, "vboost_vms", ""), before);
            assertEquals(1.0, value(before, "vboost_vm_files_bad", ""), before);
            assertEquals(0.0, value(before, "vboost_grants_total", "reason=\"rt_task\",vm=\"web1\""), before);
            for (String kind : new String[] {"invalid_id", "id_backwards", "id_jump", "ack_out_of_range", "guest_header"}) {
                assertEquals(0.0, value(before, "vboost_guest_protocol_errors_total", "kind=\"" + kind + "\",vm=\"web1\""),
                        before); // the series exists, and a well-behaved guest never moves it
            }

            try (TestGuest g = TestGuest.attach(tmp.resolve("r1"))) {
                assertEquals(SlotStatus.BOOSTED, g.boost(0, 5));
                assertEquals(SlotStatus.NORMAL, g.release(0));
                assertEquals(SlotStatus.BOOSTED, g.boost(1, 5));
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                String after = "";
                do {
                    String last = after;
                    assertTrue(System.nanoTime() - until < 0, () -> "no expiry counted within 20 s:\n" + last);
                    Thread.sleep(20);
                    after = scrape(http, uri);
                } while (value(after, "vboost_expiries_total", "vm=\"web1\"") < 1);
                assertEquals(2.0, value(after, "vboost_grants_total", "reason=\"rt_task\",vm=\"web1\""), after);
                assertEquals(1.0, value(after, "vboost_releases_total", "vm=\"web1\""), after);
                assertEquals(0.0, value(after, "vboost_denials_total", "cause=\"budget_exhausted\",vm=\"web1\""), after);
                assertEquals(0.0, value(after, "vboost_actuator_failures_total", "vm=\"web1\""), after);
                double boosted = value(after, "vboost_boosted_seconds_total", "vm=\"web1\"");
                assertTrue(boosted >= 0.15 && boosted < 5, "the expired boost lasted about 200 ms: " + boosted);
            }
        }
    }

    private static String scrape(HttpClient http, URI uri) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r::body);
        return r.body();
    }

    /** The value of a sample in Prometheus text format; labels as printed (sorted by name), or "" for none. */
    static double value(String text, String name, String labels) {
        String head = labels.isEmpty() ? name : name + "{" + labels + "}";
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(head) + " (\\S+)$").matcher(text);
        assertTrue(m.find(), () -> head + " not in:\n" + text);
        return Double.parseDouble(m.group(1));
    }
}
