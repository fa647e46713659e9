package dev.vboost.tools.daemon;

import java.nio.file.Path;
import org.checkerframework.checker.nullness.qual.Nullable;

/** A VM file that cannot be served; the message names the file and, where one is at fault, the key. */
public final class VmFileException extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final @Nullable String key;

    public VmFileException(Path file, @Nullable String key, String problem) {
        super(file + (key == null ? "" : ": key '" + key + "'") + ": " + problem);
        this.file = file;
        this.key = key;
    }

    public Path file() {
        return file;
    }

    /** The key at fault, or {@code null} when the problem is the file as a whole. */
    public @Nullable String key() {
        return key;
    }
}
