package dev.vboost.agent.journal;

import dev.vboost.agent.actuator.ActuatorException;
import dev.vboost.agent.actuator.PriorityActuator;
import dev.vboost.agent.actuator.ThreadAttributes;
import dev.vboost.agent.actuator.VcpuThread;
import dev.vboost.impl.memory.FileAccess;
import dev.vboost.impl.memory.SecureFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;
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
 * <pre>
 * record, 48 bytes, little-endian:
 *   0  u32 magic 0x4A4C4256 ("VBLJ" in memory)
 *   4  u8  version 2
 *   5  u8  type 1 = original attributes
 *   6  u16 reserved, 0
 *   8  s32 process (thread group) id
 *  12  s32 thread id
 *  16  s32 policy (Linux code)
 *  20  s32 priority
 *  24  s32 nice
 *  28  u32 sched_flags
 *  32  s64 thread start time (/proc/&lt;tgid&gt;/task/&lt;tid&gt;/stat field 22)
 *  40  u32 reserved, 0
 *  44  u32 CRC-32C of bytes 0..43
 * </pre>
 * Not thread-safe: the agent thread owns it. Over 400 lines on purpose: the record format, the crash-safe
 * compaction and the recovery rules belong together, since each depends on what the others keep on disk.
 */
public final class LeaseJournal implements AutoCloseable {
    /** Bytes per record, the layout above. */
    public static final int RECORD_SIZE = 48;
    /** First field of every record: {@code "VBLJ"} read as a little-endian u32. */
    public static final int MAGIC = 0x4A4C4256;
    static final int VERSION = 2;
    static final int TYPE_ORIGINAL = 1;
    /** Distinct threads a journal tracks at most; far above any host's vCPU count. Beyond it a lease is refused. */
    public static final int MAX_LEASES = 65_536;
    /** A journal is compacted once it holds more than this many records and twice the live leases. */
    static final int COMPACT_MIN_RECORDS = 256;
    private static final int READ_CHUNK_RECORDS = 1024;
    private static final System.Logger LOG = System.getLogger(LeaseJournal.class.getName());

    private final Path path;
    private final FileChannel channel;
    private final FileLock lock;
    private final ByteBuffer record = ByteBuffer.allocate(RECORD_SIZE).order(ByteOrder.LITTLE_ENDIAN);
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
            for (Lease l : readFrom(ch, new int[1])) {
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
        encode(record, lease);
        long end = channel.size();
        while (record.hasRemaining()) {
            end += channel.write(record, end);
        }
        channel.force(false);
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
        ByteBuffer all = ByteBuffer.allocate(live.size() * RECORD_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        for (Lease l : live.values()) {
            encode(record, l);
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
            return readFrom(ch, badRecords);
        }
    }

    private static List<Lease> readFrom(FileChannel ch, int[] badRecords) throws IOException {
        Map<Integer, Lease> leases = new LinkedHashMap<>();
        ByteBuffer chunk = ByteBuffer.allocate(READ_CHUNK_RECORDS * RECORD_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        long pos = 0;
        long bad = 0;
        long size = ch.size();
        while (pos < size) {
            chunk.clear();
            int n = 0;
            while (chunk.hasRemaining()) {
                int r = ch.read(chunk, pos + n);
                if (r <= 0) {
                    break;
                }
                n += r;
            }
            if (n == 0) {
                break;
            }
            int whole = n - n % RECORD_SIZE;
            for (int off = 0; off < whole; off += RECORD_SIZE) {
                Lease lease = decode(chunk, off);
                if (lease == null || (!leases.containsKey(lease.thread().tid()) && leases.size() >= MAX_LEASES)) {
                    bad++;
                } else {
                    leases.put(lease.thread().tid(), lease);
                }
            }
            pos += whole;
            if (whole < n || n < chunk.capacity()) {
                if (whole < n) {
                    bad++; // torn tail
                }
                break;
            }
        }
        if (badRecords.length > 0) {
            badRecords[0] = (int) Math.min(Integer.MAX_VALUE, bad);
        }
        return new ArrayList<>(leases.values());
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
        List<Lease> leases = readFrom(channel, bad);
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

    static void encode(ByteBuffer b, Lease lease) {
        VcpuThread t = lease.thread();
        ThreadAttributes a = lease.original();
        b.clear();
        b.putInt(0, MAGIC);
        b.put(4, (byte) VERSION);
        b.put(5, (byte) TYPE_ORIGINAL);
        b.putShort(6, (short) 0);
        b.putInt(8, t.tgid());
        b.putInt(12, t.tid());
        b.putInt(16, a.policy());
        b.putInt(20, a.priority());
        b.putInt(24, a.nice());
        b.putInt(28, (int) a.flags());
        b.putLong(32, t.startTime());
        b.putInt(40, 0);
        b.putInt(44, crc(b, 0));
        b.position(0).limit(RECORD_SIZE);
    }

    private static @Nullable Lease decode(ByteBuffer b, int off) {
        if (b.getInt(off) != MAGIC || b.get(off + 4) != VERSION || b.get(off + 5) != TYPE_ORIGINAL
                || b.getShort(off + 6) != 0 || b.getInt(off + 40) != 0 || b.getInt(off + 44) != crc(b, off)) {
            return null;
        }
        try {
            VcpuThread t = new VcpuThread(b.getInt(off + 8), b.getInt(off + 12), b.getLong(off + 32));
            ThreadAttributes a = new ThreadAttributes(b.getInt(off + 16), b.getInt(off + 20), b.getInt(off + 24),
                    Integer.toUnsignedLong(b.getInt(off + 28)));
            return new Lease(t, a);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static int crc(ByteBuffer b, int off) {
        CRC32C crc = new CRC32C();
        for (int i = 0; i < 44; i++) {
            crc.update(b.get(off + i));
        }
        return (int) crc.getValue();
    }
}
