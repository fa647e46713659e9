package dev.vboost.agent.journal;

import dev.vboost.agent.actuator.ActuatorException;
import dev.vboost.agent.actuator.PriorityActuator;
import dev.vboost.agent.actuator.ThreadAttributes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntToLongFunction;
import java.util.zip.CRC32C;

/**
 * The agent's lease journal: before it first changes a thread, the agent appends the thread's original
 * attributes here and forces them to disk; if the agent dies, the next agent restores every journaled thread
 * ({@link #recover}) and clears the journal. Append-only fixed-size records, each with a CRC-32C, so a torn
 * last record (a crash mid-write) is recognised and ignored. The newest record for a thread wins.
 *
 * <pre>
 * record, 40 bytes, little-endian:
 *   0  u32 magic 0x4A4C4256 ("VBLJ" in memory)
 *   4  u8  version 1
 *   5  u8  type 1 = original attributes
 *   6  u16 reserved, 0
 *   8  s32 thread id
 *  12  s32 policy (Linux code)
 *  16  s32 priority
 *  20  s32 nice
 *  24  s64 thread start time (/proc/&lt;tid&gt;/stat field 22), 0 = unknown
 *  32  u32 reserved, 0
 *  36  u32 CRC-32C of bytes 0..35
 * </pre>
 * Not thread-safe: the agent thread owns it.
 */
public final class LeaseJournal implements AutoCloseable {
    public static final int RECORD_SIZE = 40;
    public static final int MAGIC = 0x4A4C4256;
    static final int VERSION = 1;
    static final int TYPE_ORIGINAL = 1;
    /** A journal larger than this is not a lease journal: refuse to read it. */
    public static final long MAX_JOURNAL_BYTES = 16L << 20;

    private final Path path;
    private final FileChannel channel;
    private final ByteBuffer record = ByteBuffer.allocate(RECORD_SIZE).order(ByteOrder.LITTLE_ENDIAN);

    private LeaseJournal(Path path, FileChannel channel) {
        this.path = path;
        this.channel = channel;
    }

    /**
     * Opens (creating if needed) the journal for appending. Call {@link #recover} first: records already in the
     * file stay and are restored by the next recovery.
     */
    public static LeaseJournal open(Path path) throws IOException {
        Path parent = path.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
        return new LeaseJournal(path, ch);
    }

    public Path path() {
        return path;
    }

    /** Appends the original attributes of {@code tid} and forces them to disk before returning. */
    public void recordOriginal(int tid, long startTime, ThreadAttributes original) throws IOException {
        encode(record, tid, startTime, original);
        while (record.hasRemaining()) {
            channel.write(record);
        }
        channel.force(false);
    }

    /** Empties the journal (after every journaled thread is back to its original) and forces it. */
    public void clear() throws IOException {
        channel.truncate(0);
        channel.force(true);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    /** One journaled lease. */
    public record Lease(int tid, long startTime, ThreadAttributes original) {
    }

    /** What {@link #recover} did. */
    public record Recovery(List<Lease> restored, List<Lease> alreadyOriginal, List<Lease> gone, List<String> failures,
            int badRecords) {
        public boolean clean() {
            return failures.isEmpty();
        }
    }

    /**
     * Reads the leases in {@code path}: the newest record per thread, in first-seen order. Records with a bad
     * magic, version, type, checksum or value are skipped and counted; a short tail is ignored. A missing
     * file has no leases.
     */
    public static List<Lease> read(Path path, int[] badRecords) throws IOException {
        if (!Files.exists(path)) {
            return new ArrayList<>();
        }
        long size = Files.size(path);
        if (size > MAX_JOURNAL_BYTES) {
            throw new IOException(path + " is " + size + " bytes, more than a lease journal can be ("
                    + MAX_JOURNAL_BYTES + "): not a vboost lease journal?");
        }
        ByteBuffer all = ByteBuffer.wrap(Files.readAllBytes(path)).order(ByteOrder.LITTLE_ENDIAN);
        Map<Integer, Lease> leases = new LinkedHashMap<>();
        int bad = 0;
        for (int off = 0; off + RECORD_SIZE <= all.limit(); off += RECORD_SIZE) {
            Lease lease = decode(all, off);
            if (lease == null) {
                bad++;
            } else {
                leases.put(lease.tid(), lease);
            }
        }
        if (all.limit() % RECORD_SIZE != 0) {
            bad++; // torn tail
        }
        if (badRecords.length > 0) {
            badRecords[0] = bad;
        }
        return new ArrayList<>(leases.values());
    }

    /**
     * Puts every thread a previous agent left in {@code path} back to its journaled original, then clears
     * the journal if all went well. A thread that no longer exists, or whose id now names a different thread
     * (start time differs), is left alone. A thread already at its original is not touched. Failures
     * (for example no permission) keep the journal so a later run can try again.
     *
     * @param startTimeOf a thread's start time, 0 if unknown (see {@code LinuxThreads.startTimeOf})
     */
    public static Recovery recover(Path path, PriorityActuator actuator, IntToLongFunction startTimeOf)
            throws IOException {
        int[] bad = new int[1];
        List<Lease> leases = read(path, bad);
        List<Lease> restored = new ArrayList<>();
        List<Lease> unchanged = new ArrayList<>();
        List<Lease> gone = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (Lease lease : leases) {
            long now = startTimeOf.applyAsLong(lease.tid());
            if (lease.startTime() != 0 && now != 0 && now != lease.startTime()) {
                gone.add(lease); // the id was reused by another thread
                continue;
            }
            try {
                ThreadAttributes current = actuator.read(lease.tid());
                if (current.equals(lease.original())) {
                    unchanged.add(lease);
                } else {
                    actuator.apply(lease.tid(), lease.original());
                    restored.add(lease);
                }
            } catch (ActuatorException e) {
                if (e.kind() == ActuatorException.Kind.NO_SUCH_THREAD) {
                    gone.add(lease);
                } else {
                    failures.add("thread " + lease.tid() + ": " + e.getMessage());
                }
            }
        }
        if (failures.isEmpty() && Files.exists(path)) {
            try (FileChannel ch = FileChannel.open(path, StandardOpenOption.WRITE)) {
                ch.truncate(0);
                ch.force(true);
            }
        }
        return new Recovery(restored, unchanged, gone, failures, bad[0]);
    }

    static void encode(ByteBuffer b, int tid, long startTime, ThreadAttributes a) {
        b.clear();
        b.putInt(0, MAGIC);
        b.put(4, (byte) VERSION);
        b.put(5, (byte) TYPE_ORIGINAL);
        b.putShort(6, (short) 0);
        b.putInt(8, tid);
        b.putInt(12, a.policy());
        b.putInt(16, a.priority());
        b.putInt(20, a.nice());
        b.putLong(24, startTime);
        b.putInt(32, 0);
        b.putInt(36, crc(b, 0));
        b.position(0).limit(RECORD_SIZE);
    }

    private static @org.checkerframework.checker.nullness.qual.Nullable Lease decode(ByteBuffer b, int off) {
        if (b.getInt(off) != MAGIC || b.get(off + 4) != VERSION || b.get(off + 5) != TYPE_ORIGINAL
                || b.getShort(off + 6) != 0 || b.getInt(off + 32) != 0 || b.getInt(off + 36) != crc(b, off)) {
            return null;
        }
        int tid = b.getInt(off + 8);
        if (tid <= 0) {
            return null;
        }
        try {
            return new Lease(tid, b.getLong(off + 24),
                    new ThreadAttributes(b.getInt(off + 12), b.getInt(off + 16), b.getInt(off + 20)));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static int crc(ByteBuffer b, int off) {
        CRC32C crc = new CRC32C();
        for (int i = 0; i < 36; i++) {
            crc.update(b.get(off + i));
        }
        return (int) crc.getValue();
    }
}
