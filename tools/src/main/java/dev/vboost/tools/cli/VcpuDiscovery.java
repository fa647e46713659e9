package dev.vboost.tools.cli;

import dev.vboost.agent.qmp.QmpPeer;
import dev.vboost.agent.qmp.QmpVcpuWatcher;
import dev.vboost.agent.qmp.ThreadNameVcpus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.checkerframework.checker.nullness.qual.Nullable;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The vCPU threads of {@code vboost agent}: from {@code --qmp} (QEMU's own list, its thread ids checked against
 * the process serving the socket), {@code --pid} with {@code --thread-name}, or {@code --vcpu SLOT=TID}.
 */
final class VcpuDiscovery {
    private VcpuDiscovery() {
    }

    /** --qmp excludes --vcpu and --pid. */
    static void checkQmpAlone(CommandSpec spec, AgentCommand a) {
        if (a.qmp != null && (!a.vcpus.isEmpty() || a.pid != 0)) {
            throw Usage.error(spec, "give the vCPU threads with one of --qmp, --vcpu or --pid");
        }
    }

    /**
     * With --qmp: connects to QEMU and reads its vCPUs (null without --qmp). {@code wait} &gt; 0: QEMU is being
     * started, so a socket that is not there yet or refuses is tried again every 100 ms for that long.
     */
    static @Nullable QmpVcpuWatcher qmpWatcher(CommandSpec spec, AgentCommand a, Duration wait)
            throws InterruptedException {
        Path socket = a.qmp;
        if (socket == null) {
            return null;
        }
        checkQmpAlone(spec, a);
        QmpVcpuWatcher w;
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            try {
                w = QmpVcpuWatcher.start(socket, Duration.ofSeconds(10), Duration.ofSeconds(2), m -> { });
                break;
            } catch (IOException e) {
                if (System.nanoTime() - deadline >= 0) {
                    throw Usage.error(spec, "--qmp: " + e.getMessage());
                }
                Thread.sleep(100); // QEMU has not created its QMP socket yet
            }
        }
        // spec §9 H2: QEMU's thread ids are a claim; every one must be a thread of the process serving the socket
        List<String> foreign = QmpPeer.foreignThreads(w.qemuPid(), w.current());
        if (!foreign.isEmpty()) {
            w.close();
            throw Usage.error(spec, "--qmp: " + socket + " is served by process " + w.qemuPid() + ", but its vCPU "
                    + "list names threads that are not that process's: " + String.join("; ", foreign)
                    + " (refusing to boost them)");
        }
        return w;
    }

    /** Without --qmp: the vCPUs of --pid (by thread name) or of the --vcpu SLOT=TID list; exactly one is given. */
    static Map<Integer, Integer> vcpuMap(CommandSpec spec, AgentCommand a) {
        long pid = a.pid;
        if (a.vcpus.isEmpty() == (pid == 0)) {
            throw Usage.error(spec, "give the vCPU threads with either --vcpu SLOT=TID or --pid PID or --qmp SOCKET (exactly one)");
        }
        if (pid != 0) {
            if (pid < 0) {
                throw Usage.error(spec, "--pid must be positive, got " + pid);
            }
            Pattern name;
            try {
                name = Pattern.compile(a.threadName);
            } catch (PatternSyntaxException e) {
                throw Usage.error(spec, "--thread-name: bad regular expression: " + e.getDescription());
            }
            try {
                return ThreadNameVcpus.discover(pid, name);
            } catch (IllegalArgumentException e) {
                throw Usage.error(spec, "--pid " + pid + " --thread-name: " + e.getMessage());
            }
        }
        Map<Integer, Integer> map = new TreeMap<>();
        for (String v : a.vcpus) {
            int eq = v.indexOf('=');
            int slot;
            int tid;
            try {
                if (eq <= 0) {
                    throw new NumberFormatException();
                }
                slot = Integer.parseInt(v.substring(0, eq).trim());
                tid = Integer.parseInt(v.substring(eq + 1).trim());
            } catch (NumberFormatException e) {
                throw Usage.error(spec, "--vcpu '" + v + "' is not SLOT=TID (two decimal numbers)");
            }
            if (slot < 0 || tid <= 0) {
                throw Usage.error(spec, "--vcpu '" + v + "': slot must be >= 0 and TID > 0");
            }
            if (map.put(slot, tid) != null) {
                throw Usage.error(spec, "--vcpu: slot " + slot + " given twice");
            }
            if (!Files.isDirectory(Path.of("/proc", Integer.toString(tid)))) {
                throw Usage.error(spec, "--vcpu '" + v + "': no thread " + tid + " on this host");
            }
        }
        return map;
    }

    /** The vCPUs of {@code all} that have a slot in the region (a hot-plugged vCPU may lie beyond it). */
    static Map<Integer, Integer> servable(Map<Integer, Integer> all, int slotCount) {
        Map<Integer, Integer> m = new TreeMap<>(all);
        m.keySet().removeIf(slot -> slot >= slotCount);
        return m;
    }
}
