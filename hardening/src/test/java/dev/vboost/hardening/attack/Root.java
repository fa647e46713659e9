package dev.vboost.hardening.attack;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vboost.hardening.support.Realtime;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;

/** Attacks that need root (to play the other user by chown, to run as the agent does) skip without it, fail on CI. */
final class Root {
    /** The conventional unprivileged "nobody" user and "nogroup" group: owner of the attacker's files. */
    static final int NOBODY = 65534;

    private Root() {
    }

    static void assume() throws IOException {
        boolean root = (Integer) Files.getAttribute(Paths.get("/proc/self"), "unix:uid") == 0;
        if (!root && Realtime.onCi()) {
            throw new AssertionError("CI=true but this attack test must run as root (it plays the root agent)");
        }
        assumeTrue(root, "skipped: not root");
    }

    /** Runs a command to completion (bounded), failing with its output if it fails. */
    static void run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", cmd) + " did not finish");
        }
        String out = new String(p.getInputStream().readAllBytes());
        if (p.exitValue() != 0) {
            throw new AssertionError(String.join(" ", cmd) + " failed: " + out);
        }
    }

    /** A directory like /tmp or /dev/shm: world-writable and sticky, made inside {@code parent}. */
    static Path stickyDir(Path parent) throws IOException, InterruptedException {
        Path d = parent.resolve("shared");
        Files.createDirectory(d);
        run("chmod", "1777", d.toString());
        return d;
    }
}
