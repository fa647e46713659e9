package dev.vboost.hardening.attack;

import dev.vboost.hardening.support.Realtime;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Assumptions;

/**
 * A small real tmpfs mounted for one test (root only), so "the file system is full" is the kernel's own
 * {@code ENOSPC}, not a fake. {@link #close()} unmounts it (lazily if something still holds it open).
 */
final class Tmpfs implements AutoCloseable {
    private final Path mountPoint;

    private Tmpfs(Path mountPoint) {
        this.mountPoint = mountPoint;
    }

    /**
     * Mounts a tmpfs of {@code kib} KiB, mode 0700, at a new directory {@code name} under {@code parent}. Skips
     * (fails under {@code CI=true}) when not root or when this machine does not let root mount (a container
     * without {@code CAP_SYS_ADMIN}).
     */
    static Tmpfs mount(Path parent, String name, int kib) throws IOException, InterruptedException {
        Root.assume();
        Path dir = Files.createDirectory(parent.resolve(name));
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=" + kib + "k,mode=0700,nosuid,nodev",
                "vboost-test", dir.toString()).redirectErrorStream(true).start();
        boolean done = p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
        String out = new String(p.getInputStream().readAllBytes());
        if (!done || p.exitValue() != 0) {
            if (!done) {
                p.destroyForcibly();
            }
            String why = "cannot mount a tmpfs here: " + out.trim();
            if (Realtime.onCi()) {
                throw new AssertionError("CI=true but " + why);
            }
            Assumptions.assumeTrue(false, "skipped: " + why);
        }
        return new Tmpfs(dir);
    }

    Path path() {
        return mountPoint;
    }

    /**
     * Writes {@code name} until the kernel says the file system is full ({@code ENOSPC}); bounded by the
     * mount's size. Returns the bytes written.
     */
    long fill(String name) throws IOException {
        byte[] chunk = new byte[4096];
        long written = 0;
        try (OutputStream out = Files.newOutputStream(mountPoint.resolve(name), StandardOpenOption.CREATE_NEW)) {
            for (int i = 0; i < 1 << 20; i++) {
                out.write(chunk);
                out.flush();
                written += chunk.length;
            }
        } catch (IOException e) {
            if (String.valueOf(e.getMessage()).contains("No space left on device")) {
                return written;
            }
            throw e;
        }
        throw new AssertionError("the tmpfs never filled up after " + written + " bytes");
    }

    @Override
    public void close() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("umount", mountPoint.toString()).redirectErrorStream(true).start();
        if (!p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            Root.run("umount", "-l", mountPoint.toString()); // something still holds it: detach it anyway
        }
        Files.deleteIfExists(mountPoint);
    }
}
