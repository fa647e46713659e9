package dev.vboost.agent.hypercall;

import dev.vboost.api.hypercall.HypercallExit;
import java.io.EOFException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * The VMM side of the hypercall socket: forwards one exit at a time and waits for its {@code ret}. Blocking;
 * one outstanding call per client; not thread-safe.
 */
public final class HypercallSocketClient implements AutoCloseable {
    private final SocketChannel channel;
    private final ByteBuffer request = HypercallFrame.newRequestBuffer();
    private final ByteBuffer response = HypercallFrame.newResponseBuffer();

    private HypercallSocketClient(SocketChannel channel) {
        this.channel = channel;
    }

    /**
     * Connects to an agent's hypercall socket.
     *
     * @param path the socket {@link HypercallSocketServer} serves
     * @return the connected client
     * @throws IOException if nobody listens there or the connection is refused
     */
    public static HypercallSocketClient connect(Path path) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.connect(UnixDomainSocketAddress.of(path));
        } catch (IOException e) {
            ch.close();
            throw new IOException("cannot connect to the vboost hypercall socket " + path + ": " + e.getMessage(), e);
        }
        return new HypercallSocketClient(ch);
    }

    /**
     * The exit with {@code ret} filled in by the agent serving VM {@code vm}.
     *
     * @param vm   VM index on the server, 0..65535
     * @param exit the guest's {@code KVM_EXIT_HYPERCALL}
     * @return a copy with {@code ret} set
     * @throws IOException as for {@link #call}
     */
    public HypercallExit complete(int vm, HypercallExit exit) throws IOException {
        return exit.withRet(call(vm, exit.nr(), exit.args()));
    }

    /**
     * Sends one call and returns its RAX value.
     *
     * @param vm   VM index on the server, 0..65535
     * @param nr   hypercall number
     * @param args exactly 6 arguments
     * @return the hypercall's result for the guest's RAX
     * @throws IOException if the server rejects the frame or the VM index, or the connection fails
     */
    public long call(int vm, long nr, long[] args) throws IOException {
        HypercallFrame.encodeRequest(request, vm, nr, args);
        while (request.hasRemaining()) {
            channel.write(request);
        }
        response.clear();
        while (response.hasRemaining()) {
            if (channel.read(response) < 0) {
                throw new EOFException("hypercall socket closed before the answer");
            }
        }
        if (response.getInt(0) != HypercallFrame.RESPONSE_MAGIC
                || Short.toUnsignedInt(response.getShort(4)) != HypercallFrame.VERSION) {
            throw new IOException("not a vboost hypercall response (magic 0x" + Integer.toHexString(response.getInt(0)) + ")");
        }
        int status = Short.toUnsignedInt(response.getShort(6));
        long ret = response.getLong(8);
        switch (status) {
            case HypercallFrame.STATUS_EXECUTED:
                return ret;
            case HypercallFrame.STATUS_UNKNOWN_VM:
                throw new IOException("the agent serves no VM with index " + vm);
            case HypercallFrame.STATUS_BAD_FRAME:
                throw new IOException("the agent rejected the frame as malformed");
            default:
                throw new IOException("unknown response status " + status);
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
