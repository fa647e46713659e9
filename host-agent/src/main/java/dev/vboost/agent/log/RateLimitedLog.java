package dev.vboost.agent.log;

import java.util.function.LongSupplier;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Logs a repeating error without flooding the log: the first occurrence with its cause (stack trace), then at
 * most one line per interval saying how many more happened, then a line when it stops. A full file system
 * failing every boost for minutes gives a handful of lines instead of thousands of stack traces.
 * Thread-safe; one instance per kind of error.
 */
public final class RateLimitedLog {
    private final System.Logger logger;
    private final System.Logger.Level level;
    private final String what;
    private final long intervalNanos;
    private final LongSupplier clock;
    private long lastLogged;
    private long suppressed;
    private long total;
    private boolean failing;

    /**
     * A log with an explicit interval and clock.
     *
     * @param logger   where lines go
     * @param level    level of the error and count lines
     * @param what     the error, as it starts every line ("lease journal write failed")
     * @param interval how often at most a count line is written, in nanoseconds
     * @param clock    {@link System#nanoTime} in production, a fake in tests
     */
    public RateLimitedLog(System.Logger logger, System.Logger.Level level, String what, long interval,
            LongSupplier clock) {
        if (interval <= 0) {
            throw new IllegalArgumentException("interval must be positive, got " + interval);
        }
        this.logger = logger;
        this.level = level;
        this.what = what;
        this.intervalNanos = interval;
        this.clock = clock;
    }

    /**
     * One line per 10 s at most, on {@link System#nanoTime}.
     *
     * @param logger where lines go
     * @param level  level of the error and count lines
     * @param what   the error, as it starts every line
     */
    public RateLimitedLog(System.Logger logger, System.Logger.Level level, String what) {
        this(logger, level, what, 10_000_000_000L, System::nanoTime);
    }

    /**
     * The error happened (again): logged with its cause the first time, counted afterwards.
     *
     * @param detail what failed this time (a path, a thread), appended to {@code what}
     * @param cause  the exception, or null
     */
    public synchronized void error(String detail, @Nullable Throwable cause) {
        long now = clock.getAsLong();
        total++;
        if (!failing) {
            failing = true;
            lastLogged = now;
            suppressed = 0;
            if (cause != null) {
                logger.log(level, what + ": " + detail, cause);
            } else {
                logger.log(level, what + ": " + detail);
            }
            return;
        }
        suppressed++;
        if (now - lastLogged >= intervalNanos) {
            logger.log(level, what + ": " + suppressed + " more time(s) in the last "
                    + (now - lastLogged) / 1_000_000 + " ms, latest: " + detail);
            lastLogged = now;
            suppressed = 0;
        }
    }

    /** The operation worked again: says so once (with the count not yet reported) and re-arms the first-line log. */
    public synchronized void recovered() {
        if (failing) {
            failing = false;
            logger.log(System.Logger.Level.INFO, what + ": working again"
                    + (suppressed > 0 ? " (" + suppressed + " more failure(s) since the last report)" : ""));
            suppressed = 0;
        }
    }

    /**
     * Errors reported so far, logged or not.
     *
     * @return count since construction
     */
    public synchronized long total() {
        return total;
    }
}
