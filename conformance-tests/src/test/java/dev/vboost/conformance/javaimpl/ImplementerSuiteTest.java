package dev.vboost.conformance.javaimpl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * Runs {@link ImplementerSuite} as an implementer's build would (JUnit Platform, suite engine, provider found
 * by ServiceLoader) and checks it ran the suite's tests, all passed, and what it skipped it skipped with the
 * reason (a feature the provider does not declare).
 */
class ImplementerSuiteTest {

    @Test
    void oneClassSuiteRunsTheConformanceTestsAgainstTheRegisteredProvider() {
        Launcher launcher = LauncherFactory.create();
        SummaryGeneratingListener summary = new SummaryGeneratingListener();
        List<String> skipped = new ArrayList<>();
        List<String> passed = new ArrayList<>();
        TestExecutionListener reasons = new TestExecutionListener() {
            @Override
            public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                if (id.isTest() && result.getStatus() == TestExecutionResult.Status.ABORTED) {
                    skipped.add(id.getDisplayName() + ": " + result.getThrowable().map(Throwable::getMessage).orElse(""));
                } else if (id.isTest() && result.getStatus() == TestExecutionResult.Status.SUCCESSFUL) {
                    passed.add(id.getDisplayName());
                }
            }
        };
        launcher.execute(LauncherDiscoveryRequestBuilder.request().selectors(selectClass(ImplementerSuite.class)).build(),
                summary, reasons);
        TestExecutionSummary s = summary.getSummary();
        StringWriter w = new StringWriter();
        s.printFailuresTo(new PrintWriter(w), 20);
        assertEquals(0, s.getTotalFailureCount(), w::toString);
        assertTrue(passed.size() > 40, () -> "too few tests passed: " + passed);
        assertTrue(passed.contains("Required.Seqlock.R2.odd-counter-at-rest"), passed::toString);
        assertTrue(passed.stream().noneMatch(n -> n.startsWith("Stochastic.")), "@IncludeTags left stochastic out");
        assertTrue(skipped.contains("Optional.Expiry.5.6.boost-ends-at-bound: vboost-java (VarHandle backend) does not "
                + "declare feature 'expiry'"), skipped::toString);
    }
}
