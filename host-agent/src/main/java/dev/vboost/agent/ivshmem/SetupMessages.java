package dev.vboost.agent.ivshmem;

import com.sun.jna.LastErrorException;

/**
 * The messages of QEMU's ivshmem protocol version 0 as the server sends them ({@code docs/specs/ivshmem-spec.rst}):
 * to a new client its set-up (the version, its id, {@code -1} with the region's descriptor, then every peer's
 * eventfds — the host's first, its own last, which QEMU takes as its interrupt vectors); to existing clients a
 * connect notification (the new peer's id with each of its eventfds) or a disconnect notification (an id alone).
 * Every send is non-blocking: {@code false} means the client does not read and must be dropped.
 */
final class SetupMessages {
    private static final long PROTOCOL_VERSION = 0;

    private final FdMessages messages = new FdMessages();
    private final int shmFd;
    private final int[] hostFds;

    SetupMessages(int shmFd, int[] hostFds) {
        this.shmFd = shmFd;
        this.hostFds = hostFds;
    }

    /**
     * Sends a new client its whole set-up.
     *
     * @return false if its buffer filled
     * @throws LastErrorException if its socket failed otherwise
     */
    boolean welcome(PeerTable.Peer client, PeerTable others) {
        boolean ok = messages.send(client.fd, PROTOCOL_VERSION, -1)
                && messages.send(client.fd, client.id, -1)
                && messages.send(client.fd, -1, shmFd)
                && announce(client.fd, IvshmemServer.HOST_PEER_ID, hostFds);
        for (int i = 0; ok && i < others.size(); i++) {
            PeerTable.Peer other = others.get(i);
            ok = announce(client.fd, other.id, other.eventFds);
        }
        return ok && announce(client.fd, client.id, client.eventFds);
    }

    /** Tells {@code to} that {@code joined} connected. @return false if {@code to} must be dropped */
    boolean connected(PeerTable.Peer to, PeerTable.Peer joined) {
        try {
            return announce(to.fd, joined.id, joined.eventFds);
        } catch (LastErrorException e) {
            return false;
        }
    }

    /** Tells {@code to} that peer {@code leftId} is gone. @return false if {@code to} must be dropped */
    boolean disconnected(PeerTable.Peer to, int leftId) {
        try {
            return messages.send(to.fd, leftId, -1);
        } catch (LastErrorException e) {
            return false;
        }
    }

    private boolean announce(int socket, int peerId, int[] eventFds) {
        for (int e : eventFds) {
            if (!messages.send(socket, peerId, e)) {
                return false;
            }
        }
        return true;
    }
}
