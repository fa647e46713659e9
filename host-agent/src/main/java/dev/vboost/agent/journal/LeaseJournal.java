package dev.vboost.agent.journal;

import dev.vboost.agent.actuator.ActuatorException;
import dev.vboost.agent.actuator.PriorityActuator;
import dev.vboost.agent.actuator.ThreadAttributes;
import dev.vboost.agent.actuator.VcpuThread;
import dev.vboost.impl.memory.FileAccess;
import dev.vboost.impl.memory.SecureFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The agent's lease journal: before it first changes a thread, the agent appends the thread's identity and
 * original attributes here and forces them to disk; if the agent dies, the next agent puts every journaled
 * thread back ({@link #recover}). Append-only fixed-size records, each with a CRC-32C, so a torn last record (a
 * crash mid-write) is recognised; the newest record for a thread wins.
 *
 * <p>Hardened against the host (threat model §9): the file is opened through {@link SecureFiles} (no link, no
 * FIFO, no file another user owns or can write; created {@code 0600} unless told otherwise) and locked
 * exclusively, so a second agent refuses to start on it; recovery only ever lowers a thread that still has its
 * journaled identity and looks boosted (never raises one, never touches a reused id); a journal with bad
 * records is copied aside for inspection instead of cleared; the file is compacted in place when it holds
 * more than twice the live leases, so it stays bounded, and recovery reads a journal of any size in bounded
 * memory.
 *
 * <p>Each record is {@link #RECORD_SIZE} bytes, laid out (and checked) by {@code LeaseRecord}. Not thread-safe:
 * the agent thread owns it.
 */
public final class LeaseJournal implements AutoCloseable {
    /** Bytes per record. */
    public static final int RECORD_SIZE = LeaseRecord.SIZE;
    /** First field of every record: {@code "VBLJ"} read as a little-endian u32. */
    public static final int MAGIC = LeaseRecord.MAGIC;
    /** Distinct threads a journal tracks at most; far above any host's vCPU count. Beyond it a lease is refused. */
    public static final int MAX_LEASES = 65_536;
    /** A journal is compacted once it holds more than this many records and twice the live leases. */
    static final int COMPACT_MIN_RECORDS = 256;
    private static final System.Logger LOG = System.getLogger(LeaseJournal.class.getName());

    private final Path path;
    private final FileChannel channel;
    private final FileLock lock;
    private final ByteBuffer record = LeaseRecord.newBuffer(1);
    /** The newest record per thread id: what a compaction keeps. */
    private final Map<Integer, Lease> live = new LinkedHashMap<>();
    private long records;
    private long compactions;

    private LeaseJournal(Path path, FileChannel channel, FileLock lock) {
        this.path = path;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * {@link #open(Path, FileAccess)} with {@link FileAccess#OWNER_ONLY} ({@code 0600}).
     *
     * @param path the journal file
     * @return the open, locked journal
     * @throws IOException as for {@link #open(Path, FileAccess)}
     */
    public static LeaseJournal open(Path path) throws IOException {
        return open(path, FileAccess.OWNER_ONLY);
    }

    /**
     * Opens (creating if needed) the journal and locks it. Call {@link #recover} next, before the agent changes
     * any thread. A missing directory is created {@code 0700}; an existing one must be safe
     * ({@link SecureFiles#checkDirectory}).
     *
     * @param path   the journal file
     * @param access owner, group and mode a new file is created with, and an existing one must have
     * @return the open, locked journal; its existing records stay live until {@link #recover} has handled them
     * @throws IOException if the file is refused (link, not regular, foreign owner, writable by others) or
     *                     another agent holds it
     */
    public static LeaseJournal open(Path path, FileAccess access) throws IOException {
        Path parent = path.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectories(parent, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
        }
        SecureFiles.Opened opened = SecureFiles.openOrCreate(path, access);
        FileChannel ch = opened.channel();
        try {
            FileLock lock = SecureFiles.lockExclusively(ch, path, "lease journal");
            LeaseJournal j = new LeaseJournal(path, ch, lock);
            // what is already there stays live until recover() has dealt with it: a compaction keeps it
            for (Lease l : LeaseRecord.readAll(ch, new int[1])) {
                j.live.put(l.thread().tid(), l);
            }
            j.records = ch.size() / RECORD_SIZE;
            return j;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /**
     * The journal file.
     *
     * @return the path it was opened at
     */
    public Path path() {
        return path;
    }

    /**
     * Bytes in the file now: a multiple of {@link #RECORD_SIZE} unless a write was torn.
     *
     * @return the file size
     * @throws IOException if the size cannot be read
     */
    public long size() throws IOException {
        return channel.size();
    }

    /**
     * Compactions so far.
     *
     * @return count since open
     */
    public long compactions() {
        return compactions;
    }

    /**
     * Appends the identity and original attributes of {@code thread} and forces them to disk before returning;
     * compacts the file first when it has grown past twice the live leases.
     *
     * @param thread   the thread about to be boosted, with its identity (process and start time)
     * @param original its attributes before the boost: what recovery puts back
     * @throws IOException if the record cannot be made durable (the caller must then not change the thread), or
     *                     the journal already tracks {@link #MAX_LEASES} threads
     */
    public void recordOriginal(VcpuThread thread, ThreadAttributes original) throws IOException {
        if (!live.containsKey(thread.tid()) && live.size() >= MAX_LEASES) {
            throw new IOException("lease journal " + path + " already tracks " + MAX_LEASES + " threads");
        }
        if (records >= COMPACT_MIN_RECORDS && records >= 2L * (live.size() + 1)) {
            compact();
        }
        Lease lease = new Lease(thread, original);
        LeaseRecord.encode(record, lease);
        long start = channel.size();
        long end = start;
        try {
            while (record.hasRemaining()) {
                end += channel.write(record, end);
            }
            channel.force(false);
        } catch (IOException e) {
            // a full file system can take part of a record: cut it off, so the next record starts whole
            // (recovery would count a torn tail as a bad record and every later record would be misaligned)
            try {
                channel.truncate(start);
            } catch (IOException suppressedCause) {
                e.addSuppressed(suppressedCause);
            }
            throw e;
        }
        live.put(thread.tid(), lease);
        records++;
    }

    /**
     * The thread no longer needs restoring (it is back at its original and its VM is gone): its record is
     * dropped at the next compaction. Keeping it is harmless: recovery never raises a thread.
     *
     * @param thread the identity recorded; a newer record for the same id with another identity is kept
     */
    public void forget(VcpuThread thread) {
        Lease l = live.get(thread.tid());
        if (l != null && l.thread().equals(thread)) {
            live.remove(thread.tid());
        }
    }

    /**
     * Empties the journal (after every journaled thread is back to its original) and forces it.
     *
     * @throws IOException if truncating or forcing fails
     */
    public void clear() throws IOException {
        channel.truncate(0);
        channel.force(true);
        live.clear();
        records = 0;
    }

    /**
     * Rewrites the file in place with one record per live lease. In place, so the lock stays on the same file;
     * a crash midway loses nothing the agent still needs, because the live leases are written to the front
     * before the tail is cut, and every dropped record was superseded or forgotten.
     */
    void compact() throws IOException {
        ByteBuffer all = LeaseRecord.newBuffer(live.size());
        for (Lease l : live.values()) {
            LeaseRecord.encode(record, l);
            all.put(record);
        }
        all.flip();
        // write the compacted records after the current end first, force, then move them to the front: at every
        // moment the file holds each live lease at least once
        long end = channel.size();
        long pos = end;
        while (all.hasRemaining()) {
            pos += channel.write(all, pos);
        }
        channel.force(false);
        all.rewind();
        pos = 0;
        while (all.hasRemaining()) {
            pos += channel.write(all, pos);
        }
        channel.force(false);
        channel.truncate(pos);
        channel.force(true);
        records = live.size();
        compactions++;
    }

    @Override
    public void close() throws IOException {
        try {
            if (lock.isValid()) {
                lock.release();
            }
        } finally {
            channel.close();
        }
    }

    /**
     * One journaled lease.
     *
     * @param thread   the boosted thread's identity
     * @param original its attributes before the boost: what recovery restores
     */
    public record Lease(VcpuThread thread, ThreadAttributes original) {
    }

    /**
     * What {@link #recover} found and did.
     *
     * @param restored        threads put back to their original
     * @param alreadyOriginal threads found at their original: not touched
     * @param gone            threads that exited, or whose id now names another thread: not touched
     * @param refused         threads whose journaled "original" would not lower them (it would raise them, or the
     *                        thread does not look boosted): not touched, the record is not trusted
     * @param failures        threads that could not be changed (for example no permission), with the reason
     * @param badRecords      records with a bad magic, version, type, checksum or value, plus a torn tail
     * @param keptAs          where the journal was copied for inspection because of bad records, or {@code null}
     */
    public record Recovery(List<Lease> restored, List<Lease> alreadyOriginal, List<Lease> gone, List<Lease> refused,
            List<String> failures, int badRecords, @Nullable Path keptAs) {
        /**
         * Whether every lease was handled.
         *
         * @return true if no thread failed to change (gone and refused ones do not count as failures)
         */
        public boolean clean() {
            return failures.isEmpty();
        }
    }

    /**
     * Reads the leases in {@code path}: the newest record per thread, in first-seen order. Records with a bad
     * magic, version, type, checksum or value are skipped and counted in {@code badRecords[0]}; a short tail
     * counts as one. Streams the file in bounded memory, whatever its size. A missing file has no leases.
     *
     * @param path       the journal file; opened without following a link
     * @param badRecords a one-element array receiving the count of bad records
     * @return the newest lease per thread id, in first-seen order; empty for a missing file
     * @throws IOException if the path is not a regular file or reading fails
     */
    public static List<Lease> read(Path path, int[] badRecords) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return new ArrayList<>();
        }
        if (!Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(path + " is not a regular file");
        }
        try (FileChannel ch = FileChannel.open(path, java.nio.file.StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            return LeaseRecord.readAll(ch, badRecords);
        }
    }

    /**
     * Puts back every thread a previous agent left in this journal, then leaves in the journal only the leases
     * that could not be handled (so a later run retries them), or empties it. For each lease:
     * <ul>
     * <li>the thread must still have the journaled identity (process and start time, compared exactly, 0
     * included): else it is {@code gone} and nothing is touched;</li>
     * <li>the journaled original must lower the thread: the thread is above it, or at the same strength with
     * other flags, and looks boosted (a real-time policy, or a nice value below the original's): else the record
     * is {@code refused} and nothing is touched. Recovery never raises a thread;</li>
     * <li>then the original is applied (with its own flags).</li>
     * </ul>
     * If the journal holds bad records it is first copied aside ({@code <name>.bad-<millis>}, mode 0600) and
     * the count reported, never silently cleared.
     *
     * @param actuator checks identities and applies the originals
     * @return what happened to each lease
     * @throws IOException if the journal cannot be read, copied aside or rewritten
     */
    public Recovery recover(PriorityActuator actuator) throws IOException {
        int[] bad = new int[1];
        List<Lease> leases = LeaseRecord.readAll(channel, bad);
        Path keptAs = null;
        if (bad[0] > 0) {
            keptAs = keepForInspection();
            LOG.log(System.Logger.Level.WARNING, "lease journal " + path + ": " + bad[0]
                    + " bad record(s) skipped; the journal was copied to " + keptAs + " for inspection");
        }
        List<Lease> restored = new ArrayList<>();
        List<Lease> unchanged = new ArrayList<>();
        List<Lease> gone = new ArrayList<>();
        List<Lease> refused = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        List<Lease> retry = new ArrayList<>();
        for (Lease lease : leases) {
            try {
                ThreadAttributes current = actuator.read(lease.thread());
                if (current.equals(lease.original())) {
                    unchanged.add(lease);
                } else if (!restoreLowers(current, lease.original())) {
                    refused.add(lease);
                } else {
                    actuator.apply(lease.thread(), lease.original());
                    restored.add(lease);
                }
            } catch (ActuatorException e) {
                if (e.kind() == ActuatorException.Kind.NO_SUCH_THREAD) {
                    gone.add(lease);
                } else {
                    failures.add(lease.thread() + ": " + e.getMessage());
                    retry.add(lease);
                }
            }
        }
        live.clear();
        for (Lease l : retry) {
            live.put(l.thread().tid(), l);
        }
        if (retry.isEmpty()) {
            clear();
        } else {
            compact();
        }
        if (!refused.isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, "lease journal " + path + ": " + refused.size()
                    + " record(s) would not lower their thread and were not applied: " + refused);
        }
        return new Recovery(restored, unchanged, gone, refused, failures, bad[0], keptAs);
    }

    /**
     * True if applying {@code original} to a thread now at {@code current} only lowers it, and the thread looks
     * like one the agent boosted: real-time, or at a nice value below the original's.
     */
    static boolean restoreLowers(ThreadAttributes current, ThreadAttributes original) {
        if (original.isAbove(current)) {
            return false;
        }
        return current.isRealTime() || (current.nice() < original.nice() && !original.isRealTime());
    }

    private Path keepForInspection() throws IOException {
        Path name = path.getFileName();
        Path copy = path.resolveSibling((name == null ? "journal" : name.toString()) + ".bad-"
                + System.currentTimeMillis());
        SecureFiles.Opened out = SecureFiles.createNew(copy, FileAccess.OWNER_ONLY);
        try (FileChannel dst = out.channel()) {
            long size = channel.size();
            long done = 0;
            while (done < size) {
                long n = channel.transferTo(done, size - done, dst);
                if (n <= 0) {
                    break;
                }
                done += n;
            }
            dst.force(true);
        }
        return copy;
    }
}
