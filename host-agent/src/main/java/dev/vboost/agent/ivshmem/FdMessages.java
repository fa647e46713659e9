package dev.vboost.agent.ivshmem;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import dev.vboost.agent.linux.Libc;

/**
 * One ivshmem message on a Unix stream socket: an int64, little-endian, optionally with one file descriptor as
 * {@code SCM_RIGHTS} ancillary data (QEMU {@code docs/specs/ivshmem-spec.rst}). Not thread-safe: one instance
 * per thread, its buffers reused for every message.
 */
final class FdMessages {
    /** What {@link #receive} read: the value and the descriptor (-1 when none came). */
    static final class Received {
        long value;
        int fd = -1;
        /** False at end of stream; {@link #value} is then meaningless. */
        boolean present;
    }

    private final Memory msghdr = new Memory(Libc.MSGHDR_SIZE);
    private final Memory iov = new Memory(Libc.IOVEC_SIZE);
    private final Memory payload = new Memory(8);
    private final Memory control = new Memory(Libc.CMSG_SPACE_ONE_FD);

    /**
     * Sends {@code value} (with {@code fd} unless it is negative) without blocking.
     *
     * @return false if the socket buffer is full (the peer does not read) — the message was not sent
     * @throws LastErrorException on any other failure (the peer went away: EPIPE, ECONNRESET)
     */
    boolean send(int socket, long value, int fd) {
        payload.setLong(0, value); // the int64 is little-endian on every architecture Libc accepts
        prepare(fd >= 0);
        if (fd >= 0) {
            control.clear();
            control.setLong(0, Libc.CMSG_LEN_ONE_FD);      // cmsg_len
            control.setInt(8, Libc.SOL_SOCKET);            // cmsg_level
            control.setInt(12, Libc.SCM_RIGHTS);           // cmsg_type
            control.setInt(16, fd);                        // CMSG_DATA
        }
        try {
            long n = Libc.sendmsg(socket, msghdr, Libc.MSG_DONTWAIT | Libc.MSG_NOSIGNAL);
            if (n != 8) {
                // a stream socket takes a message of 8 bytes whole or not at all unless the buffer is nearly full;
                // a torn message cannot be finished later without ordering trouble, so the peer is dropped
                throw new LastErrorException(Libc.EAGAIN);
            }
            return true;
        } catch (LastErrorException e) {
            if (e.getErrorCode() == Libc.EAGAIN) {
                return false;
            }
            throw e;
        }
    }

    /**
     * Receives one message (blocking or not, as the socket is). Takes at most one descriptor; a message with
     * more, or with truncated ancillary data, closes what arrived and fails.
     *
     * @throws LastErrorException with EAGAIN when a non-blocking socket has nothing, or any other error
     * @throws IllegalStateException for a message of fewer than 8 bytes or with unexpected ancillary data
     */
    void receive(int socket, Received out) {
        prepare(true);
        control.clear();
        out.fd = -1;
        out.present = false;
        long n = Libc.recvmsg(socket, msghdr, 0);
        if (n == 0) {
            return;
        }
        int controlLen = (int) msghdr.getLong(40);
        int flags = msghdr.getInt(48);
        if (controlLen >= Libc.CMSG_LEN_ONE_FD && control.getInt(8) == Libc.SOL_SOCKET
                && control.getInt(12) == Libc.SCM_RIGHTS) {
            long cmsgLen = control.getLong(0);
            out.fd = control.getInt(16);
            if (cmsgLen != Libc.CMSG_LEN_ONE_FD) {
                Libc.closeQuietly(out.fd);
                out.fd = -1;
                throw new IllegalStateException("a message carried more than one descriptor");
            }
        }
        if ((flags & Libc.MSG_CTRUNC) != 0 || n != 8) {
            Libc.closeQuietly(out.fd);
            out.fd = -1;
            throw new IllegalStateException(n != 8 ? "a message of " + n + " bytes, not 8" : "ancillary data truncated");
        }
        out.value = payload.getLong(0);
        out.present = true;
    }

    private void prepare(boolean withControl) {
        iov.setPointer(0, payload);
        iov.setLong(8, 8);
        msghdr.clear();
        msghdr.setPointer(0, Pointer.NULL);                        // msg_name
        msghdr.setPointer(16, iov);                                // msg_iov
        msghdr.setLong(24, 1);                                     // msg_iovlen
        msghdr.setPointer(32, withControl ? control : Pointer.NULL); // msg_control
        msghdr.setLong(40, withControl ? Libc.CMSG_SPACE_ONE_FD : 0); // msg_controllen
    }
}
