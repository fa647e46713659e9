package dev.vboost.tools.cli;

import picocli.CommandLine.Command;

@Command(name = "region", mixinStandardHelpOptions = true, description = "pending")
public final class RegionCommand implements Runnable {
    @Override
    public void run() {
        throw new UnsupportedOperationException("pending");
    }
}
