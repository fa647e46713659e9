package dev.vboost.tools.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import org.checkerframework.checker.nullness.qual.Nullable;
import picocli.CommandLine;

/**
 * Who may open a region file (spec §3.8): a QEMU that runs as another user needs its group and a mode that lets
 * the group read and write it, and nobody else. Also prints the QEMU and libvirt lines for the file.
 */
final class RegionFileAccess {
    private RegionFileAccess() {
    }

    /** Parses an octal mode such as 0660; only read/write bits, never for others' write. */
    static Set<PosixFilePermission> mode(CommandLine.Model.CommandSpec spec, String text) {
        int m;
        try {
            m = Integer.parseInt(text, 8);
        } catch (NumberFormatException e) {
            throw Usage.error(spec, "--mode '" + text + "' is not an octal mode such as 0660");
        }
        if ((m & ~0666) != 0 || (m & 0002) != 0 || (m & 0600) != 0600) {
            throw Usage.error(spec, "--mode " + text + ": a region file needs owner read/write (0600), no execute "
                    + "bits and no write for others (e.g. 0600 or 0660)");
        }
        Set<PosixFilePermission> p = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] bits = {PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
            PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ};
        int[] masks = {0002, 0004, 0010, 0020, 0040, 0100, 0200, 0400};
        for (int i = 0; i < bits.length; i++) {
            if ((m & masks[i]) != 0) {
                p.add(bits[i]);
            }
        }
        return p;
    }

    /** Sets the file's group (when given) and mode, without following a symlink. */
    static void apply(Path file, @Nullable String group, Set<PosixFilePermission> mode) throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        if (view == null) {
            throw new IOException(file + ": the file system has no POSIX permissions");
        }
        if (group != null) {
            GroupPrincipal g = file.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName(group);
            view.setGroup(g);
        }
        view.setPermissions(mode);
    }

    /** The QEMU options and the libvirt element that carry {@code file} of {@code size} bytes (spec §3.8). */
    static String qemuLines(Path file, long size) {
        Path name = file.getFileName();
        return String.format(Locale.ROOT, "QEMU:    -object memory-backend-file,id=vbmem,mem-path=%s,size=%d,share=on "
                + "-device ivshmem-plain,memdev=vbmem,id=vboost0%n"
                + "libvirt: <shmem name='%s'><model type='ivshmem-plain'/><size unit='KiB'>%d</size></shmem> "
                + "(libvirt uses /dev/shm/%s)", file.toAbsolutePath(), size, name, size / 1024, name);
    }
}
