package dev.vboost.tools.log;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;

/**
 * One line per record for the whole CLI: {@code 2026-12-06T21:45:17.123Z WARN  [web1] message}, then the
 * stack trace (if any) indented below it. The VM is the last part of a logger named {@code vboost.vm.NAME}
 * ({@link #vmLogger}), {@code -} for loggers that speak for no single VM. Levels carry System.Logger's names.
 */
public final class LogLineFormatter extends Formatter {
    /** Loggers under this prefix speak for the VM named by the rest of their name. */
    public static final String VM_LOGGER_PREFIX = "vboost.vm.";
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    /** The System.Logger through which code logs about VM {@code name}. */
    public static System.Logger vmLogger(String name) {
        return System.getLogger(VM_LOGGER_PREFIX + name);
    }

    @Override
    public String format(LogRecord r) {
        StringBuilder sb = new StringBuilder(128);
        TIME.formatTo(Instant.ofEpochMilli(r.getMillis()), sb);
        sb.append(' ').append(level(r.getLevel())).append(" [").append(vm(r.getLoggerName())).append("] ");
        String msg = formatMessage(r);
        // one record, one line: a message never forges a second log line
        sb.append(msg.replace('\n', ' ').replace('\r', ' '));
        sb.append(System.lineSeparator());
        Throwable t = r.getThrown();
        if (t != null) {
            StringWriter sw = new StringWriter();
            t.printStackTrace(new PrintWriter(sw));
            for (String line : sw.toString().split("\\R")) {
                sb.append("    ").append(line).append(System.lineSeparator());
            }
        }
        return sb.toString();
    }

    static String level(Level l) {
        int v = l.intValue();
        if (v >= Level.SEVERE.intValue()) {
            return "ERROR";
        }
        if (v >= Level.WARNING.intValue()) {
            return "WARN ";
        }
        if (v >= Level.INFO.intValue()) {
            return "INFO ";
        }
        return v >= Level.FINE.intValue() ? "DEBUG" : "TRACE";
    }

    static String vm(@org.checkerframework.checker.nullness.qual.Nullable String logger) {
        if (logger != null && logger.startsWith(VM_LOGGER_PREFIX) && logger.length() > VM_LOGGER_PREFIX.length()) {
            return logger.substring(VM_LOGGER_PREFIX.length());
        }
        return "-";
    }
}
