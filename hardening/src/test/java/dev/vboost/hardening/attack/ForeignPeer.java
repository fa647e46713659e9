package dev.vboost.hardening.attack;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * {@link ForeignPeerMain} running as another user: {@code setpriv --reuid --regid --clear-groups} in front of
 * the java command, so the process has that user's real uid and gid and no supplementary group, as a local
 * attacker would. Needs root (to change ids) and setpriv; {@link #assumeAvailable()} skips without them (fails
 * under {@code CI=true}).
 */
final class ForeignPeer implements AutoCloseable {
    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> all = new ArrayList<>();
    private final Path stderr;

    private ForeignPeer(Process process, Path stderr) {
        this.process = process;
        this.stderr = stderr;
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (all) {
                        all.add(line);
                    }
                    lines.add(line);
                }
            } catch (IOException e) {
                lines.add("!! stdout read failed: " + e);
            }
        }, "foreign-peer-stdout");
        reader.setDaemon(true);
        reader.start();
    }

    static void assumeAvailable() throws IOException {
        Root.assume();
        boolean setpriv = Files.isExecutable(Paths.get("/usr/bin/setpriv")) || Files.isExecutable(Paths.get("/bin/setpriv"));
        if (!setpriv && dev.vboost.hardening.support.Realtime.onCi()) {
            throw new AssertionError("CI=true but setpriv (util-linux) is missing");
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(setpriv, "skipped: setpriv (util-linux) not installed");
    }

    /**
     * Starts {@link ForeignPeerMain} as uid and gid {@code id} with {@code connections} connections to
     * {@code socket}. {@code work} (made traversable) receives a readable copy of the class and the child's
     * stderr.
     */
    static ForeignPeer start(Path work, int id, Path socket, int connections) throws IOException {
        Path cp = work.resolve("foreign-cp");
        Path classFile = cp.resolve(ForeignPeerMain.class.getName().replace('.', '/') + ".class");
        Files.createDirectories(classFile.getParent());
        try {
            Files.copy(Paths.get(ForeignPeerMain.class.getResource(ForeignPeerMain.class.getSimpleName() + ".class")
                    .toURI()), classFile);
        } catch (URISyntaxException | NullPointerException e) {
            throw new IOException("cannot find ForeignPeerMain.class on the test class path", e);
        }
        for (Path p = classFile; p != null && p.startsWith(work); p = p.getParent()) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(
                    Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
        }
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        Path err = work.resolve("foreign-peer-" + id + ".stderr.log");
        Process p = new ProcessBuilder("setpriv", "--reuid=" + id, "--regid=" + id, "--clear-groups", "--",
                java, "-XX:-UsePerfData", "-Xmx32m", "-XX:+UseSerialGC", "-cp", cp.toString(),
                ForeignPeerMain.class.getName(), socket.toString(), Integer.toString(connections))
                .redirectError(err.toFile()).start();
        return new ForeignPeer(p, err);
    }

    /** The next stdout line starting with {@code prefix}, within 30 s; fails with the child's output otherwise. */
    String expect(String prefix) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            long left = deadline - System.nanoTime();
            String line = left > 0 ? lines.poll(left, TimeUnit.NANOSECONDS) : null;
            if (line == null) {
                throw new AssertionError("the foreign peer did not print '" + prefix + "...' (alive: "
                        + process.isAlive() + ")\n" + output());
            }
            if (line.startsWith(prefix)) {
                return line;
            }
        }
    }

    /** Sends a command and returns the reply line that starts with {@code replyPrefix}. */
    String ask(String command, String replyPrefix) throws IOException, InterruptedException {
        OutputStream in = process.getOutputStream();
        in.write((command + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
        return expect(replyPrefix);
    }

    String output() {
        StringBuilder sb = new StringBuilder("--- foreign peer stdout ---\n");
        synchronized (all) {
            all.forEach(l -> sb.append(l).append('\n'));
        }
        try {
            sb.append("--- stderr ---\n").append(Files.exists(stderr) ? Files.readString(stderr) : "(none)");
        } catch (IOException e) {
            sb.append("(stderr unreadable: ").append(e).append(')');
        }
        return sb.toString();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            try {
                process.getOutputStream().write("exit\n".getBytes(StandardCharsets.UTF_8));
                process.getOutputStream().flush();
            } catch (IOException e) {
                // it is going anyway
            }
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
