package dev.vboost.agent.ivshmem;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import dev.vboost.agent.linux.Libc;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * A client of an ivshmem server, written from QEMU's {@code docs/specs/ivshmem-spec.rst} as QEMU's device
 * behaves: it reads the version, its own id, the shared-memory descriptor, then connect notifications (a peer
 * id with one eventfd per vector) and disconnect notifications (a peer id alone). It stands in for a VM's
 * {@code ivshmem-doorbell} device in tests and benchmarks between host processes: {@link #ring} writes the
 * target peer's eventfd, as KVM's ioeventfd does when the guest writes BAR0 {@code Doorbell}.
 *
 * <p>Not thread-safe, except {@link #ring}, which may be called from any thread once set up.
 */
public final class IvshmemPeer implements AutoCloseable {
    private final int socket;
    private final FdMessages messages = new FdMessages();
    private final FdMessages.Received msg = new FdMessages.Received();
    private final Map<Long, int[]> peers = new HashMap<>();
    private final Map<Long, Integer> filled = new HashMap<>();
    private final Memory one = new Memory(8);
    private final int vectors;
    private long version = -1;
    private long ownId = -1;
    private int shmFd = -1;
    private boolean closed;

    private IvshmemPeer(int socket, int vectors) {
        this.socket = socket;
        this.vectors = vectors;
        one.setLong(0, 1);
    }

    /**
     * Connects and reads messages until the set-up is complete (the version, the id, the region's descriptor
     * and this client's own {@code vectors} eventfds, which a server sends last) or {@code timeoutMillis} pass.
     *
     * @param socket        the ivshmem server's socket
     * @param vectors       eventfds this client expects per peer
     * @param timeoutMillis how long the whole set-up may take, in milliseconds
     * @return the connected, set-up client
     * @throws IOException if the server is not there, breaks the protocol, or the set-up does not complete in time
     */
    public static IvshmemPeer connect(Path socket, int vectors, long timeoutMillis) throws IOException {
        int fd;
        try {
            fd = Libc.socket(Libc.AF_UNIX, Libc.SOCK_STREAM | Libc.SOCK_CLOEXEC, 0);
        } catch (LastErrorException e) {
            throw new IOException("socket: errno " + e.getErrorCode(), e);
        }
        IvshmemPeer p = new IvshmemPeer(fd, vectors);
        try {
            Memory addr = Libc.sockaddrUn(socket.toString());
            Libc.connect(fd, addr, (int) addr.size());
            long end = System.nanoTime() + timeoutMillis * 1_000_000L;
            while (!p.setUp()) {
                long left = end - System.nanoTime();
                if (left <= 0 || !p.pump(Math.max(1, left / 1_000_000L))) {
                    throw new IOException("ivshmem set-up from " + socket + " incomplete after " + timeoutMillis
                            + " ms: " + p);
                }
            }
            return p;
        } catch (LastErrorException | IllegalStateException e) {
            p.close();
            throw new IOException("ivshmem client of " + socket + ": " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            p.close();
            throw e;
        }
    }

    private boolean setUp() {
        return version == 0 && ownId >= 0 && shmFd >= 0 && filled.getOrDefault(ownId, 0) == vectors;
    }

    /**
     * Waits up to {@code timeoutMillis} for one message and applies it.
     *
     * @param timeoutMillis how long to wait, in milliseconds
     * @return false if nothing came in time
     * @throws IOException at end of stream or on a message that breaks the protocol
     */
    public boolean pump(long timeoutMillis) throws IOException {
        Memory pfd = new Memory(Libc.POLLFD_SIZE);
        pfd.setInt(0, socket);
        pfd.setShort(4, Libc.POLLIN);
        pfd.setShort(6, (short) 0);
        Memory ts = new Memory(16);
        ts.setLong(0, timeoutMillis / 1000);
        ts.setLong(8, (timeoutMillis % 1000) * 1_000_000L);
        if (Libc.ppoll(pfd, 1, ts, null) == 0) {
            return false;
        }
        messages.receive(socket, msg);
        if (!msg.present) {
            throw new IOException("the ivshmem server closed the connection");
        }
        apply(msg.value, msg.fd);
        return true;
    }

    private void apply(long value, int fd) throws IOException {
        if (version < 0) {
            expectNoFd(fd, "version");
            if (value != 0) {
                throw new IOException("ivshmem protocol version " + value + ", only 0 is known");
            }
            version = value;
        } else if (ownId < 0) {
            expectNoFd(fd, "own id");
            if (value < 0 || value > PeerTable.MAX_PEER_ID) {
                throw new IOException("own peer id " + value + " outside 0..65535");
            }
            ownId = value;
        } else if (shmFd < 0) {
            if (value != -1 || fd < 0) {
                Libc.closeQuietly(fd);
                throw new IOException("expected -1 with the shared-memory descriptor, got " + value
                        + (fd < 0 ? " without one" : ""));
            }
            shmFd = fd;
        } else if (value < 0 || value > PeerTable.MAX_PEER_ID) {
            Libc.closeQuietly(fd);
            throw new IOException("peer id " + value + " outside 0..65535");
        } else if (fd < 0) {
            int[] gone = peers.remove(value);  // disconnect notification
            filled.remove(value);
            if (gone != null) {
                for (int e : gone) {
                    Libc.closeQuietly(e);
                }
            }
        } else {
            int[] fds = peers.computeIfAbsent(value, k -> newFds(vectors));
            int n = filled.getOrDefault(value, 0);
            if (n >= vectors) {
                Libc.closeQuietly(fd);
                throw new IOException("peer " + value + " sent more than " + vectors + " eventfds");
            }
            fds[n] = fd;
            filled.put(value, n + 1);
        }
    }

    private static int[] newFds(int n) {
        int[] a = new int[n];
        java.util.Arrays.fill(a, -1);
        return a;
    }

    private static void expectNoFd(int fd, String what) throws IOException {
        if (fd >= 0) {
            Libc.closeQuietly(fd);
            throw new IOException("the " + what + " message carried a descriptor");
        }
    }

    /**
     * The id the server gave this client: the high half of the doorbell value other peers write to ring it.
     *
     * @return the id, or -1 before set-up
     */
    public long ownId() {
        return ownId;
    }

    /**
     * The shared-memory descriptor the server sent.
     *
     * @return the descriptor, owned by this client (closed by {@link #close()}), or -1 before set-up
     */
    public int shmFd() {
        return shmFd;
    }

    /**
     * Whether a peer is known with all its vectors.
     *
     * @param peerId the server-assigned peer id
     * @return true if a peer with this id is known (announced and not gone)
     */
    public boolean knows(long peerId) {
        return peers.containsKey(peerId) && filled.getOrDefault(peerId, 0) == vectors;
    }

    /**
     * The eventfd of a peer's vector.
     *
     * @param peerId the server-assigned peer id
     * @param vector the vector index
     * @return the descriptor, or -1 if the peer or vector is not known
     */
    public int eventFd(long peerId, int vector) {
        int @Nullable [] fds = peers.get(peerId);
        return fds == null || vector < 0 || vector >= fds.length ? -1 : fds[vector];
    }

    /**
     * Rings {@code peerId}'s vector: adds 1 to its eventfd, as KVM does for a guest's doorbell write of
     * {@code peerId << 16 | vector}. Allocation-free.
     *
     * @param peerId the server-assigned peer id
     * @param vector the vector index
     * @return false if the peer or vector is not known
     */
    public boolean ring(long peerId, int vector) {
        int fd = eventFd(peerId, vector);
        if (fd < 0) {
            return false;
        }
        Libc.write(fd, one, 8);
        return true;
    }

    /**
     * A doorbell for this client's guest endpoint: rings the host peer's {@code vector}.
     *
     * @param vector the host peer's vector to ring
     * @return a doorbell writing the host peer's eventfd
     * @throws IllegalStateException if the server announced no such host vector
     */
    public EventfdDoorbell doorbell(int vector) {
        int fd = eventFd(IvshmemServer.HOST_PEER_ID, vector);
        if (fd < 0) {
            throw new IllegalStateException("the server announced no host peer vector " + vector);
        }
        return new EventfdDoorbell(fd);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Libc.closeQuietly(socket);
        Libc.closeQuietly(shmFd);
        for (int[] fds : peers.values()) {
            for (int e : fds) {
                Libc.closeQuietly(e);
            }
        }
        peers.clear();
    }

    @Override
    public String toString() {
        return "IvshmemPeer[version=" + version + ", id=" + ownId + ", shm=" + (shmFd >= 0) + ", peers=" + filled + "]";
    }
}
