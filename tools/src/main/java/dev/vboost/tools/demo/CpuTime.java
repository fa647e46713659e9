package dev.vboost.tools.demo;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * CPU time of processes and threads from {@code /proc}: {@code schedstat}'s first field (nanoseconds on CPU),
 * falling back to {@code stat}'s utime + stime (clock ticks) where schedstat is missing.
 */
final class CpuTime {
    private static final Path PROC = Path.of("/proc");
    private static final long NANOS_PER_TICK = 10_000_000L; // USER_HZ 100 on Linux

    private CpuTime() {
    }

    /** Nanoseconds on CPU of one thread; -1 if it is gone. */
    static long threadNanos(long pid, long tid) {
        Path task = PROC.resolve(Long.toString(pid)).resolve("task").resolve(Long.toString(tid));
        return taskNanos(task);
    }

    /** Nanoseconds on CPU of every thread of every listed process and their descendants (those still alive). */
    static long treeNanos(List<ProcessHandle> roots) {
        long sum = 0;
        for (ProcessHandle root : roots) {
            List<ProcessHandle> all = new ArrayList<>();
            all.add(root);
            root.descendants().forEach(all::add);
            for (ProcessHandle p : all) {
                sum += processNanos(p.pid());
            }
        }
        return sum;
    }

    /** Sum over the threads of one process; 0 if it is gone. */
    static long processNanos(long pid) {
        Path tasks = PROC.resolve(Long.toString(pid)).resolve("task");
        long sum = 0;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(tasks)) {
            for (Path t : ds) {
                long n = taskNanos(t);
                if (n > 0) {
                    sum += n;
                }
            }
        } catch (IOException | RuntimeException e) {
            return sum; // the process ended while we looked
        }
        return sum;
    }

    private static long taskNanos(Path task) {
        try {
            String s = Files.readString(task.resolve("schedstat")).trim();
            int sp = s.indexOf(' ');
            return Long.parseLong(sp < 0 ? s : s.substring(0, sp));
        } catch (IOException | RuntimeException e) {
            return statNanos(task);
        }
    }

    private static long statNanos(Path task) {
        try {
            String s = Files.readString(task.resolve("stat"));
            // fields after the command name, which is in parentheses and may hold spaces
            String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
            long utime = Long.parseLong(f[11]);
            long stime = Long.parseLong(f[12]);
            return (utime + stime) * NANOS_PER_TICK;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
