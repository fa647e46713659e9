package dev.vboost.agent.ivshmem;

import dev.vboost.agent.linux.Libc;
import java.util.ArrayList;
import java.util.List;

/**
 * The ivshmem server's clients in the order they connected, and their peer ids: 16 bits on the doorbell, the
 * host's own id {@value IvshmemServer#HOST_PEER_ID} never handed out, ids reused only after wrapping past
 * {@value #MAX_PEER_ID}. Owned by the serving thread; only {@link #count()} may be read from others.
 */
final class PeerTable {
    /** Highest peer id (ids are 16 bits on the doorbell). */
    static final int MAX_PEER_ID = 0xFFFF;
    private static final int FIRST_CLIENT_ID = IvshmemServer.HOST_PEER_ID + 1;

    /** A connected client: its socket, its id and the eventfds the server made for its vectors. */
    static final class Peer {
        final int fd;
        final int id;
        final int[] eventFds;

        Peer(int fd, int id, int[] eventFds) {
            this.fd = fd;
            this.id = id;
            this.eventFds = eventFds;
        }

        /** Closes the socket and the peer's eventfds (other clients hold their own duplicates). */
        void close() {
            Libc.closeQuietly(fd);
            for (int e : eventFds) {
                Libc.closeQuietly(e);
            }
        }
    }

    private final List<Peer> peers = new ArrayList<>();
    private final int capacity;
    private volatile int count;
    private int nextId = FIRST_CLIENT_ID;

    PeerTable(int capacity) {
        this.capacity = capacity;
    }

    /** Clients now; safe from any thread. */
    int count() {
        return count;
    }

    int size() {
        return peers.size();
    }

    Peer get(int i) {
        return peers.get(i);
    }

    boolean contains(Peer p) {
        return peers.contains(p);
    }

    /**
     * The next free id after the last one handed out.
     *
     * @return 1..{@value #MAX_PEER_ID}, or -1 when the table is full
     */
    int freeId() {
        if (peers.size() >= capacity) {
            return -1;
        }
        for (int tries = 0; tries < MAX_PEER_ID; tries++) {
            int id = nextId;
            nextId = nextId == MAX_PEER_ID ? FIRST_CLIENT_ID : nextId + 1;
            if (!inUse(id)) {
                return id;
            }
        }
        return -1;
    }

    private boolean inUse(int id) {
        for (Peer p : peers) {
            if (p.id == id) {
                return true;
            }
        }
        return false;
    }

    void add(Peer p) {
        peers.add(p);
        count = peers.size();
    }

    /** Takes {@code p} out of the table (not closing it). @return false if it was not in it */
    boolean remove(Peer p) {
        boolean removed = peers.remove(p);
        count = peers.size();
        return removed;
    }

    /** Closes every client and empties the table. */
    void closeAll() {
        for (Peer p : peers) {
            p.close();
        }
        peers.clear();
        count = 0;
    }
}
