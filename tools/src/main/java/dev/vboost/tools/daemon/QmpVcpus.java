package dev.vboost.tools.daemon;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The smallest QMP client the daemon needs: connect, leave capabilities negotiation, {@code query-cpus-fast},
 * disconnect. Bounded: 2 s for the whole exchange, 1 MiB of reply. Outside its {@code props} (the topology,
 * which has an SMT {@code thread-id} of its own), each element of the reply carries {@code cpu-index} and
 * {@code thread-id} exactly once, so the n-th of each belong together.
 */
final class QmpVcpus {
    private static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final int MAX_REPLY = 1 << 20;
    private static final Pattern CPU_INDEX = Pattern.compile("\"cpu-index\"\\s*:\\s*([0-9]+)");
    private static final Pattern PROPS = Pattern.compile("\"props\"\\s*:\\s*\\{[^{}]*\\}");
    private static final Pattern THREAD_ID = Pattern.compile("\"thread-id\"\\s*:\\s*([0-9]+)");

    private QmpVcpus() {
    }

    static Map<Integer, Integer> query(Path socket) throws IOException {
        long deadline = System.nanoTime() + TIMEOUT_NANOS;
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
                Selector selector = Selector.open()) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ch.configureBlocking(false);
            ch.register(selector, SelectionKey.OP_READ);
            Lines lines = new Lines(ch, selector, deadline);
            if (!lines.next().contains("\"QMP\"")) {
                throw new IOException("no QMP greeting");
            }
            send(ch, "{\"execute\":\"qmp_capabilities\"}\n");
            lines.reply();
            send(ch, "{\"execute\":\"query-cpus-fast\"}\n");
            return parse(lines.reply());
        }
    }

    static Map<Integer, Integer> parse(String reply) throws IOException {
        // "props" holds the topology, whose x86 SMT "thread-id" is not the host thread: drop it first
        String top = PROPS.matcher(reply).replaceAll("");
        List<Integer> index = numbers(CPU_INDEX.matcher(top));
        List<Integer> tid = numbers(THREAD_ID.matcher(top));
        if (index.size() != tid.size() || index.isEmpty()) {
            throw new IOException("query-cpus-fast reply without matching cpu-index/thread-id pairs");
        }
        Map<Integer, Integer> map = new TreeMap<>();
        for (int i = 0; i < index.size(); i++) {
            if (tid.get(i) <= 0 || map.put(index.get(i), tid.get(i)) != null) {
                throw new IOException("query-cpus-fast: bad or repeated vCPU " + index.get(i));
            }
        }
        return map;
    }

    private static List<Integer> numbers(Matcher m) throws IOException {
        List<Integer> out = new ArrayList<>();
        while (m.find()) {
            String n = m.group(1);
            try {
                out.add(Integer.parseInt(n == null ? "" : n));
            } catch (NumberFormatException e) {
                throw new IOException("query-cpus-fast: number out of range: " + m.group(1));
            }
        }
        return out;
    }

    private static void send(SocketChannel ch, String s) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
        while (b.hasRemaining()) {
            ch.write(b); // a few dozen bytes into an empty socket buffer
        }
    }

    /** Reads CRLF-terminated JSON lines with one overall deadline. */
    private static final class Lines {
        private final SocketChannel ch;
        private final Selector selector;
        private final long deadline;
        private final ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        private final StringBuilder pending = new StringBuilder();
        private int total;

        Lines(SocketChannel ch, Selector selector, long deadline) {
            this.ch = ch;
            this.selector = selector;
            this.deadline = deadline;
        }

        String next() throws IOException {
            while (true) {
                int nl = pending.indexOf("\n");
                if (nl >= 0) {
                    String line = pending.substring(0, nl).strip();
                    pending.delete(0, nl + 1);
                    return line;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IOException("QMP did not answer within 2 s");
                }
                selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                selector.selectedKeys().clear();
                buf.clear();
                int n = ch.read(buf);
                if (n < 0) {
                    throw new IOException("QMP closed the connection");
                }
                total += n;
                if (total > MAX_REPLY) {
                    throw new IOException("QMP reply larger than 1 MiB");
                }
                pending.append(new String(buf.array(), 0, n, StandardCharsets.UTF_8));
            }
        }

        /** The next line that is a command's answer (events skipped); an error answer is an exception. */
        String reply() throws IOException {
            while (true) {
                String line = next();
                if (line.startsWith("{\"return\"") || line.contains("\"return\":")) {
                    return line;
                }
                if (line.contains("\"error\"")) {
                    throw new IOException("QMP error: " + (line.length() > 200 ? line.substring(0, 200) : line));
                }
            }
        }
    }
}
