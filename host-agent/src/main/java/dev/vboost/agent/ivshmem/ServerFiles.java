package dev.vboost.agent.ivshmem;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import dev.vboost.agent.hypercall.HypercallSocketServer;
import dev.vboost.agent.linux.Libc;
import dev.vboost.agent.linux.SocketFileAccess;
import dev.vboost.impl.memory.FileAccess;
import dev.vboost.impl.memory.SecureFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

/**
 * The ivshmem server's two files: the region it hands out (opened without following a link, and proven to be
 * the file checked) and its listening socket (bound where nobody can reach it before its mode is set).
 */
final class ServerFiles {
    private static final int LISTEN_BACKLOG = 16;

    private ServerFiles() {
    }

    /** A bound, listening socket and the identity of its file, so that only our own file is ever removed. */
    static final class Listening {
        final int fd;
        final Object identity;

        Listening(int fd, Object identity) {
            this.fd = fd;
            this.identity = identity;
        }
    }

    /** Opens {@code regionFile} read-write, close-on-exec; it must be a regular file, not a symbolic link. */
    static int openRegion(Path regionFile) throws IOException {
        if (!Files.isRegularFile(regionFile, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(regionFile + " is not a regular file (symbolic links are not followed)");
        }
        Object checked = SecureFiles.identity(regionFile);
        int fd;
        try {
            fd = Libc.open(regionFile.toString(), Libc.O_RDWR | Libc.O_NOFOLLOW | Libc.O_CLOEXEC);
        } catch (LastErrorException e) {
            throw new IOException("cannot open " + regionFile + ": errno " + e.getErrorCode(), e);
        }
        // the file opened is the one checked (not swapped between the check and the open)
        Path self = Path.of("/proc/self/fd/" + fd);
        Object opened = Files.readAttributes(self, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
        if (!checked.equals(opened)) {
            Libc.closeQuietly(fd);
            throw new IOException(regionFile + " changed while it was opened");
        }
        return fd;
    }

    /**
     * Binds a non-blocking listening socket at {@code socket} with exactly {@code mode}: bound inside a fresh
     * private directory (so no one can reach it before its mode is set, and no umask applies), then renamed into
     * place (rename never follows a link). A socket nobody listens on is replaced; anything else is refused.
     */
    static Listening bind(Path socket, FileAccess access) throws IOException {
        HypercallSocketServer.checkBindable(socket);
        Files.deleteIfExists(socket); // a leftover of a dead server
        Path parent = socket.toAbsolutePath().getParent();
        if (parent == null) {
            throw new IOException("no directory for " + socket);
        }
        Path dir = Files.createTempDirectory(parent, ".vboost-ivshmem-");
        Path tmp = dir.resolve("s");
        int fd = -1;
        try {
            fd = Libc.socket(Libc.AF_UNIX, Libc.SOCK_STREAM | Libc.SOCK_NONBLOCK | Libc.SOCK_CLOEXEC, 0);
            Memory addr = Libc.sockaddrUn(tmp.toString());
            Libc.bind(fd, addr, (int) addr.size());
            SocketFileAccess.set(tmp, access);
            Libc.listen(fd, LISTEN_BACKLOG);
            Object identity = SecureFiles.identity(tmp); // a rename keeps it
            Files.move(tmp, socket, StandardCopyOption.ATOMIC_MOVE);
            return new Listening(fd, identity);
        } catch (LastErrorException | IllegalArgumentException e) {
            Libc.closeQuietly(fd);
            throw new IOException("cannot bind " + socket + ": " + e.getMessage(), e);
        } catch (IOException e) {
            Libc.closeQuietly(fd);
            throw e;
        } finally {
            Files.deleteIfExists(tmp);
            Files.deleteIfExists(dir);
        }
    }

    /** The mode bits of {@code perms}, for a {@link FileAccess}. */
    static int modeBits(Set<PosixFilePermission> perms) {
        int m = 0;
        for (PosixFilePermission p : perms) {
            m |= 0400 >> p.ordinal(); // OWNER_READ, OWNER_WRITE, OWNER_EXECUTE, GROUP_READ, ... in bit order
        }
        return m;
    }

    /** Removes {@code socket} if it is still the file {@link #bind} created, never what replaced it. */
    static void removeIfOurs(Path socket, Object identity) throws IOException {
        if (SecureFiles.stillNames(socket, identity)) {
            Files.deleteIfExists(socket);
        }
    }
}
