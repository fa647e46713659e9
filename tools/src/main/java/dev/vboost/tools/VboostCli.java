package dev.vboost.tools;

import dev.vboost.tools.cli.AgentCommand;
import dev.vboost.tools.cli.ConformanceCommand;
import dev.vboost.tools.cli.DemoCommand;
import dev.vboost.tools.cli.GuestCommand;
import dev.vboost.tools.cli.InspectCommand;
import dev.vboost.tools.cli.RegionCommand;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code vboost} command line. Exit codes: 0 success, 1 failure (or not conformant, or an invalid
 * image), 2 usage error (bad flag or value; the message says which).
 */
@Command(name = "vboost", mixinStandardHelpOptions = true, versionProvider = VboostCli.Version.class,
        description = "Host-guest vCPU priority boost protocol: demo, host agent, guest tool, region inspector, "
                + "conformance suite.",
        subcommands = {DemoCommand.class, AgentCommand.class, GuestCommand.class, InspectCommand.class,
                RegionCommand.class, ConformanceCommand.class, CommandLine.HelpCommand.class})
public final class VboostCli implements Runnable {
    /** Success. */
    public static final int OK = 0;
    /** The command ran and failed, or found the input invalid or not conformant. */
    public static final int FAILURE = 1;
    /** Bad flags or values. */
    public static final int USAGE = 2;

    @CommandLine.Spec
    @SuppressWarnings("nullness:initialization.field.uninitialized") // injected by picocli before run()
    private CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command");
    }

    public static void main(String[] args) {
        dev.vboost.tools.log.CliLogging.install(java.util.logging.Level.INFO); // one log line format for every command
        System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /**
     * Runs one command line with the given streams and flushes both (a command may end with {@code print});
     * returns the exit code. Every message starts with the command's path ({@code vboost guest request: ...});
     * a usage error adds the hint {@code Try 'vboost guest request --help' ...}.
     */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        try {
            return executeUnflushed(args, out, err);
        } finally {
            out.flush();
            err.flush();
        }
    }

    private static int executeUnflushed(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new VboostCli());
        cl.setOut(out);
        cl.setErr(err);
        CommandLine conformance = cl.getSubcommands().get("conformance");
        if (conformance != null) {
            ConformanceCommand.configure(conformance);
        }
        cl.setExitCodeExceptionMapper(t -> t instanceof CommandLine.ParameterException ? USAGE : FAILURE);
        cl.setParameterExceptionHandler((ex, a) -> {
            CommandLine bad = ex.getCommandLine();
            String path = bad.getCommandSpec().qualifiedName();
            bad.getErr().println(path + ": " + ex.getMessage());
            bad.getErr().println("Try '" + path + " --help' for more information.");
            return USAGE;
        });
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            if (ex instanceof CommandLine.ParameterException) {
                throw ex;
            }
            commandLine.getErr().println(commandLine.getCommandSpec().qualifiedName() + ": " + message(ex));
            return FAILURE;
        });
        return cl.execute(args);
    }

    private static String message(Exception e) {
        String m = e.getMessage();
        return m == null ? e.toString() : m;
    }

    /** Version from the jar manifest, or "dev" when run from classes. */
    public static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            Package pkg = VboostCli.class.getPackage();
            String v = pkg == null ? null : pkg.getImplementationVersion();
            return new String[] {"vboost " + (v == null ? "0.1.0-SNAPSHOT" : v) + " (protocol v1.0)"};
        }
    }
}
