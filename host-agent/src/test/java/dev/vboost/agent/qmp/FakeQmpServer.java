package dev.vboost.agent.qmp;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A QEMU stand-in on a Unix socket: greets, answers qmp_capabilities, query-cpus-fast (from {@link #cpus}) and
 * anything else with a CommandNotFound error; the test can send events. One client at a time.
 */
final class FakeQmpServer implements AutoCloseable {
    final List<String> cpus = new CopyOnWriteArrayList<>(); // JSON objects, e.g. {"cpu-index":0,"thread-id":7}
    final List<String> received = new CopyOnWriteArrayList<>();
    final AtomicInteger queries = new AtomicInteger();
    volatile String greeting = "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 7}}, \"capabilities\": []}}";
    private final ServerSocketChannel server;
    private final Thread thread;
    private volatile SocketChannel client;

    FakeQmpServer(Path socket) throws IOException {
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        thread = new Thread(this::serve, "fake-qmp");
        thread.setDaemon(true);
        thread.start();
    }

    private void serve() {
        try (SocketChannel ch = server.accept()) {
            // reads through a dup'ed stream would hold the channel's lock and block send(): read the channel itself
            BufferedReader in = new BufferedReader(new InputStreamReader(new java.io.InputStream() {
                @Override
                public int read() throws IOException {
                    byte[] one = new byte[1];
                    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    int n;
                    do {
                        n = ch.read(ByteBuffer.wrap(b, off, len)); // returns what has arrived, not len bytes
                    } while (n == 0);
                    return n;
                }
            }, StandardCharsets.UTF_8));
            client = ch;
            send(greeting);
            String line;
            while ((line = in.readLine()) != null) {
                received.add(line);
                if (line.contains("\"qmp_capabilities\"")) {
                    send("{\"return\": {}}");
                } else if (line.contains("\"query-cpus-fast\"")) {
                    queries.incrementAndGet();
                    send("{\"return\": [" + String.join(", ", cpus) + "]}");
                } else {
                    send("{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"The command was not found\"}}");
                }
            }
        } catch (IOException e) {
            // the test closed the server or the client went away
        }
    }

    synchronized void send(String json) throws IOException {
        SocketChannel ch = client;
        if (ch != null) {
            ByteBuffer b = ByteBuffer.wrap((json + "\r\n").getBytes(StandardCharsets.UTF_8));
            while (b.hasRemaining()) {
                ch.write(b);
            }
        }
    }

    void event(String name) throws IOException {
        send("{\"timestamp\": {\"seconds\": 1, \"microseconds\": 2}, \"event\": \"" + name + "\", \"data\": {}}");
    }

    static String cpu(int index, int tid) {
        return "{\"cpu-index\": " + index + ", \"qom-path\": \"/machine/unattached/device[" + index + "]\", \"thread-id\": "
                + tid + ", \"props\": {\"core-id\": 0, \"thread-id\": 0, \"node-id\": 0, \"socket-id\": " + index
                + "}, \"target\": \"x86_64\"}";
    }

    @Override
    public void close() throws IOException {
        server.close();
        SocketChannel ch = client;
        if (ch != null) {
            ch.close();
        }
    }
}
