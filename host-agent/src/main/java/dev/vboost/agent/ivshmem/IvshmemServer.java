package dev.vboost.agent.ivshmem;

import dev.vboost.agent.linux.Libc;
import dev.vboost.impl.memory.FileAccess;
import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Arrays;
import java.util.Set;

/**
 * An ivshmem server (QEMU {@code docs/specs/ivshmem-spec.rst}, protocol version 0) for one VM's region, so
 * that QEMU's {@code ivshmem-doorbell} device can be wired to the agent: {@code -chardev
 * socket,path=SOCKET,id=ID -device ivshmem-doorbell,chardev=ID,vectors=N}.
 *
 * <p>The agent is peer {@value #HOST_PEER_ID}: the server creates its {@code vectors} eventfds and hands them
 * to every client as peer 0's, so a guest's write of {@code (0 << 16) | v} to BAR0 {@code Doorbell} signals
 * the agent's eventfd {@code v} (inside the kernel when QEMU has {@code ioeventfd=on}). Clients get ids from
 * 1 ({@link PeerTable}); what each is sent is {@link SetupMessages}; one thread serves them all
 * ({@link ServeLoop}). Nothing a client does can stop the server, and the agent never waits on it: the agent
 * only reads its own eventfds ({@link #hostEventFds()}).
 *
 * <p>QEMU cannot reconnect to a restarted server: after one, the agent serves the VM by polling (spec §12.5).
 */
public final class IvshmemServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(IvshmemServer.class.getName());
    /** The agent's own peer id; guests ring {@code HOST_PEER_ID << 16 | vector}. */
    public static final int HOST_PEER_ID = dev.vboost.api.layout.DoorbellAbi.HOST_PEER_ID;
    /** Clients beyond this are accepted and closed at once. */
    public static final int DEFAULT_MAX_CLIENTS = 16;
    private static final long JOIN_MILLIS = 5_000;

    private final Path path;
    private final ServerFiles.Listening listening;
    private final int shmFd;
    private final int[] hostFds;
    private final int wakeFd;
    private final int vectors;
    private final ServeLoop loop;
    private final Thread thread;

    private IvshmemServer(Path path, ServerFiles.Listening listening, int shmFd, int[] hostFds, int wakeFd,
            int vectors, int maxClients) {
        this.path = path;
        this.listening = listening;
        this.shmFd = shmFd;
        this.hostFds = hostFds;
        this.wakeFd = wakeFd;
        this.vectors = vectors;
        this.loop = new ServeLoop(path.toString(), listening.fd, wakeFd, vectors, maxClients,
                new SetupMessages(shmFd, hostFds));
        this.thread = new Thread(loop, "vboost-ivshmem-server");
        thread.setDaemon(true);
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
        return start(socket, regionFile, vectors, new FileAccess(ServerFiles.modeBits(mode), null, null), maxClients);
    }

    /**
     * As {@link #start(Path, Path, int, Set, int)}, the socket file with the owner, group and mode of {@code
     * access}, set before the socket appears at its path. Whoever may connect receives the region's descriptor
     * (read and write) and the eventfds, so a socket gets the access of its region file: QEMU running as another
     * user then reaches both through the same group.
     *
     * @param socket     the server socket path
     * @param regionFile the shared region
     * @param vectors    eventfds per peer, 1..64
     * @param access     owner (null: the agent's user), group (null: its group) and exact mode of the socket
     * @param maxClients clients served at once, 1..65535
     * @return the running server
     * @throws IOException if the socket path is in use or is not a socket, the region cannot be opened, or the
     *     owner or group cannot be set
     */
    public static IvshmemServer start(Path socket, Path regionFile, int vectors, FileAccess access, int maxClients)
            throws IOException {
        if (vectors < 1 || vectors > 64) {
            throw new IllegalArgumentException("vectors must be 1..64, got " + vectors);
        }
        if (maxClients < 1 || maxClients > PeerTable.MAX_PEER_ID) {
            throw new IllegalArgumentException(
                    "maxClients must be 1.." + PeerTable.MAX_PEER_ID + ", got " + maxClients);
        }
        int shm = ServerFiles.openRegion(regionFile);
        int wake = -1;
        int[] host = new int[vectors];
        Arrays.fill(host, -1);
        ServerFiles.Listening listening;
        try {
            for (int v = 0; v < vectors; v++) {
                host[v] = Libc.eventfd(0, Libc.EFD_NONBLOCK | Libc.EFD_CLOEXEC);
            }
            wake = Libc.eventfd(0, Libc.EFD_NONBLOCK | Libc.EFD_CLOEXEC);
            listening = ServerFiles.bind(socket, access);
        } catch (IOException | RuntimeException e) {
            Libc.closeQuietly(shm);
            Libc.closeQuietly(wake);
            for (int fd : host) {
                Libc.closeQuietly(fd);
            }
            throw e;
        }
        IvshmemServer s = new IvshmemServer(socket, listening, shm, host, wake, vectors, maxClients);
        s.thread.start();
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
        return loop.peers().count();
    }

    /**
     * Clients ever accepted and sent their set-up.
     *
     * @return count since start
     */
    public long connects() {
        return loop.connects.get();
    }

    /**
     * Clients that left (end of stream or error).
     *
     * @return count since start
     */
    public long disconnects() {
        return loop.disconnects.get();
    }

    /**
     * Clients the server disconnected: full buffer (not reading), a message sent to the server, over the limit.
     *
     * @return count since start
     */
    public long dropped() {
        return loop.dropped.get();
    }

    /** Stops serving, closes every client and descriptor, removes the socket file if still ours. Idempotent. */
    @Override
    public void close() {
        if (!loop.stop()) {
            return;
        }
        try {
            thread.join(JOIN_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        loop.peers().closeAll();
        Libc.closeQuietly(listening.fd);
        Libc.closeQuietly(shmFd);
        Libc.closeQuietly(wakeFd);
        for (int fd : hostFds) {
            Libc.closeQuietly(fd);
        }
        try {
            ServerFiles.removeIfOurs(path, listening.identity);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "could not remove " + path + ": " + e);
        }
    }

    @Override
    public String toString() {
        return "IvshmemServer[" + path + ", vectors=" + vectors + ", clients=" + clientCount() + "]";
    }
}
