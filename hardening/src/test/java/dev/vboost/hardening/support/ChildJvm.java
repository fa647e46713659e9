package dev.vboost.hardening.support;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM running a test class's {@code main} with this JVM's class path: a guest in another process,
 * sharing the region only through the mapped file. Its stdout lines are queued for {@link #expectLine};
 * stderr goes to a log file shown when something fails. {@link #kill()} sends SIGKILL.
 */
public final class ChildJvm implements AutoCloseable {
    private final Process process;
    private final Path stderr;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> all = new ArrayList<>();
    private final BufferedWriter stdin;

    private ChildJvm(Process process, Path stderr) {
        this.process = process;
        this.stderr = stderr;
        this.stdin = new BufferedWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
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
        }, "child-stdout");
        reader.setDaemon(true);
        reader.start();
    }

    public static ChildJvm start(Path workDir, String name, Class<?> main, String... args) throws IOException {
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        if (Runtime.version().feature() >= 22) {
            cmd.add("--enable-native-access=ALL-UNNAMED"); // JNA in the child (thread ids)
        }
        cmd.add("-Xmx128m");
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(main.getName());
        cmd.addAll(List.of(args));
        return startCommand(workDir, name, cmd);
    }

    /**
     * A child running {@code cmd} as given (a java command line behind a wrapper such as {@code setpriv}, with a
     * class path of the caller's choosing); its stderr goes to {@code workDir/name.stderr.log}.
     */
    public static ChildJvm startCommand(Path workDir, String name, List<String> cmd) throws IOException {
        Path err = workDir.resolve(name + ".stderr.log");
        Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
        return new ChildJvm(p, err);
    }

    /**
     * The next stdout line starting with {@code prefix} (earlier other lines are skipped), within the timeout;
     * fails with the child's output otherwise.
     */
    public String expectLine(String prefix, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (true) {
            long left = deadline - System.nanoTime();
            String line = left > 0 ? lines.poll(left, TimeUnit.NANOSECONDS) : null;
            if (line == null) {
                throw new AssertionError("child did not print '" + prefix + "...' within " + timeoutMillis
                        + " ms (alive: " + process.isAlive() + ")\n" + output());
            }
            if (line.startsWith(prefix)) {
                return line;
            }
        }
    }

    /** Sends a line to the child's stdin. */
    public void send(String line) throws IOException {
        stdin.write(line);
        stdin.newLine();
        stdin.flush();
    }

    /** SIGKILL (Process.destroyForcibly on Linux), then waits for the process to be gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            throw new AssertionError("child " + process.pid() + " survived SIGKILL for 10 s");
        }
    }

    /** Waits for a normal exit with status 0, bounded. */
    public void awaitSuccess(long timeoutMillis) throws InterruptedException {
        if (!process.waitFor(timeoutMillis, TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("child did not exit within " + timeoutMillis + " ms\n" + output());
        }
        if (process.exitValue() != 0) {
            throw new AssertionError("child exited with " + process.exitValue() + "\n" + output());
        }
    }

    public long pid() {
        return process.pid();
    }

    public boolean alive() {
        return process.isAlive();
    }

    public int exitValue() {
        return process.exitValue();
    }

    /** Everything the child printed so far (stdout, then its stderr log). */
    public String output() {
        StringBuilder sb = new StringBuilder("--- child stdout ---\n");
        synchronized (all) {
            for (String l : all) {
                sb.append(l).append('\n');
            }
        }
        sb.append("--- child stderr ---\n");
        try {
            sb.append(Files.exists(stderr) ? Files.readString(stderr) : "(none)");
        } catch (IOException e) {
            sb.append("(unreadable: ").append(e).append(')');
        }
        return sb.toString();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
