package dev.vboost.tools.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.checkerframework.checker.nullness.qual.Nullable;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * How the one-VM {@code vboost agent} stops on Ctrl-C or {@code SIGTERM} with every thread restored (issue 13):
 * SIGINT and SIGTERM only wake the command's own thread, which then runs its normal stop path (agent stopped,
 * threads restored, journal cleared, "stopped" line) and returns exit 0, so no JVM shutdown races the restore.
 * Any other shutdown (System.exit elsewhere, SIGHUP) runs a hook that wakes the same thread and waits for it to
 * finish that path. Where the JVM refuses the signal handlers ({@code -Xrs}), the hook alone does the waiting.
 */
final class StopSignals implements AutoCloseable {
    private static final long HOOK_WAIT_SECONDS = 20;

    private final CountDownLatch stop = new CountDownLatch(1);
    private final CountDownLatch finished = new CountDownLatch(1);
    private final List<Signal> signals = new ArrayList<>();
    private final List<SignalHandler> previous = new ArrayList<>();
    private final Thread hook;
    private volatile @Nullable String received;

    private StopSignals() {
        hook = new Thread(() -> {
            stop.countDown();
            try {
                finished.await(HOOK_WAIT_SECONDS, TimeUnit.SECONDS); // the command restores, then the JVM may end
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "vboost-agent-shutdown");
    }

    /** Installs the handlers and the hook; {@link #close()} takes them back. */
    static StopSignals install() {
        StopSignals s = new StopSignals();
        Runtime.getRuntime().addShutdownHook(s.hook);
        for (String name : new String[] {"TERM", "INT"}) {
            Signal sig = new Signal(name);
            try {
                s.previous.add(Signal.handle(sig, x -> {
                    s.received = "SIG" + name;
                    s.stop.countDown();
                }));
                s.signals.add(sig);
            } catch (IllegalArgumentException e) {
                // the JVM keeps this signal (-Xrs, or in use): the shutdown hook covers it
            }
        }
        return s;
    }

    /**
     * Waits for a stop.
     *
     * @return true once SIGINT, SIGTERM or a JVM shutdown asked to stop
     */
    boolean await(long nanos) throws InterruptedException {
        return stop.await(nanos, TimeUnit.NANOSECONDS);
    }

    /** The signal that stopped the command ("SIGTERM", "SIGINT"), or null. */
    @Nullable String received() {
        return received;
    }

    /** Called once everything is restored: a waiting shutdown hook lets the JVM end; handlers are put back. */
    @Override
    public void close() {
        finished.countDown();
        for (int i = 0; i < signals.size(); i++) {
            Signal.handle(signals.get(i), previous.get(i));
        }
        signals.clear();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook is waiting on finished, released above
        }
    }
}
