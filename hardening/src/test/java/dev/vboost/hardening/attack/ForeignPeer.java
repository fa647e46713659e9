package dev.vboost.hardening.attack;

import dev.vboost.hardening.support.ChildJvm;
import dev.vboost.hardening.support.Realtime;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * {@link ForeignPeerMain} running as another user: {@code setpriv --reuid --regid --clear-groups} in front of
 * the java command, so the process has that user's real uid and gid and no supplementary group, as a local
 * attacker would. Needs root (to change ids) and setpriv; {@link #assumeAvailable()} skips without them (fails
 * under {@code CI=true}).
 */
final class ForeignPeer {
    private static final long REPLY_MILLIS = 30_000;

    private ForeignPeer() {
    }

    static void assumeAvailable() throws IOException {
        Root.assume();
        boolean setpriv = Files.isExecutable(Paths.get("/usr/bin/setpriv")) || Files.isExecutable(Paths.get("/bin/setpriv"));
        if (!setpriv && Realtime.onCi()) {
            throw new AssertionError("CI=true but setpriv (util-linux) is missing");
        }
        Assumptions.assumeTrue(setpriv, "skipped: setpriv (util-linux) not installed");
    }

    /**
     * Starts {@link ForeignPeerMain} as uid and gid {@code id} with {@code connections} connections to
     * {@code socket}. {@code work} (made traversable) receives a readable copy of the class and the child's
     * stderr.
     */
    static ChildJvm start(Path work, int id, Path socket, int connections) throws IOException {
        Path cp = work.resolve("foreign-cp");
        Path classFile = cp.resolve(ForeignPeerMain.class.getName().replace('.', '/') + ".class");
        Files.createDirectories(classFile.getParent());
        try {
            Files.copy(Paths.get(ForeignPeerMain.class.getResource(ForeignPeerMain.class.getSimpleName() + ".class")
                    .toURI()), classFile);
        } catch (URISyntaxException | NullPointerException e) {
            throw new IOException("cannot find ForeignPeerMain.class on the test class path", e);
        }
        for (Path p = classFile; p != null && p.startsWith(work); p = p.getParent()) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(
                    Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
        }
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        return ChildJvm.startCommand(work, "foreign-peer-" + id, List.of("setpriv", "--reuid=" + id, "--regid=" + id,
                "--clear-groups", "--", java, "-XX:-UsePerfData", "-Xmx32m", "-XX:+UseSerialGC", "-cp", cp.toString(),
                ForeignPeerMain.class.getName(), socket.toString(), Integer.toString(connections)));
    }

    /** The next line starting with {@code prefix}, within 30 s. */
    static String expect(ChildJvm peer, String prefix) throws InterruptedException {
        return peer.expectLine(prefix, REPLY_MILLIS);
    }

    /** Sends a command and returns the reply line that starts with {@code replyPrefix}. */
    static String ask(ChildJvm peer, String command, String replyPrefix) throws IOException, InterruptedException {
        peer.send(command);
        return peer.expectLine(replyPrefix, REPLY_MILLIS);
    }
}
