package dev.vboost.tools.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

class LogLineFormatterTest {
    @Test
    void oneLineWithTimeLevelVmAndMessage() {
        LogRecord r = new LogRecord(Level.WARNING, "region {0} gone\nforged line");
        r.setParameters(new Object[] {"/dev/shm/x"});
        r.setLoggerName(LogLineFormatter.VM_LOGGER_PREFIX + "web1");
        r.setMillis(1_700_000_000_123L);
        String line = new LogLineFormatter().format(r);
        assertEquals("2023-11-14T22:13:20.123Z WARN  [web1] region /dev/shm/x gone forged line" + System.lineSeparator(), line);
    }

    @Test
    void agentWideRecordsAndStackTraces() {
        LogRecord r = new LogRecord(Level.SEVERE, "agent iteration failed");
        r.setLoggerName("dev.vboost.agent.HostAgent");
        r.setMillis(0);
        r.setThrown(new IllegalStateException("boom"));
        String[] lines = new LogLineFormatter().format(r).split(System.lineSeparator());
        assertEquals("1970-01-01T00:00:00.000Z ERROR [-] agent iteration failed", lines[0]);
        assertEquals("    java.lang.IllegalStateException: boom", lines[1]);
        assertTrue(lines[2].startsWith("    \tat "), lines[2]);
        assertEquals("INFO ", LogLineFormatter.level(Level.INFO));
        assertEquals("DEBUG", LogLineFormatter.level(Level.FINE));
        assertEquals("TRACE", LogLineFormatter.level(Level.FINEST));
    }
}
