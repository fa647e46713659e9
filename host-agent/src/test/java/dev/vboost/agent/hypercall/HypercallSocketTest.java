package dev.vboost.agent.hypercall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vboost.api.hypercall.HypercallExit;
import dev.vboost.api.hypercall.HypercallNumbers;
import dev.vboost.api.layout.RegionLayout;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Unix-socket transport: well-formed calls, bad frames, partial frames, floods. */
class HypercallSocketTest {
    @TempDir
    Path dir;

    private Path socket;
    private FakeTarget target;
    private HypercallSocketServer server;

    @BeforeEach
    void setUp() throws IOException {
        socket = dir.resolve("hc.sock");
        target = new FakeTarget(2, 0x10000, RegionLayout.regionSize(2));
        server = HypercallSocketServer.start(socket, List.of(new HypercallDispatcher(target)));
    }

    @AfterEach
    void tearDown() throws IOException {
        server.close();
        assertTrue(!Files.exists(socket), "socket file removed on close");
    }

    @Test
    void callsTravelAndReturnTheDispatcherResult() throws IOException {
        try (HypercallSocketClient c = HypercallSocketClient.connect(socket)) {
            assertEquals(2, c.call(0, HypercallNumbers.QUERY, new long[] {2, 0, 0, 0, 0, 0}));
            assertEquals(0, c.complete(0, HypercallExit.of(HypercallNumbers.NOTIFY, 1, 1, 0, 0)).ret());
            assertEquals(-22, c.call(0, HypercallNumbers.NOTIFY, new long[] {2, 1, 0, 0, 0, 0}));
            assertEquals(-1000, c.call(0, 42, new long[6]));
        }
        assertEquals(List.of("notify 1 1"), target.calls());
    }

    @Test
    void aSecondCloseDoesNothing() throws IOException {
        server.close();
        assertFalse(java.nio.file.Files.exists(socket), "the first close removed the socket file");
        server.close(); // and again in @AfterEach: neither throws
    }

    @Test
    void unknownVmIsRejectedButTheConnectionLives() throws IOException {
        try (HypercallSocketClient c = HypercallSocketClient.connect(socket)) {
            IOException e = assertThrows(IOException.class, () -> c.call(1, HypercallNumbers.QUERY, new long[6]));
            assertTrue(e.getMessage().contains("no VM with index 1"), e.getMessage());
            assertEquals(2, c.call(0, HypercallNumbers.QUERY, new long[] {2, 0, 0, 0, 0, 0}));
        }
    }

    @Test
    void badMagicGetsBadFrameAndTheConnectionIsClosed() throws IOException {
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            ByteBuffer frame = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
            frame.putInt(0xDEADBEEF).position(64).flip();
            write(ch, frame);
            ByteBuffer resp = read(ch, 16);
            assertEquals(HypercallFrame.RESPONSE_MAGIC, resp.getInt(0));
            assertEquals(HypercallFrame.STATUS_BAD_FRAME, resp.getShort(6));
            assertEquals(-22, resp.getLong(8));
            assertEquals(-1, ch.read(ByteBuffer.allocate(1)), "closed after a bad frame");
        }
        assertEquals(1, server.badFrames());
        assertWorks();
    }

    @Test
    void badVersionIsABadFrame() throws IOException {
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            ByteBuffer frame = HypercallFrame.encodeRequest(HypercallFrame.newRequestBuffer(), 0, HypercallNumbers.QUERY, new long[6]);
            frame.putShort(4, (short) 2);
            write(ch, frame);
            assertEquals(HypercallFrame.STATUS_BAD_FRAME, read(ch, 16).getShort(6));
        }
    }

    @Test
    void partialFramesAndAbruptClosesDoNotHurt() throws IOException {
        for (int i = 0; i < 20; i++) {
            try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
                ByteBuffer part = ByteBuffer.allocate(1 + i * 3);
                write(ch, part);
            }
        }
        // a frame split into single bytes still works
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            ByteBuffer frame = HypercallFrame.encodeRequest(HypercallFrame.newRequestBuffer(), 0, HypercallNumbers.QUERY,
                    new long[] {2, 0, 0, 0, 0, 0});
            while (frame.hasRemaining()) {
                ByteBuffer one = ByteBuffer.allocate(1).put(frame.get()).flip();
                write(ch, one);
            }
            ByteBuffer resp = read(ch, 16);
            assertEquals(HypercallFrame.STATUS_EXECUTED, resp.getShort(6));
            assertEquals(2, resp.getLong(8));
        }
        assertWorks();
    }

    @Test
    void tooManyConnectionsReplaceTheLongestIdleWithoutHarm() throws IOException {
        List<SocketChannel> open = new ArrayList<>();
        try {
            for (int i = 0; i < HypercallSocketServer.MAX_CONNECTIONS + 10; i++) {
                open.add(SocketChannel.open(UnixDomainSocketAddress.of(socket)));
            }
            // the newest connection is served: idle ones cannot lock a (re)connecting VMM out
            ByteBuffer frame = HypercallFrame.encodeRequest(HypercallFrame.newRequestBuffer(), 0, HypercallNumbers.QUERY,
                    new long[] {0, 0, 0, 0, 0, 0});
            SocketChannel last = open.get(open.size() - 1);
            write(last, frame);
            assertEquals(HypercallFrame.STATUS_EXECUTED, read(last, 16).getShort(6));
            // the oldest, silent ones made room and were closed by the server
            ByteBuffer b = ByteBuffer.allocate(1);
            assertEquals(-1, open.get(0).read(b));
        } finally {
            for (SocketChannel ch : open) {
                ch.close();
            }
        }
        assertWorks();
    }

    @Test
    void floodOfRandomFramesIsAnsweredFrameByFrame() throws IOException {
        long seed = Long.getLong("vboost.seed", System.nanoTime());
        SplittableRandom r = new SplittableRandom(seed);
        try (HypercallSocketClient c = HypercallSocketClient.connect(socket)) {
            for (int i = 0; i < 2000; i++) {
                long[] args = new long[6];
                for (int k = 0; k < 4; k++) {
                    args[k] = r.nextInt(3) == 0 ? r.nextLong() : r.nextInt(4);
                }
                long nr = HypercallNumbers.BASE + r.nextInt(6);
                long ret = c.call(0, nr, args);
                assertTrue(ret >= 0 || ret == -1 || ret == -7 || ret == -14 || ret == -22 || ret == -95 || ret == -1000,
                        "seed " + seed + ": ret " + ret);
            }
        }
        assertTrue(server.frames() >= 2000);
    }

    @Test
    void socketInUseIsRefusedAndStaleOneReplaced() throws IOException {
        IOException e = assertThrows(IOException.class,
                () -> HypercallSocketServer.start(socket, List.of(new HypercallDispatcher(target))));
        assertTrue(e.getMessage().contains("in use"), e.getMessage());
        Path stale = dir.resolve("stale.sock");
        // a server that died without cleaning up leaves its socket file behind
        java.nio.channels.ServerSocketChannel dead = java.nio.channels.ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        dead.bind(UnixDomainSocketAddress.of(stale));
        dead.close();
        assertTrue(Files.exists(stale));
        try (HypercallSocketServer s3 = HypercallSocketServer.start(stale, List.of(new HypercallDispatcher(target)));
                HypercallSocketClient c = HypercallSocketClient.connect(stale)) {
            assertEquals(2, c.call(0, HypercallNumbers.QUERY, new long[] {2, 0, 0, 0, 0, 0}));
            assertEquals(stale, s3.path());
        }
        Path regular = Files.writeString(dir.resolve("not-a-socket"), "precious");
        IOException e2 = assertThrows(IOException.class,
                () -> HypercallSocketServer.start(regular, List.of(new HypercallDispatcher(target))));
        assertTrue(e2.getMessage().contains("not a socket"), e2.getMessage());
        assertEquals("precious", Files.readString(regular));
    }

    @Test
    @org.junit.jupiter.api.Timeout(60)
    void aFrameLeftIncompleteIsClosedAfterTheTimeout() throws IOException {
        Path quick = dir.resolve("quick.sock");
        try (HypercallSocketServer s = HypercallSocketServer.start(quick, List.of(new HypercallDispatcher(target)),
                java.time.Duration.ofMillis(200));
                SocketChannel stalled = SocketChannel.open(UnixDomainSocketAddress.of(quick));
                SocketChannel idle = SocketChannel.open(UnixDomainSocketAddress.of(quick))) {
            write(stalled, ByteBuffer.allocate(10));
            // blocks until the server gives up on the torn frame (the @Timeout bounds it)
            assertEquals(-1, stalled.read(ByteBuffer.allocate(1)), "stalled connection closed");
            // an idle connection with no frame started is a VMM between exits: it stays
            ByteBuffer frame = HypercallFrame.encodeRequest(HypercallFrame.newRequestBuffer(), 0, HypercallNumbers.QUERY,
                    new long[] {2, 0, 0, 0, 0, 0});
            write(idle, frame);
            assertEquals(2, read(idle, 16).getLong(8));
        }
        assertThrows(IllegalArgumentException.class, () -> HypercallSocketServer.start(dir.resolve("x.sock"),
                List.of(new HypercallDispatcher(target)), java.time.Duration.ZERO));
    }

    private void assertWorks() throws IOException {
        try (HypercallSocketClient c = HypercallSocketClient.connect(socket)) {
            assertEquals(2, c.call(0, HypercallNumbers.QUERY, new long[] {2, 0, 0, 0, 0, 0}));
        }
    }

    private static void write(SocketChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    private static ByteBuffer read(SocketChannel ch, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) {
                throw new IOException("closed after " + b.position() + " bytes");
            }
        }
        return b;
    }
}
