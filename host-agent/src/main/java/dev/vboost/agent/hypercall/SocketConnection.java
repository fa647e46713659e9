package dev.vboost.agent.hypercall;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.file.attribute.UserPrincipal;

/**
 * One peer of the hypercall socket server: at most one request frame buffered and one answer pending, so a slow
 * or hostile peer holds a bounded amount of memory and never blocks the others (non-blocking reads and writes).
 * Touched only by the server's selector thread.
 */
final class SocketConnection {
    final ByteBuffer in = HypercallFrame.newRequestBuffer();
    final ByteBuffer out = HypercallFrame.newResponseBuffer();
    boolean closeAfterWrite;
    boolean dropped;
    /** When the incomplete frame in {@link #in} began ({@link System#nanoTime()}); meaningless while empty. */
    long partialSince;
    /** When the peer last sent anything, or connected ({@link System#nanoTime()}). */
    long lastActive;

    /** The peer's user ({@code SO_PEERCRED}): a full server evicts from the user holding the most connections. */
    final UserPrincipal user;

    SocketConnection(long now, UserPrincipal user) {
        out.limit(0);
        lastActive = now;
        this.user = user;
    }

    /**
     * Writes what is pending, reads what has arrived and answers a completed frame through {@code router}.
     *
     * @return false if the connection is to be dropped: the peer closed, or a malformed frame was answered
     */
    boolean serve(SelectionKey key, FrameRouter router) throws IOException {
        SocketChannel ch = (SocketChannel) key.channel();
        if (key.isWritable() || out.hasRemaining()) {
            ch.write(out);
            if (out.hasRemaining()) {
                key.interestOps(SelectionKey.OP_WRITE);
                return true;
            }
            if (closeAfterWrite) {
                return false;
            }
            key.interestOps(SelectionKey.OP_READ);
        }
        if (!key.isReadable()) {
            return true;
        }
        boolean wasEmpty = in.position() == 0;
        int n = ch.read(in);
        if (n > 0) {
            lastActive = System.nanoTime();
        }
        if (n < 0) {
            return false; // peer closed; a partial frame is discarded
        }
        if (in.hasRemaining()) {
            if (wasEmpty && n > 0) {
                partialSince = System.nanoTime();
            }
            return true; // bounded: at most one 64-byte frame is buffered per connection
        }
        in.flip();
        closeAfterWrite = router.answer(in, out);
        in.clear();
        ch.write(out);
        if (out.hasRemaining()) {
            key.interestOps(SelectionKey.OP_WRITE);
            return true;
        }
        return !closeAfterWrite;
    }
}
