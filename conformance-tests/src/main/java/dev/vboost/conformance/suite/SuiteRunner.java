package dev.vboost.conformance.suite;

import dev.vboost.conformance.testee.Testee;
import dev.vboost.conformance.testee.TesteeException;
import dev.vboost.conformance.testee.TesteeInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Runs tests against one testee: skips what the testee does not declare, turns crashes and timeouts into
 * results and restarts the testee, and keeps going to the end.
 */
public final class SuiteRunner {
    private final Testee testee;
    private final Path workDir;

    public SuiteRunner(Testee testee, Path workDir) {
        this.testee = testee;
        this.workDir = workDir;
    }

    /** Runs the cases {@code filter} accepts, in order. */
    public List<CaseResult> run(List<Case> cases, Predicate<Case> filter) {
        List<CaseResult> results = new ArrayList<>();
        for (Case c : cases) {
            if (filter.test(c)) {
                results.add(run(c));
            }
        }
        return results;
    }

    /** Runs one case. Never throws for a testee's misbehaviour: that is a result. */
    public CaseResult run(Case c) {
        long start = System.nanoTime();
        TesteeInfo info;
        try {
            info = testee.info();
        } catch (TesteeException e) {
            return result(c, Status.ERROR, "testee did not start: " + e.getMessage(), null, start);
        }
        if (!info.hasRole(c.role())) {
            return result(c, Status.SKIP, info.name() + " does not declare role '" + c.role() + "'", null, start);
        }
        for (String f : c.features()) {
            if (!info.hasFeature(f)) {
                return result(c, Status.SKIP, info.name() + " does not declare feature '" + f + "'", null, start);
            }
        }
        Path dir;
        try {
            dir = Files.createDirectories(workDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try (CaseContext ctx = new CaseContext(testee, info, dir, c.id())) {
            c.body().run(ctx);
            return result(c, Status.PASS, "", null, start);
        } catch (CaseSkipped e) {
            return result(c, Status.SKIP, String.valueOf(e.getMessage()), null, start);
        } catch (ConformanceFailure e) {
            return result(c, Status.FAIL, String.valueOf(e.getMessage()), e, start);
        } catch (TesteeException e) {
            Status s = switch (e.kind()) {
                case CRASH -> Status.CRASH;
                case TIMEOUT -> Status.TIMEOUT;
                default -> Status.ERROR;
            };
            String tail = testee.stderrTail();
            String msg = e.getMessage() + (tail.isBlank() ? "" : "\n  testee stderr (last lines):\n" + indent(tail));
            restart();
            return result(c, s, msg, null, start);
        } catch (Exception | AssertionError e) {
            return result(c, Status.ERROR, e.getClass().getSimpleName() + ": " + e.getMessage(), null, start);
        }
    }

    private void restart() {
        try {
            testee.restart();
        } catch (TesteeException e) {
            // the next case reports it when info() fails again
        }
    }

    private static String indent(String s) {
        String[] lines = s.strip().split("\n");
        StringBuilder sb = new StringBuilder();
        for (int i = Math.max(0, lines.length - 20); i < lines.length; i++) {
            sb.append("    ").append(lines[i]).append('\n');
        }
        return sb.toString();
    }

    private static CaseResult result(Case c, Status s, String message, @Nullable ConformanceFailure f, long start) {
        long ms = (System.nanoTime() - start) / 1_000_000;
        return new CaseResult(c.id(), c.level(), c.spec(), c.title(), s, message, f == null ? List.of() : f.diff(),
                f == null ? "" : f.hexdump(), f == null ? "" : f.rule(), ms);
    }
}
