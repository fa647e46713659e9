package dev.vboost.conformance.junit;

import dev.vboost.conformance.spi.ConformanceProvider;
import dev.vboost.conformance.suite.Case;
import dev.vboost.conformance.suite.CaseResult;
import dev.vboost.conformance.suite.Cases;
import dev.vboost.conformance.suite.Level;
import dev.vboost.conformance.suite.Status;
import dev.vboost.conformance.suite.SuiteRunner;
import dev.vboost.conformance.testee.ProcessTestee;
import dev.vboost.conformance.testee.ProviderTestee;
import dev.vboost.conformance.testee.Testee;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.ServiceLoader;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;

/**
 * The suite as JUnit Jupiter tests, for an implementer's own build. Each implementation found through
 * {@link ServiceLoader} ({@link ConformanceProvider}) becomes a container; so does the command in the system
 * property {@code vboost.conformance.testee} (space-separated) if set. One factory per level, tagged
 * {@code required}, {@code recommended}, {@code optional} and {@code stochastic}, so a {@code @Suite} can
 * select levels with {@code @IncludeTags}. Skips carry their reason; failures print rule, diff and hex dump.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public class ConformanceTests {
    private final List<Testee> testees = new ArrayList<>();
    private final Path work;

    /** Creates the factory with a fresh temporary work directory for the region files of its cases. */
    public ConformanceTests() {
        try {
            work = Files.createTempDirectory("vboost-tck-junit-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @TestFactory
    @Tag("required")
    Stream<DynamicNode> required() {
        return level(Level.REQUIRED);
    }

    @TestFactory
    @Tag("recommended")
    Stream<DynamicNode> recommended() {
        return level(Level.RECOMMENDED);
    }

    @TestFactory
    @Tag("optional")
    Stream<DynamicNode> optional() {
        return level(Level.OPTIONAL);
    }

    @TestFactory
    @Tag("stochastic")
    Stream<DynamicNode> stochastic() {
        return level(Level.STOCHASTIC);
    }

    private synchronized List<Testee> testees() {
        if (testees.isEmpty()) {
            for (ConformanceProvider p : ServiceLoader.load(ConformanceProvider.class)) {
                testees.add(new ProviderTestee(p));
            }
            String cmd = System.getProperty("vboost.conformance.testee", "");
            if (!cmd.isBlank()) {
                testees.add(new ProcessTestee(Arrays.asList(cmd.trim().split("\\s+"))));
            }
        }
        return testees;
    }

    private Stream<DynamicNode> level(Level level) {
        List<Testee> all = testees();
        if (all.isEmpty()) {
            return Stream.of(DynamicTest.dynamicTest("no implementation", () -> Assertions.fail(
                    "no ConformanceProvider registered in META-INF/services and no -Dvboost.conformance.testee")));
        }
        List<DynamicNode> nodes = new ArrayList<>();
        for (Testee t : all) {
            SuiteRunner runner = new SuiteRunner(t, work);
            List<DynamicNode> tests = new ArrayList<>();
            for (Case c : Cases.all()) {
                if (c.level() == level) {
                    tests.add(DynamicTest.dynamicTest(c.id(), () -> check(runner.run(c))));
                }
            }
            String name;
            try {
                name = t.info().name();
            } catch (Exception e) {
                name = "testee (" + e.getMessage() + ")";
            }
            nodes.add(DynamicContainer.dynamicContainer(name, tests));
        }
        return nodes.stream();
    }

    private static void check(CaseResult r) {
        if (r.status() == Status.SKIP) {
            Assumptions.abort(r.message());
        }
        if (r.status() != Status.PASS) {
            StringBuilder sb = new StringBuilder(r.status() + " " + r.id() + " (" + r.spec() + "): " + r.title() + "\n  "
                    + r.message());
            if (!r.rule().isEmpty()) {
                sb.append("\n  rule: ").append(r.rule());
            }
            for (String d : r.diff()) {
                sb.append("\n    ").append(d);
            }
            if (!r.hexdump().isEmpty()) {
                sb.append('\n').append(r.hexdump());
            }
            if (r.level() == Level.RECOMMENDED) {
                // as in the verdict: a recommended test that fails is a warning, shown, but no build failure
                Assumptions.abort("WARNING (recommended, not needed for CONFORMANT): " + sb);
            }
            Assertions.fail(sb.toString());
        }
    }

    @AfterAll
    void close() {
        for (Testee t : testees) {
            t.close();
        }
        try (Stream<Path> s = Files.walk(work)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // leftover temp files are harmless
        }
    }
}
