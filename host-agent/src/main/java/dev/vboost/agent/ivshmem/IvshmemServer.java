package dev.vboost.agent.ivshmem;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import dev.vboost.agent.linux.Libc;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * An ivshmem server (QEMU {@code docs/specs/ivshmem-spec.rst}, protocol version 0) for one VM's region, so
 * that QEMU's {@code ivshmem-doorbell} device can be wired to the agent: {@code -chardev
 * socket,path=SOCKET,id=ID -device ivshmem-doorbell,chardev=ID,vectors=N}.
 *
 * <p>The agent is peer {@value #HOST_PEER_ID}: the server creates its {@code vectors} eventfds and hands them
 * to every client as peer 0's, so a guest's write of {@code (0 << 16) | v} to BAR0 {@code Doorbell} signals
 * the agent's eventfd {@code v} (inside the kernel when QEMU has {@code ioeventfd=on}). Clients get ids from
 * 1. To each new client the server sends: the version 0, its id, {@code -1} with the region's descriptor,
 * every other peer's eventfds (peer 0 first), then the client's own eventfds; existing clients learn of it by
 * its eventfds, and of its departure by its id alone.
 *
 * <p>One thread, {@code ppoll} on the listening socket and the clients; every send is non-blocking, and a
 * client whose socket buffer is full (it does not read) or that sends anything at all (clients have nothing
 * to say in this protocol) is disconnected. Nothing a client does can stop the server, and the agent never
 * waits on it: the agent only reads its own eventfds ({@link #hostEventFds()}).
 *
 * <p>QEMU cannot reconnect to a restarted server: after one, the agent serves the VM by polling (spec §12.5).
 */
public final class IvshmemServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(IvshmemServer.class.getName());
    /** The agent's own peer id; guests ring {@code HOST_PEER_ID << 16 | vector}. */
    public static final int HOST_PEER_ID = dev.vboost.api.layout.DoorbellAbi.HOST_PEER_ID;
    /** Clients beyond this are accepted and closed at once. */
    public static final int DEFAULT_MAX_CLIENTS = 16;
    /** Highest peer id (ids are 16 bits on the doorbell). */
    static final int MAX_PEER_ID = 0xFFFF;
    private static final long PROTOCOL_VERSION = 0;
    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;

    private final Path path;
    private final int listenFd;
    private final int shmFd;
    private final int[] hostFds;
    private final int wakeFd;
    private final int vectors;
    private final int maxClients;
    private final List<Client> clients = new ArrayList<>();
    private final FdMessages messages = new FdMessages();
    private final AtomicLong connects = new AtomicLong();
    private final AtomicLong disconnects = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private volatile int clientCount;
    private volatile boolean running = true;
    private int nextId = HOST_PEER_ID + 1;
    private @Nullable Thread thread;

    private static final class Client {
        final int fd;
        final int id;
        final int[] eventFds;

        Client(int fd, int id, int[] eventFds) {
            this.fd = fd;
            this.id = id;
            this.eventFds = eventFds;
        }
    }

    private IvshmemServer(Path path, int listenFd, int shmFd, int[] hostFds, int wakeFd, int vectors, int maxClients) {
        this.path = path;
        this.listenFd = listenFd;
        this.shmFd = shmFd;
        this.hostFds = hostFds;
        this.wakeFd = wakeFd;
        this.vectors = vectors;
        this.maxClients = maxClients;
    }

    /**
     * Opens {@code regionFile} (a regular file, not through a symlink), binds {@code socket} with exactly
     * {@code mode} and starts serving.
     *
     * @param socket     the server socket path, as QEMU's {@code ivshmem-doorbell} chardev names it
     * @param regionFile the shared region; its descriptor is sent to every client
     * @param vectors    eventfds per peer, 1..64; QEMU's {@code vectors} property must be at least this
     * @param mode       exact permissions of the socket file
     * @param maxClients clients served at once, 1..65535; more are disconnected
     * @return the running server; {@link #close()} stops it
     * @throws IOException if the socket path is in use or is not a socket, or the region cannot be opened
     */
    public static IvshmemServer start(Path socket, Path regionFile, int vectors, Set<PosixFilePermission> mode,
            int maxClients) throws IOException {
        if (vectors < 1 || vectors > 64) {
            throw new IllegalArgumentException("vectors must be 1..64, got " + vectors);
        }
        if (maxClients < 1 || maxClients > MAX_PEER_ID) {
            throw new IllegalArgumentException("maxClients must be 1.." + MAX_PEER_ID + ", got " + maxClients);
        }
        int shm = openRegion(regionFile);
        int listen = -1;
        int wake = -1;
        int[] host = new int[vectors];
        java.util.Arrays.fill(host, -1);
        try {
            for (int v = 0; v < vectors; v++) {
                host[v] = Libc.eventfd(0, Libc.EFD_NONBLOCK | Libc.EFD_CLOEXEC);
            }
            wake = Libc.eventfd(0, Libc.EFD_NONBLOCK | Libc.EFD_CLOEXEC);
            listen = bindSafely(socket, mode);
        } catch (IOException | RuntimeException e) {
            Libc.closeQuietly(shm);
            Libc.closeQuietly(wake);
            Libc.closeQuietly(listen);
            for (int fd : host) {
                Libc.closeQuietly(fd);
            }
            throw e;
        }
        IvshmemServer s = new IvshmemServer(socket, listen, shm, host, wake, vectors, maxClients);
        Thread t = new Thread(s::loop, "vboost-ivshmem-server");
        t.setDaemon(true);
        s.thread = t;
        t.start();
        return s;
    }

    /**
     * As {@link #start(Path, Path, int, Set, int)} with {@value #DEFAULT_MAX_CLIENTS} clients at most.
     *
     * @param socket     the server socket path
     * @param regionFile the shared region
     * @param vectors    eventfds per peer, 1..64
     * @param mode       exact permissions of the socket file
     * @return the running server
     * @throws IOException if the socket path is in use or is not a socket, or the region cannot be opened
     */
    public static IvshmemServer start(Path socket, Path regionFile, int vectors, Set<PosixFilePermission> mode)
            throws IOException {
        return start(socket, regionFile, vectors, mode, DEFAULT_MAX_CLIENTS);
    }

    /**
     * The agent's eventfds, one per vector (non-blocking, close-on-exec); owned by the server.
     *
     * @return a copy of the descriptor numbers, indexed by vector; do not close them
     */
    public int[] hostEventFds() {
        return hostFds.clone();
    }

    /**
     * The socket path.
     *
     * @return the path the server is bound to
     */
    public Path path() {
        return path;
    }

    /**
     * Eventfds per peer.
     *
     * @return 1..64
     */
    public int vectors() {
        return vectors;
    }

    /**
     * Clients connected now.
     *
     * @return the count
     */
    public int clientCount() {
        return clientCount;
    }

    /**
     * Clients ever accepted and sent their set-up.
     *
     * @return count since start
     */
    public long connects() {
        return connects.get();
    }

    /**
     * Clients that left (end of stream or error).
     *
     * @return count since start
     */
    public long disconnects() {
        return disconnects.get();
    }

    /**
     * Clients the server disconnected: full buffer (not reading), a message sent to the server, over the limit.
     *
     * @return count since start
     */
    public long dropped() {
        return dropped.get();
    }

    private static int openRegion(Path regionFile) throws IOException {
        if (!Files.isRegularFile(regionFile, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(regionFile + " is not a regular file (symbolic links are not followed)");
        }
        Object ino = Files.getAttribute(regionFile, "unix:ino", LinkOption.NOFOLLOW_LINKS);
        Object dev = Files.getAttribute(regionFile, "unix:dev", LinkOption.NOFOLLOW_LINKS);
        int fd;
        try {
            fd = Libc.open(regionFile.toString(), Libc.O_RDWR | Libc.O_NOFOLLOW | Libc.O_CLOEXEC);
        } catch (LastErrorException e) {
            throw new IOException("cannot open " + regionFile + ": errno " + e.getErrorCode(), e);
        }
        // the file opened is the one checked (not swapped between the check and the open)
        Path self = Path.of("/proc/self/fd/" + fd);
        if (!ino.equals(Files.getAttribute(self, "unix:ino")) || !dev.equals(Files.getAttribute(self, "unix:dev"))) {
            Libc.closeQuietly(fd);
            throw new IOException(regionFile + " changed while it was opened");
        }
        return fd;
    }

    /**
     * Binds a listening socket at {@code socket} with exactly {@code mode}: bound inside a fresh private
     * directory (so no one can reach it before its mode is set, and no umask applies), then renamed into place
     * (rename never follows a link). An existing socket nobody listens on is replaced; anything else is refused.
     */
    private static int bindSafely(Path socket, Set<PosixFilePermission> mode) throws IOException {
        checkBindable(socket);
        Path parent = socket.toAbsolutePath().getParent();
        if (parent == null) {
            throw new IOException("no directory for " + socket);
        }
        Path dir = Files.createTempDirectory(parent, ".vboost-ivshmem-");
        Path tmp = dir.resolve("s");
        int fd = -1;
        try {
            fd = Libc.socket(Libc.AF_UNIX, Libc.SOCK_STREAM | Libc.SOCK_NONBLOCK | Libc.SOCK_CLOEXEC, 0);
            Memory addr = Libc.sockaddrUn(tmp.toString());
            Libc.bind(fd, addr, (int) addr.size());
            Files.setPosixFilePermissions(tmp, mode);
            Libc.listen(fd, 16);
            Files.move(tmp, socket, StandardCopyOption.ATOMIC_MOVE);
            return fd;
        } catch (LastErrorException | IllegalArgumentException e) {
            Libc.closeQuietly(fd);
            throw new IOException("cannot bind " + socket + ": " + e.getMessage(), e);
        } catch (IOException e) {
            Libc.closeQuietly(fd);
            throw e;
        } finally {
            Files.deleteIfExists(tmp);
            Files.deleteIfExists(dir);
        }
    }

    /** Refuses a path that exists and is not a socket, or a socket that answers; removes a dead one. */
    static void checkBindable(Path socket) throws IOException {
        if (!Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Object mode = Files.getAttribute(socket, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        if (!(mode instanceof Integer) || ((Integer) mode & S_IFMT) != S_IFSOCK) {
            throw new IOException(socket + " exists and is not a socket; not replacing it");
        }
        int probe = Libc.socket(Libc.AF_UNIX, Libc.SOCK_STREAM | Libc.SOCK_CLOEXEC, 0);
        try {
            Memory addr = Libc.sockaddrUn(socket.toString());
            Libc.connect(probe, addr, (int) addr.size());
            throw new IOException(socket + " is in use by another server");
        } catch (LastErrorException e) {
            Files.deleteIfExists(socket); // nobody answers: a leftover of a dead server
        } finally {
            Libc.closeQuietly(probe);
        }
    }

    private void loop() {
        Memory pollFds = new Memory((long) Libc.POLLFD_SIZE * (2 + maxClients));
        Memory scratch = new Memory(64);
        while (running) {
            int n = 0;
            setPollFd(pollFds, n++, wakeFd);
            setPollFd(pollFds, n++, listenFd);
            for (Client c : clients) {
                setPollFd(pollFds, n++, c.fd);
            }
            try {
                Libc.ppoll(pollFds, n, null, null); // no timeout: close() wakes it; an idle server costs nothing
            } catch (LastErrorException e) {
                if (e.getErrorCode() != Libc.EINTR) {
                    LOG.log(System.Logger.Level.ERROR, "ivshmem server poll failed", e);
                    return;
                }
                continue;
            }
            if (!running) {
                return;
            }
            // clients first (by the fds polled: the list changes below)
            List<Client> gone = new ArrayList<>();
            for (int i = 2; i < n; i++) {
                short rev = pollFds.getShort((long) i * Libc.POLLFD_SIZE + 6);
                if (rev != 0) {
                    Client c = clients.get(i - 2);
                    if (readsNothing(c, scratch)) {
                        gone.add(c);
                    }
                }
            }
            for (Client c : gone) {
                remove(c);
            }
            if ((pollFds.getShort(Libc.POLLFD_SIZE + 6) & Libc.POLLIN) != 0) {
                accept();
            }
        }
    }

    private static void setPollFd(Memory m, int i, int fd) {
        long o = (long) i * Libc.POLLFD_SIZE;
        m.setInt(o, fd);
        m.setShort(o + 4, Libc.POLLIN);
        m.setShort(o + 6, (short) 0);
    }

    /** Reads what a client sent: end of stream means it left; any byte is a protocol violation. */
    private boolean readsNothing(Client c, Memory scratch) {
        try {
            long r = Libc.read(c.fd, scratch, scratch.size());
            if (r == 0) {
                disconnects.incrementAndGet();
            } else {
                dropped.incrementAndGet();
                LOG.log(System.Logger.Level.WARNING, "ivshmem client " + c.id + " sent data; disconnecting it");
            }
            return true;
        } catch (LastErrorException e) {
            if (e.getErrorCode() == Libc.EAGAIN) {
                return false;
            }
            disconnects.incrementAndGet();
            return true;
        }
    }

    private void accept() {
        int fd;
        try {
            fd = Libc.accept4(listenFd, null, null, Libc.SOCK_NONBLOCK | Libc.SOCK_CLOEXEC);
        } catch (LastErrorException e) {
            return; // EAGAIN, or the client gave up already
        }
        int id = clients.size() < maxClients ? freeId() : -1;
        if (id < 0) {
            dropped.incrementAndGet();
            LOG.log(System.Logger.Level.WARNING, "ivshmem server " + path + ": client refused, limit " + maxClients);
            Libc.closeQuietly(fd);
            return;
        }
        int[] own = new int[vectors];
        java.util.Arrays.fill(own, -1);
        Client c = new Client(fd, id, own);
        try {
            for (int v = 0; v < vectors; v++) {
                own[v] = Libc.eventfd(0, Libc.EFD_NONBLOCK | Libc.EFD_CLOEXEC);
            }
            boolean ok = messages.send(fd, PROTOCOL_VERSION, -1)
                    && messages.send(fd, id, -1)
                    && messages.send(fd, -1, shmFd)
                    && announce(fd, HOST_PEER_ID, hostFds);
            for (int i = 0; ok && i < clients.size(); i++) {
                Client other = clients.get(i);
                ok = announce(fd, other.id, other.eventFds);
            }
            ok = ok && announce(fd, id, own); // interrupt set-up: the client's own vectors, last
            if (!ok) {
                throw new LastErrorException(Libc.EAGAIN);
            }
        } catch (LastErrorException e) {
            dropped.incrementAndGet();
            close(c);
            return;
        }
        List<Client> failed = new ArrayList<>();
        for (Client other : clients) {
            if (!sendOrFail(() -> announce(other.fd, id, own))) {
                failed.add(other);
            }
        }
        clients.add(c);
        clientCount = clients.size();
        connects.incrementAndGet();
        for (Client f : failed) {
            dropped.incrementAndGet();
            remove(f);
        }
    }

    private boolean announce(int fd, int peerId, int[] eventFds) {
        for (int e : eventFds) {
            if (!messages.send(fd, peerId, e)) {
                return false;
            }
        }
        return true;
    }

    private interface Send {
        boolean send();
    }

    private static boolean sendOrFail(Send s) {
        try {
            return s.send();
        } catch (LastErrorException e) {
            return false;
        }
    }

    /** Removes a client and tells the others (a disconnect notification: its id with no descriptor). */
    private void remove(Client gone) {
        List<Client> queue = new ArrayList<>();
        queue.add(gone);
        while (!queue.isEmpty()) {
            Client c = queue.remove(queue.size() - 1);
            if (!clients.remove(c)) {
                continue;
            }
            close(c);
            for (Client other : clients) {
                if (!queue.contains(other) && !sendOrFail(() -> messages.send(other.fd, c.id, -1))) {
                    dropped.incrementAndGet();
                    queue.add(other);
                }
            }
        }
        clientCount = clients.size();
    }

    private static void close(Client c) {
        Libc.closeQuietly(c.fd);
        for (int e : c.eventFds) {
            Libc.closeQuietly(e);
        }
    }

    private int freeId() {
        for (int tries = 0; tries < MAX_PEER_ID; tries++) {
            int id = nextId;
            nextId = nextId == MAX_PEER_ID ? HOST_PEER_ID + 1 : nextId + 1;
            boolean used = false;
            for (Client c : clients) {
                used |= c.id == id;
            }
            if (!used) {
                return id;
            }
        }
        return -1;
    }

    /** Stops serving, closes every client and descriptor and removes the socket file. Idempotent. */
    @Override
    public void close() {
        if (!running) {
            return;
        }
        running = false;
        Memory one = new Memory(8);
        one.setLong(0, 1);
        try {
            Libc.write(wakeFd, one, 8);
        } catch (LastErrorException e) {
            // the loop notices `running` within its poll period anyway
        }
        Thread t = thread;
        if (t != null) {
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (Client c : clients) {
            close(c);
        }
        clients.clear();
        clientCount = 0;
        Libc.closeQuietly(listenFd);
        Libc.closeQuietly(shmFd);
        Libc.closeQuietly(wakeFd);
        for (int fd : hostFds) {
            Libc.closeQuietly(fd);
        }
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "could not remove " + path + ": " + e);
        }
    }

    @Override
    public String toString() {
        return "IvshmemServer[" + path + ", vectors=" + vectors + ", clients=" + clientCount + "]";
    }
}
