package dev.vboost.tools.cli;

import dev.vboost.conformance.ConformanceMain;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.checkerframework.checker.signedness.qual.PolySigned;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * The conformance suite's runner ({@link ConformanceMain}) as a subcommand. Its arguments are passed through
 * untouched, because everything after {@code --testee} is the testee's own command line.
 */
@Command(name = "conformance", mixinStandardHelpOptions = true,
        description = {"Runs the vboost conformance suite against an implementation and prints the verdict.",
                "  --testee CMD [ARGS...]  run CMD as a testee speaking spec/testee-protocol.md (everything after "
                        + "--testee is its command line)",
                "  --provider CLASS        a dev.vboost.conformance.spi.ConformanceProvider on the class path, in process",
                "  --out DIR               results.json and JUnit XML (default vboost-conformance-out)",
                "  --test ID_PREFIX        run only the tests whose id starts with ID_PREFIX",
                "Exit 0 only for VERDICT: CONFORMANT; 1 for NOT CONFORMANT; 2 for bad options."})
public final class ConformanceCommand implements Callable<Integer> {
    @CommandLine.Spec
    @SuppressWarnings("nullness:initialization.field.uninitialized") // injected by picocli
    private CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "ARGS", arity = "0..*", description = "--testee CMD [ARGS...] | --provider CLASS, "
            + "with optional --out DIR and --test ID_PREFIX before them.")
    List<String> args = new ArrayList<>();

    /** Lets the suite's own options (and the testee's) through picocli unparsed. */
    public static void configure(CommandLine sub) {
        sub.setUnmatchedOptionsArePositionalParams(true);
        sub.setStopAtPositional(true);
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (PrintStream o = stream(out); PrintStream e = stream(err)) {
            return ConformanceMain.run(args.toArray(new String[0]), o, e);
        }
    }

    /** A PrintStream forwarding whole lines to {@code w}. */
    static PrintStream stream(PrintWriter w) {
        OutputStream forward = new OutputStream() {
            private final ByteArrayOutputStream line = new ByteArrayOutputStream();

            @Override
            public void write(@PolySigned int b) {
                line.write(b);
                if (b == '\n') {
                    flush();
                }
            }

            @Override
            public void flush() {
                if (line.size() > 0) {
                    w.print(line.toString(StandardCharsets.UTF_8));
                    line.reset();
                }
                w.flush();
            }
        };
        return new PrintStream(forward, true, StandardCharsets.UTF_8);
    }
}
