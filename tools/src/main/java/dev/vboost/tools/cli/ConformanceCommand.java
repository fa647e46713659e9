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
 * The conformance suite's runner ({@link ConformanceMain}) as a subcommand. Its words are passed through
 * untouched: {@link ConformanceMain} parses them (its own options anywhere, the rest for the testee) and owns the
 * one usage text, which {@code vboost conformance --help} prints.
 */
@Command(name = "conformance", description = "Runs the vboost conformance suite against an implementation "
        + "(vboost conformance --help for its options).")
public final class ConformanceCommand implements Callable<Integer> {
    @CommandLine.Spec
    @SuppressWarnings("nullness:initialization.field.uninitialized") // injected by picocli
    private CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "ARGS", arity = "0..*", description = "see vboost conformance --help")
    List<String> args = new ArrayList<>();

    /** Lets every word through picocli unparsed, {@code --help} included: {@link ConformanceMain} parses them. */
    public static void configure(CommandLine sub) {
        sub.setUnmatchedOptionsArePositionalParams(true);
        sub.setStopAtPositional(true);
        sub.setStopAtUnmatched(true);
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
