package dev.vboost.agent.ivshmem;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import dev.vboost.agent.linux.Libc;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The ivshmem server's one thread: {@code ppoll} with no timeout on a wake eventfd, the listening socket and
 * every client; accepts and sets up new clients, notices those that leave, drops those that misbehave (send
 * anything — clients have nothing to say in protocol 0 — or stop reading), and tells the others. Nothing a
 * client does stops it; {@link #stop()} from another thread does.
 */
final class ServeLoop implements Runnable {
    private static final System.Logger LOG = System.getLogger(ServeLoop.class.getName());
    private static final int FIXED_FDS = 2; // the wake eventfd, the listening socket

    private final String name;
    private final int listenFd;
    private final int wakeFd;
    private final int vectors;
    private final int maxClients;
    private final PeerTable peers;
    private final SetupMessages setup;
    final AtomicLong connects = new AtomicLong();
    final AtomicLong disconnects = new AtomicLong();
    final AtomicLong dropped = new AtomicLong();
    private volatile boolean running = true;

    ServeLoop(String name, int listenFd, int wakeFd, int vectors, int maxClients, SetupMessages setup) {
        this.name = name;
        this.listenFd = listenFd;
        this.wakeFd = wakeFd;
        this.vectors = vectors;
        this.maxClients = maxClients;
        this.peers = new PeerTable(maxClients);
        this.setup = setup;
    }

    PeerTable peers() {
        return peers;
    }

    /** Asks the loop to end and wakes it. @return false if it had been asked already */
    boolean stop() {
        if (!running) {
            return false;
        }
        running = false;
        Memory one = new Memory(8);
        one.setLong(0, 1);
        try {
            Libc.write(wakeFd, one, 8);
        } catch (LastErrorException e) {
            // cannot happen below 2^64 - 1 writes; the loop would still see `running` on its next wake
        }
        return true;
    }

    @Override
    public void run() {
        Memory pollFds = new Memory((long) Libc.POLLFD_SIZE * (FIXED_FDS + maxClients));
        Memory scratch = new Memory(64);
        List<PeerTable.Peer> gone = new ArrayList<>();
        while (running) {
            int n = 0;
            setPollFd(pollFds, n++, wakeFd);
            setPollFd(pollFds, n++, listenFd);
            for (int i = 0; i < peers.size(); i++) {
                setPollFd(pollFds, n++, peers.get(i).fd);
            }
            try {
                Libc.ppoll(pollFds, n, null, null); // no timeout: stop() wakes it; an idle server costs nothing
            } catch (LastErrorException e) {
                if (e.getErrorCode() != Libc.EINTR) {
                    LOG.log(System.Logger.Level.ERROR, "ivshmem server " + name + ": poll failed", e);
                    return;
                }
                continue;
            }
            if (!running) {
                return;
            }
            // clients first, by the fds polled (index i - FIXED_FDS), before the table changes
            gone.clear();
            for (int i = FIXED_FDS; i < n; i++) {
                if (revents(pollFds, i) != 0) {
                    PeerTable.Peer p = peers.get(i - FIXED_FDS);
                    if (readsNothing(p, scratch)) {
                        gone.add(p);
                    }
                }
            }
            for (PeerTable.Peer p : gone) {
                remove(p);
            }
            if ((revents(pollFds, 1) & Libc.POLLIN) != 0) {
                accept();
            }
        }
    }

    private static void setPollFd(Memory m, int i, int fd) {
        long o = (long) i * Libc.POLLFD_SIZE;
        m.setInt(o, fd);                // struct pollfd.fd
        m.setShort(o + 4, Libc.POLLIN); // .events
        m.setShort(o + 6, (short) 0);   // .revents
    }

    private static short revents(Memory m, int i) {
        return m.getShort((long) i * Libc.POLLFD_SIZE + 6);
    }

    /** Reads what a client sent: end of stream means it left; any byte is a protocol violation. */
    private boolean readsNothing(PeerTable.Peer p, Memory scratch) {
        try {
            long r = Libc.read(p.fd, scratch, scratch.size());
            if (r == 0) {
                disconnects.incrementAndGet();
            } else {
                dropped.incrementAndGet();
                LOG.log(System.Logger.Level.WARNING, "ivshmem client " + p.id + " sent data; disconnecting it");
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
        int id = peers.freeId();
        if (id < 0) {
            dropped.incrementAndGet();
            LOG.log(System.Logger.Level.WARNING, "ivshmem server " + name + ": client refused, limit " + maxClients);
            Libc.closeQuietly(fd);
            return;
        }
        int[] own = new int[vectors];
        java.util.Arrays.fill(own, -1);
        PeerTable.Peer joined = new PeerTable.Peer(fd, id, own);
        try {
            for (int v = 0; v < vectors; v++) {
                own[v] = Libc.eventfd(0, Libc.EFD_NONBLOCK | Libc.EFD_CLOEXEC);
            }
            if (!setup.welcome(joined, peers)) {
                throw new LastErrorException(Libc.EAGAIN);
            }
        } catch (LastErrorException e) {
            dropped.incrementAndGet();
            joined.close();
            return;
        }
        List<PeerTable.Peer> failed = new ArrayList<>();
        for (int i = 0; i < peers.size(); i++) {
            PeerTable.Peer other = peers.get(i);
            if (!setup.connected(other, joined)) {
                failed.add(other);
            }
        }
        peers.add(joined);
        connects.incrementAndGet();
        for (PeerTable.Peer f : failed) {
            dropped.incrementAndGet();
            remove(f);
        }
    }

    /** Removes a client and tells the others; one that cannot be told is removed in turn. */
    private void remove(PeerTable.Peer first) {
        List<PeerTable.Peer> queue = new ArrayList<>();
        queue.add(first);
        while (!queue.isEmpty()) {
            PeerTable.Peer p = queue.remove(queue.size() - 1);
            if (!peers.remove(p)) {
                continue;
            }
            p.close();
            for (int i = 0; i < peers.size(); i++) {
                PeerTable.Peer other = peers.get(i);
                if (!queue.contains(other) && !setup.disconnected(other, p.id)) {
                    dropped.incrementAndGet();
                    queue.add(other);
                }
            }
        }
    }
}
