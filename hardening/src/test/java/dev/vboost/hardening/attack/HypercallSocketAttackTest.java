package dev.vboost.hardening.attack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vboost.agent.HypercallTarget;
import dev.vboost.agent.hypercall.HypercallDispatcher;
import dev.vboost.agent.hypercall.HypercallFrame;
import dev.vboost.agent.hypercall.HypercallSocketClient;
import dev.vboost.agent.hypercall.HypercallSocketServer;
import dev.vboost.api.hypercall.HypercallNumbers;
import dev.vboost.hardening.support.Await;
import dev.vboost.hardening.support.ChildJvm;
import dev.vboost.impl.memory.FileAccess;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16 row 9: idle connections held against the hypercall socket, peers of users that are not allowed, and
 * the socket file's owner and mode. A real Unix socket, real connections; the other user is a real process of
 * that user where the test says so.
 */
class HypercallSocketAttackTest {
    private static final long[] QUERY_SLOTS = {2, 0, 0, 0, 0, 0};

    @TempDir
    Path dir;

    private static List<HypercallDispatcher> dispatchers() {
        return List.of(new HypercallDispatcher(new HypercallTarget() {
            @Override
            public int slotCount() {
                return 2;
            }

            @Override
            public long generation() {
                return 1;
            }

            @Override
            public long hostFeatures() {
                return 0;
            }

            @Override
            public long regionGpa() {
                return 0x1000;
            }

            @Override
            public long regionSize() {
                return 4096;
            }

            @Override
            public void attached(long acceptedFeatures) {
            }

            @Override
            public void detached() {
            }

            @Override
            public boolean notifySlot(int slot, int flags) {
                return true;
            }
        }));
    }

    @Test
    void idleConnectionsNeverLockTheVmmOutAndAreClosedAfterTheIdleTimeout() throws Exception {
        Path socket = dir.resolve("hc.sock");
        List<SocketChannel> squatters = new ArrayList<>();
        try (HypercallSocketServer server = HypercallSocketServer.start(socket, dispatchers(),
                HypercallSocketServer.Options.defaults().withIdleTimeout(Duration.ofSeconds(3)))) {
            for (int i = 0; i < HypercallSocketServer.MAX_CONNECTIONS; i++) {
                squatters.add(SocketChannel.open(UnixDomainSocketAddress.of(socket)));
            }
            // every slot held by a silent peer: the VMM still gets in and is answered
            try (HypercallSocketClient vmm = HypercallSocketClient.connect(socket)) {
                assertEquals(2, vmm.call(0, HypercallNumbers.QUERY, QUERY_SLOTS));
                assertEquals(2, vmm.call(0, HypercallNumbers.QUERY, QUERY_SLOTS));
            }
            // and the silent ones are closed once the idle timeout has passed (bounded wait, not a sleep)
            SocketChannel silent = squatters.get(squatters.size() - 1);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            ByteBuffer b = ByteBuffer.allocate(16);
            int n = readWithDeadline(silent, b, deadline);
            assertEquals(-1, n, "the server closed the idle connection");
            assertTrue(server.idleClosed() >= 1);
        } finally {
            for (SocketChannel c : squatters) {
                c.close();
            }
        }
    }

    @Test
    void aPeerWhoseCredentialsAreNotAllowedIsClosedBeforeItCanCall() throws Exception {
        UserPrincipalLookupService lookup = FileSystems.getDefault().getUserPrincipalLookupService();
        Path socket = dir.resolve("hc.sock");
        // this test runs as its own user (root on CI): allow only "nobody", and this peer must be refused
        try (HypercallSocketServer server = HypercallSocketServer.start(socket, dispatchers(),
                HypercallSocketServer.Options.defaults()
                        .withAllowedUsers(Set.of(lookup.lookupPrincipalByName(Integer.toString(Root.NOBODY)))))) {
            try (HypercallSocketClient peer = HypercallSocketClient.connect(socket)) {
                assertThrows(IOException.class, () -> peer.call(0, HypercallNumbers.QUERY, QUERY_SLOTS));
            }
            assertEquals(1, server.refusedPeers());
            assertEquals(0, server.frames(), "nothing it sent was served");
        }
        try (HypercallSocketServer server = HypercallSocketServer.start(socket, dispatchers(),
                HypercallSocketServer.Options.defaults().withAllowedGroups(Set.of(
                        Files.readAttributes(dir, java.nio.file.attribute.PosixFileAttributes.class).group())))) {
            try (HypercallSocketClient peer = HypercallSocketClient.connect(socket)) {
                assertEquals(2, peer.call(0, HypercallNumbers.QUERY, QUERY_SLOTS), "an allowed group is served");
            }
            assertEquals(0, server.refusedPeers());
        }
    }

    /**
     * Another user's real process (started by {@code setpriv} with that user's uid and gid): the socket file's
     * mode lets it connect, so only the credentials check ({@code SO_PEERCRED}) stands between it and the
     * dispatcher. It is closed before anything it sends is read, and its flood of connections never touches the
     * VMM's connection, which stays served throughout.
     */
    @Test
    void aForeignUsersProcessIsClosedBeforeItCanCallAndItsFloodNeverStarvesTheVmm() throws Exception {
        ForeignPeer.assumeAvailable();
        Path socket = dir.resolve("hc.sock");
        int flood = HypercallSocketServer.MAX_CONNECTIONS + 16;
        try (HypercallSocketServer server = HypercallSocketServer.start(socket, dispatchers(),
                HypercallSocketServer.Options.defaults().withSocketAccess(FileAccess.of(0666)));
                HypercallSocketClient vmm = HypercallSocketClient.connect(socket)) {
            // the VMM runs as this process's user (root here), allowed by default
            assertEquals(2, vmm.call(0, HypercallNumbers.QUERY, QUERY_SLOTS));
            long servedBefore = server.frames();
            try (ChildJvm peer = ForeignPeer.start(dir, Root.NOBODY, socket, flood)) {
                String connected = ForeignPeer.expect(peer, "connected ");
                int held = Integer.parseInt(connected.split(" ")[1]);
                assertTrue(held > 0, "the file mode let the other user connect: " + connected);
                String reply = ForeignPeer.ask(peer, "call " + HexFormat.of().formatHex(queryFrame()), "");
                assertTrue(reply.startsWith("closed"), "the other user's call was never answered: " + reply);
                Await.until(10_000, () -> server.refusedPeers() >= held,
                        () -> "refused " + server.refusedPeers() + " of " + held + "\n" + peer.output());
                assertEquals(servedBefore, server.frames(), "nothing the other user sent was read");
                assertEquals("open 0 closed " + held, ForeignPeer.ask(peer, "probe", "open "),
                        "every connection closed");
                // the VMM's connection, made before the flood, was never dropped or starved
                assertEquals(2, vmm.call(0, HypercallNumbers.QUERY, QUERY_SLOTS));
            }
            assertEquals(servedBefore + 1, server.frames());
        }
    }

    /**
     * The other user is allowed (in the VMM's group, say) and holds more idle connections than the server has
     * room for: its own call is served (its real credentials pass), and a VMM connecting during the flood still
     * gets in and is answered, at the cost of the flood's longest-idle connections.
     */
    @Test
    void anAllowedUsersIdleFloodNeverLocksAConnectingVmmOut() throws Exception {
        ForeignPeer.assumeAvailable();
        UserPrincipalLookupService lookup = FileSystems.getDefault().getUserPrincipalLookupService();
        Path socket = dir.resolve("hc.sock");
        int flood = HypercallSocketServer.MAX_CONNECTIONS + 16;
        try (HypercallSocketServer server = HypercallSocketServer.start(socket, dispatchers(),
                HypercallSocketServer.Options.defaults().withSocketAccess(FileAccess.of(0666))
                        .withAllowedUsers(Set.of(lookup.lookupPrincipalByName("0")))
                        .withAllowedGroups(Set.of(lookup.lookupPrincipalByGroupName(Integer.toString(Root.NOBODY)))));
                HypercallSocketClient idleVmm = HypercallSocketClient.connect(socket)) {
            assertEquals(2, idleVmm.call(0, HypercallNumbers.QUERY, QUERY_SLOTS));
            try (ChildJvm peer = ForeignPeer.start(dir, Root.NOBODY, socket, flood)) {
                assertEquals("connected " + flood + " failed 0", ForeignPeer.expect(peer, "connected "));
                String reply = ForeignPeer.ask(peer, "call " + HexFormat.of().formatHex(queryFrame()), "");
                assertTrue(reply.startsWith("answer "), "an allowed user's real process is served: " + reply);
                assertEquals(0, server.refusedPeers());
                // the flood evicted its own user's connections, never the VMM's older, idle one of another user
                assertEquals(2, idleVmm.call(0, HypercallNumbers.QUERY, QUERY_SLOTS), "the idle VMM is still served");
                try (HypercallSocketClient vmm = HypercallSocketClient.connect(socket)) {
                    assertEquals(2, vmm.call(0, HypercallNumbers.QUERY, QUERY_SLOTS));
                }
                // MAX_CONNECTIONS kept: the two VMM connections took the room of two of the flood's idle ones
                int floodKept = HypercallSocketServer.MAX_CONNECTIONS - 2;
                assertEquals("open " + floodKept + " closed " + (flood - floodKept), ForeignPeer.ask(peer, "probe", "open "));
                assertEquals(flood - floodKept, server.idleClosed());
            }
        }
    }

    private static byte[] queryFrame() {
        ByteBuffer b = HypercallFrame.encodeRequest(
                ByteBuffer.allocate(HypercallFrame.REQUEST_SIZE).order(ByteOrder.LITTLE_ENDIAN), 0,
                HypercallNumbers.QUERY, QUERY_SLOTS);
        byte[] frame = new byte[b.remaining()];
        b.get(frame);
        return frame;
    }

    @Test
    void theSocketFileGetsItsOwnerGroupAndModeExplicitly() throws Exception {
        Root.assume();
        UserPrincipalLookupService lookup = FileSystems.getDefault().getUserPrincipalLookupService();
        Path shared = Root.stickyDir(dir);
        Path socket = shared.resolve("hc.sock");
        FileAccess access = new FileAccess(0660, null, lookup.lookupPrincipalByGroupName(Integer.toString(Root.NOBODY)));
        try (HypercallSocketServer server = HypercallSocketServer.start(socket, dispatchers(),
                HypercallSocketServer.Options.defaults().withSocketAccess(access))) {
            assertEquals(0140660, (Integer) Files.getAttribute(socket, "unix:mode", LinkOption.NOFOLLOW_LINKS),
                    "mode exactly 0660 whatever the umask");
            assertEquals(Root.NOBODY, (Integer) Files.getAttribute(socket, "unix:gid", LinkOption.NOFOLLOW_LINKS));
            try (var entries = Files.list(shared)) {
                assertEquals(1, entries.count(), "no private directory left behind");
            }
        }
        try (HypercallSocketServer server = HypercallSocketServer.start(socket, dispatchers())) {
            assertEquals(0140600, (Integer) Files.getAttribute(socket, "unix:mode", LinkOption.NOFOLLOW_LINKS));
        }
    }

    private static int readWithDeadline(SocketChannel ch, ByteBuffer b, long deadline) throws Exception {
        ch.configureBlocking(false);
        while (System.nanoTime() < deadline) {
            int n = ch.read(b);
            if (n != 0) {
                return n;
            }
            Thread.sleep(20); // polling a condition with a bound: the server's sweep runs on its own clock
        }
        throw new AssertionError("the idle connection was not closed within the bound");
    }
}
