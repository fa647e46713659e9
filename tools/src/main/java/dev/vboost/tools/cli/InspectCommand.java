package dev.vboost.tools.cli;

import picocli.CommandLine.Command;

@Command(name = "inspect", mixinStandardHelpOptions = true, description = "pending")
public final class InspectCommand implements Runnable {
    @Override
    public void run() {
        throw new UnsupportedOperationException("pending");
    }
}
