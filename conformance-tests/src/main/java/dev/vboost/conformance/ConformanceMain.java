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
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.checkerframework.checker.nullness.qual.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Command line of the suite (picocli; {@code vboost conformance} runs this same command):
 * <pre>
 *   vboost conformance --testee CMD [ARGS...] [--out DIR] [--test ID_PREFIX] [-- ARGS...]
 *   vboost conformance --provider CLASS [--out DIR] [--test ID_PREFIX]
 * </pre>
 * The suite's own options are recognised wherever they stand; every other word is the testee's, and everything
 * after {@code --} is the testee's even when it looks like one of the suite's options. Prints the summary, writes
 * {@code results.json} and JUnit XML to {@code DIR} (default {@code vboost-conformance-out}), and exits 0 only
 * for {@code VERDICT: CONFORMANT}; 1 for NOT CONFORMANT; 2 for a usage error (a bad option, a testee program that
 * does not exist or cannot be run, a provider class that cannot be loaded).
 */
public final class ConformanceMain {

    /** The options; one usage text, shown by {@code --help} and after every usage error. */
    @Command(name = "vboost conformance", sortOptions = false, usageHelpAutoWidth = true,
            description = "Runs the vboost conformance suite against an implementation and prints the verdict.",
            footer = {"The suite's options may stand anywhere; words after -- always belong to the testee.",
                    "Exit status: 0 VERDICT: CONFORMANT, 1 NOT CONFORMANT, 2 usage error."})
    static final class Options {
        @Option(names = "--testee", paramLabel = "CMD",
                description = "run CMD as a testee speaking spec/testee-protocol.md; the other words are its arguments")
        @Nullable String testee;

        @Option(names = "--provider", paramLabel = "CLASS",
                description = "a dev.vboost.conformance.spi.ConformanceProvider on the class path, run in process")
        @Nullable String provider;

        @Option(names = "--out", paramLabel = "DIR", defaultValue = "vboost-conformance-out",
                description = "directory for results.json and TEST-vboost-conformance.xml (default: ${DEFAULT-VALUE})")
        Path out = Path.of("vboost-conformance-out");

        @Option(names = "--test", paramLabel = "ID_PREFIX", defaultValue = "",
                description = "run only the tests whose id starts with ID_PREFIX")
        String test = "";

        @Option(names = "--help", usageHelp = true, description = "show this help and exit")
        boolean help;

        @Parameters(paramLabel = "ARGS", arity = "0..*", description = "the testee's arguments")
        List<String> testeeArgs = new ArrayList<>();
    }

    private ConformanceMain() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    private static CommandLine commandLine(Options o) {
        CommandLine cl = new CommandLine(o);
        cl.setUnmatchedOptionsArePositionalParams(true);
        cl.setSeparator(" "); // "--out DIR", as the usage shows it
        return cl;
    }

    /** The usage text. */
    public static String usage() {
        return commandLine(new Options()).getUsageMessage(CommandLine.Help.Ansi.OFF);
    }

    private static int usageError(PrintStream err, String message) {
        err.println("vboost conformance: " + message);
        err.println("Try 'vboost conformance --help' for more information.");
        return 2;
    }

    /** Runs the suite as {@link #main} does and returns the exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        Options o = new Options();
        CommandLine cl = commandLine(o);
        try {
            cl.parseArgs(args);
        } catch (CommandLine.MissingParameterException e) {
            boolean testee = e.getMissing().stream().anyMatch(a -> a.isOption()
                    && java.util.Arrays.asList(((CommandLine.Model.OptionSpec) a).names()).contains("--testee"));
            return usageError(err, testee ? "--testee needs a command" : String.valueOf(e.getMessage()));
        } catch (CommandLine.ParameterException e) {
            return usageError(err, String.valueOf(e.getMessage()));
        }
        if (o.help) {
            out.print(usage());
            return 0;
        }
        String testeeCmd = o.testee;
        String providerClass = o.provider;
        if (testeeCmd == null && providerClass == null && !o.testeeArgs.isEmpty()) {
            return usageError(err, "unknown argument '" + o.testeeArgs.get(0) + "'");
        }
        if ((testeeCmd == null) == (providerClass == null)) {
            return usageError(err, "give exactly one of --testee and --provider");
        }
        if (providerClass != null && !o.testeeArgs.isEmpty()) {
            return usageError(err, "unknown argument '" + o.testeeArgs.get(0) + "' (only a testee takes arguments)");
        }
        Testee testee;
        if (testeeCmd != null) {
            if (testeeCmd.isEmpty()) {
                return usageError(err, "--testee needs a command");
            }
            String missing = unrunnable(testeeCmd);
            if (missing != null) {
                return usageError(err, missing);
            }
            List<String> command = new ArrayList<>();
            command.add(testeeCmd);
            command.addAll(o.testeeArgs);
            testee = new ProcessTestee(command);
        } else {
            try {
                testee = new ProviderTestee(loadProvider(String.valueOf(providerClass)));
            } catch (ReflectiveOperationException | ClassCastException | LinkageError e) {
                return usageError(err, "cannot use provider '" + providerClass + "': " + e);
            }
        }
        Path outDir = o.out;
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
            String p = o.test;
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

    /** Why {@code cmd} cannot be started (a path that is not an executable file, or a name not on PATH), or null. */
    static @Nullable String unrunnable(String cmd) {
        if (cmd.contains("/")) {
            Path p = Path.of(cmd);
            return Files.isRegularFile(p) && Files.isExecutable(p) ? null
                    : "testee program '" + cmd + "' " + (Files.exists(p) ? "is not an executable file" : "does not exist");
        }
        String path = System.getenv("PATH");
        for (String dir : (path == null ? "" : path).split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty()) {
                Path p = Path.of(dir, cmd);
                if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                    return null;
                }
            }
        }
        return "testee program '" + cmd + "' is not on PATH";
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
