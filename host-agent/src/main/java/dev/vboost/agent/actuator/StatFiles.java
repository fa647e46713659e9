package dev.vboost.agent.actuator;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import dev.vboost.agent.linux.Libc;
import java.nio.ByteBuffer;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The identity check of spec §9 H2 without a path lookup per change: at {@link #open} the thread's
 * {@code /proc/<tgid>/task/<tid>/stat} is opened once and kept. The open file pins the task it was opened for,
 * so a read on it fails with {@code ESRCH} once that task has exited, even when its id names another thread by
 * then; {@link #startTime} still compares the start time read through it. Reads are {@code pread} into one
 * direct buffer per thread ({@link Libc}, direct mapping): no allocation per check.
 * Thread-safe: the table is guarded by this object, each entry's buffer by the entry.
 */
final class StatFiles {
    /** The open stat file of one registered thread. */
    static final class Entry {
        final VcpuThread thread;
        final int fd;
        final ByteBuffer buffer = ByteBuffer.allocateDirect(ProcThreadStat.STAT_BUFFER);
        final Pointer address = Native.getDirectBufferPointer(buffer);
        boolean closed;

        Entry(VcpuThread thread, int fd) {
            this.thread = thread;
            this.fd = fd;
        }
    }

    /** Open addressing by tid; a tid has one entry at a time (a reused id replaces the entry of a gone thread). */
    private @Nullable Entry[] table = new Entry[64];
    private int size;

    /**
     * Opens {@code t}'s stat file and proves through it that {@code t} is the thread it names; null if the
     * thread is gone (or /proc refuses), in which case the caller falls back to the path check.
     */
    @Nullable Entry open(VcpuThread t) {
        int fd;
        try {
            fd = Libc.open("/proc/" + t.tgid() + "/task/" + t.tid() + "/stat",
                    Libc.O_RDONLY | Libc.O_NOFOLLOW | Libc.O_CLOEXEC);
        } catch (LastErrorException | UnsatisfiedLinkError e) {
            return null;
        }
        Entry e = new Entry(t, fd);
        if (startTime(e) != t.startTime()) {
            close(e); // the id was reused between identify's read and this open: never keep that file
            return null;
        }
        synchronized (this) {
            Entry old = remove(t.tid());
            if (old != null) {
                close(old);
            }
            put(e);
        }
        return e;
    }

    /** The entry kept for exactly {@code t}, or null. */
    synchronized @Nullable Entry find(VcpuThread t) {
        @Nullable Entry[] tab = table;
        int mask = tab.length - 1;
        for (int i = hash(t.tid()) & mask; ; i = (i + 1) & mask) {
            Entry e = tab[i];
            if (e == null) {
                return null;
            }
            if (e.thread.tid() == t.tid()) {
                VcpuThread k = e.thread;
                return k == t || (k.tgid() == t.tgid() && k.startTime() == t.startTime()) ? e : null;
            }
        }
    }

    /**
     * The start time read through the kept file: -1 if the task it was opened for is gone ({@code ESRCH}) or the
     * line does not parse.
     */
    static long startTime(Entry e) {
        synchronized (e) {
            if (e.closed) {
                return -1;
            }
            long n;
            try {
                n = Libc.pread(e.fd, e.address, ProcThreadStat.STAT_BUFFER, 0);
            } catch (LastErrorException x) {
                return -1;
            }
            if (n <= 0) {
                return -1;
            }
            e.buffer.clear().limit((int) n);
            return ProcThreadStat.parseStartTime(e.buffer, e.thread.tid());
        }
    }

    /** Closes and forgets the file kept for {@code t}, if any. */
    void release(VcpuThread t) {
        Entry e;
        synchronized (this) {
            e = find(t);
            if (e != null) {
                remove(t.tid());
            }
        }
        if (e != null) {
            close(e);
        }
    }

    /** Number of files kept (tests). */
    synchronized int size() {
        return size;
    }

    private static void close(Entry e) {
        synchronized (e) {
            if (!e.closed) {
                e.closed = true;
                Libc.closeQuietly(e.fd);
            }
        }
    }

    private static int hash(int tid) {
        int h = tid * 0x9E3779B9;
        return h ^ (h >> 16);
    }

    private void put(Entry e) {
        if ((size + 1) * 2 > table.length) {
            @Nullable Entry[] old = table;
            table = new Entry[old.length * 2];
            size = 0;
            for (Entry o : old) {
                if (o != null) {
                    insert(o);
                }
            }
        }
        insert(e);
    }

    private void insert(Entry e) {
        @Nullable Entry[] tab = table;
        int mask = tab.length - 1;
        int i = hash(e.thread.tid()) & mask;
        while (tab[i] != null) {
            i = (i + 1) & mask;
        }
        tab[i] = e;
        size++;
    }

    private @Nullable Entry remove(int tid) {
        @Nullable Entry[] tab = table;
        int mask = tab.length - 1;
        for (int i = hash(tid) & mask; ; i = (i + 1) & mask) {
            Entry e = tab[i];
            if (e == null) {
                return null;
            }
            if (e.thread.tid() == tid) {
                tab[i] = null;
                size--;
                // re-insert the rest of the cluster so lookups never stop at the hole
                for (int j = (i + 1) & mask; tab[j] != null; j = (j + 1) & mask) {
                    Entry moved = tab[j];
                    tab[j] = null;
                    size--;
                    insert(moved);
                }
                return e;
            }
        }
    }
}
