package dev.vboost.tools.daemon;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

/** Reads a VM file the way a file that decides which threads get real-time priority must be read. */
final class VmFileReader {
    private VmFileReader() {
    }

    /**
     * Reads a VM file: a regular file (a link is never followed), owned by root or by the directory's owner,
     * writable by no one else, at most {@link VmFile#MAX_BYTES}, UTF-8.
     */
    static String read(Path dir, Path p) throws VmFileException {
        try {
            PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!a.isRegularFile()) {
                throw new VmFileException(p, null, "not a regular file" + (a.isSymbolicLink()
                        ? " (a symbolic link is never followed)" : ""));
            }
            Set<PosixFilePermission> perms = a.permissions();
            if (perms.contains(PosixFilePermission.GROUP_WRITE) || perms.contains(PosixFilePermission.OTHERS_WRITE)) {
                throw new VmFileException(p, null, "writable by group or others (it decides which threads are "
                        + "boosted): chmod go-w");
            }
            String owner = a.owner().getName();
            String dirOwner = Files.getOwner(dir).getName();
            if (!owner.equals("root") && !owner.equals(dirOwner)) {
                throw new VmFileException(p, null, "owned by " + owner + ", neither root nor the directory's owner "
                        + dirOwner);
            }
            if (a.size() > VmFile.MAX_BYTES) {
                throw new VmFileException(p, null, "larger than " + VmFile.MAX_BYTES + " bytes");
            }
            byte[] bytes;
            try (SeekableByteChannel ch = Files.newByteChannel(p, Set.of(StandardOpenOption.READ,
                    LinkOption.NOFOLLOW_LINKS)); InputStream in = Channels.newInputStream(ch)) {
                bytes = in.readNBytes(VmFile.MAX_BYTES + 1);
            }
            if (bytes.length > VmFile.MAX_BYTES) {
                throw new VmFileException(p, null, "larger than " + VmFile.MAX_BYTES + " bytes");
            }
            try {
                return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(bytes))
                        .toString();
            } catch (CharacterCodingException ex) {
                throw new VmFileException(p, null, "not UTF-8 text");
            }
        } catch (IOException ex) {
            throw new VmFileException(p, null, "cannot read: " + ex);
        }
    }

}
