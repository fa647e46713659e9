package dev.vboost.agent.hypercall;

import dev.vboost.api.hypercall.HypercallExit;
import dev.vboost.api.hypercall.HypercallNumbers;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.file.Paths;

/**
 * The child JVM of {@link HypercallSocketCrossProcessTest}: a stand-in VMM that forwards hypercall exits to
 * the agent's socket, then misbehaves (a malformed frame, a torn frame). Prints one {@code key=value} line
 * per step and {@code DONE}.
 */
public final class SocketClientMain {
    private SocketClientMain() {
    }

    public static void main(String[] args) throws IOException {
        java.nio.file.Path socket = Paths.get(args[0]);
        try (HypercallSocketClient vmm = HypercallSocketClient.connect(socket)) {
            System.out.println("slots=" + vmm.call(0, HypercallNumbers.QUERY,
                    new long[] {HypercallNumbers.QUERY_SLOT_COUNT, 0, 0, 0, 0, 0}));
            System.out.println("notify=" + vmm.complete(0, HypercallExit.of(HypercallNumbers.NOTIFY, 1,
                    HypercallNumbers.NOTIFY_REQUEST, 0, 0)).ret());
            System.out.println("unknown=" + vmm.call(0, 0x1234, new long[6]));
            System.out.println("badslot=" + vmm.call(0, HypercallNumbers.NOTIFY, new long[] {9, 1, 0, 0, 0, 0}));
            System.out.println("reserved=" + vmm.call(0, HypercallNumbers.QUERY, new long[] {0, 0, 0, 0, 0, 1}));
            try {
                vmm.call(7, HypercallNumbers.QUERY, new long[6]);
                System.out.println("unknownvm=accepted");
            } catch (IOException e) {
                System.out.println("unknownvm=" + e.getMessage());
            }
            // the same connection still serves after the refusal
            System.out.println("again=" + vmm.call(0, HypercallNumbers.QUERY,
                    new long[] {HypercallNumbers.QUERY_SLOT_COUNT, 0, 0, 0, 0, 0}));
        }
        try (SocketChannel raw = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            ByteBuffer junk = ByteBuffer.allocate(HypercallFrame.REQUEST_SIZE).order(ByteOrder.LITTLE_ENDIAN);
            junk.putLong(0x0102030405060708L).position(HypercallFrame.REQUEST_SIZE).flip();
            while (junk.hasRemaining()) {
                raw.write(junk);
            }
            ByteBuffer resp = ByteBuffer.allocate(HypercallFrame.RESPONSE_SIZE).order(ByteOrder.LITTLE_ENDIAN);
            while (resp.hasRemaining() && raw.read(resp) >= 0) {
                // bounded by the 16-byte buffer; the server answers or closes
            }
            System.out.println("bad=" + Integer.toHexString(resp.getInt(0)) + "," + resp.getShort(6) + ","
                    + resp.getLong(8));
            System.out.println("closed=" + (raw.read(ByteBuffer.allocate(1)) < 0));
        }
        try (SocketChannel torn = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            torn.write(ByteBuffer.allocate(10)); // a VMM that dies mid-frame
        }
        System.out.println("DONE");
    }
}
