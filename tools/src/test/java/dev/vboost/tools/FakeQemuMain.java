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
