package dev.vboost.tools.cli;

import dev.vboost.impl.memory.FileAccess;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import org.checkerframework.checker.nullness.qual.Nullable;
import picocli.CommandLine;

/**
 * Who may open a region file (spec §3.8): a QEMU that runs as another user needs its group and a mode that lets
 * the group read and write it, and nobody else (options checked here, applied by {@link FileAccess}). Also prints the QEMU and libvirt lines for the file.
 */
final class RegionFileAccess {
    private RegionFileAccess() {
    }

    /**
     * The region file's owner, group and mode from the options shared by {@code vboost region} and {@code vboost
     * agent} ({@code --mode}, {@code --owner}, {@code --group}): mode 0600 by default, 0660 with a group; only
     * read/write bits, always owner read/write, never write for others. A bad value is a usage error.
     */
    static FileAccess access(CommandLine.Model.CommandSpec spec, @Nullable String mode, @Nullable String owner,
            @Nullable String group) {
        String text = mode != null ? mode : group != null ? "0660" : "0600";
        FileAccess a;
        try {
            a = FileAccess.parse(text, owner, group);
        } catch (java.nio.file.attribute.UserPrincipalNotFoundException e) {
            // some JDKs (25) leave the exception's name empty: name what was asked for instead
            String given = e.getName();
            String name = given != null && !given.isEmpty() ? given
                    : (owner != null ? owner : "") + (owner != null && group != null ? " or " : "")
                    + (group != null ? group : "");
            throw Usage.error(spec, "--owner/--group: no such user or group: " + name);
        } catch (IllegalArgumentException | IOException e) {
            throw Usage.error(spec, "--mode/--owner/--group: " + e.getMessage());
        }
        int m = a.mode();
        if ((m & ~0666) != 0 || (m & 0002) != 0 || (m & 0600) != 0600) {
            throw Usage.error(spec, "--mode " + text + ": a region file needs owner read/write (0600), no execute "
                    + "bits and no write for others (e.g. 0600 or 0660)");
        }
        return a;
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
