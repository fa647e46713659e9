package dev.vboost.tools.log;

import java.util.logging.ConsoleHandler;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Installs the CLI's log format: every System.Logger record (the JDK routes them to java.util.logging) goes to
 * standard error as one {@link LogLineFormatter} line, replacing the JDK's two-line default.
 */
public final class CliLogging {
    private CliLogging() {
    }

    /** Replaces the root logger's handlers by one stderr handler with the CLI format, at {@code level}. */
    public static void install(Level level) {
        Logger root = Logger.getLogger("");
        for (Handler h : root.getHandlers()) {
            root.removeHandler(h);
        }
        ConsoleHandler h = new ConsoleHandler(); // System.err
        h.setFormatter(new LogLineFormatter());
        h.setLevel(level);
        root.addHandler(h);
        root.setLevel(level);
    }
}
