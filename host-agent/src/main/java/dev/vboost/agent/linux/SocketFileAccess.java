package dev.vboost.agent.linux;

import dev.vboost.impl.memory.FileAccess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;

/**
 * Owner, group and mode of a socket file the agent just bound inside a private directory of its own, before it
 * is renamed into place: nobody can reach the socket before it carries them, and no umask applies.
 */
public final class SocketFileAccess {
    private SocketFileAccess() {
    }

    /**
     * Sets {@code access} on {@code bound}: owner and group first ({@code lchown}), then the mode, which a change
     * of owner may have cleared bits of.
     *
     * @param bound  a socket just bound in a directory only the agent can write (so the path holds no link)
     * @param access the owner (null: keep), group (null: keep) and exact mode
     * @throws IOException if the file system refuses
     */
    public static void set(Path bound, FileAccess access) throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(bound, PosixFileAttributeView.class,
                LinkOption.NOFOLLOW_LINKS);
        if (view == null) {
            throw new IOException("cannot set owner and mode of " + bound + " on this file system");
        }
        if (access.owner() != null) {
            view.setOwner(access.owner());
        }
        if (access.group() != null) {
            view.setGroup(access.group());
        }
        // chmod through the path: a socket cannot be opened for fchmod, and the private directory holds no link
        Files.setAttribute(bound, "unix:mode", access.mode());
    }
}
