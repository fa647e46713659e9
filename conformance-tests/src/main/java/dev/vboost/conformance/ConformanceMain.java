package dev.vboost.conformance;

import dev.vboost.conformance.report.Reports;
import dev.vboost.conformance.report.Verdict;
import dev.vboost.conformance.spi.ConformanceProvider;
import dev.vboost.conformance.suite.CaseResult;
import dev.vboost.conformance.suite.Cases;
import dev.vboost.conformance.suite.SuiteRunner;
import dev.vboost.conformance.testee.ProcessTestee;
import dev.vboost.conformance.testee.ProviderTestee;
import dev.vboost.conformance.testee.Testee;
import dev.vboost.conformance.testee.TesteeException;
import dev.vboost.conformance.testee.TesteeInfo;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Command line of the suite:
 * <pre>
 *   ConformanceMain [--out DIR] [--test ID_PREFIX] --testee CMD [ARGS...]
 *   ConformanceMain [--out DIR] [--test ID_PREFIX] --provider CLASS
 * </pre>
 * Everything after {@code --testee} is the testee's command line. Prints the summary, writes
 * {@code results.json} and JUnit XML to {@code DIR} (default {@code vboost-conformance-out}), and exits 0
 * only for {@code VERDICT: CONFORMANT}; 1 for NOT CONFORMANT; 2 for a usage error.
 */
public final class ConformanceMain {
    static final String USAGE = "usage: vboost conformance [--out DIR] [--test ID_PREFIX] --testee CMD [ARGS...]\n"
            + "       vboost conformance [--out DIR] [--test ID_PREFIX] --provider CLASS\n"
            + "  --testee   run CMD as a testee speaking spec/testee-protocol.md (everything after it is its command)\n"
            + "  --provider a class implementing dev.vboost.conformance.spi.ConformanceProvider, run in process\n"
            + "  --out      directory for results.json and TEST-vboost-conformance.xml (default vboost-conformance-out)\n"
            + "  --test     run only the tests whose id starts with ID_PREFIX\n"
            + "exit status: 0 CONFORMANT, 1 NOT CONFORMANT, 2 usage error";

    private ConformanceMain() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the suite as {@link #main} does and returns the exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        Path outDir = Path.of("vboost-conformance-out");
        String prefix = "";
        @Nullable List<String> command = null;
        @Nullable String provider = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--testee":
                    command = new ArrayList<>(Arrays.asList(args).subList(i + 1, args.length));
                    i = args.length;
                    break;
                case "--provider":
                case "--out":
                case "--test":
                    if (i + 1 >= args.length) {
                        err.println("vboost conformance: " + a + " needs a value\n" + USAGE);
                        return 2;
                    }
                    String v = args[++i];
                    if (a.equals("--provider")) {
                        provider = v;
                    } else if (a.equals("--out")) {
                        outDir = Path.of(v);
                    } else {
                        prefix = v;
                    }
                    break;
                case "-h":
                case "--help":
                    out.println(USAGE);
                    return 0;
                default:
                    err.println("vboost conformance: unknown argument '" + a + "'\n" + USAGE);
                    return 2;
            }
        }
        if ((command == null) == (provider == null)) {
            err.println("vboost conformance: give exactly one of --testee and --provider\n" + USAGE);
            return 2;
        }
        if (command != null && command.isEmpty()) {
            err.println("vboost conformance: --testee needs a command\n" + USAGE);
            return 2;
        }
        Testee testee;
        if (command != null) {
            testee = new ProcessTestee(command);
        } else {
            try {
                testee = new ProviderTestee(loadProvider(String.valueOf(provider)));
            } catch (ReflectiveOperationException | ClassCastException | LinkageError e) {
                err.println("vboost conformance: cannot use provider '" + provider + "': " + e);
                return 2;
            }
        }
        Path work;
        try {
            work = Files.createTempDirectory("vboost-tck-");
        } catch (IOException e) {
            err.println("vboost conformance: cannot create a work directory: " + e.getMessage());
            return 2;
        }
        try (Testee t = testee) {
            TesteeInfo info;
            try {
                info = t.info();
            } catch (TesteeException e) {
                err.println("vboost conformance: the testee did not start: " + e.getMessage());
                String tail = t.stderrTail();
                if (!tail.isBlank()) {
                    err.println("testee stderr:\n" + tail);
                }
                out.println("VERDICT: " + Verdict.NOT_CONFORMANT);
                return 1;
            }
            String p = prefix;
            List<CaseResult> results = new SuiteRunner(t, work).run(Cases.all(), c -> c.id().startsWith(p));
            Reports.write(outDir, info, results);
            out.print(Reports.console(info, results));
            out.println("reports: " + outDir.toAbsolutePath().resolve("results.json") + ", "
                    + outDir.toAbsolutePath().resolve("TEST-vboost-conformance.xml"));
            return Verdict.conformant(results) ? 0 : 1;
        } catch (IOException e) {
            err.println("vboost conformance: cannot write reports to " + outDir + ": " + e.getMessage());
            return 2;
        } finally {
            deleteTree(work);
        }
    }

    static ConformanceProvider loadProvider(String className) throws ReflectiveOperationException {
        Class<?> type = Class.forName(className, true, Thread.currentThread().getContextClassLoader());
        return (ConformanceProvider) type.getDeclaredConstructor().newInstance();
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a leftover temp directory is harmless
        }
    }
}
