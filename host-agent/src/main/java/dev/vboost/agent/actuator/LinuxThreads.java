package dev.vboost.agent.actuator;

import com.sun.jna.LastErrorException;
import dev.vboost.agent.linux.Libc;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;

/** Linux thread ids: the calling thread's, and those of a process. */
public final class LinuxThreads {

    private LinuxThreads() {
    }

    /**
     * The Linux thread id ({@code gettid(2)}) of the calling Java thread: what {@link PriorityActuator}
     * takes. Platform threads only; a virtual thread reports its current carrier's id.
     *
     * @return the calling thread's tid
     * @throws UnsupportedOperationException off Linux or on an unsupported architecture
     */
    public static int currentTid() {
        Libc.requireSupported("gettid");
        try {
            // glibc wraps gettid only since 2.30: the raw system call works on every glibc
            return (int) Libc.syscall(Libc.SYS_GETTID, 0, 0, 0, 0, 0);
        } catch (LastErrorException e) {
            // gettid cannot fail; keep the errno if a seccomp filter says otherwise
            throw new IllegalStateException("gettid failed with errno " + e.getErrorCode(), e);
        }
    }

    /**
     * The thread ids of process {@code pid}, from {@code /proc/<pid>/task}, ascending. Empty if the process
     * does not exist. A racing process may gain or lose threads while this reads.
     *
     * @param pid the process id, positive
     * @return the thread ids, ascending
     * @throws IllegalArgumentException if {@code pid} is not positive
     * @throws UncheckedIOException if {@code /proc} cannot be read for another reason
     */
    public static int[] threadsOf(long pid) {
        if (pid <= 0) {
            throw new IllegalArgumentException("pid must be positive, got " + pid);
        }
        Path dir = Paths.get("/proc", Long.toString(pid), "task");
        int[] tids = new int[16];
        int n = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                Path name = entry.getFileName();
                if (name == null) {
                    continue;
                }
                int tid = parseTid(name.toString());
                if (tid > 0) {
                    if (n == tids.length) {
                        tids = Arrays.copyOf(tids, n * 2);
                    }
                    tids[n++] = tid;
                }
            }
        } catch (NoSuchFileException e) {
            return new int[0];
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        int[] result = Arrays.copyOf(tids, n);
        Arrays.sort(result);
        return result;
    }

    /**
     * When thread {@code tid} started, in clock ticks since boot ({@code /proc/<tid>/stat} field 22), or 0 if
     * there is no such thread or it cannot be read. Together with the id it names one thread for the
     * lifetime of the system: a reused id has a later start time.
     *
     * @param tid the Linux thread id
     * @return clock ticks since boot, or 0
     */
    public static long startTimeOf(int tid) {
        if (tid <= 0) {
            return 0;
        }
        int tgid = ProcThreadStat.tgidOf(tid);
        long start = tgid > 0 ? ProcThreadStat.startTime(tgid, tid) : -1;
        return Math.max(0, start);
    }

    private static int parseTid(String s) {
        if (s.isEmpty() || s.length() > 10) {
            return -1;
        }
        long v = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v <= Integer.MAX_VALUE ? (int) v : -1;
    }
}
