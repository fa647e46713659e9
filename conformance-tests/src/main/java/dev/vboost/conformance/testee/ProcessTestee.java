package dev.vboost.conformance.testee;

import dev.vboost.conformance.region.Unsigned;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Runs a testee program and speaks the testee protocol with it over its stdin and stdout (framing of
 * testee protocol §2). Every request has a deadline; a testee that misses it is killed and the exchange
 * ends in {@link TesteeException.Kind#TIMEOUT}; one that exits ends in {@link TesteeException.Kind#CRASH}.
 * {@link #restart()} starts a fresh process.
 */
public final class ProcessTestee implements Testee {
    static final byte[] MAGIC = {'V', 'B', 'T', '1'};
    static final int MAX_PAYLOAD = 1 << 20;
    private static final int KIND_REQUEST = 1;
    private static final int KIND_REPLY = 2;
    private static final int STDERR_KEEP = 64 * 1024;

    private final List<String> command;
    private final long deadlineMillis;
    private final long stressDeadlineMillis;
    private @Nullable Process process;
    private @Nullable OutputStream toTestee;
    private BlockingQueue<Object> replies = new ArrayBlockingQueue<>(4);
    private final StringBuilder stderr = new StringBuilder();
    private int nextId = 1;
    private @Nullable TesteeInfo info;
    private @Nullable Thread stderrThread;

    /** {@code command} is the program and its arguments; timeouts scale with {@link #timeoutScale()}. */
    public ProcessTestee(List<String> command) {
        this(command, (long) (10_000 * timeoutScale()), (long) (60_000 * timeoutScale()));
    }

    /** With explicit deadlines for ordinary and for {@code stress.*} requests, in milliseconds. */
    public ProcessTestee(List<String> command, long deadlineMillis, long stressDeadlineMillis) {
        if (command.isEmpty()) {
            throw new IllegalArgumentException("empty testee command");
        }
        if (deadlineMillis <= 0 || stressDeadlineMillis <= 0) {
            throw new IllegalArgumentException("deadlines must be positive");
        }
        this.command = List.copyOf(command);
        this.deadlineMillis = deadlineMillis;
        this.stressDeadlineMillis = stressDeadlineMillis;
    }

    /** {@code VBOOST_TCK_TIMEOUT_SCALE} or the system property {@code vboost.tck.timeoutScale}; default 1. */
    public static double timeoutScale() {
        String v = System.getProperty("vboost.tck.timeoutScale", System.getenv("VBOOST_TCK_TIMEOUT_SCALE"));
        if (v == null || v.isBlank()) {
            return 1.0;
        }
        try {
            double d = Double.parseDouble(v.trim());
            return d > 0 ? d : 1.0;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("VBOOST_TCK_TIMEOUT_SCALE must be a positive number, got '" + v + "'", e);
        }
    }

    private void start() throws TesteeException {
        try {
            Process p = new ProcessBuilder(command).start();
            process = p;
            toTestee = p.getOutputStream();
            BlockingQueue<Object> queue = new ArrayBlockingQueue<>(4); // one per process: a dead reader cannot leak into the next
            replies = queue;
            Thread out = new Thread(() -> readFrames(p.getInputStream(), queue), "vboost-testee-stdout");
            out.setDaemon(true);
            out.start();
            Thread err = new Thread(() -> drainStderr(p.getErrorStream()), "vboost-testee-stderr");
            err.setDaemon(true);
            err.start();
            stderrThread = err;
        } catch (IOException e) {
            throw new TesteeException(TesteeException.Kind.ERROR, "cannot start testee " + command + ": " + e.getMessage());
        }
        Map<String, String> hello = new LinkedHashMap<>();
        hello.put("cmd", "hello");
        hello.put("protocol", "1");
        hello.put("spec", "1.0");
        // start-up (a JVM on a loaded machine) gets at least the default deadline, whatever the test deadline
        Reply r = exchange(hello, Math.max(deadlineMillis, (long) (10_000 * timeoutScale())));
        if (!r.isOk()) {
            throw new TesteeException(TesteeException.Kind.ERROR, "testee refused hello: " + r);
        }
        if (!"1".equals(r.values().get("protocol"))) {
            throw new TesteeException(TesteeException.Kind.ERROR, "testee speaks testee protocol '"
                    + r.values().get("protocol") + "', this runner speaks 1");
        }
        info = new TesteeInfo(r.values().getOrDefault("name", "?"), r.values().getOrDefault("version", "?"),
                r.values().getOrDefault("language", "?"), r.values().getOrDefault("spec", "?"),
                list(r.values().getOrDefault("roles", "")), list(r.values().getOrDefault("features", "")),
                "process:stdio " + String.join(" ", command));
    }

    private static Set<String> list(String csv) {
        Set<String> s = new HashSet<>();
        for (String p : csv.split(",")) {
            if (!p.isBlank()) {
                s.add(p.trim());
            }
        }
        return Set.copyOf(s);
    }

    @Override
    public TesteeInfo info() throws TesteeException {
        TesteeInfo i = info;
        if (i == null || process == null) {
            start();
            i = info;
        }
        if (i == null) {
            throw new TesteeException(TesteeException.Kind.ERROR, "no hello reply");
        }
        return i;
    }

    @Override
    public Reply attach(String role, Path file, long size) throws TesteeException {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("cmd", "attach");
        m.put("role", role);
        m.put("path", file.toAbsolutePath().toString());
        m.put("size", Long.toString(size));
        return request(m, deadlineMillis);
    }

    @Override
    public Reply op(String name, Map<String, String> args) throws TesteeException {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("cmd", "op");
        m.put("op", name);
        m.putAll(args);
        return request(m, name.startsWith("stress.") ? stressDeadlineMillis : deadlineMillis);
    }

    @Override
    public void sync() throws TesteeException {
        Reply r = request(Map.of("cmd", "sync"), deadlineMillis);
        if (!r.isOk()) {
            throw new TesteeException(TesteeException.Kind.ERROR, "sync answered " + r);
        }
    }

    @Override
    public void restart() throws TesteeException {
        kill();
        start();
    }

    private Reply request(Map<String, String> payload, long deadline) throws TesteeException {
        info();
        return exchange(payload, deadline);
    }

    private Reply exchange(Map<String, String> payload, long deadline) throws TesteeException {
        Process p = process;
        OutputStream out = toTestee;
        if (p == null || out == null) {
            throw new TesteeException(TesteeException.Kind.ERROR, "testee not started");
        }
        int id = nextId++;
        byte[] body = FlatJson.write(payload).getBytes(StandardCharsets.UTF_8);
        ByteBuffer head = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        head.put(MAGIC).putInt(body.length).putInt(id).putInt(KIND_REQUEST);
        try {
            out.write(head.array());
            out.write(body);
            out.flush();
        } catch (IOException e) {
            throw crashed(p, "writing to the testee failed (" + e.getMessage() + ")");
        }
        Object got;
        try {
            got = replies.poll(deadline, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TesteeException(TesteeException.Kind.ERROR, "interrupted");
        }
        if (got == null) {
            kill();
            throw new TesteeException(TesteeException.Kind.TIMEOUT, "no reply to " + payload.get("cmd")
                    + (payload.containsKey("op") ? " " + payload.get("op") : "") + " within " + deadline
                    + " ms; the testee was killed (scale deadlines with VBOOST_TCK_TIMEOUT_SCALE)");
        }
        if (got instanceof String) {
            String why = (String) got;
            if (why.startsWith("EOF")) {
                throw crashed(p, "the testee closed stdout");
            }
            kill();
            throw new TesteeException(TesteeException.Kind.ERROR, why);
        }
        Frame f = (Frame) got;
        if (f.id != id || f.kind != KIND_REPLY) {
            kill();
            throw new TesteeException(TesteeException.Kind.ERROR, "reply id " + f.id + " kind " + f.kind
                    + " does not answer request " + id);
        }
        try {
            Map<String, String> m = new LinkedHashMap<>(FlatJson.parse(f.payload));
            String status = m.remove("status");
            if (status == null) {
                throw new IllegalArgumentException("reply without status");
            }
            return new Reply(status, Map.copyOf(m));
        } catch (IllegalArgumentException e) {
            kill();
            throw new TesteeException(TesteeException.Kind.ERROR, "malformed reply payload: " + e.getMessage());
        }
    }

    private TesteeException crashed(Process p, String what) {
        String exit;
        try {
            if (p.waitFor(2, TimeUnit.SECONDS)) {
                int code = p.exitValue();
                exit = "exit status " + code + (code > 128 ? " (signal " + (code - 128) + ")" : "");
            } else {
                exit = "still running";
            }
            Thread err = stderrThread;
            if (err != null) {
                err.join(2_000); // the pipe is at EOF once the process is gone: take its last words
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            exit = "unknown";
        }
        kill();
        return new TesteeException(TesteeException.Kind.CRASH, what + "; " + exit);
    }

    private record Frame(int id, int kind, String payload) {
    }

    private static void readFrames(InputStream in, BlockingQueue<Object> replies) {
        try {
            while (true) {
                byte[] head = in.readNBytes(16);
                if (head.length == 0) {
                    replies.put("EOF");
                    return;
                }
                if (head.length < 16 || !Arrays.equals(Arrays.copyOf(head, 4), MAGIC)) {
                    byte[] more = in.readNBytes(Math.min(in.available(), 48));
                    String text = new String(head, StandardCharsets.UTF_8) + new String(more, StandardCharsets.UTF_8);
                    replies.put("testee wrote non-protocol bytes to stdout: '" + text.replaceAll("\\p{Cntrl}", ".")
                            + "' (stdout carries frames only; log to stderr)");
                    return;
                }
                ByteBuffer h = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN);
                int len = h.getInt(4);
                int id = h.getInt(8);
                int kind = h.getInt(12);
                if (len < 0 || len > MAX_PAYLOAD) {
                    replies.put("reply length " + Unsigned.u32(len) + " exceeds 1 MiB");
                    return;
                }
                byte[] body = in.readNBytes(len);
                if (body.length < len) {
                    replies.put("EOF in the middle of a frame");
                    return;
                }
                replies.put(new Frame(id, kind, new String(body, StandardCharsets.UTF_8)));
            }
        } catch (IOException e) {
            try {
                replies.put("EOF (" + e.getMessage() + ")");
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void drainStderr(InputStream err) {
        byte[] buf = new byte[4096];
        try {
            int n;
            while ((n = err.read(buf)) > 0) {
                synchronized (stderr) {
                    stderr.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                    if (stderr.length() > STDERR_KEEP) {
                        stderr.delete(0, stderr.length() - STDERR_KEEP);
                    }
                }
            }
        } catch (IOException e) {
            // the process went away; what we have is what there is
        }
    }

    @Override
    public String stderrTail() {
        synchronized (stderr) {
            return stderr.toString();
        }
    }

    private void kill() {
        Process p = process;
        process = null;
        toTestee = null;
        info = null;
        if (p != null) {
            p.destroyForcibly();
            try {
                p.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void close() {
        Process p = process;
        if (p != null && p.isAlive()) {
            try {
                exchange(Map.of("cmd", "bye"), 2_000);
                p.waitFor(2, TimeUnit.SECONDS);
            } catch (TesteeException | InterruptedException e) {
                // being torn down anyway
            }
        }
        kill();
    }
}
