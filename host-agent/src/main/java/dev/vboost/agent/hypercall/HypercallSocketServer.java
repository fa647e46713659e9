package dev.vboost.agent.hypercall;

import dev.vboost.agent.log.RateLimitedLog;
import dev.vboost.api.hypercall.HypercallExit;
import dev.vboost.api.hypercall.KvmError;
import dev.vboost.impl.memory.FileAccess;
import dev.vboost.impl.memory.SecureFiles;
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
import java.nio.file.FileSystems;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Serves hypercalls over a Unix domain socket so a VMM process can forward its {@code KVM_EXIT_HYPERCALL}s
 * to an agent in another process. One selector thread; non-blocking reads into a fixed 64-byte frame
 * buffer per connection, so a slow or hostile peer can hold at most one partial frame and never blocks the
 * others; a frame with a bad magic or version gets a {@link HypercallFrame#STATUS_BAD_FRAME} answer and the
 * connection is closed; a connection that leaves a frame incomplete for longer than the partial-frame timeout
 * is closed. Nothing a peer sends can stop the server or the agent.
 *
 * <p>Against local users (threat model §9): a peer whose credentials ({@code SO_PEERCRED}) are not an allowed
 * user or group is closed at once, before it can send anything; a connection idle for longer than the idle
 * timeout is closed; when all {@link #MAX_CONNECTIONS} are taken a new peer replaces the longest-idle one, so
 * idle connections can never lock the VMM out; the socket file is created in a private directory, given the
 * owner, group and mode of its {@link FileAccess} there and only then renamed into place.
 *
 * <p>Over 400 lines on purpose: the selector loop, the per-connection state and the admission rules (peer
 * credentials, connection limit, idle and partial-frame timeouts) interlock, and reading them in one place is
 * how a reviewer checks that no peer can hold or starve the server.
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
    private final long idleNanos;
    private final Set<UserPrincipal> allowedUsers;
    private final Set<GroupPrincipal> allowedGroups;
    private final Object socketKey;
    private final RateLimitedLog refusedLog = new RateLimitedLog(LOG, System.Logger.Level.WARNING,
            "hypercall socket: peer refused");
    private final AtomicLong refusedPeers = new AtomicLong();
    private final AtomicLong idleClosed = new AtomicLong();
    private long lastSweep = System.nanoTime();
    private @Nullable Thread thread;
    private volatile boolean running = true;
    private int connections;
    private final AtomicLong frames = new AtomicLong();
    private final AtomicLong badFrames = new AtomicLong();

    private HypercallSocketServer(Path path, List<HypercallDispatcher> dispatchers, ServerSocketChannel server,
            Selector selector, Options options, Set<UserPrincipal> users, Object socketKey) {
        this.partialFrameNanos = options.partialFrameTimeout().toNanos();
        this.idleNanos = options.idleTimeout().toNanos();
        this.allowedUsers = users;
        this.allowedGroups = Set.copyOf(options.allowedGroups());
        this.socketKey = socketKey;
        this.path = path;
        this.dispatchers = dispatchers;
        this.server = server;
        this.selector = selector;
    }

    /**
     * How the server treats its peers and its socket file.
     *
     * @param partialFrameTimeout how long a started frame may stay incomplete, (0, 1 h]
     * @param idleTimeout         how long a connection may send nothing before it is closed, (0, 24 h]
     * @param allowedUsers        peers running as one of these users are served; with {@code allowedGroups}
     *                            both empty, only this process's own user and root
     * @param allowedGroups       peers whose effective group is one of these are served
     * @param socketAccess        owner, group and mode of the socket file (a peer needs write permission on it)
     */
    public record Options(Duration partialFrameTimeout, Duration idleTimeout, Set<UserPrincipal> allowedUsers,
            Set<GroupPrincipal> allowedGroups, FileAccess socketAccess) {
        /**
         * Checks the timeouts and copies the sets.
         *
         * @param partialFrameTimeout (0, 1 h]
         * @param idleTimeout         (0, 24 h]
         * @param allowedUsers        copied
         * @param allowedGroups       copied
         * @param socketAccess        owner, group and mode of the socket file
         * @throws IllegalArgumentException if a timeout is outside its range
         */
        public Options {
            if (partialFrameTimeout.isNegative() || partialFrameTimeout.isZero()
                    || partialFrameTimeout.compareTo(Duration.ofHours(1)) > 0) {
                throw new IllegalArgumentException("partial-frame timeout " + partialFrameTimeout + " outside (0, 1 h]");
            }
            if (idleTimeout.isNegative() || idleTimeout.isZero() || idleTimeout.compareTo(Duration.ofHours(24)) > 0) {
                throw new IllegalArgumentException("idle timeout " + idleTimeout + " outside (0, 24 h]");
            }
            allowedUsers = Set.copyOf(allowedUsers);
            allowedGroups = Set.copyOf(allowedGroups);
        }

        /**
         * The defaults.
         *
         * @return 5 s partial-frame and {@link #DEFAULT_IDLE_TIMEOUT} idle timeouts, own user and root only,
         *         socket mode 0600
         */
        public static Options defaults() {
            return new Options(DEFAULT_PARTIAL_FRAME_TIMEOUT, DEFAULT_IDLE_TIMEOUT, Set.of(), Set.of(),
                    FileAccess.OWNER_ONLY);
        }

        /**
         * These options with another partial-frame timeout.
         *
         * @param d how long a started frame may stay incomplete, (0, 1 h]
         * @return a copy with {@code d}
         * @throws IllegalArgumentException if {@code d} is out of range
         */
        public Options withPartialFrameTimeout(Duration d) {
            return new Options(d, idleTimeout, allowedUsers, allowedGroups, socketAccess);
        }

        /**
         * These options with another idle timeout.
         *
         * @param d how long a connection may send nothing, (0, 24 h]
         * @return a copy with {@code d}
         * @throws IllegalArgumentException if {@code d} is out of range
         */
        public Options withIdleTimeout(Duration d) {
            return new Options(partialFrameTimeout, d, allowedUsers, allowedGroups, socketAccess);
        }

        /**
         * Serves peers running as {@code users} (by {@code SO_PEERCRED}) besides the groups allowed.
         *
         * @param users the allowed users, replacing the current set
         * @return a copy with {@code users}
         */
        public Options withAllowedUsers(Set<UserPrincipal> users) {
            return new Options(partialFrameTimeout, idleTimeout, users, allowedGroups, socketAccess);
        }

        /**
         * Serves peers whose effective group is one of {@code groups} besides the users allowed.
         *
         * @param groups the allowed groups, replacing the current set
         * @return a copy with {@code groups}
         */
        public Options withAllowedGroups(Set<GroupPrincipal> groups) {
            return new Options(partialFrameTimeout, idleTimeout, allowedUsers, groups, socketAccess);
        }

        /**
         * These options with another owner, group and mode for the socket file.
         *
         * @param access applied to the socket before it is renamed into place
         * @return a copy with {@code access}
         */
        public Options withSocketAccess(FileAccess access) {
            return new Options(partialFrameTimeout, idleTimeout, allowedUsers, allowedGroups, access);
        }
    }

    /** Default for how long a connection may stay silent. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(5);

    /**
     * Binds {@code path} and starts serving with {@link Options#defaults()}; VM index {@code i} of a frame
     * selects {@code dispatchers.get(i)}. A leftover socket file nobody listens on is replaced; one in use is an
     * error.
     *
     * @param path        where the socket file is created; its directory must pass {@code SecureFiles.checkDirectory}
     * @param dispatchers one per VM index, 1..65536 of them
     * @return the running server; {@link #close()} stops it
     * @throws IOException if the directory is unsafe, the path is in use, or binding fails
     */
    public static HypercallSocketServer start(Path path, List<HypercallDispatcher> dispatchers) throws IOException {
        return start(path, dispatchers, Options.defaults());
    }

    /**
     * As {@link #start(Path, List)} with another partial-frame timeout.
     *
     * @param path                where the socket file is created
     * @param dispatchers         one per VM index, 1..65536 of them
     * @param partialFrameTimeout how long a started frame may stay incomplete, (0, 1 h]
     * @return the running server
     * @throws IOException if the directory is unsafe, the path is in use, or binding fails
     */
    public static HypercallSocketServer start(Path path, List<HypercallDispatcher> dispatchers,
            Duration partialFrameTimeout) throws IOException {
        return start(path, dispatchers, Options.defaults().withPartialFrameTimeout(partialFrameTimeout));
    }

    /**
     * As {@link #start(Path, List)} with {@code options}: the peers allowed, the timeouts (checked about every
     * 500 ms or the shortest timeout, whichever is shorter), and the socket file's owner, group and mode.
     *
     * @param path        where the socket file is created
     * @param dispatchers one per VM index, 1..65536 of them
     * @param options     peers, timeouts and socket file access
     * @return the running server
     * @throws IOException if the directory is unsafe, the path is in use, or binding fails
     */
    public static HypercallSocketServer start(Path path, List<HypercallDispatcher> dispatchers, Options options)
            throws IOException {
        if (dispatchers.isEmpty() || dispatchers.size() > 0x10000) {
            throw new IllegalArgumentException("1..65536 dispatchers, got " + dispatchers.size());
        }
        Set<UserPrincipal> users = new HashSet<>(options.allowedUsers());
        if (users.isEmpty() && options.allowedGroups().isEmpty()) {
            users.add(Files.getOwner(Paths.get("/proc/self")));
            users.add(FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByName("0"));
        }
        Path parent = path.toAbsolutePath().getParent();
        if (parent == null) {
            throw new IOException("no directory for socket " + path);
        }
        SecureFiles.checkDirectory(parent);
        removeStaleSocket(path);
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        Selector selector = Selector.open();
        Path privateDir = Files.createTempDirectory(parent, ".vb");
        Object key;
        try {
            // bound, owned and moded where nobody else can reach it; then renamed into place
            Path bound = privateDir.resolve("s");
            server.bind(UnixDomainSocketAddress.of(bound));
            PosixFileAttributeView view = Files.getFileAttributeView(bound, PosixFileAttributeView.class,
                    LinkOption.NOFOLLOW_LINKS);
            FileAccess access = options.socketAccess();
            if (access.owner() != null) {
                view.setOwner(access.owner());
            }
            if (access.group() != null) {
                view.setGroup(access.group());
            }
            Files.setAttribute(bound, "unix:mode", access.mode()); // chmod: the private directory holds no link
            Files.move(bound, path, StandardCopyOption.ATOMIC_MOVE);
            key = SecureFiles.identity(path);
            server.configureBlocking(false);
            server.register(selector, SelectionKey.OP_ACCEPT);
        } catch (IOException | RuntimeException e) {
            server.close();
            selector.close();
            throw e;
        } finally {
            Files.deleteIfExists(privateDir.resolve("s"));
            Files.deleteIfExists(privateDir);
        }
        HypercallSocketServer s = new HypercallSocketServer(path, new ArrayList<>(dispatchers), server, selector,
                options, users, key);
        Thread t = new Thread(s::loop, "vboost-hypercall-socket");
        t.setDaemon(true);
        s.thread = t;
        t.start();
        return s;
    }

    /**
     * Checks that {@link #start} could bind {@code path} now, changing nothing: it is absent, or a socket nobody
     * listens on (which {@code start} replaces). A live socket or a file that is not a socket is an error.
     *
     * @param path the socket path to check
     * @throws IOException if {@code path} is a live socket or exists and is not a socket
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

    /**
     * The socket's path.
     *
     * @return the path given to {@code start}
     */
    public Path path() {
        return path;
    }

    /**
     * Frames served (any status).
     *
     * @return count since start
     */
    public long frames() {
        return frames.get();
    }

    /**
     * Frames rejected as malformed.
     *
     * @return count since start
     */
    public long badFrames() {
        return badFrames.get();
    }

    /**
     * Peers closed at once because their credentials are not allowed.
     *
     * @return count since start
     */
    public long refusedPeers() {
        return refusedPeers.get();
    }

    /**
     * Connections closed because they stayed silent past the idle timeout, or made room for a new peer.
     *
     * @return count since start
     */
    public long idleClosed() {
        return idleClosed.get();
    }

    private static final class Connection {
        final ByteBuffer in = HypercallFrame.newRequestBuffer();
        final ByteBuffer out = HypercallFrame.newResponseBuffer();
        boolean closeAfterWrite;
        boolean dropped;
        /** When the incomplete frame in {@link #in} began ({@link System#nanoTime()}); meaningless while empty. */
        long partialSince;
        /** When the peer last sent anything, or connected ({@link System#nanoTime()}). */
        long lastActive;

        Connection(long now) {
            out.limit(0);
            lastActive = now;
        }
    }

    private void loop() {
        while (running) {
            try {
                selector.select(Math.max(1, Math.min(SELECT_MILLIS, Math.min(partialFrameNanos, idleNanos) / 1_000_000)));
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

    /**
     * Closes connections whose started frame stayed incomplete too long, or that stayed silent past the idle
     * timeout: bounded by the connection limit.
     */
    private void sweepPartialFrames() {
        long now = System.nanoTime();
        if (now - lastSweep < Math.min(Math.min(partialFrameNanos, idleNanos), SELECT_MILLIS * 1_000_000)) {
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
                } else if (now - c.lastActive > idleNanos) {
                    LOG.log(System.Logger.Level.DEBUG, "hypercall connection closed: idle for too long");
                    idleClosed.incrementAndGet();
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
        UnixDomainPrincipal peer;
        try {
            peer = ch.getOption(ExtendedSocketOptions.SO_PEERCRED);
        } catch (IOException | UnsupportedOperationException e) {
            refusedPeers.incrementAndGet(); // counted before the close a peer can observe
            ch.close();
            refusedLog.error("peer credentials unavailable: " + e, null);
            return;
        }
        if (!allowedUsers.contains(peer.user()) && !allowedGroups.contains(peer.group())) {
            refusedPeers.incrementAndGet(); // counted before the close a peer can observe
            ch.close(); // before anything it sends is read
            refusedLog.error("user " + peer.user().getName() + " group " + peer.group().getName()
                    + " is not allowed", null);
            return;
        }
        if (connections >= MAX_CONNECTIONS) {
            evictLongestIdle(); // a newcomer (the VMM reconnecting) is never locked out by idle connections
        }
        ch.configureBlocking(false);
        ch.register(selector, SelectionKey.OP_READ, new Connection(System.nanoTime()));
        connections++;
    }

    private void evictLongestIdle() {
        SelectionKey oldest = null;
        long oldestActive = Long.MAX_VALUE;
        for (SelectionKey k : selector.keys()) {
            Object a = k.attachment();
            if (k.isValid() && a instanceof Connection && ((Connection) a).lastActive - oldestActive < 0) {
                oldest = k;
                oldestActive = ((Connection) a).lastActive;
            }
        }
        if (oldest != null) {
            idleClosed.incrementAndGet();
            drop(oldest);
        }
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
        if (n > 0) {
            c.lastActive = System.nanoTime();
        }
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
        if (SecureFiles.stillNames(path, socketKey)) {
            Files.deleteIfExists(path); // only our own socket, never whatever replaced it
        }
    }
}
