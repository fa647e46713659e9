package dev.vboost.agent.hypercall;

import dev.vboost.api.hypercall.HypercallExit;
import dev.vboost.api.hypercall.KvmError;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Serves hypercalls over a Unix domain socket so a VMM process can forward its {@code KVM_EXIT_HYPERCALL}s
 * to an agent in another process. One selector thread; non-blocking reads into a fixed 64-byte frame
 * buffer per connection, so a slow or hostile peer can hold at most one partial frame and never blocks the
 * others; a frame with a bad magic or version gets a {@link HypercallFrame#STATUS_BAD_FRAME} answer and the
 * connection is closed; a connection that leaves a frame incomplete for longer than the partial-frame timeout
 * is closed. Nothing a peer sends can stop the server or the agent.
 */
public final class HypercallSocketServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(HypercallSocketServer.class.getName());
    /** Connections beyond this are accepted and closed at once. */
    public static final int MAX_CONNECTIONS = 64;
    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;
    /** Default for how long a started frame may stay incomplete. */
    public static final Duration DEFAULT_PARTIAL_FRAME_TIMEOUT = Duration.ofSeconds(5);
    private static final long SELECT_MILLIS = 500;

    private final Path path;
    private final List<HypercallDispatcher> dispatchers;
    private final ServerSocketChannel server;
    private final Selector selector;
    private final long partialFrameNanos;
    private long lastSweep = System.nanoTime();
    private @Nullable Thread thread;
    private volatile boolean running = true;
    private int connections;
    private final AtomicLong frames = new AtomicLong();
    private final AtomicLong badFrames = new AtomicLong();

    private HypercallSocketServer(Path path, List<HypercallDispatcher> dispatchers, ServerSocketChannel server,
            Selector selector, Duration partialFrameTimeout) {
        this.partialFrameNanos = partialFrameTimeout.toNanos();
        this.path = path;
        this.dispatchers = dispatchers;
        this.server = server;
        this.selector = selector;
    }

    /**
     * Binds {@code path} and starts serving; VM index {@code i} of a frame selects {@code dispatchers.get(i)}.
     * A leftover socket file nobody listens on is replaced; one in use is an error.
     */
    public static HypercallSocketServer start(Path path, List<HypercallDispatcher> dispatchers) throws IOException {
        return start(path, dispatchers, DEFAULT_PARTIAL_FRAME_TIMEOUT);
    }

    /**
     * As {@link #start(Path, List)}; a connection that leaves a frame incomplete for longer than
     * {@code partialFrameTimeout} is closed (checked about every 500 ms or the timeout,
     * whichever is shorter).
     */
    public static HypercallSocketServer start(Path path, List<HypercallDispatcher> dispatchers,
            Duration partialFrameTimeout) throws IOException {
        if (partialFrameTimeout.isNegative() || partialFrameTimeout.isZero()
                || partialFrameTimeout.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException("partial-frame timeout " + partialFrameTimeout + " outside (0, 1 h]");
        }
        if (dispatchers.isEmpty() || dispatchers.size() > 0x10000) {
            throw new IllegalArgumentException("1..65536 dispatchers, got " + dispatchers.size());
        }
        removeStaleSocket(path);
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        Selector selector = Selector.open();
        try {
            server.bind(UnixDomainSocketAddress.of(path));
            server.configureBlocking(false);
            server.register(selector, SelectionKey.OP_ACCEPT);
        } catch (IOException | RuntimeException e) {
            server.close();
            selector.close();
            throw e;
        }
        HypercallSocketServer s = new HypercallSocketServer(path, new ArrayList<>(dispatchers), server, selector,
                partialFrameTimeout);
        Thread t = new Thread(s::loop, "vboost-hypercall-socket");
        t.setDaemon(true);
        s.thread = t;
        t.start();
        return s;
    }

    /**
     * Checks that {@link #start} could bind {@code path} now, changing nothing: it is absent, or a socket nobody
     * listens on (which {@code start} replaces). A live socket or a file that is not a socket is an error.
     */
    public static void checkBindable(Path path) throws IOException {
        if (!Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Object mode = Files.getAttribute(path, "unix:mode", java.nio.file.LinkOption.NOFOLLOW_LINKS);
        if (!(mode instanceof Integer) || ((Integer) mode & S_IFMT) != S_IFSOCK) {
            throw new IOException(path + " exists and is not a socket; not replacing it");
        }
        boolean inUse;
        try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
            inUse = true;
        } catch (IOException e) {
            inUse = false; // nobody answers: a leftover of a dead server
        }
        if (inUse) {
            throw new IOException(path + " is in use by another server");
        }
    }

    private static void removeStaleSocket(Path path) throws IOException {
        checkBindable(path);
        Files.deleteIfExists(path);
    }

    public Path path() {
        return path;
    }

    /** Frames served (any status). */
    public long frames() {
        return frames.get();
    }

    /** Frames rejected as malformed. */
    public long badFrames() {
        return badFrames.get();
    }

    private static final class Connection {
        final ByteBuffer in = HypercallFrame.newRequestBuffer();
        final ByteBuffer out = HypercallFrame.newResponseBuffer();
        boolean closeAfterWrite;
        boolean dropped;
        /** When the incomplete frame in {@link #in} began ({@link System#nanoTime()}); meaningless while empty. */
        long partialSince;

        Connection() {
            out.limit(0);
        }
    }

    private void loop() {
        while (running) {
            try {
                selector.select(Math.max(1, Math.min(SELECT_MILLIS, partialFrameNanos / 1_000_000)));
            } catch (IOException | ClosedSelectorException e) {
                if (running) {
                    LOG.log(System.Logger.Level.ERROR, "hypercall socket selector failed", e);
                }
                return;
            }
            Iterator<SelectionKey> it;
            try {
                it = selector.selectedKeys().iterator();
            } catch (ClosedSelectorException e) {
                return;
            }
            while (it.hasNext()) {
                SelectionKey key = it.next();
                it.remove();
                try {
                    if (!key.isValid()) {
                        continue;
                    }
                    if (key.isAcceptable()) {
                        accept();
                    } else {
                        serve(key);
                    }
                } catch (IOException | RuntimeException e) {
                    LOG.log(System.Logger.Level.DEBUG, "hypercall connection dropped: " + e);
                    drop(key);
                }
            }
            sweepPartialFrames();
        }
    }

    /** Closes connections whose started frame stayed incomplete too long: bounded by the connection limit. */
    private void sweepPartialFrames() {
        long now = System.nanoTime();
        if (now - lastSweep < Math.min(partialFrameNanos, SELECT_MILLIS * 1_000_000)) {
            return;
        }
        lastSweep = now;
        SelectionKey[] keys;
        try {
            keys = selector.keys().toArray(new SelectionKey[0]);
        } catch (ClosedSelectorException e) {
            return;
        }
        for (SelectionKey key : keys) {
            Object a = key.attachment();
            if (key.isValid() && a instanceof Connection) {
                Connection c = (Connection) a;
                if (c.in.position() > 0 && now - c.partialSince > partialFrameNanos) {
                    LOG.log(System.Logger.Level.DEBUG, "hypercall connection closed: frame incomplete for too long");
                    drop(key);
                }
            }
        }
    }

    private void accept() throws IOException {
        SocketChannel ch = server.accept();
        if (ch == null) {
            return;
        }
        if (connections >= MAX_CONNECTIONS) {
            ch.close();
            return;
        }
        ch.configureBlocking(false);
        ch.register(selector, SelectionKey.OP_READ, new Connection());
        connections++;
    }

    private void serve(SelectionKey key) throws IOException {
        SocketChannel ch = (SocketChannel) key.channel();
        Connection c = (Connection) key.attachment();
        if (c == null) {
            drop(key);
            return;
        }
        if (key.isWritable() || c.out.hasRemaining()) {
            ch.write(c.out);
            if (c.out.hasRemaining()) {
                key.interestOps(SelectionKey.OP_WRITE);
                return;
            }
            if (c.closeAfterWrite) {
                drop(key);
                return;
            }
            key.interestOps(SelectionKey.OP_READ);
        }
        if (!key.isReadable()) {
            return;
        }
        boolean wasEmpty = c.in.position() == 0;
        int n = ch.read(c.in);
        if (n < 0) {
            drop(key); // peer closed; a partial frame is discarded
            return;
        }
        if (c.in.hasRemaining()) {
            if (wasEmpty && n > 0) {
                c.partialSince = System.nanoTime();
            }
            return; // bounded: at most one 64-byte frame is buffered per connection
        }
        c.in.flip();
        answer(c, c.in);
        c.in.clear();
        ch.write(c.out);
        if (c.out.hasRemaining()) {
            key.interestOps(SelectionKey.OP_WRITE);
        } else if (c.closeAfterWrite) {
            drop(key);
        }
    }

    private void answer(Connection c, ByteBuffer in) {
        frames.incrementAndGet();
        int magic = in.getInt(0);
        int version = Short.toUnsignedInt(in.getShort(4));
        int vm = Short.toUnsignedInt(in.getShort(6));
        if (magic != HypercallFrame.REQUEST_MAGIC || version != HypercallFrame.VERSION) {
            badFrames.incrementAndGet();
            c.closeAfterWrite = true;
            HypercallFrame.encodeResponse(c.out, HypercallFrame.STATUS_BAD_FRAME, KvmError.EINVAL.ret());
            return;
        }
        if (vm >= dispatchers.size()) {
            HypercallFrame.encodeResponse(c.out, HypercallFrame.STATUS_UNKNOWN_VM, KvmError.EINVAL.ret());
            return;
        }
        long nr = in.getLong(8);
        long[] args = new long[6];
        for (int i = 0; i < 6; i++) {
            args[i] = in.getLong(16 + 8 * i);
        }
        long ret = dispatchers.get(vm).dispatch(new HypercallExit(nr, args, 0)).ret();
        HypercallFrame.encodeResponse(c.out, HypercallFrame.STATUS_EXECUTED, ret);
    }

    private void drop(@Nullable SelectionKey key) {
        if (key == null) {
            return;
        }
        key.cancel();
        try {
            key.channel().close();
        } catch (IOException e) {
            // closing anyway
        }
        Object a = key.attachment();
        if (a instanceof Connection && !((Connection) a).dropped) {
            ((Connection) a).dropped = true;
            connections--; // once per connection, however often it is dropped
        }
    }

    /** Stops serving, closes every connection and removes the socket file. */
    @Override
    public void close() throws IOException {
        running = false;
        selector.wakeup();
        Thread t = thread;
        if (t != null) {
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (SelectionKey k : selector.keys()) {
            try {
                k.channel().close();
            } catch (IOException e) {
                // keep closing the rest
            }
        }
        selector.close();
        server.close();
        Files.deleteIfExists(path);
    }
}
