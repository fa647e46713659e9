package dev.vboost.impl.memory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.Map;
import java.util.Set;

/**
 * Opens the files a host process running as root writes (region, lease journal) so that a local user cannot
 * turn the open against it: never through a symbolic link ({@code O_NOFOLLOW}), never a FIFO, device or other
 * non-regular file, never a hard link to some other file, never a file another user owns or could have written,
 * and only in a directory where nobody else can swap the name under it (owned by root or this user and not
 * writable by others, or sticky like {@code /tmp}). A new file is created exclusively ({@code O_CREAT|O_EXCL})
 * and then given the owner, group and mode of its {@link FileAccess}, whatever the umask says.
 *
 * <p>Files are opened read-write ({@code O_RDWR}), which on Linux never blocks in {@code open} even on a FIFO;
 * a path's type is checked before it is opened and its identity (device and inode) again after, so a name
 * swapped in between is refused. Pure NIO: {@code LinkOption.NOFOLLOW_LINKS} on an open is {@code O_NOFOLLOW},
 * and setting the mode without following links is {@code fchmod} on a descriptor opened with it.
 */
public final class SecureFiles {
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;
    private static final int S_IFMT = 0170000;
    private static final int S_IFREG = 0100000;
    private static final int S_ISVTX = 01000;

    private SecureFiles() {
    }

    /**
     * An open file and what it was when checked.
     *
     * @param channel the file, open read-write; the caller owns and closes it
     * @param fileKey the file's identity (device and inode) as {@code BasicFileAttributes.fileKey()} gives it
     * @param created true if this call created the file
     */
    public record Opened(FileChannel channel, Object fileKey, boolean created) {
    }

    /**
     * Opens {@code file} read-write, creating it (empty) if it does not exist; see the class comment for what is
     * refused. An existing file is adopted only if it is a regular file with one link, owned by this process's
     * user or {@code access.owner()}, and not writable by anyone {@code access} does not allow; its owner,
     * group and mode are then set to {@code access}.
     *
     * @param file   the file to open; its directory must pass {@link #checkDirectory}
     * @param access owner, group and mode the file gets (and an existing one may already have)
     * @return the open file, its identity, and whether it was created
     * @throws IOException naming the path and the reason when the file or its directory is refused
     */
    public static Opened openOrCreate(Path file, FileAccess access) throws IOException {
        checkDirectory(parentOf(file));
        for (int attempt = 0; attempt < 3; attempt++) {
            if (!Files.exists(file, NOFOLLOW)) {
                try {
                    return createNew(file, access);
                } catch (FileAlreadyExistsException e) {
                    continue; // created meanwhile: check it as an existing file
                }
            }
            try {
                return openExisting(file, access);
            } catch (NoSuchFileException e) {
                // removed meanwhile: create it
            }
        }
        throw new IOException(file + " keeps appearing and disappearing; refusing to open it");
    }

    /**
     * Creates {@code file} exclusively ({@code O_CREAT|O_EXCL|O_NOFOLLOW}): fails if anything, even a dangling
     * link, already has the name. Owner, group and mode are then set to {@code access}.
     *
     * @param file   the name to create; its directory must pass {@link #checkDirectory}
     * @param access owner, group and mode the new file gets
     * @return the open file, with {@code created} true
     * @throws IOException if the name exists, the directory is refused, or setting the access fails
     */
    public static Opened createNew(Path file, FileAccess access) throws IOException {
        checkDirectory(parentOf(file));
        Set<OpenOption> options = Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE, NOFOLLOW);
        FileChannel ch = FileChannel.open(file, options,
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Object key = identity(file);
            setAccess(file, access);
            requireSame(file, key);
            return new Opened(ch, key, true);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /**
     * Opens an existing {@code file} read-write under the checks of {@link #openOrCreate}.
     *
     * @param file   the file to open
     * @param access owner, group and mode the file must be compatible with, and is set to
     * @return the open file, with {@code created} false
     * @throws IOException if the file is missing or refused
     */
    public static Opened openExisting(Path file, FileAccess access) throws IOException {
        checkDirectory(parentOf(file));
        Map<String, Object> before = Files.readAttributes(file, "unix:mode,uid,gid,nlink,ino,dev", NOFOLLOW);
        checkExisting(file, before, access);
        Object key = identity(file);
        // O_RDWR|O_NOFOLLOW: no link followed, no blocking on a FIFO swapped in after the check
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE, NOFOLLOW);
        try {
            requireSame(file, key);
            setAccess(file, access);
            requireSame(file, key);
            return new Opened(ch, key, false);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /**
     * Refuses a directory in which another user could replace a file's name: one owned by someone other than
     * root or this process's user, or writable by group or others without the sticky bit.
     *
     * @param dir the directory, not followed if it is a link
     * @throws IOException naming the directory and why it is refused, or if its attributes cannot be read
     */
    public static void checkDirectory(Path dir) throws IOException {
        Map<String, Object> a = Files.readAttributes(dir, "unix:mode,uid", LinkOption.NOFOLLOW_LINKS);
        int mode = intAttr(a, "mode");
        int uid = intAttr(a, "uid");
        if ((mode & S_IFMT) != 0040000) {
            throw new IOException(dir + " is not a directory (or is a symbolic link to one)");
        }
        if (uid != 0 && uid != processUid()) {
            throw new IOException("directory " + dir + " belongs to uid " + uid + ", who could replace the file in it;"
                    + " use a directory owned by root or by this user");
        }
        if ((mode & 0022) != 0 && (mode & S_ISVTX) == 0) {
            throw new IOException("directory " + dir + " is writable by other users without the sticky bit (mode 0"
                    + Integer.toString(mode & 07777, 8) + "), who could replace the file in it");
        }
    }

    /**
     * Takes an exclusive lock on the whole file (an {@code fcntl} lock the kernel holds for this process), so a
     * second agent on the same file refuses to start.
     *
     * @param channel the open file
     * @param file    its path, for the message
     * @param what    what the file is, for the message ("region", "lease journal")
     * @return the lock; released when the channel closes
     * @throws IOException if another process, or another channel in this one, holds it
     */
    public static FileLock lockExclusively(FileChannel channel, Path file, String what) throws IOException {
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            throw new IOException(what + " " + file + " is already in use by this process (a second agent on it?)");
        }
        if (lock == null) {
            throw new IOException(what + " " + file + " is locked by another process: is another vboost agent "
                    + "serving it? Stop that one first");
        }
        return lock;
    }

    /**
     * Whether a path still names the file that was opened (one {@code lstat}).
     *
     * @param file    the path
     * @param fileKey the identity from {@link Opened#fileKey()} or {@link #identity}
     * @return true if {@code file} names the file with identity {@code fileKey}; false if not or unreadable
     */
    public static boolean stillNames(Path file, Object fileKey) {
        try {
            return fileKey.equals(identity(file));
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The device and inode {@code file} names, not following a link.
     *
     * @param file the path
     * @return an opaque identity to compare with {@code equals}
     * @throws IOException if the path cannot be read or the platform gives no identity
     */
    public static Object identity(Path file) throws IOException {
        Object key = Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class, NOFOLLOW).fileKey();
        if (key == null) {
            throw new IOException("no file identity for " + file + " on this platform");
        }
        return key;
    }

    /**
     * The effective user id of this process (the owner of {@code /proc/self}).
     *
     * @return the uid
     * @throws IOException if {@code /proc/self} cannot be read
     */
    public static int processUid() throws IOException {
        return (Integer) Files.getAttribute(Paths.get("/proc/self"), "unix:uid");
    }

    private static void checkExisting(Path file, Map<String, Object> a, FileAccess access) throws IOException {
        int mode = intAttr(a, "mode");
        int uid = intAttr(a, "uid");
        int nlink = intAttr(a, "nlink");
        if ((mode & S_IFMT) != S_IFREG) {
            throw new IOException(file + " is not a regular file (" + typeName(mode) + "); refusing to open it");
        }
        if (nlink != 1) {
            throw new IOException(file + " has " + nlink + " hard links; refusing a file that is also elsewhere");
        }
        UserPrincipal allowed = access.owner();
        boolean ours = uid == processUid();
        if (!ours && (allowed == null || !allowed.equals(Files.getOwner(file, NOFOLLOW)))) {
            throw new IOException(file + " belongs to uid " + uid + ", not to this user" + (allowed == null ? ""
                    : " or " + allowed.getName()) + "; refusing to adopt it (remove it, or let the agent create it)");
        }
        if (!ours && (mode & 0022) == 0 && !parentWritableOnlyByUs(file)) {
            throw new IOException(file + " belongs to uid " + uid + " in a directory others can write: it could be "
                    + "replaced while being opened; keep such files in a directory only root can write");
        }
        int foreignWrite = mode & 0022 & ~access.mode();
        if (foreignWrite != 0) {
            throw new IOException(file + " is writable by " + ((foreignWrite & 0002) != 0 ? "every user" : "its group")
                    + " (mode 0" + Integer.toString(mode & 07777, 8) + "), so its contents cannot be trusted");
        }
    }

    private static boolean parentWritableOnlyByUs(Path file) throws IOException {
        Map<String, Object> a = Files.readAttributes(parentOf(file), "unix:mode", NOFOLLOW);
        return (intAttr(a, "mode") & 0022) == 0;
    }

    private static void setAccess(Path file, FileAccess access) throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class, NOFOLLOW);
        if (view == null) {
            throw new IOException("cannot set owner and mode of " + file + " on this file system");
        }
        if (access.owner() != null) {
            view.setOwner(access.owner()); // lchown: a link would be changed itself, never its target
        }
        if (access.group() != null) {
            view.setGroup(access.group());
        }
        // fchmod on a descriptor opened O_NOFOLLOW; the umask does not apply
        Files.setAttribute(file, "unix:mode", access.mode(), NOFOLLOW);
        int mode = (Integer) Files.getAttribute(file, "unix:mode", NOFOLLOW);
        if ((mode & 07777) != access.mode()) {
            throw new IOException("could not set mode 0" + Integer.toString(access.mode(), 8) + " on " + file
                    + " (it has 0" + Integer.toString(mode & 07777, 8) + ")");
        }
    }

    private static void requireSame(Path file, Object key) throws IOException {
        if (!stillNames(file, key)) {
            throw new IOException(file + " was replaced while it was being opened; refusing it");
        }
    }

    private static Path parentOf(Path file) {
        Path parent = file.toAbsolutePath().getParent();
        return parent == null ? Paths.get("/") : parent;
    }

    private static int intAttr(Map<String, Object> a, String name) throws IOException {
        Object v = a.get(name);
        if (!(v instanceof Integer)) {
            throw new IOException("file attribute unix:" + name + " unavailable");
        }
        return (Integer) v;
    }

    private static String typeName(int mode) {
        switch (mode & S_IFMT) {
            case 0010000:
                return "a FIFO";
            case 0020000:
                return "a character device";
            case 0060000:
                return "a block device";
            case 0040000:
                return "a directory";
            case 0120000:
                return "a symbolic link";
            case 0140000:
                return "a socket";
            default:
                return "mode 0" + Integer.toString(mode, 8);
        }
    }
}
