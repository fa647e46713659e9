package dev.vboost.agent.actuator;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import dev.vboost.agent.linux.Libc;
import java.util.IdentityHashMap;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The identity check of spec §9 H2 in one small system call: at {@link #open} the thread's
 * {@code /proc/<tgid>/task/<tid>/comm} is opened once and kept. The open file holds the kernel's {@code struct
 * pid} of the task it was opened for, and every read looks that task up again ({@code get_proc_task}): once the
 * task has exited the read fails with {@code ESRCH}, even when its id names another thread by then, whose
 * {@code struct pid} is a new one. So a read that returns anything proves the task is still the one opened;
 * {@code comm} is the cheapest such file (the kernel copies at most 16 bytes, where {@code stat} formats some 50
 * fields on every read). Which task the file was opened for is proved once, at {@link #open}, from the start
 * time. Reads are {@code pread} into one native buffer per entry: no allocation per check.
 * Thread-safe: the table is guarded by this object, each entry's descriptor and buffer by the entry.
 */
final class TaskFiles {
    /** {@code comm} is at most 16 bytes and a newline; a shorter read is as good a proof. */
    static final int PROOF_BUFFER = 32;

    /** The open {@code comm} file of one registered thread. */
    static final class Entry {
        final VcpuThread thread;
        final int fd;
        final Memory buffer = new Memory(PROOF_BUFFER);
        boolean closed;

        Entry(VcpuThread thread, int fd) {
            this.thread = thread;
            this.fd = fd;
        }
    }

    /** By tid; a tid has one entry at a time (a reused id replaces the entry of a gone thread). */
    private final TidTable<Entry> table = new TidTable<>();
    /**
     * Identities whose entry a reused id replaced, by the very object {@link #open} was given, with their closed
     * entry: a thread of the same process that gets the id within the same clock tick has an equal
     * {@link VcpuThread} (same process, id and start time), so only the object tells the old identity apart,
     * and its proofs must keep failing. Forgotten at {@link #release}.
     */
    private final IdentityHashMap<VcpuThread, Entry> replaced = new IdentityHashMap<>();

    /**
     * Opens {@code t}'s {@code comm} file and keeps it; null if the thread is gone or its id names another thread
     * by now (or /proc refuses), in which case the caller falls back to the path check.
     */
    @Nullable Entry open(VcpuThread t) {
        int fd;
        try {
            fd = Libc.open("/proc/" + t.tgid() + "/task/" + t.tid() + "/comm",
                    Libc.O_RDONLY | Libc.O_NOFOLLOW | Libc.O_CLOEXEC);
        } catch (LastErrorException | UnsatisfiedLinkError e) {
            return null;
        }
        Entry e = new Entry(t, fd);
        // t was alive when its start time was read (identify), before the open; if the path still shows t's start
        // time after the open and the file still reads, t was alive throughout, so the file is t's: a tid names
        // one task at a time and an exited task never comes back
        if (ProcThreadStat.startTime(t.tgid(), t.tid()) != t.startTime() || !alive(e)) {
            close(e); // gone, or the id was reused between identify's read and this open: never keep that file
            return null;
        }
        synchronized (this) {
            Entry old = table.get(t.tid());
            if (old != null && alive(old)) {
                close(e); // t is old's task, alive: a tid names one live task; both identities share old's file
                return old;
            }
            table.put(t.tid(), e);
            if (old != null) {
                close(old); // its task exited: every proof through old's identity fails from now on
                replaced.put(old.thread, old);
            }
        }
        return e;
    }

    /** The entry kept for {@code t}, or null: a replaced identity's closed entry before anything else. */
    synchronized @Nullable Entry find(VcpuThread t) {
        Entry gone = replaced.get(t);
        if (gone != null) {
            return gone;
        }
        Entry e = table.get(t.tid());
        if (e == null) {
            return null;
        }
        VcpuThread k = e.thread;
        return k == t || (k.tgid() == t.tgid() && k.startTime() == t.startTime()) ? e : null;
    }

    /**
     * True while the task the file was opened for has not exited: one {@code pread} that returns data. False once
     * it fails ({@code ESRCH}: that task is gone, whatever its id names now) or the entry was released.
     */
    static boolean alive(Entry e) {
        synchronized (e) {
            if (e.closed) {
                return false;
            }
            try {
                return Libc.pread(e.fd, e.buffer, PROOF_BUFFER, 0) > 0;
            } catch (LastErrorException x) {
                return false;
            }
        }
    }

    /** Closes and forgets the file kept for {@code t}, if any. */
    void release(VcpuThread t) {
        Entry e;
        synchronized (this) {
            if (replaced.remove(t) != null) {
                return; // closed when it was replaced
            }
            e = find(t);
            if (e != null) {
                table.remove(t.tid());
            }
        }
        if (e != null) {
            close(e);
        }
    }

    /** Number of files kept and replaced identities remembered (tests). */
    synchronized int size() {
        return table.size() + replaced.size();
    }

    private static void close(Entry e) {
        synchronized (e) {
            if (!e.closed) {
                e.closed = true;
                Libc.closeQuietly(e.fd);
            }
        }
    }
}
