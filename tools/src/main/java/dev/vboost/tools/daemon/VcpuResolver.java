package dev.vboost.tools.daemon;

import dev.vboost.agent.actuator.LinuxThreads;
import dev.vboost.agent.qmp.QmpPeer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds a VM's vCPU threads (slot → thread id) the way its {@link VmFile} says: fixed ids, a process's threads
 * named with their vCPU index, or QEMU's {@code query-cpus-fast} over QMP. Called again at every rescan, so a
 * vCPU re-plugged under a new thread id is picked up without restarting anything.
 */
final class VcpuResolver {
    private static final Pattern DIGITS = Pattern.compile("[0-9]+");

    private VcpuResolver() {
    }

    /**
     * The slot → tid map.
     *
     * @throws VmFileException naming the key whose source could not give a map (process gone, no name matches,
     *                         QMP unreachable)
     */
    static Map<Integer, Integer> resolve(VmFile vm) throws VmFileException {
        switch (vm.source()) {
            case QMP:
                Path qmp = vm.qmp();
                if (qmp == null) {
                    throw new IllegalStateException("QMP source without a socket");
                }
                Map<Integer, Integer> map;
                int qemu;
                try {
                    map = QmpVcpus.query(qmp);
                    qemu = QmpPeer.listenerPid(qmp); // from the kernel (SO_PEERCRED), not from QEMU's word
                } catch (IOException e) {
                    throw new VmFileException(vm.file(), "qmp", "query-cpus-fast on " + vm.qmp() + " failed: "
                            + e.getMessage());
                }
                // spec §9 H2: QEMU's thread ids are a claim; each must be a thread of the process serving the socket
                List<String> foreign = QmpPeer.foreignThreads(qemu, map);
                if (!foreign.isEmpty()) {
                    throw new VmFileException(vm.file(), "qmp", qmp + " is served by process " + qemu + ", but its "
                            + "vCPU list names threads that are not that process's: " + String.join("; ", foreign)
                            + " (refusing to boost them)");
                }
                return map;
            case PID:
                return byName(vm);
            default:
                for (Map.Entry<Integer, Integer> e : vm.vcpus().entrySet()) {
                    if (!Files.isDirectory(Path.of("/proc", Integer.toString(e.getValue())))) {
                        throw new VmFileException(vm.file(), "vcpus", "no thread " + e.getValue() + " on this host (slot "
                                + e.getKey() + ")");
                    }
                }
                return vm.vcpus();
        }
    }

    /**
     * Threads of {@code pid} whose whole name matches {@code thread-name}; the slot is the regex's first group,
     * or the first decimal number of the name if it has no group (never the /proc listing order).
     */
    private static Map<Integer, Integer> byName(VmFile vm) throws VmFileException {
        Pattern p = vm.threadName();
        if (p == null) {
            throw new IllegalStateException("pid source without a thread-name pattern");
        }
        int[] tids;
        try {
            tids = LinuxThreads.threadsOf(vm.pid());
        } catch (UncheckedIOException e) {
            throw new VmFileException(vm.file(), "pid", e.getMessage() == null ? "cannot read /proc" : e.getMessage());
        }
        if (tids.length == 0) {
            throw new VmFileException(vm.file(), "pid", "no process " + vm.pid() + " on this host");
        }
        Map<Integer, Integer> map = new TreeMap<>();
        List<String> seen = new ArrayList<>();
        for (int tid : tids) {
            String comm = comm(vm.pid(), tid);
            seen.add(comm);
            Matcher m = p.matcher(comm);
            if (!m.matches()) {
                continue;
            }
            String index = null;
            if (m.groupCount() >= 1) {
                index = m.group(1);
            } else {
                Matcher d = DIGITS.matcher(comm);
                if (d.find()) {
                    index = d.group();
                }
            }
            int slot;
            try {
                slot = index == null ? -1 : Integer.parseInt(index);
            } catch (NumberFormatException e) {
                slot = -1;
            }
            if (slot < 0) {
                throw new VmFileException(vm.file(), "thread-name", "thread " + tid + " '" + comm
                        + "' matches but carries no vCPU index (give the index as the regex's group 1)");
            }
            Integer before = map.put(slot, tid);
            if (before != null) {
                throw new VmFileException(vm.file(), "thread-name", "threads " + before + " and " + tid
                        + " both name vCPU " + slot);
            }
        }
        if (map.isEmpty()) {
            throw new VmFileException(vm.file(), "thread-name", "no thread of process " + vm.pid() + " matches '"
                    + p.pattern() + "' as a whole; names seen: " + seen);
        }
        return map;
    }

    private static String comm(long pid, int tid) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), "task", Integer.toString(tid), "comm"),
                    StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            return ""; // the thread ended meanwhile
        }
    }
}
