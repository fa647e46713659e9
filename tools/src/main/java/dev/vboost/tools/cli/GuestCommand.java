package dev.vboost.tools.cli;

import picocli.CommandLine.Command;

@Command(name = "guest", mixinStandardHelpOptions = true, description = "pending")
public final class GuestCommand implements Runnable {
    @Override
    public void run() {
        throw new UnsupportedOperationException("pending");
    }
}
