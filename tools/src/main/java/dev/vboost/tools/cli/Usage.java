package dev.vboost.tools.cli;

import picocli.CommandLine;

/** Helpers for precise usage errors (exit 2). */
final class Usage {
    private Usage() {
    }

    static CommandLine.ParameterException error(CommandLine.Model.CommandSpec spec, String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }
}
