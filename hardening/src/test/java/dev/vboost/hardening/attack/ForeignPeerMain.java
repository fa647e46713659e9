package dev.vboost.hardening.attack;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Another local user against the hypercall socket, in a process of its own that {@code setpriv} starts under
 * that user's ids, so the server sees that user's real credentials ({@code SO_PEERCRED}). JDK classes only: the
 * test copies this one class file where the unprivileged user can read it (the build's class path usually is
 * not readable by it).
 *
 * <p>{@code main(socket, connections)} opens that many connections and prints {@code connected <ok> failed <n>};
 * then it reads commands from stdin: {@code call <hex>} sends the frame on the newest connection and prints
 * {@code answer <hex>} or {@code closed} (end of stream or reset, before any answer); {@code probe} prints
 * {@code open <n> closed <m>} over all connections; {@code exit} closes them and ends.
 */
public final class ForeignPeerMain {
    private static final long WAIT_NANOS = 10_000_000_000L;

    private ForeignPeerMain() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        UnixDomainSocketAddress socket = UnixDomainSocketAddress.of(args[0]);
        int wanted = Integer.parseInt(args[1]);
        List<SocketChannel> held = new ArrayList<>();
        int failed = 0;
        for (int i = 0; i < wanted; i++) {
            try {
                SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
                ch.connect(socket);
                ch.configureBlocking(false);
                held.add(ch);
            } catch (IOException e) {
                failed++;
                System.out.println("connect failed: " + e);
            }
        }
        System.out.println("connected " + held.size() + " failed " + failed);
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            if (line.startsWith("call ")) {
                System.out.println(call(held.get(held.size() - 1), HexFormat.of().parseHex(line.substring(5))));
            } else if (line.equals("probe")) {
                int open = 0;
                for (SocketChannel ch : held) {
                    if (stillOpen(ch)) {
                        open++;
                    }
                }
                System.out.println("open " + open + " closed " + (held.size() - open));
            } else if (line.equals("exit")) {
                break;
            }
            System.out.flush();
        }
        for (SocketChannel ch : held) {
            ch.close();
        }
    }

    /** Sends {@code frame} and waits (bounded) for a 16-byte answer or the end of the connection. */
    private static String call(SocketChannel ch, byte[] frame) throws InterruptedException {
        ByteBuffer out = ByteBuffer.wrap(frame);
        ByteBuffer answer = ByteBuffer.allocate(16);
        long deadline = System.nanoTime() + WAIT_NANOS;
        try {
            while (out.hasRemaining() && System.nanoTime() - deadline < 0) {
                ch.write(out);
            }
            while (answer.hasRemaining() && System.nanoTime() - deadline < 0) {
                if (ch.read(answer) < 0) {
                    return "closed (end of stream after " + answer.position() + " byte(s))";
                }
                Thread.sleep(5); // non-blocking socket: poll with the bound above
            }
        } catch (IOException e) {
            return "closed (" + e.getMessage() + ")";
        }
        return answer.hasRemaining() ? "timeout" : "answer " + HexFormat.of().formatHex(answer.array());
    }

    /** False once the server has closed the connection (end of stream or reset); reads nothing else. */
    private static boolean stillOpen(SocketChannel ch) {
        try {
            return ch.read(ByteBuffer.allocate(1)) == 0;
        } catch (IOException e) {
            return false;
        }
    }
}
