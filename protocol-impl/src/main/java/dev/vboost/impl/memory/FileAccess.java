package dev.vboost.impl.memory;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Who may use a file the host creates (a region, a lease journal, a socket): its permission bits, owner and
 * group, set explicitly after creation, never left to the process's umask. A {@code null} owner or group
 * means the creating process's own.
 *
 * @param mode  permission bits 0..0777 (no set-id or sticky bits), for example {@code 0600} or {@code 0660}
 * @param owner the owning user, or {@code null} for the process's effective user
 * @param group the owning group, or {@code null} for the process's effective group
 */
public record FileAccess(int mode, @Nullable UserPrincipal owner, @Nullable GroupPrincipal group) {

    /** Read-write for the owner only: {@code 0600}, the default for regions and journals. */
    public static final FileAccess OWNER_ONLY = new FileAccess(0600, null, null);

    /**
     * Checks the mode.
     *
     * @param mode  permission bits 0..0777
     * @param owner the owning user, or {@code null} for the process's own
     * @param group the owning group, or {@code null} for the process's own
     * @throws IllegalArgumentException if {@code mode} is outside 0..0777
     */
    public FileAccess {
        if (mode < 0 || mode > 0777) {
            throw new IllegalArgumentException("mode must be 0..0777 without set-id or sticky bits, got 0"
                    + Integer.toString(mode, 8));
        }
    }

    /**
     * {@code mode} with the process's owner and group.
     *
     * @param mode permission bits 0..0777
     * @return the access
     * @throws IllegalArgumentException if {@code mode} is outside 0..0777
     */
    public static FileAccess of(int mode) {
        return new FileAccess(mode, null, null);
    }

    /**
     * Parses the command-line form: an octal mode ({@code 0660}), optionally a user and a group by name or
     * number ({@code root}, {@code kvm}); {@code null} or empty keeps the process's own.
     *
     * @param octalMode the mode in octal, e.g. {@code 0660}
     * @param user      the owning user's name, or {@code null} or empty for the process's own
     * @param group     the owning group's name, or {@code null} or empty for the process's own
     * @return the access
     * @throws IOException if the user or group does not exist
     * @throws IllegalArgumentException if the mode is not octal 0..0777
     */
    public static FileAccess parse(String octalMode, @Nullable String user, @Nullable String group) throws IOException {
        int mode;
        try {
            mode = Integer.parseInt(octalMode, 8);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("mode must be octal, like 0600 or 0660, got '" + octalMode + "'");
        }
        UserPrincipalLookupService lookup = FileSystems.getDefault().getUserPrincipalLookupService();
        UserPrincipal u = user == null || user.isEmpty() ? null : lookup.lookupPrincipalByName(user);
        GroupPrincipal g = group == null || group.isEmpty() ? null : lookup.lookupPrincipalByGroupName(group);
        return new FileAccess(mode, u, g);
    }

    /**
     * The same owner and group with another mode.
     *
     * @param newMode permission bits 0..0777
     * @return a new access
     * @throws IllegalArgumentException if {@code newMode} is outside 0..0777
     */
    public FileAccess withMode(int newMode) {
        return new FileAccess(newMode, owner, group);
    }

    @Override
    public String toString() {
        return "0" + Integer.toString(mode, 8) + " " + (owner == null ? "(own user)" : owner.getName()) + ":"
                + (group == null ? "(own group)" : group.getName());
    }
}
