package dev.vboost.tools.cli;

import dev.vboost.agent.HostAgent;
import dev.vboost.agent.qmp.QmpVcpuWatcher;
import dev.vboost.agent.stats.VmCounters;
import dev.vboost.tools.metrics.AgentMetrics;
import dev.vboost.tools.metrics.MetricsEndpoint;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The one-VM {@code vboost agent} while it serves: the metrics endpoint, the wait for Ctrl-C / SIGTERM or
 * {@code --duration}, following QMP vCPU changes, the periodic counters line, and the final 'stopped' line.
 */
final class AgentRunLoop {
    private final PrintWriter out;
    private final HostAgent agent;
    private final @Nullable QmpVcpuWatcher watcher;
    private final @Nullable AgentDoorbell doorbell;
    private final StopSignals stop;
    private final int slotCount;
    private Map<Integer, Integer> vcpus;

    AgentRunLoop(PrintWriter out, HostAgent agent, @Nullable QmpVcpuWatcher watcher, @Nullable AgentDoorbell doorbell,
            StopSignals stop, int slotCount, Map<Integer, Integer> vcpus) {
        this.out = out;
        this.agent = agent;
        this.watcher = watcher;
        this.doorbell = doorbell;
        this.stop = stop;
        this.slotCount = slotCount;
        this.vcpus = vcpus;
    }

    /** With --metrics: serves the VM's counters and the agent loop's on it (null without --metrics). */
    @Nullable MetricsEndpoint startMetrics(@Nullable String metricsSpec) throws IOException {
        if (metricsSpec == null) {
            return null;
        }
        MetricsEndpoint endpoint = MetricsEndpoint.start(metricsSpec,
                new AgentMetrics(() -> List.of(agent.counters("vm")), () -> 0, agent::loopCounters));
        out.println("vboost agent: metrics on " + endpoint.url());
        return endpoint;
    }

    /** Runs until a stop signal or the end of {@code durationSeconds} (0: no end); counters every statsSeconds. */
    void run(double durationSeconds, double statsSeconds) throws InterruptedException {
        long end = durationSeconds > 0 ? System.nanoTime() + (long) (durationSeconds * 1e9) : Long.MAX_VALUE;
        long step = statsSeconds > 0 ? (long) (statsSeconds * 1e9) : Long.MAX_VALUE;
        long nextStats = System.nanoTime() + step;
        QmpVcpuWatcher w = watcher;
        while (true) {
            // with --qmp, wake often enough to follow a vCPU change promptly
            long wait = Math.min(w != null ? 20_000_000L : Long.MAX_VALUE, nextStats - System.nanoTime());
            long left = end == Long.MAX_VALUE ? wait : Math.min(wait, end - System.nanoTime());
            if (stop.await(Math.max(0, left)) || System.nanoTime() - end >= 0) {
                break;
            }
            if (w != null && !VcpuDiscovery.servable(w.current(), slotCount).equals(vcpus)) {
                // only the slots whose thread changed are restored and re-served; the others keep their boosts
                vcpus = VcpuDiscovery.servable(w.current(), slotCount);
                if (vcpus.size() < w.current().size()) {
                    out.println("vboost agent: vCPUs " + w.current().keySet() + " include indexes the "
                            + slotCount + "-slot region cannot serve; give --slots the VM's maxcpus");
                }
                agent.remapVcpus("vm", vcpus);
                out.println("vboost agent: vCPU threads now " + vcpus + " (QMP)");
                out.flush();
            }
            if (statsSeconds > 0 && System.nanoTime() - nextStats >= 0) {
                out.println(countersLine());
                out.flush();
                nextStats += step;
            }
        }
    }

    /**
     * Stops the agent (every boosted thread restored) and the watcher, prints the 'stopped' line, then removes
     * the signal handlers and closes the doorbell.
     */
    void finish() {
        try {
            agent.stop();
            if (watcher != null) {
                watcher.close();
            }
            String signal = stop.received();
            out.println("stopped" + (signal != null ? " by " + signal + ", every boosted thread restored" : "")
                    + "; " + countersLine());
            out.flush();
        } finally {
            stop.close();
            if (doorbell != null) {
                doorbell.close(); // after the agent stopped: its thread waited on the server's eventfd
            }
        }
    }

    private String countersLine() {
        AgentDoorbell d = doorbell;
        return stats(agent.counters("vm")) + (d != null ? "; " + d.stats() : "");
    }

    static String stats(VmCounters c) {
        return String.format(Locale.ROOT, "granted %d, denied %d, released %d, expired %d, throttled %d, invalid %d, "
                + "host boosts %d, actuator failures %d, boosted %.3f s", c.granted(), c.denied(), c.released(),
                c.expired(), c.throttled(), c.invalid(), c.hostGranted(), c.actuatorFailures(), c.boostedNanos() / 1e9);
    }
}
