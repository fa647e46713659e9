package dev.vboost.tools.demo;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Host CPU hogs pinned to the measured CPU: {@code stress-ng --cpu N --taskset CPU} when installed, else
 * {@link HogMain} in a child JVM whose threads pin themselves. Knows its processes so their CPU time can be
 * read from {@code /proc}.
 */
final class HostHogs implements AutoCloseable {
    private final Process process;
    private final String description;

    private HostHogs(Process process, String description) {
        this.process = process;
        this.description = description;
    }

    static HostHogs start(int count, int cpu, JavaLauncher java) throws IOException {
        Path stress = findOnPath("stress-ng");
        ProcessBuilder pb;
        String what;
        if (stress != null) {
            pb = new ProcessBuilder(stress.toString(), "--cpu", Integer.toString(count), "--cpu-method", "int64",
                    "--taskset", Integer.toString(cpu), "--quiet");
            what = "stress-ng --cpu " + count + " --taskset " + cpu;
        } else {
            pb = java.command(List.of(), HogMain.class.getName(), List.of(Integer.toString(count), Integer.toString(cpu)));
            what = count + " hog threads in a child JVM pinned to CPU " + cpu + " (stress-ng not found)";
        }
        pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        return new HostHogs(pb.start(), what);
    }

    static boolean stressNgInstalled() {
        return findOnPath("stress-ng") != null;
    }

    private static @org.checkerframework.checker.nullness.qual.Nullable Path findOnPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    String description() {
        return description;
    }

    boolean alive() {
        return process.isAlive();
    }

    /** CPU time of the hog processes so far, nanoseconds. */
    long cpuNanos() {
        List<ProcessHandle> roots = new ArrayList<>();
        roots.add(process.toHandle());
        return CpuTime.treeNanos(roots);
    }

    @Override
    public void close() {
        List<ProcessHandle> all = new ArrayList<>();
        process.toHandle().descendants().forEach(all::add);
        process.destroy();
        try {
            if (!process.waitFor(3, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(3, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (ProcessHandle h : all) {
            h.destroyForcibly();
        }
    }
}
