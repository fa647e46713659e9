package dev.vboost.agent.ivshmem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import dev.vboost.agent.actuator.RealtimeCapability;
import dev.vboost.agent.linux.Libc;
import dev.vboost.impl.memory.FileAccess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ivshmem server against clients written from QEMU's {@code docs/specs/ivshmem-spec.rst}: a raw one that
 * checks every message in order, {@link IvshmemPeer} for the rest; bad clients; the socket file's safety.
 */
class IvshmemServerTest {
    private static final Set<PosixFilePermission> MODE = PosixFilePermissions.fromString("rw-------");
    private static final long TIMEOUT_MS = 10_000;

    @TempDir
    Path dir;
    private Path region;
    private Path socket;

    @BeforeEach
    void region() throws IOException {
        region = dir.resolve("vm.vboost");
        Files.write(region, new byte[4096]);
        socket = dir.resolve("vm.ivshmem");
    }

    @AfterEach
    void noSocketLeft() {
        // every test closes its server; the file must be gone then
        assertFalse(Files.exists(socket, LinkOption.NOFOLLOW_LINKS), "socket file removed on close");
    }

    /** Connects a raw, blocking client socket. */
    private static int rawConnect(Path path) {
        int fd = Libc.socket(Libc.AF_UNIX, Libc.SOCK_STREAM | Libc.SOCK_CLOEXEC, 0);
        Memory addr = Libc.sockaddrUn(path.toString());
        Libc.connect(fd, addr, (int) addr.size());
        return fd;
    }

    private static FdMessages.Received next(FdMessages m, int fd) {
        FdMessages.Received r = new FdMessages.Received();
        m.receive(fd, r);
        assertTrue(r.present, "a message, not the end of the stream");
        return r;
    }

    private static void waitFor(String what, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + TIMEOUT_MS * 1_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - end > 0) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            Thread.sleep(2);
        }
    }

    @Test
    void setUpMessagesComeInTheSpecOrderAndARingReachesTheHost() throws Exception {
        try (IvshmemServer server = IvshmemServer.start(socket, region, 2, MODE);
                EventfdLoopWaiter waiter = new EventfdLoopWaiter(server.hostEventFds())) {
            Object mode = Files.getAttribute(socket, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            assertEquals(0140600, (int) (Integer) mode, "a socket with exactly the mode asked for");
            int fd = rawConnect(socket);
            FdMessages m = new FdMessages();
            try {
                FdMessages.Received r = next(m, fd);
                assertEquals(0, r.value, "protocol version 0");
                assertEquals(-1, r.fd);
                r = next(m, fd);
                long own = r.value;
                assertTrue(own >= 1 && own <= 0xFFFF, "a client id, never the host's 0: " + own);
                assertEquals(-1, r.fd);
                r = next(m, fd);
                assertEquals(-1, r.value, "-1 announces the shared memory");
                assertTrue(r.fd >= 0);
                assertEquals(Files.getAttribute(region, "unix:ino"),
                        Files.getAttribute(Path.of("/proc/self/fd/" + r.fd), "unix:ino"), "the region file itself");
                Libc.close(r.fd);
                int[] hostFds = new int[2];
                for (int v = 0; v < 2; v++) {
                    r = next(m, fd);
                    assertEquals(IvshmemServer.HOST_PEER_ID, r.value, "the host peer's vectors first");
                    hostFds[v] = r.fd;
                }
                for (int v = 0; v < 2; v++) {
                    r = next(m, fd);
                    assertEquals(own, r.value, "then the client's own vectors (interrupt set-up)");
                    assertTrue(r.fd >= 0);
                    Libc.close(r.fd);
                }
                waitFor("client registered", () -> server.clientCount() == 1);
                // ring vector 1 of the host twice before the agent looks: one wake-up, two rings, one coalesced
                Memory one = new Memory(8);
                one.setLong(0, 1);
                Libc.write(hostFds[1], one, 8);
                Libc.write(hostFds[1], one, 8);
                long t0 = System.nanoTime();
                waiter.awaitUntil(t0 + 30_000_000_000L);
                assertTrue(System.nanoTime() - t0 < 10_000_000_000L, "woken by the ring, not the deadline");
                assertTrue(waiter.lastWakeByRing());
                assertEquals(2, waiter.ringsReceived());
                assertEquals(1, waiter.ringsCoalesced());
                waiter.scanFoundNothing();
                assertEquals(1, waiter.spuriousRings());
                Libc.close(hostFds[0]);
                Libc.close(hostFds[1]);
            } finally {
                Libc.close(fd);
            }
            waitFor("disconnect seen", () -> server.clientCount() == 0 && server.disconnects() == 1);
        }
    }

    @Test
    void peersLearnOfEachOtherAndOfDepartures() throws Exception {
        try (IvshmemServer server = IvshmemServer.start(socket, region, 1, MODE);
                IvshmemPeer a = IvshmemPeer.connect(socket, 1, TIMEOUT_MS)) {
            assertTrue(a.knows(IvshmemServer.HOST_PEER_ID));
            long bId;
            try (IvshmemPeer b = IvshmemPeer.connect(socket, 1, TIMEOUT_MS)) {
                bId = b.ownId();
                assertTrue(b.knows(a.ownId()), "the newcomer is told of existing peers");
                while (!a.knows(bId)) {
                    assertTrue(a.pump(TIMEOUT_MS), "the existing peer is told of the newcomer");
                }
                // a peer rings another: the target's own eventfd counts it
                assertTrue(a.ring(bId, 0));
                Memory c = new Memory(8);
                assertEquals(8, Libc.read(b.eventFd(bId, 0), c, 8));
                assertEquals(1, c.getLong(0));
                assertFalse(a.ring(bId, 1), "no such vector");
            }
            while (a.knows(bId)) {
                assertTrue(a.pump(TIMEOUT_MS), "a disconnect notification for the peer that left");
            }
            assertEquals(2, server.connects());
            waitFor("one client left", () -> server.clientCount() == 1);
        }
    }

    @Test
    void aClientThatSendsAnythingIsDisconnectedAndOthersAreServed() throws Exception {
        try (IvshmemServer server = IvshmemServer.start(socket, region, 1, MODE)) {
            int fd = rawConnect(socket);
            try {
                waitFor("client registered", () -> server.clientCount() == 1);
                Memory junk = new Memory(8);
                junk.setLong(0, 0x4141414141414141L);
                Libc.write(fd, junk, 8);
                waitFor("client dropped", () -> server.dropped() == 1 && server.clientCount() == 0);
                // the client sees the end of the stream after its set-up messages
                FdMessages m = new FdMessages();
                FdMessages.Received r = new FdMessages.Received();
                int messages = 0;
                do {
                    m.receive(fd, r);
                    Libc.closeQuietly(r.fd);
                } while (r.present && ++messages < 100);
                assertFalse(r.present, "closed by the server");
                assertEquals(5, messages, "version, id, shm, the host's vector, its own vector");
            } finally {
                Libc.close(fd);
            }
            try (IvshmemPeer ok = IvshmemPeer.connect(socket, 1, TIMEOUT_MS)) {
                assertTrue(ok.knows(IvshmemServer.HOST_PEER_ID));
            }
        }
    }

    @Test
    void aClientThatNeverReadsIsDroppedAndDoesNotBlockTheServer() throws Exception {
        try (IvshmemServer server = IvshmemServer.start(socket, region, 1, MODE, 4)) {
            int silent = rawConnect(socket); // never reads: its buffer fills with notifications
            try {
                waitFor("silent client registered", () -> server.clientCount() == 1);
                int cycles = 0;
                // every churn cycle queues a connect and a disconnect notification for the silent client
                while (server.dropped() == 0) {
                    assertTrue(cycles++ < 20_000, "the silent client is never dropped");
                    try (IvshmemPeer p = IvshmemPeer.connect(socket, 1, TIMEOUT_MS)) {
                        assertTrue(p.knows(IvshmemServer.HOST_PEER_ID), "served while the silent one blocks");
                    }
                }
                waitFor("silent client gone", () -> server.clientCount() == 0);
                assertTrue(cycles > 1, "dropped for its full buffer, not at once");
            } finally {
                Libc.close(silent);
            }
        }
    }

    @Test
    void clientsOverTheLimitAreClosed() throws Exception {
        try (IvshmemServer server = IvshmemServer.start(socket, region, 1, MODE, 1);
                IvshmemPeer first = IvshmemPeer.connect(socket, 1, TIMEOUT_MS)) {
            assertThrows(IOException.class, () -> IvshmemPeer.connect(socket, 1, TIMEOUT_MS).close());
            waitFor("refusal counted", () -> server.dropped() == 1);
            assertEquals(1, server.clientCount());
        }
    }

    /**
     * Whoever connects receives the region's descriptor, so the socket carries the region's access: here group
     * {@code daemon} (gid 1) with mode 0660, set before the socket appears at its path. Changing a file's group
     * to one the agent is not a member of needs root.
     */
    @Test
    void theSocketGetsTheOwnerGroupAndModeAsked() throws Exception {
        boolean root = Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        if (!root && RealtimeCapability.onCi()) {
            throw new AssertionError("CI=true but not root: cannot give the socket another group");
        }
        assumeTrue(root, "skipped: needs root to give the socket another group");
        FileAccess access = FileAccess.parse("0660", null, "1");
        try (IvshmemServer server = IvshmemServer.start(socket, region, 1, access, IvshmemServer.DEFAULT_MAX_CLIENTS);
                IvshmemPeer peer = IvshmemPeer.connect(socket, 1, TIMEOUT_MS)) {
            assertEquals(0660, (Integer) Files.getAttribute(socket, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777);
            assertEquals(1, Files.getAttribute(socket, "unix:gid", LinkOption.NOFOLLOW_LINKS));
            assertTrue(peer.knows(0), "the client was served: it knows the host peer's eventfds");
        }
    }

    @Test
    void socketPathThatIsAFileALinkOrALiveSocketIsRefused() throws Exception {
        Files.writeString(socket, "precious");
        assertThrows(IOException.class, () -> IvshmemServer.start(socket, region, 1, MODE));
        assertEquals("precious", Files.readString(socket), "a regular file is never replaced");
        Files.delete(socket);
        Path target = dir.resolve("target");
        Files.createSymbolicLink(socket, target);
        assertThrows(IOException.class, () -> IvshmemServer.start(socket, region, 1, MODE));
        assertTrue(Files.isSymbolicLink(socket) && !Files.exists(target), "a link is neither followed nor replaced");
        Files.delete(socket);
        try (IvshmemServer live = IvshmemServer.start(socket, region, 1, MODE)) {
            IOException e = assertThrows(IOException.class, () -> IvshmemServer.start(socket, region, 1, MODE));
            assertTrue(e.getMessage().contains("in use"), e.getMessage());
        }
        // a dead server's leftover socket is replaced
        int stale = Libc.socket(Libc.AF_UNIX, Libc.SOCK_STREAM, 0);
        Memory addr = Libc.sockaddrUn(socket.toString());
        Libc.bind(stale, addr, (int) addr.size());
        Libc.close(stale);
        try (IvshmemServer again = IvshmemServer.start(socket, region, 1, MODE)) {
            try (IvshmemPeer p = IvshmemPeer.connect(socket, 1, TIMEOUT_MS)) {
                assertTrue(p.knows(IvshmemServer.HOST_PEER_ID));
            }
        }
    }

    @Test
    void regionThroughASymlinkIsRefused() throws Exception {
        Path link = dir.resolve("link.vboost");
        Files.createSymbolicLink(link, region);
        IOException e = assertThrows(IOException.class, () -> IvshmemServer.start(socket, link, 1, MODE));
        assertTrue(e.getMessage().contains("not a regular file"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> IvshmemServer.start(socket, region, 0, MODE));
    }

    @Test
    void aClientOfAServerThatBreaksTheProtocolFailsClearly() throws Exception {
        // a fake server that sends version 1
        int listen = Libc.socket(Libc.AF_UNIX, Libc.SOCK_STREAM | Libc.SOCK_CLOEXEC, 0);
        Memory addr = Libc.sockaddrUn(socket.toString());
        Libc.bind(listen, addr, (int) addr.size());
        Libc.listen(listen, 1);
        Thread t = new Thread(() -> {
            try {
                int c = Libc.accept4(listen, null, null, Libc.SOCK_CLOEXEC);
                new FdMessages().send(c, 1, -1);
                Libc.close(c);
            } catch (LastErrorException e) {
                // the test fails on the client side then
            }
        });
        t.start();
        try {
            IOException e = assertThrows(IOException.class, () -> IvshmemPeer.connect(socket, 1, TIMEOUT_MS));
            assertTrue(e.getMessage().contains("version 1"), e.getMessage());
        } finally {
            t.join(TIMEOUT_MS);
            Libc.close(listen);
            Files.delete(socket);
        }
    }
}
