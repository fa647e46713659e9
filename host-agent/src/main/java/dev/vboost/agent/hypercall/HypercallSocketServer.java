package dev.vboost.agent.hypercall;

import dev.vboost.impl.memory.FileAccess;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
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
 * timeout is closed; when all {@link #MAX_CONNECTIONS} are taken a new peer replaces the longest-idle connection
 * of the user holding the most, so idle connections can never lock the VMM out, nor evict it for another user; the socket file is created in a private directory, given the
 * owner, group and mode of its {@link FileAccess} there and only then renamed into place.
 *
 * <p>This class is the selector loop with the connection limit and timeouts; who is admitted is
 * {@code PeerAdmission}, the socket file's life {@code SocketFile}, one peer's I/O {@code SocketConnection}, a
 * frame's answer {@code FrameRouter}. Over 400 lines only by the nested {@link Options} record, part of the
 * exported API.
 */
public final class HypercallSocketServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(HypercallSocketServer.class.getName());
    /** Connections beyond this are accepted and closed at once. */
    public static final int MAX_CONNECTIONS = 64;
    /** Default for how long a started frame may stay incomplete. */
    public static final Duration DEFAULT_PARTIAL_FRAME_TIMEOUT = Duration.ofSeconds(5);
    private static final long SELECT_MILLIS = 500;

    private final Path path;
    private final FrameRouter router;
    private final ServerSocketChannel server;
    private final Selector selector;
    private final long partialFrameNanos;
    private final long idleNanos;
    private final PeerAdmission admission;
    private final Object socketKey;
    private final AtomicLong idleClosed = new AtomicLong();
    private long lastSweep = System.nanoTime();
    private @Nullable Thread thread;
    private volatile boolean running = true;
    private int connections;

    private HypercallSocketServer(Path path, List<HypercallDispatcher> dispatchers, ServerSocketChannel server,
            Selector selector, Options options, PeerAdmission admission, Object socketKey) {
        this.partialFrameNanos = options.partialFrameTimeout().toNanos();
        this.idleNanos = options.idleTimeout().toNanos();
        this.admission = admission;
        this.socketKey = socketKey;
        this.path = path;
        this.router = new FrameRouter(dispatchers);
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
        PeerAdmission admission = PeerAdmission.of(options);
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        Selector selector = Selector.open();
        Object key;
        try {
            key = SocketFile.bind(server, path, options.socketAccess());
            server.configureBlocking(false);
            server.register(selector, SelectionKey.OP_ACCEPT);
        } catch (IOException | RuntimeException e) {
            server.close();
            selector.close();
            throw e;
        }
        HypercallSocketServer s = new HypercallSocketServer(path, dispatchers, server, selector, options,
                admission, key);
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
        SocketFile.checkBindable(path);
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
        return router.frames.get();
    }

    /**
     * Frames rejected as malformed.
     *
     * @return count since start
     */
    public long badFrames() {
        return router.badFrames.get();
    }

    /**
     * Peers closed at once because their credentials are not allowed.
     *
     * @return count since start
     */
    public long refusedPeers() {
        return admission.refused();
    }

    /**
     * Connections closed because they stayed silent past the idle timeout, or made room for a new peer.
     *
     * @return count since start
     */
    public long idleClosed() {
        return idleClosed.get();
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
            if (key.isValid() && a instanceof SocketConnection) {
                SocketConnection c = (SocketConnection) a;
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
        UserPrincipal user = admission.admit(ch);
        if (user == null) {
            return;
        }
        if (connections >= MAX_CONNECTIONS) {
            evictLongestIdleOfTheBusiestUser(); // a newcomer (the VMM reconnecting) is never locked out
        }
        ch.configureBlocking(false);
        ch.register(selector, SelectionKey.OP_READ, new SocketConnection(System.nanoTime(), user));
        connections++;
    }

    /**
     * Makes room: the longest-idle connection of the user that holds the most, so a flood from one allowed user
     * evicts its own connections and never the VMM's (another user's) idle one. Rare; a scan of at most
     * {@link #MAX_CONNECTIONS} keys.
     */
    private void evictLongestIdleOfTheBusiestUser() {
        Map<UserPrincipal, Integer> held = new HashMap<>();
        @Nullable UserPrincipal busiest = null;
        int most = 0;
        for (SelectionKey k : selector.keys()) {
            Object a = k.attachment();
            if (k.isValid() && a instanceof SocketConnection) {
                UserPrincipal u = ((SocketConnection) a).user;
                Integer before = held.get(u);
                int n = before == null ? 1 : before + 1;
                held.put(u, n);
                if (n > most) {
                    most = n;
                    busiest = u;
                }
            }
        }
        SelectionKey oldest = null;
        long oldestActive = Long.MAX_VALUE;
        for (SelectionKey k : selector.keys()) {
            Object a = k.attachment();
            if (k.isValid() && a instanceof SocketConnection && ((SocketConnection) a).user.equals(busiest)
                    && ((SocketConnection) a).lastActive - oldestActive < 0) {
                oldest = k;
                oldestActive = ((SocketConnection) a).lastActive;
            }
        }
        if (oldest != null) {
            idleClosed.incrementAndGet();
            drop(oldest);
        }
    }

    private void serve(SelectionKey key) throws IOException {
        SocketConnection c = (SocketConnection) key.attachment();
        if (c == null || !c.serve(key, router)) {
            drop(key);
        }
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
        if (a instanceof SocketConnection && !((SocketConnection) a).dropped) {
            ((SocketConnection) a).dropped = true;
            connections--; // once per connection, however often it is dropped
        }
    }

    /** Stops serving, closes every connection and removes the socket file. */
    @Override
    public synchronized void close() throws IOException {
        if (!selector.isOpen()) {
            return; // closed before: a second close does nothing (AutoCloseable's advice)
        }
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
        SocketFile.removeIfOurs(path, socketKey); // only our own socket, never whatever replaced it
    }
}
