package dev.vboost.tools.cli;

import picocli.CommandLine;

/** Helpers for precise usage errors (exit 2). */
final class Usage {
    private Usage() {
    }

    static CommandLine.ParameterException error(CommandLine.Model.CommandSpec spec, String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    /** The prefix of every message a command prints to stderr: its path, e.g. {@code vboost guest request: }. */
    static String prefix(CommandLine.Model.CommandSpec spec) {
        return spec.qualifiedName() + ": ";
    }
}
