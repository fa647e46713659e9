package dev.vboost.conformance;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vboost.conformance.report.Verdict;
import dev.vboost.conformance.suite.CaseResult;
import dev.vboost.conformance.suite.Cases;
import dev.vboost.conformance.suite.SuiteRunner;
import dev.vboost.conformance.testee.ProcessTestee;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who watches the watchmen: each deliberately broken build of the C reference implementation
 * ({@code -DVBOOST_MUTANT_*} in vboost.c) must fail the named tests with a useful message, and the
 * verdict must be NOT CONFORMANT. Only the named tests run (the unbroken build passing them is
 * {@code CReferenceConformanceTest}). Write-ordering mutants (COUNTER_NEVER_ODD, DATA_BEFORE_COUNTER) are caught
 * across the process boundary through the testee's step control (a writer stopped after W1); host behaviour
 * mutants (vboost_policy.c) through the host-policy operations.
 */
class CMutantsCaughtTest {

    static Stream<Arguments> mutants() {
        return Stream.of(
                Arguments.of("RESERVED_BITS_ACCEPTED", Set.of("Required.Validation.3.5.reserved-flag-bits",
                        "Required.Validation.3.4.reserved-reason-bits")),
                Arguments.of("UNKNOWN_ENUM_ABORTS", Set.of("Required.Decode.3.6.unknown-codes-pass-through")),
                Arguments.of("ACK_OUT_OF_ORDER", Set.of("Required.Handshake.G3.ack-of-older-request-is-not-an-ack")),
                Arguments.of("BYTE_ORDER", Set.of("Required.Publish.W1-W4.host-line-layout")),
                Arguments.of("STALE_GENERATION_ACCEPTED", Set.of("Required.Restart.5.9.stale-generation-detected")),
                Arguments.of("UNKNOWN_MAJOR_ACCEPTED", Set.of("Required.Attach.6.unknown-major")),
                Arguments.of("BOOST_UNBOUNDED", Set.of("Optional.Expiry.5.6.boost-ends-at-bound")),
                Arguments.of("COUNTER_NEVER_ODD", Set.of("Required.Seqlock.W1.host-counter-odd-before-data",
                        "Required.Seqlock.W1.guest-counter-odd-before-data")),
                Arguments.of("DATA_BEFORE_COUNTER", Set.of("Required.Seqlock.W1.host-counter-odd-before-data")),
                Arguments.of("NO_CLAMP", Set.of("Required.HostPolicy.HA4.clamped-to-limits",
                        "Required.HostPolicy.5.5.host-boost-needs-acceptance")),
                Arguments.of("STALE_ID_ACTED", Set.of("Required.HostPolicy.HA2.stale-or-invalid-id-ignored")),
                Arguments.of("NEVER_EXPIRES", Set.of("Required.HostPolicy.5.6.expiry-at-the-bound",
                        "Required.HostPolicy.HB3.host-boost-timeout")),
                Arguments.of("BUDGET_IGNORED", Set.of("Required.HostPolicy.8.3.budget-exhausted")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mutants")
    void mutantIsCaught(String mutant, Set<String> expectedFailures, @TempDir Path dir) throws Exception {
        Path exe = CTestees.mutant(mutant, dir);
        List<CaseResult> results;
        try (ProcessTestee t = new ProcessTestee(List.of(exe.toString()))) {
            results = new SuiteRunner(t, dir.resolve("work")).run(Cases.all(), c -> expectedFailures.contains(c.id()));
        }
        Map<String, CaseResult> byId = results.stream().collect(Collectors.toMap(CaseResult::id, r -> r));
        for (String id : expectedFailures) {
            CaseResult r = byId.get(id);
            assertTrue(r != null, "no test " + id);
            assertTrue(r.status().failed(), () -> "mutant " + mutant + " was not caught by " + id + ": " + r.status());
            assertFalse(r.message().isBlank(), "a failure says what is wrong");
            System.out.println("mutant " + mutant + " caught by " + id + ": " + r.status() + " " + r.message()
                    + (r.rule().isEmpty() ? "" : "\n  rule: " + r.rule()) + "\n  " + String.join("\n  ", r.diff())
                    + "\n" + r.hexdump());
        }
        assertFalse(Verdict.conformant(results), "mutant " + mutant + " must not be CONFORMANT");
    }
}
