package dev.vboost.agent.journal;

import dev.vboost.agent.actuator.ThreadAttributes;
import dev.vboost.agent.actuator.VcpuThread;
import dev.vboost.agent.journal.LeaseJournal.Lease;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * One lease journal record, and reading a file of them in bounded memory. A record that fails any check (magic,
 * version, type, reserved bytes, CRC-32C, a value {@link ThreadAttributes} or {@link VcpuThread} refuses) is
 * bad: skipped and counted, never trusted.
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
 */
final class LeaseRecord {
    static final int SIZE = 48;
    static final int MAGIC = 0x4A4C4256;
    static final int VERSION = 2;
    static final int TYPE_ORIGINAL = 1;
    private static final int READ_CHUNK_RECORDS = 1024;

    private LeaseRecord() {
    }

    /** A buffer for one record, in the record's byte order. */
    static ByteBuffer newBuffer(int records) {
        return ByteBuffer.allocate(records * SIZE).order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * The newest valid record per thread id in {@code ch}, in first-seen order; bad records, and a torn tail, are
     * counted in {@code badRecords[0]}. Beyond {@link LeaseJournal#MAX_LEASES} threads a new thread's record
     * counts as bad.
     */
    static List<Lease> readAll(FileChannel ch, int[] badRecords) throws IOException {
        Map<Integer, Lease> leases = new LinkedHashMap<>();
        ByteBuffer chunk = newBuffer(READ_CHUNK_RECORDS);
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
            int whole = n - n % SIZE;
            for (int off = 0; off < whole; off += SIZE) {
                Lease lease = decode(chunk, off);
                if (lease == null || (!leases.containsKey(lease.thread().tid()) && leases.size() >= LeaseJournal.MAX_LEASES)) {
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

    /** Encodes {@code lease} into {@code b} (one record's capacity), ready to be written. */
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
        b.position(0).limit(SIZE);
    }

    /** The record at {@code off} in {@code b}, or null if it is bad. */
    static @Nullable Lease decode(ByteBuffer b, int off) {
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
