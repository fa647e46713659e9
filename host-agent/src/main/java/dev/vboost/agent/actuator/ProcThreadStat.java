package dev.vboost.agent.actuator;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Reads a thread's identity from {@code /proc} with bounded buffers: its process from {@code /proc/<tid>/status}
 * ({@code Tgid:}) and its start time from {@code /proc/<tgid>/task/<tid>/stat} (field 22). {@code comm} (field
 * 2) may hold spaces and parentheses, so fields are counted after its last {@code ')'}. One buffer per calling
 * thread; nothing here trusts what it reads further than the parse.
 */
final class ProcThreadStat {
    /** A stat line is about 300 bytes; {@code comm} is at most 64 in any kernel. */
    static final int STAT_BUFFER = 1024;
    /** {@code Tgid:} is the fourth line of status, within the first 200 bytes. */
    static final int STATUS_BUFFER = 512;
    static final int FIELD_STARTTIME = 22;

    private static final ThreadLocal<@Nullable ByteBuffer> BUFFER = new ThreadLocal<>();

    private ProcThreadStat() {
    }

    /** The process thread {@code tid} belongs to, or -1 if there is no such thread. */
    static int tgidOf(int tid) {
        ByteBuffer b = readInto(Paths.get("/proc", Integer.toString(tid), "status"), STATUS_BUFFER);
        if (b == null) {
            return -1;
        }
        byte[] key = {'\n', 'T', 'g', 'i', 'd', ':'};
        int n = b.limit();
        for (int i = 0; i + key.length <= n; i++) {
            boolean match = true;
            for (int k = 0; k < key.length && match; k++) {
                match = b.get(i + k) == key[k];
            }
            if (match) {
                int j = i + key.length;
                while (j < n && (b.get(j) == ' ' || b.get(j) == '\t')) {
                    j++;
                }
                int end = j;
                while (end < n && b.get(end) != '\n') {
                    end++;
                }
                long v = parseDecimal(b, j, end);
                return v > 0 && v <= Integer.MAX_VALUE ? (int) v : -1;
            }
        }
        return -1;
    }

    /**
     * The start time of thread {@code tid} of process {@code tgid}, or -1 if that process has no such thread
     * (or its stat line does not parse).
     */
    static long startTime(int tgid, int tid) {
        ByteBuffer b = readInto(Paths.get("/proc", Integer.toString(tgid), "task", Integer.toString(tid), "stat"),
                STAT_BUFFER);
        return b == null ? -1 : parseStartTime(b, tid);
    }

    /** Field 22 of a stat line in {@code b[0, limit)}, if field 1 is {@code tid}; else -1. */
    static long parseStartTime(ByteBuffer b, int tid) {
        int n = b.limit();
        int space = 0;
        while (space < n && b.get(space) != ' ') {
            space++;
        }
        if (parseDecimal(b, 0, space) != tid) {
            return -1;
        }
        int close = -1;
        for (int i = n - 1; i >= 0; i--) {
            if (b.get(i) == ')') {
                close = i;
                break;
            }
        }
        if (close < 0 || close + 2 >= n || b.get(close + 1) != ' ') {
            return -1;
        }
        int field = 3;
        int start = close + 2;
        while (field < FIELD_STARTTIME) {
            while (start < n && b.get(start) != ' ') {
                start++;
            }
            if (start >= n) {
                return -1;
            }
            start++;
            field++;
        }
        int end = start;
        while (end < n && b.get(end) != ' ' && b.get(end) != '\n') {
            end++;
        }
        return parseDecimal(b, start, end);
    }

    /** The non-negative decimal in {@code b[from, to)}, or -1 if it is empty, not digits or too long. */
    private static long parseDecimal(ByteBuffer b, int from, int to) {
        if (from >= to || to - from > 18) {
            return -1;
        }
        long v = 0;
        for (int i = from; i < to; i++) {
            int c = b.get(i) - '0';
            if (c < 0 || c > 9) {
                return -1;
            }
            v = v * 10 + c;
        }
        return v;
    }

    /** Up to {@code max} bytes of {@code file} in the calling thread's buffer (flipped), or null if unreadable. */
    private static @Nullable ByteBuffer readInto(Path file, int max) {
        ByteBuffer b = BUFFER.get();
        if (b == null) {
            b = ByteBuffer.allocate(STAT_BUFFER);
            BUFFER.set(b);
        }
        b.clear().limit(max);
        try (SeekableByteChannel ch = Files.newByteChannel(file)) {
            while (b.hasRemaining() && ch.read(b) > 0) {
                // a /proc file may arrive in pieces; bounded by the buffer
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        b.flip();
        return b;
    }
}
