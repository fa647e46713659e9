package dev.vboost.tools.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vboost.agent.HostAgent;
import dev.vboost.agent.actuator.RecordingActuator;
import dev.vboost.agent.actuator.ThreadAttributes;
import dev.vboost.agent.policy.PolicyConfig;
import dev.vboost.api.role.GuestEndpoint;
import dev.vboost.api.role.HostEndpoint;
import dev.vboost.api.wire.BoostReason;
import dev.vboost.api.wire.Feature;
import dev.vboost.api.wire.SchedPolicy;
import dev.vboost.impl.HostRegionConfig;
import dev.vboost.impl.Regions;
import dev.vboost.impl.memory.ByteBufferSharedMemory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The agent loop's metrics: a running agent's endpoint scraped over loopback while it idles, ends a boost at
 * its bound and takes a NOTIFY; the wake-up counters per cause and the lateness histogram move (the doorbell's
 * ring cause is counted in host-agent's {@code LoopCountersTest}).
 */
class LoopMetricsScrapeTest {
    private static final long WAIT = TimeUnit.SECONDS.toNanos(20);
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void wakeUpsPerCauseAndLatenessMove() throws Exception {
        HostRegionConfig config = HostRegionConfig.defaults(1);
        ByteBufferSharedMemory memory = ByteBufferSharedMemory.allocateDirect((int) config.regionSize());
        HostEndpoint host = Regions.createHost(memory, config);
        GuestEndpoint guest = Regions.attachGuest(memory, Feature.DEFINED_MASK);
        RecordingActuator actuator = new RecordingActuator().addThread(11, ThreadAttributes.normal(0));
        PolicyConfig policy = PolicyConfig.builder().boostPolicy(SchedPolicy.FIFO).priorityCeiling(10)
                .maxBoostNanos(TimeUnit.MILLISECONDS.toNanos(2)).build();
        try (HostAgent agent = HostAgent.builder().addVm("vm", host, policy, Map.of(0, 11)).actuator(actuator)
                .idlePollNanos(TimeUnit.MILLISECONDS.toNanos(20)).build().start();
                MetricsEndpoint endpoint = MetricsEndpoint.start("127.0.0.1:0",
                        new AgentMetrics(() -> List.of(agent.counters("vm")), () -> 0, agent::loopCounters))) {
            URI uri = URI.create(endpoint.url());
            String first = scrape(uri);
            double polls = value(first, "vboost_agent_wakeups_total", "cause=\"poll\"");
            double timed = value(first, "vboost_agent_loop_lateness_seconds_count", "");
            assertEquals(timed, value(first, "vboost_agent_loop_lateness_seconds_bucket", "le=\"+Inf\""), first);

            // idle: the poll ends waits, each one timed
            String idle = awaitScrape(uri, t -> value(t, "vboost_agent_wakeups_total", "cause=\"poll\"") - polls - 2,
                    "two more idle polls");
            assertTrue(value(idle, "vboost_agent_loop_lateness_seconds_count", "") >= timed + 2, idle);
            assertTrue(value(idle, "vboost_agent_loop_lateness_seconds_sum", "") > 0, idle);

            // a boost nobody releases: its 2 ms bound ends a wait before the 20 ms poll
            guest.requestBoost(0, SchedPolicy.FIFO, 5, 0, BoostReason.IRQ.bit());
            String expired = awaitScrape(uri, t -> value(t, "vboost_expiries_total", "vm=\"vm\"") - 1,
                    "the boost's expiry");
            awaitScrape(uri, t -> value(t, "vboost_agent_wakeups_total", "cause=\"deadline\"") - 1,
                    "a wake-up at the boost's deadline after:\n" + expired);

            double signals = value(scrape(uri), "vboost_agent_wakeups_total", "cause=\"signal\"");
            String last = awaitScrape(uri, t -> {
                agent.notifySlot(agent.vmIndex("vm"), 0, 0); // until one lands inside a wait
                return value(t, "vboost_agent_wakeups_total", "cause=\"signal\"") - signals - 1;
            }, "a NOTIFY");
            // the default waiter hears no doorbell: the ring series is there and stays 0
            assertEquals(0.0, value(last, "vboost_agent_wakeups_total", "cause=\"ring\""), last);
            // the buckets are cumulative and end at +Inf = count
            double below = 0;
            Matcher m = Pattern.compile("(?m)^vboost_agent_loop_lateness_seconds_bucket\\{le=\"([^\"]+)\"} (\\S+)$")
                    .matcher(last);
            int buckets = 0;
            while (m.find()) {
                double n = Double.parseDouble(m.group(2));
                assertTrue(n >= below, last);
                below = n;
                buckets++;
            }
            assertEquals(22, buckets, last);
            assertEquals(below, value(last, "vboost_agent_loop_lateness_seconds_count", ""), last);
            assertTrue(value(last, "vboost_agent_loop_lateness_max_seconds", "") > 0, last);
        }
    }

    /** Scrapes until {@code missing} is at most 0 (bounded); returns that scrape. */
    private String awaitScrape(URI uri, ToDoubleFunction<String> missing, String what) throws Exception {
        long until = System.nanoTime() + WAIT;
        String text = scrape(uri);
        while (missing.applyAsDouble(text) < 0) {
            String last = text;
            assertTrue(System.nanoTime() - until < 0, () -> what + " not seen within 20 s:\n" + last);
            Thread.sleep(10);
            text = scrape(uri);
        }
        return text;
    }

    private String scrape(URI uri) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r::body);
        return r.body();
    }

    /** The value of a sample in Prometheus text format; labels as printed (sorted by name), or "" for none. */
    private static double value(String text, String name, String labels) {
        String head = labels.isEmpty() ? name : name + "{" + labels + "}";
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(head) + " (\\S+)$").matcher(text);
        assertTrue(m.find(), () -> head + " not in:\n" + text);
        return Double.parseDouble(m.group(1));
    }
}
