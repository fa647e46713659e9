package dev.vboost.agent.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A test main class started in a child JVM with this test class path. Its stdout and stderr are read line by
 * line on a daemon thread; {@link #awaitLine} waits (bounded) for a line with a given prefix and fails with
 * everything the child printed when it does not come.
 */
public final class ChildJvm implements AutoCloseable {
    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> output = Collections.synchronizedList(new ArrayList<>());

    private ChildJvm(Process process) {
        this.process = process;
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    output.add(line);
                    lines.add(line);
                }
            } catch (IOException e) {
                output.add("(reading the child's output failed: " + e + ")");
            }
        }, "child-output");
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code main} with {@code args}: same java binary, this class path, no other options. */
    public static ChildJvm start(Class<?> main, String... args) throws IOException {
        return startWrapped(new String[0], main, args);
    }

    /** As {@link #start}, the java command prefixed by {@code wrapper} (for example {@code setpriv ...}). */
    public static ChildJvm startWrapped(String[] wrapper, Class<?> main, String... args) throws IOException {
        String java = ProcessHandle.current().info().command()
                .orElse(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        List<String> cmd = new ArrayList<>();
        Collections.addAll(cmd, wrapper);
        cmd.add(java);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(main.getName());
        Collections.addAll(cmd, args);
        return new ChildJvm(new ProcessBuilder(cmd).redirectErrorStream(true).start());
    }

    public Process process() {
        return process;
    }

    /** The first unread line starting with {@code prefix}; earlier unread lines are skipped. */
    public String awaitLine(String prefix, long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        while (true) {
            long left = deadline - System.nanoTime();
            String line = left > 0 ? lines.poll(left, TimeUnit.NANOSECONDS) : null;
            if (line == null) {
                throw new AssertionError("child did not print '" + prefix + "' within " + timeout + " " + unit
                        + " (alive: " + process.isAlive() + "); output:\n" + output());
            }
            if (line.startsWith(prefix)) {
                return line;
            }
        }
    }

    /** Waits for a normal exit (bounded) and returns the exit code. */
    public int awaitExit(long timeout, TimeUnit unit) throws InterruptedException {
        if (!process.waitFor(timeout, unit)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("child did not exit within " + timeout + " " + unit + "; output:\n" + output());
        }
        return process.exitValue();
    }

    public String output() {
        synchronized (output) {
            return String.join("\n", output);
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
