package dev.vboost.tools.cli;

import picocli.CommandLine.Command;

@Command(name = "agent", mixinStandardHelpOptions = true, description = "pending")
public final class AgentCommand implements Runnable {
    @Override
    public void run() {
        throw new UnsupportedOperationException("pending");
    }
}
