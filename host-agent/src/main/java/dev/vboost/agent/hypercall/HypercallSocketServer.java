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
 * connection is closed. Nothing a peer sends can stop the server or the agent.
 */
public final class HypercallSocketServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(HypercallSocketServer.class.getName());
    /** Connections beyond this are accepted and closed at once. */
    public static final int MAX_CONNECTIONS = 64;
    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;

    private final Path path;
    private final List<HypercallDispatcher> dispatchers;
    private final ServerSocketChannel server;
    private final Selector selector;
    private @Nullable Thread thread;
    private volatile boolean running = true;
    private int connections;
    private final AtomicLong frames = new AtomicLong();
    private final AtomicLong badFrames = new AtomicLong();

    private HypercallSocketServer(Path path, List<HypercallDispatcher> dispatchers, ServerSocketChannel server,
            Selector selector) {
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
        HypercallSocketServer s = new HypercallSocketServer(path, new ArrayList<>(dispatchers), server, selector);
        Thread t = new Thread(s::loop, "vboost-hypercall-socket");
        t.setDaemon(true);
        s.thread = t;
        t.start();
        return s;
    }

    private static void removeStaleSocket(Path path) throws IOException {
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
        Files.delete(path);
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

        Connection() {
            out.limit(0);
        }
    }

    private void loop() {
        while (running) {
            try {
                selector.select(500);
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
        int n = ch.read(c.in);
        if (n < 0) {
            drop(key); // peer closed; a partial frame is discarded
            return;
        }
        if (c.in.hasRemaining()) {
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
        if (key.attachment() != null) {
            connections--;
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
