package dev.vboost.agent.qmp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * vCPU threads found by name: a process's threads whose whole name ({@code /proc/PID/task/TID/comm}) matches a
 * pattern become vCPUs, and each one's slot is the {@code n} of its {@code CPU n/...} name (QEMU's names with
 * {@code -name ...,debug-threads=on}), never its place in {@code /proc}: a vCPU re-plugged after hot-unplug gets a
 * new, higher tid, so task order is not vCPU order. Names without that index are refused.
 */
public final class ThreadNameVcpus {
    /** The vCPU index inside a QEMU vCPU thread name. */
    private static final Pattern INDEX = Pattern.compile("CPU (\\d{1,4})/.*");
    private static final int MAX_THREADS = 65_536;

    private ThreadNameVcpus() {
    }

    /**
     * As {@link #discover(Path, long, Pattern)} on the real {@code /proc}.
     *
     * @param pid  QEMU's process id
     * @param name pattern the whole thread name must match (QEMU with {@code debug-threads=on} names them
     *             {@code CPU n/KVM})
     * @return slot → tid
     * @throws IllegalArgumentException as for {@link #discover(Path, long, Pattern)}
     */
    public static Map<Integer, Integer> discover(long pid, Pattern name) {
        return discover(Path.of("/proc"), pid, name);
    }

    /**
     * Slot → tid for the threads of {@code pid} whose whole name matches {@code name}.
     *
     * @param proc the procfs root ({@code /proc}, or a fake tree in tests)
     * @param pid  QEMU's process id
     * @param name pattern the whole thread name ({@code task/<tid>/comm}) must match
     * @return slot → tid, slot being the {@code n} of {@code CPU n/}
     * @throws IllegalArgumentException with the names seen, when no thread matches, when a matching name carries
     *     no {@code CPU n/} index, or when two carry the same index
     */
    public static Map<Integer, Integer> discover(Path proc, long pid, Pattern name) {
        Path tasks = proc.resolve(Long.toString(pid)).resolve("task");
        List<String> seen = new ArrayList<>();
        Map<Integer, Integer> map = new TreeMap<>();
        List<String> noIndex = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(tasks)) {
            for (Path task : ds) {
                if (seen.size() >= MAX_THREADS) {
                    break;
                }
                int tid;
                try {
                    tid = Integer.parseInt(String.valueOf(task.getFileName()));
                } catch (NumberFormatException e) {
                    continue;
                }
                String comm;
                try {
                    comm = Files.readString(task.resolve("comm"), StandardCharsets.UTF_8).strip();
                } catch (IOException e) {
                    continue; // the thread ended meanwhile
                }
                seen.add(comm);
                if (!name.matcher(comm).matches()) {
                    continue;
                }
                Matcher m = INDEX.matcher(comm);
                if (!m.matches()) {
                    noIndex.add(comm);
                    continue;
                }
                int slot = Integer.parseInt(String.valueOf(m.group(1)));
                Integer other = map.put(slot, tid);
                if (other != null) {
                    throw new IllegalArgumentException("threads " + other + " and " + tid + " of process " + pid
                            + " are both named for vCPU " + slot + " ('" + comm + "')");
                }
            }
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("process " + pid + ": no such process (" + tasks + ")");
        } catch (IOException e) {
            throw new IllegalArgumentException("process " + pid + ": cannot list " + tasks + ": " + e.getMessage());
        }
        seen.sort(java.util.Comparator.naturalOrder());
        if (!noIndex.isEmpty()) {
            throw new IllegalArgumentException("thread name(s) " + quoted(noIndex) + " match '" + name.pattern()
                    + "' but carry no vCPU index: slots come from the n of 'CPU n/...' (start QEMU with "
                    + "-name NAME,debug-threads=on, or use --qmp); names seen: " + quoted(seen));
        }
        if (map.isEmpty()) {
            throw new IllegalArgumentException("process " + pid + ": no thread name matches '" + name.pattern()
                    + "' as a whole (QEMU names vCPU threads 'CPU n/KVM' only with -name NAME,debug-threads=on); "
                    + "names seen: " + quoted(seen));
        }
        return map;
    }

    private static String quoted(List<String> names) {
        List<String> distinct = names.stream().distinct().toList();
        StringBuilder sb = new StringBuilder();
        for (String n : distinct.subList(0, Math.min(distinct.size(), 32))) {
            sb.append(sb.length() == 0 ? "" : ", ").append('\'').append(n).append('\'');
        }
        return distinct.size() > 32 ? sb + ", ..." : sb.toString();
    }
}
