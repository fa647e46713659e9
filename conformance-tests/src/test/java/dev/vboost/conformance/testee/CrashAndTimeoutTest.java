package dev.vboost.conformance.testee;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vboost.conformance.javaimpl.JavaTestees;
import dev.vboost.conformance.report.Verdict;
import dev.vboost.conformance.suite.Case;
import dev.vboost.conformance.suite.CaseResult;
import dev.vboost.conformance.suite.Level;
import dev.vboost.conformance.suite.Status;
import dev.vboost.conformance.suite.SuiteRunner;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A testee that exits mid-test is recorded CRASH, one that stops answering is killed at the deadline and
 * recorded TIMEOUT; either way the runner starts a fresh testee (a new process id) and the following tests
 * run normally.
 */
class CrashAndTimeoutTest {

    @Test
    void crashAndHangAreRecordedAndTheTesteeIsRestarted(@TempDir Path dir) {
        List<String> pids = new ArrayList<>();
        Case pid = Case.of(Level.REQUIRED, "Test", "0", "pid", "-", "guest", "answers with its pid",
                c -> pids.add(c.expectOk(c.op("test.pid"), "-").get("pid")));
        Case crash = Case.of(Level.REQUIRED, "Test", "0", "crash", "-", "guest", "exits", c -> c.op("test.crash"));
        Case hang = Case.of(Level.REQUIRED, "Test", "0", "hang", "-", "guest", "hangs", c -> c.op("test.hang"));
        List<Case> cases = List.of(pid, crash, renamed(pid, "pid-2"), hang, renamed(pid, "pid-3"));
        List<String> cmd = JavaTestees.command("-XX:TieredStopAtLevel=1", MisbehavingTestee.class.getName());
        List<CaseResult> results;
        // a short deadline keeps the hang short; the testee's start-up is not under it (hello has its own)
        try (ProcessTestee t = new ProcessTestee(cmd, 4_000, 4_000)) {
            results = new SuiteRunner(t, dir).run(cases, c -> true);
        }
        List<Status> statuses = results.stream().map(CaseResult::status).toList();
        assertEquals(List.of(Status.PASS, Status.CRASH, Status.PASS, Status.TIMEOUT, Status.PASS), statuses,
                () -> results.toString());
        assertTrue(results.get(1).message().contains("exit status 7"), results.get(1).message());
        assertTrue(results.get(1).message().contains("crashing on purpose"), "stderr tail is reported");
        assertTrue(results.get(3).message().contains("within 4000 ms"), results.get(3).message());
        assertEquals(3, pids.size());
        assertNotEquals(pids.get(0), pids.get(1), "restarted after the crash");
        assertNotEquals(pids.get(1), pids.get(2), "restarted after the timeout");
        assertEquals(Verdict.NOT_CONFORMANT, Verdict.of(results));
    }

    private static Case renamed(Case c, String subject) {
        return Case.of(c.level(), "Test", "0", subject, c.spec(), c.role(), c.title(), c.body());
    }
}
