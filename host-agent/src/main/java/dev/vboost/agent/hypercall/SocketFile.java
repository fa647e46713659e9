package dev.vboost.agent.hypercall;

import dev.vboost.agent.linux.SocketFileAccess;
import dev.vboost.impl.memory.FileAccess;
import dev.vboost.impl.memory.SecureFiles;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The hypercall socket's file: bound where nobody else can reach it, given its owner, group and mode there and
 * only then renamed into place; a leftover of a dead server is replaced, a live one never; on close only our
 * own file is removed, never whatever replaced it.
 */
final class SocketFile {
    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;

    private SocketFile() {
    }

    /**
     * Binds {@code server} to {@code path} with {@code access}, replacing a stale socket there.
     *
     * @return the file's identity, for {@link #removeIfOurs}
     */
    static Object bind(ServerSocketChannel server, Path path, FileAccess access) throws IOException {
        Path parent = path.toAbsolutePath().getParent();
        if (parent == null) {
            throw new IOException("no directory for socket " + path);
        }
        SecureFiles.checkDirectory(parent);
        checkBindable(path);
        Files.deleteIfExists(path);
        Path privateDir = Files.createTempDirectory(parent, ".vb");
        Path bound = privateDir.resolve("s");
        try {
            server.bind(UnixDomainSocketAddress.of(bound));
            SocketFileAccess.set(bound, access);
            Files.move(bound, path, StandardCopyOption.ATOMIC_MOVE);
            return SecureFiles.identity(path);
        } finally {
            Files.deleteIfExists(bound);
            Files.deleteIfExists(privateDir);
        }
    }

    /** As {@link HypercallSocketServer#checkBindable}. */
    static void checkBindable(Path path) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Object mode = Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        if (!(mode instanceof Integer) || ((Integer) mode & S_IFMT) != S_IFSOCK) {
            throw new IOException(path + " exists and is not a socket; not replacing it");
        }
        boolean inUse;
        try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
            inUse = true;
        } catch (IOException e) {
            inUse = false; // nobody answers: a leftover of a dead server
        }
        if (inUse) {
            throw new IOException(path + " is in use by another server");
        }
    }

    /** Removes {@code path} if it is still the file {@link #bind} created. */
    static void removeIfOurs(Path path, Object identity) throws IOException {
        if (SecureFiles.stillNames(path, identity)) {
            Files.deleteIfExists(path);
        }
    }
}
