package dev.vboost.conformance.report;

import dev.vboost.conformance.suite.CaseResult;
import dev.vboost.conformance.suite.Level;
import dev.vboost.conformance.suite.Status;
import java.util.List;

/** CONFORMANT iff something passed and no required, optional or stochastic test failed, crashed or timed out. */
public final class Verdict {
    public static final String CONFORMANT = "CONFORMANT";
    public static final String NOT_CONFORMANT = "NOT CONFORMANT";

    private Verdict() {
    }

    public static boolean conformant(List<CaseResult> results) {
        boolean passed = false;
        for (CaseResult r : results) {
            if (r.status().failed() && r.level() != Level.RECOMMENDED) {
                return false;
            }
            passed |= r.status() == Status.PASS;
        }
        return passed;
    }

    public static String of(List<CaseResult> results) {
        return conformant(results) ? CONFORMANT : NOT_CONFORMANT;
    }
}
