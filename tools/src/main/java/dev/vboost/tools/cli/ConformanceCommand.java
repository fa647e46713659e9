package dev.vboost.tools.cli;

import picocli.CommandLine.Command;

@Command(name = "conformance", mixinStandardHelpOptions = true, description = "pending")
public final class ConformanceCommand implements Runnable {
    @Override
    public void run() {
        throw new UnsupportedOperationException("pending");
    }
}
