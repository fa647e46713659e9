package dev.vboost.tools;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * A QEMU stand-in in a process of its own, for the agent's QMP peer check: listens on {@code args[0]}, greets
 * each client in turn, answers {@code qmp_capabilities}, and answers {@code query-cpus-fast} with cpu-index 0 on
 * thread {@code args[1]} ({@code self}: its own main thread, whose id is its process id). Prints
 * {@code listening <pid>} once bound; runs until killed.
 */
public final class FakeQemuMain {
    private FakeQemuMain() {
    }

    public static void main(String[] args) throws IOException {
        long pid = ProcessHandle.current().pid();
        String tid = args[1].equals("self") ? Long.toString(pid) : args[1];
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(Path.of(args[0])));
            System.out.println("listening " + pid);
            System.out.flush();
            while (true) {
                try (SocketChannel client = server.accept()) {
                    serve(client, tid);
                } catch (IOException e) {
                    // the client went away: serve the next one, as QEMU does
                }
            }
        }
    }

    /**
     * Starts this fake in a process of its own on {@code socket} and waits for it to listen (bounded by the
     * calling test's timeout); its stderr goes to {@code socket.stderr}.
     */
    public static Process start(Path socket, String tid) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-Xmx32m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                FakeQemuMain.class.getName(), socket.toString(), tid)
                .redirectError(Path.of(socket + ".stderr").toFile()).start();
        String line = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
        if (line == null || !line.equals("listening " + p.pid())) {
            p.destroyForcibly();
            throw new IOException("the fake QEMU said " + line);
        }
        return p;
    }

    /** A fake QEMU whose vCPU list names the (only) thread of another process, {@code sleep}. */
    public static final class Impostor implements AutoCloseable {
        /** The other process; its pid is the thread id the fake reports. */
        public final Process other;
        /** The fake QEMU, listening. */
        public final Process qemu;

        public Impostor(Path socket) throws IOException, InterruptedException {
            other = new ProcessBuilder("sleep", "60").start();
            try {
                qemu = start(socket, Long.toString(other.pid()));
            } catch (IOException | RuntimeException e) {
                stop(other);
                throw e;
            }
        }

        @Override
        public void close() throws InterruptedException {
            stop(qemu);
            stop(other);
        }
    }

    /** Kills {@code p} (null: nothing) and waits up to 10 s for it to go. */
    public static void stop(@Nullable Process p) throws InterruptedException {
        if (p != null) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static void serve(SocketChannel client, String tid) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(client),
                StandardCharsets.UTF_8));
        write(client, "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 8}}, \"capabilities\": []}}");
        String line;
        while ((line = in.readLine()) != null) {
            if (line.contains("query-cpus-fast")) {
                write(client, "{\"return\": [{\"cpu-index\": 0, \"thread-id\": " + tid + "}]}");
            } else {
                write(client, "{\"return\": {}}");
            }
        }
    }

    private static void write(SocketChannel client, String line) throws IOException {
        ByteBuffer b = ByteBuffer.wrap((line + "\r\n").getBytes(StandardCharsets.UTF_8));
        while (b.hasRemaining()) {
            client.write(b);
        }
    }
}
