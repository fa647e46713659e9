package dev.vboost.conformance.javaimpl;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vboost.conformance.report.Verdict;
import dev.vboost.conformance.suite.CaseResult;
import dev.vboost.conformance.suite.Cases;
import dev.vboost.conformance.suite.SuiteRunner;
import dev.vboost.conformance.testee.ProviderTestee;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import dev.vboost.api.memory.SharedMemory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who watches the watchmen, in process: each broken variant of the Java implementation fails the named
 * tests with a message that says what is wrong, and the verdict is NOT CONFORMANT. The unbroken
 * implementation passing the same tests is {@link JavaImplementationConformanceTest}.
 */
class JavaMutantsCaughtTest {

    private static void caught(String mutant, UnaryOperator<SharedMemory> mutation, Set<String> ids, String words,
            Path dir) {
        caught(new ProviderTestee(JavaMutants.provider(mutant, mutation)), mutant, ids, words, dir);
    }

    /** As a Java testee in another process: no store trace, the steps observed through step control. */
    private static void caughtAcrossProcess(String mutant, UnaryOperator<SharedMemory> mutation, Set<String> ids,
            String words, Path dir) {
        caught(ProviderTestee.acrossProcess(JavaMutants.provider(mutant, mutation)), mutant, ids, words, dir);
    }

    private static void caught(ProviderTestee testee, String mutant, Set<String> ids, String words, Path dir) {
        List<CaseResult> results;
        try (ProviderTestee t = testee) {
            results = new SuiteRunner(t, dir).run(Cases.all(), c -> ids.contains(c.id()));
        }
        Map<String, CaseResult> byId = results.stream().collect(Collectors.toMap(CaseResult::id, r -> r));
        for (String id : ids) {
            CaseResult r = byId.get(id);
            assertTrue(r != null, "no test " + id);
            assertTrue(r.status().failed(), () -> "mutant " + mutant + " was not caught by " + id + ": " + r.status()
                    + " " + r.message());
            String all = r.message() + " " + r.rule() + " " + String.join(" ", r.diff());
            assertTrue(all.contains(words), () -> "the failure of " + id + " does not say '" + words + "': " + all);
            System.out.println("mutant " + mutant + " caught by " + id + ": " + r.message() + "\n  rule: " + r.rule()
                    + "\n  " + String.join("\n  ", r.diff()) + "\n" + r.hexdump());
        }
        assertFalse(Verdict.conformant(results), "mutant " + mutant + " must not be CONFORMANT");
    }

    @Test
    void counterNeverOddIsCaughtByW1(@TempDir Path dir) {
        caught("COUNTER_NEVER_ODD", JavaMutants::counterNeverOdd, Set.of(
                "Required.Seqlock.W1.guest-counter-odd-before-data", "Required.Seqlock.W1.host-counter-odd-before-data"),
                "not an odd counter value", dir);
    }

    @Test
    void dataWrittenBeforeCounterIsCaughtByW1(@TempDir Path dir) {
        caught("DATA_BEFORE_COUNTER", JavaMutants::dataBeforeCounter, Set.of(
                "Required.Seqlock.W1.guest-counter-odd-before-data", "Required.Seqlock.W2.host-data-inside-window"),
                "§4.2 W", dir);
    }

    @Test
    void readerIgnoringACounterChangeIsCaughtByR5(@TempDir Path dir) {
        caught("READER_IGNORES_CHANGE", JavaMutants::readerIgnoresChange, Set.of(
                "Required.Seqlock.R5.counter-changed-mid-read", "Required.Seqlock.R5.host-counter-changed-mid-read"),
                "s2 != s1", dir);
    }

    @Test
    void counterNeverOddIsCaughtThroughStepControl(@TempDir Path dir) {
        caughtAcrossProcess("COUNTER_NEVER_ODD", JavaMutants::counterNeverOdd, Set.of(
                "Required.Seqlock.W1.guest-counter-odd-before-data", "Required.Seqlock.W1.host-counter-odd-before-data",
                "Required.Seqlock.W2.guest-data-inside-window", "Required.Seqlock.W2.host-data-inside-window"),
                "§4.2 W", dir);
    }

    @Test
    void dataWrittenBeforeCounterIsCaughtThroughStepControl(@TempDir Path dir) {
        caughtAcrossProcess("DATA_BEFORE_COUNTER", JavaMutants::dataBeforeCounter, Set.of(
                "Required.Seqlock.W1.guest-counter-odd-before-data", "Required.Seqlock.W1.host-counter-odd-before-data"),
                "no data is stored before the counter is odd", dir);
    }

    @Test
    void readerIgnoringACounterChangeIsCaughtThroughStepControl(@TempDir Path dir) {
        caughtAcrossProcess("READER_IGNORES_CHANGE", JavaMutants::readerIgnoresChange, Set.of(
                "Required.Seqlock.R5.counter-changed-mid-read", "Required.Seqlock.R5.host-counter-changed-mid-read"),
                "s2 != s1", dir);
    }

    @Test
    void oneFieldInTheWrongByteOrderIsCaughtByTheLayoutTest(@TempDir Path dir) {
        caught("BUDGET_BIG_ENDIAN", JavaMutants::budgetBigEndian, Set.of("Required.Publish.W1-W4.host-line-layout"),
                "little-endian", dir);
    }
}
