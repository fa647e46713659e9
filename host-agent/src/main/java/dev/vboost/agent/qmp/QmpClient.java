package dev.vboost.agent.qmp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * A client of QEMU's machine protocol (QMP) over a Unix domain socket: reads the greeting, leaves capabilities
 * negotiation with {@code qmp_capabilities}, then runs one command at a time. Asynchronous events go to a
 * listener on the client's reader thread; a listener must not call {@link #execute} itself (hand the work to
 * another thread).
 *
 * <p>QEMU is a peer, not trusted: every line is bounded in length, every reply awaited with a timeout.
 */
public final class QmpClient implements AutoCloseable {
    /** Longest line accepted from QEMU; query-cpus-fast for 4096 vCPUs is well below this. */
    static final int MAX_LINE = 4 << 20;
    private static final ObjectMapper JSON = new ObjectMapper();
    /** A reply that is the reader's end-of-stream marker. */
    private static final JsonNode CLOSED = JSON.createObjectNode().put("closed", true);

    // the channel is read and written directly: the JDK's Channels.newInputStream/newOutputStream streams share
    // one lock, so a reader blocked waiting for an event would stop every command from being sent
    private final SocketChannel channel;
    private final ByteBuffer in = ByteBuffer.allocate(64 * 1024).flip();
    private final Duration timeout;
    private final BlockingQueue<JsonNode> replies = new ArrayBlockingQueue<>(16);
    private final Consumer<JsonNode> events;
    private volatile @Nullable Thread reader; // started by connect, once the client is constructed
    private volatile @Nullable IOException readerFailure;
    private volatile boolean closed;

    private QmpClient(SocketChannel channel, Duration timeout, Consumer<JsonNode> events) {
        this.channel = channel;
        this.timeout = timeout;
        this.events = events;
    }

    /**
     * Connects to the QMP socket {@code socket}, reads the greeting and negotiates capabilities.
     *
     * @param socket  QEMU's QMP UNIX socket ({@code -qmp unix:...})
     * @param timeout bound on connecting, the greeting and each later command's reply
     * @param events  receives each event object ({@code {"event": ..., "data": ...}}) on the reader thread
     * @return the connected client, in command mode
     * @throws IOException if the socket cannot be reached or QEMU does not speak QMP within {@code timeout}
     */
    public static QmpClient connect(Path socket, Duration timeout, Consumer<JsonNode> events) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            ch.close();
            throw new IOException("QMP socket " + socket + ": " + e.getMessage(), e);
        }
        QmpClient c = new QmpClient(ch, timeout, events);
        try {
            Thread t = new Thread(c::readLoop, "vboost-qmp-reader");
            t.setDaemon(true);
            c.reader = t;
            t.start();
            JsonNode greeting = c.awaitReply();
            if (!greeting.has("QMP")) {
                throw new IOException("QMP socket " + socket + ": no QMP greeting, got " + abbreviate(greeting));
            }
            c.execute("qmp_capabilities");
            return c;
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /**
     * Runs {@code command} without arguments.
     *
     * @param command the QMP command name, e.g. {@code query-cpus-fast}
     * @return the reply's {@code return} value
     * @throws IOException as for {@link #execute(String, ObjectNode)}
     */
    public JsonNode execute(String command) throws IOException {
        return execute(command, null);
    }

    /**
     * Runs {@code command} with {@code arguments} (may be null) and returns its {@code return} value.
     *
     * @param command   the QMP command name
     * @param arguments the {@code arguments} object, or null for none
     * @return the reply's {@code return} value
     * @throws IOException on a QMP error reply (with QEMU's class and description), a closed connection or no
     *     reply within the timeout
     */
    public synchronized JsonNode execute(String command, @Nullable ObjectNode arguments) throws IOException {
        ObjectNode req = JSON.createObjectNode().put("execute", command);
        if (arguments != null) {
            req.set("arguments", arguments);
        }
        ByteBuffer b = ByteBuffer.wrap((JSON.writeValueAsString(req) + "\n").getBytes(StandardCharsets.UTF_8));
        while (b.hasRemaining()) {
            channel.write(b);
        }
        JsonNode reply = awaitReply();
        JsonNode error = reply.get("error");
        if (error != null) {
            throw new IOException("QMP " + command + ": " + error.path("class").asText("?") + ": "
                    + error.path("desc").asText("(no description)"));
        }
        JsonNode ret = reply.get("return");
        if (ret == null) {
            throw new IOException("QMP " + command + ": reply without 'return': " + abbreviate(reply));
        }
        return ret;
    }

    private JsonNode awaitReply() throws IOException {
        JsonNode r;
        try {
            r = replies.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted waiting for QMP", e);
        }
        if (r == null) {
            throw new IOException("QEMU did not answer on QMP within " + timeout.toMillis() + " ms");
        }
        if (r == CLOSED) {
            replies.offer(CLOSED); // later callers see the end too
            IOException f = readerFailure;
            throw new IOException("QMP connection closed" + (f == null ? "" : ": " + f.getMessage()), f);
        }
        return r;
    }

    private void readLoop() {
        try {
            while (!closed) {
                String line = readBoundedLine();
                if (line == null) {
                    break;
                }
                if (line.isBlank()) {
                    continue;
                }
                JsonNode msg;
                try {
                    msg = JSON.readTree(line);
                } catch (JsonProcessingException e) {
                    throw new IOException("QMP sent a line that is not JSON: " + line.substring(0, Math.min(200, line.length())));
                }
                if (!msg.isObject()) {
                    throw new IOException("QMP sent a non-object: " + abbreviate(msg));
                }
                if (msg.has("event")) {
                    try {
                        events.accept(msg);
                    } catch (RuntimeException e) {
                        // a listener's failure must not end the connection; it is the listener's to report
                    }
                } else if (!replies.offer(msg)) {
                    throw new IOException("QMP sent replies nobody asked for");
                }
            }
        } catch (IOException e) {
            if (!closed) {
                readerFailure = e;
            }
        } finally {
            replies.clear();
            replies.offer(CLOSED);
        }
    }

    private @Nullable String readBoundedLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            if (!in.hasRemaining()) {
                in.clear();
                int n = channel.read(in);
                in.flip();
                if (n < 0) {
                    return line.size() == 0 ? null : line.toString(StandardCharsets.UTF_8);
                }
                continue;
            }
            byte c = in.get();
            if (c == '\n') {
                return line.toString(StandardCharsets.UTF_8);
            }
            if (line.size() >= MAX_LINE) {
                throw new IOException("QMP line longer than " + MAX_LINE + " bytes");
            }
            line.write(c);
        }
    }

    /**
     * Whether the connection ended.
     *
     * @return true once QEMU closed the socket or {@link #close()} was called
     */
    public boolean isClosed() {
        Thread t = reader;
        return closed || t == null || !t.isAlive();
    }

    @Override
    public void close() {
        closed = true;
        try {
            channel.close();
        } catch (IOException e) {
            // closing: nothing left to do with the error
        }
    }

    private static String abbreviate(JsonNode n) {
        String s = n.toString();
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }
}
