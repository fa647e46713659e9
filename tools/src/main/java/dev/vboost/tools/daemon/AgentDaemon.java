package dev.vboost.tools.daemon;

import dev.vboost.agent.actuator.PriorityActuator;
import dev.vboost.agent.stats.VmCounters;
import dev.vboost.impl.memory.FileAccess;
import dev.vboost.tools.metrics.AgentMetrics;
import dev.vboost.tools.metrics.MetricsEndpoint;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * {@code vboost agent --vm-dir DIR}: one agent (one thread, one journal) for every VM described in DIR, until stopped. The stop (end of
 * {@code --duration}, Ctrl-C, {@code SIGTERM}) runs {@link #shutdown()} on whichever thread gets there first, and
 * the JVM's shutdown hook waits for it, so every boosted thread is restored before the JVM exits.
 */
public final class AgentDaemon implements AutoCloseable {
    /** Default safety poll: the agent's longest sleep while every served VM has a doorbell (spec §12.2). */
    public static final long DEFAULT_SAFETY_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private final VmHost host;
    private final VmDirectory directory;
    private @Nullable MetricsEndpoint metrics;
    private boolean shutDown;

    /**
     * Options of the daemon mode, checked by the caller.
     *
     * @param regionAccess    owner, group and mode of every VM's region file
     * @param safetyPollNanos the agent's longest sleep while every served VM has a doorbell, 1 ms..10 s
     */
    public record Options(Path vmDir, @Nullable Path journal, @Nullable String metrics, Duration rescan,
            boolean watch, FileAccess regionAccess, long safetyPollNanos) {
        /** With the default safety poll. */
        public Options(Path vmDir, @Nullable Path journal, @Nullable String metrics, Duration rescan, boolean watch,
                FileAccess regionAccess) {
            this(vmDir, journal, metrics, rescan, watch, regionAccess, DEFAULT_SAFETY_POLL_NANOS);
        }

        /** Region files {@code 0600}, owned by the agent's user. */
        public Options(Path vmDir, @Nullable Path journal, @Nullable String metrics, Duration rescan, boolean watch) {
            this(vmDir, journal, metrics, rescan, watch, FileAccess.OWNER_ONLY);
        }
    }

    private AgentDaemon(VmHost host, VmDirectory directory) {
        this.host = host;
        this.directory = directory;
    }

    /**
     * Starts serving: the directory's VMs, then the metrics endpoint if asked for.
     *
     * @param actuators gives the one agent's actuator (the Linux actuator outside tests)
     */
    public static AgentDaemon start(Options o, Supplier<PriorityActuator> actuators) throws IOException {
        Path journal = o.journal();
        VmHost host = new SharedAgentHost(actuators.get(), journal, o.safetyPollNanos());
        VmDirectory dir = new VmDirectory(o.vmDir(), host, o.rescan(), o.watch(), o.regionAccess());
        AgentDaemon d = new AgentDaemon(host, dir);
        try {
            dir.start();
            String spec = o.metrics();
            if (spec != null) {
                d.metrics = MetricsEndpoint.start(spec, new AgentMetrics(d::counters, dir::badFiles, host::loopCounters));
            }
        } catch (IOException | RuntimeException e) {
            d.shutdown();
            throw e;
        }
        return d;
    }

    /** Every served VM's counters. */
    public List<VmCounters> counters() {
        List<VmCounters> all = new ArrayList<>();
        for (String name : host.vmNames()) {
            VmCounters c = host.counters(name);
            if (c != null) {
                all.add(c);
            }
        }
        return all;
    }

    public VmDirectory directory() {
        return directory;
    }

    public @Nullable MetricsEndpoint metrics() {
        return metrics;
    }

    public @Nullable Throwable lastError() {
        return host.lastError();
    }

    /** Stops watching, restores every thread, stops the metrics endpoint. Idempotent, any thread. */
    public synchronized void shutdown() {
        if (shutDown) {
            return;
        }
        shutDown = true;
        try {
            directory.close();
        } finally {
            host.close();
            MetricsEndpoint m = metrics;
            if (m != null) {
                m.close();
            }
        }
    }

    @Override
    public void close() {
        shutdown();
    }

    /**
     * Runs the daemon in the foreground until {@code duration} (0: no end) or JVM shutdown; prints a line per
     * {@code statsEvery} (0: none). Returns the exit code: 0 after a clean stop, 1 if the agent failed.
     */
    public static int runForeground(Options o, Supplier<PriorityActuator> actuators, double durationSeconds,
            double statsSeconds, PrintWriter out, PrintWriter err) throws IOException {
        AgentDaemon d = start(o, actuators);
        CountDownLatch stop = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stop.countDown();
            d.shutdown(); // the JVM exits when this hook returns: restore before, not after
            // System.err, not the logger: java.util.logging resets its handlers in a shutdown hook of its own
            System.err.println("vboost agent: stopped by signal; every boosted thread restored");
            System.err.flush();
        }, "vboost-agent-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            out.println("vboost agent: serving VM directory " + o.vmDir() + " (" + d.directory.served().size()
                    + " VM(s), " + d.directory.badFiles() + " file(s) not served)");
            MetricsEndpoint m = d.metrics;
            if (m != null) {
                out.println("vboost agent: metrics on " + m.url());
            }
            out.flush();
            long end = durationSeconds > 0 ? System.nanoTime() + (long) (durationSeconds * 1e9) : Long.MAX_VALUE;
            long step = statsSeconds > 0 ? (long) (statsSeconds * 1e9) : Long.MAX_VALUE;
            while (true) {
                long left = end == Long.MAX_VALUE ? step : Math.min(step, end - System.nanoTime());
                try {
                    if (left <= 0 || stop.await(left, TimeUnit.NANOSECONDS) || System.nanoTime() - end >= 0) {
                        break;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
                out.println(d.summary());
                out.flush();
            }
        } finally {
            d.shutdown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // the JVM is shutting down: the hook runs (or ran) the same shutdown
            }
        }
        out.println("stopped; " + d.summary());
        out.flush();
        Throwable error = d.lastError();
        if (error != null) {
            err.println("vboost agent: last error: " + error);
            return 1;
        }
        return 0;
    }

    /** The counters line: every VM's counters added up, and the doorbells' rings. */
    String summary() {
        DaemonDoorbells bells = host.doorbells();
        return summary(counters()) + (bells == null ? "" : ", " + bells.stats());
    }

    static String summary(List<VmCounters> all) {
        long granted = 0;
        long denied = 0;
        long expired = 0;
        long failures = 0;
        double boosted = 0;
        for (VmCounters c : all) {
            granted += c.granted();
            denied += c.denied();
            expired += c.expired();
            failures += c.actuatorFailures();
            boosted += c.boostedNanos() / 1e9;
        }
        return String.format(java.util.Locale.ROOT, "%d VM(s): granted %d, denied %d, expired %d, actuator failures %d, "
                + "boosted %.3f s", all.size(), granted, denied, expired, failures, boosted);
    }
}
