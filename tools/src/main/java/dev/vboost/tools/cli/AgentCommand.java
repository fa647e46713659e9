package dev.vboost.tools.cli;

import dev.vboost.agent.HostAgent;
import dev.vboost.agent.VmOptions;
import dev.vboost.agent.qmp.QmpPeer;
import dev.vboost.agent.qmp.QmpVcpuWatcher;
import dev.vboost.agent.qmp.ThreadNameVcpus;
import dev.vboost.agent.hypercall.HypercallDispatcher;
import dev.vboost.agent.hypercall.HypercallSocketServer;
import dev.vboost.agent.policy.PolicyConfig;
import dev.vboost.agent.stats.VmCounters;
import dev.vboost.api.layout.RegionLayout;
import dev.vboost.api.role.HostEndpoint;
import dev.vboost.impl.HostRegionConfig;
import dev.vboost.impl.Regions;
import dev.vboost.impl.memory.FileAccess;
import dev.vboost.impl.memory.MappedRegionFile;
import dev.vboost.tools.VboostCli;
import dev.vboost.tools.metrics.AgentMetrics;
import dev.vboost.tools.metrics.MetricsEndpoint;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.checkerframework.checker.nullness.qual.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A host agent over one region file: creates (or, after a restart, re-initialises) the region, maps vCPU slots
 * to Linux threads, and runs the host agent with the real Linux actuator until stopped or for a duration.
 */
@Command(name = "agent", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Runs the vboost host agent for one VM over a region file: it validates the guest's requests, "
                + "applies the policy and sets SCHED_FIFO/SCHED_RR on the vCPU threads (needs root or CAP_SYS_NICE).",
                "vCPU threads come from --qmp SOCKET (QEMU's own vCPU list, following hot-plug), --vcpu SLOT=TID "
                        + "(repeatable) or --pid PID (threads whose whole name matches --thread-name; slot n is the "
                        + "thread named 'CPU n/...').",
                "With --hypercall-socket it also answers the VM's hypercalls (spec §7), which the VMM forwards over that "
                        + "Unix domain socket (frame format: host-agent/README.md).",
                "With --vm-dir DIR it serves every VM described in DIR instead (one file per VM, followed while it runs).",
                "The region is created NOT_READY (or an existing file of ours re-initialised) and published READY once "
                        + "the agent serves it; it stays locked, so a second agent on it exits 1.",
                "Stops on Ctrl-C / SIGTERM or after --duration, restoring every thread it boosted, and prints a "
                        + "'stopped' line.",
                "Exit 0 after a clean stop (also by Ctrl-C / SIGTERM with one VM), 1 if the agent failed or the "
                        + "region is served by another agent, 2 for bad options or files."})
public final class AgentCommand implements Callable<Integer> {
    @CommandLine.Spec
    @SuppressWarnings("nullness:initialization.field.uninitialized") // injected by picocli
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--region", paramLabel = "FILE",
            description = "Region file to create (or re-initialise, spec §5.9); a tmpfs path such as /dev/shm/vboost-vm0.")
    @SuppressWarnings("nullness:initialization.field.uninitialized") // required unless --vm-dir: checked in call()
    Path region;

    @Option(names = "--vm-dir", paramLabel = "DIR", description = "Serve every VM described by a DIR/*.vm file and "
            + "follow the directory as files are created, changed and removed (format: docs/deploying.md section 6); "
            + "replaces the one-VM options.")
    @Nullable Path vmDir;

    @Option(names = "--rescan", paramLabel = "SECONDS", description = "With --vm-dir: re-read the directory and each "
            + "VM's vCPU threads this often, besides the change notifications (default ${DEFAULT-VALUE}).")
    double rescanSeconds = 2;

    @Option(names = "--metrics", paramLabel = "ADDRESS:PORT", description = "Serve Prometheus metrics at "
            + "http://ADDRESS:PORT/metrics (off by default; e.g. 127.0.0.1:9464).")
    @Nullable String metrics;

    @Option(names = "--policy", paramLabel = "FILE", description = "Policy file (key=value, see host-agent/README.md); default: built-in defaults.")
    @Nullable Path policyFile;

    @Option(names = "--vcpu", paramLabel = "SLOT=TID", description = "Map vCPU slot SLOT to Linux thread TID (repeatable).")
    List<String> vcpus = new ArrayList<>();

    @Option(names = "--pid", paramLabel = "PID", description = "A process whose threads are the vCPUs.")
    long pid;

    @Option(names = "--thread-name", paramLabel = "REGEX", description = "With --pid: the vCPU threads are those whose "
            + "whole name (/proc/PID/task/TID/comm) matches (default '${DEFAULT-VALUE}'); slot n is the thread named "
            + "'CPU n/...' (QEMU names them so only with -name NAME,debug-threads=on); names without that index are "
            + "refused.")
    String threadName = "CPU [0-9]+/.*";

    @Option(names = "--qmp", paramLabel = "SOCKET", description = "QEMU's QMP socket (-qmp unix:SOCKET,server=on,wait=off): "
            + "slot n is the vCPU with cpu-index n, its thread QEMU's thread-id (query-cpus-fast); re-read on CPU "
            + "hot-plug events. Not with libvirt, which owns QMP.")
    @Nullable Path qmp;

    @Option(names = "--slots", paramLabel = "N", description = "Slots in the region (default: the number of vCPUs mapped).")
    int slots;

    @Option(names = "--journal", paramLabel = "FILE", description = "Lease journal: threads a crashed agent left boosted are restored at the next start.")
    @Nullable Path journal;

    @Option(names = "--hypercall-socket", paramLabel = "PATH", description = "Serve the VM's hypercalls (QUERY, ATTACH, "
            + "DETACH, NOTIFY) on this Unix domain socket as VM 0; needs --region-gpa. Only the VMM may reach it: put it "
            + "in a directory only the VMM's user can enter.")
    @Nullable Path hypercallSocket;

    @Option(names = "--region-gpa", paramLabel = "ADDR", description = "Guest-physical address at which the VMM maps "
            + "the region (ATTACH checks it), page-aligned; 0x... hex or decimal.")
    @Nullable String regionGpa;

    @Option(names = "--socket-allow-user", paramLabel = "USER", description = "With --hypercall-socket: serve peers "
            + "running as this user (by SO_PEERCRED; repeatable). Default: only this user and root.")
    List<String> socketUsers = new ArrayList<>();

    @Option(names = "--socket-allow-group", paramLabel = "GROUP", description = "With --hypercall-socket: serve peers "
            + "whose effective group is this one (repeatable); the socket file is given to the first such group.")
    List<String> socketGroups = new ArrayList<>();

    @Option(names = "--socket-mode", paramLabel = "OCTAL", description = "Mode of the hypercall socket file (default "
            + "0600, or 0660 with --socket-allow-group; a peer needs write permission).")
    @Nullable String socketMode;

    @Option(names = "--mode", paramLabel = "OCTAL", description = "Permission bits of the region file, set exactly "
            + "whatever the umask (default 0600, or 0660 with --group so that a VMM in that group can attach); with "
            + "--vm-dir, of every VM's region file.")
    @Nullable String mode;

    @Option(names = "--owner", paramLabel = "USER", description = "Owning user of the region file, by name or number "
            + "(default: this user).")
    @Nullable String owner;

    @Option(names = "--group", paramLabel = "GROUP", description = "Owning group of the region file, by name or number "
            + "(e.g. kvm, for a QEMU that runs as another user; default: this user's).")
    @Nullable String group;

    @Option(names = "--ivshmem-server", paramLabel = "PATH", description = "Be the VM's ivshmem server on this Unix "
            + "socket (QEMU: -chardev socket,path=PATH,id=ID -device ivshmem-doorbell,chardev=ID,vectors=1): the "
            + "region offers feature DOORBELL and the agent sleeps until a guest rings, a deadline or the safety poll (spec §12).")
    @Nullable Path ivshmemServer;

    @Option(names = "--safety-poll", paramLabel = "DURATION", description = "With --ivshmem-server: longest sleep "
            + "without a ring or deadline, 1ms..10s (default 100ms); lines changed without a ring are seen this often.")
    @Nullable String safetyPoll;

    @Option(names = "--duration", paramLabel = "SECONDS", description = "Stop after this long (default: until Ctrl-C).")
    double durationSeconds;

    @Option(names = "--stats", paramLabel = "SECONDS", description = "Print counters this often (default ${DEFAULT-VALUE}; 0: only at the end).")
    double statsSeconds = 5;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (durationSeconds < 0 || durationSeconds > 31_536_000) {
            throw Usage.error(spec, "--duration must be 0..31536000 seconds, got " + durationSeconds);
        }
        if (statsSeconds < 0 || statsSeconds > 86_400) {
            throw Usage.error(spec, "--stats must be 0..86400 seconds, got " + statsSeconds);
        }
        String metricsSpec = metrics;
        if (metricsSpec != null) {
            try {
                MetricsEndpoint.parse(metricsSpec);
            } catch (IllegalArgumentException e) {
                throw Usage.error(spec, "--metrics " + e.getMessage());
            }
        }
        long safetyPollNanos = AgentDoorbell.checkOptions(spec, ivshmemServer, safetyPoll, vmDir != null);
        if (vmDir != null) {
            return DaemonOptions.run(spec, this);
        }
        if (region == null) {
            throw Usage.error(spec, "Missing required option: '--region=FILE' (or --vm-dir DIR)");
        }
        PolicyConfig policy = policy();
        @Nullable QmpVcpuWatcher watcher = qmpWatcher();
        Map<Integer, Integer> map = watcher != null ? watcher.current() : vcpuMap();
        int slotCount = slots == 0 ? map.size() : slots;
        if (slotCount < 1 || slotCount > RegionLayout.MAX_SLOTS) {
            throw Usage.error(spec, "--slots must be 1.." + RegionLayout.MAX_SLOTS + ", got " + slotCount);
        }
        for (int vcpu : map.keySet()) {
            if (vcpu >= slotCount) {
                throw Usage.error(spec, "--vcpu " + vcpu + "=...: slot " + vcpu + " is outside the region's "
                        + slotCount + " slot(s)");
            }
        }
        Path parent = region.toAbsolutePath().getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            throw Usage.error(spec, "--region: directory " + parent + " does not exist");
        }
        if (Files.exists(region) && !Files.isRegularFile(region)) {
            throw Usage.error(spec, "--region: " + region + " is not a regular file (a directory or a special file)");
        }
        long gpa = hypercallOptions();
        FileAccess access = RegionFileAccess.access(spec, mode, owner, group);
        HypercallSocketServer.Options socketOptions = SocketPeers.options(spec, socketUsers, socketGroups, socketMode);
        long offered = AgentDoorbell.offeredFeatures(ivshmemServer != null); // DOORBELL only with a doorbell (§12.2)
        HostRegionConfig regionConfig = new HostRegionConfig(slotCount, offered, policy.priorityCeiling(),
                (int) Math.min(Integer.MAX_VALUE, TimeUnit.NANOSECONDS.toMicros(policy.maxBoostNanos())));
        long backing = RegionLayout.backingSize(slotCount); // power of two for ivshmem (spec §3.1, §3.8)
        // created safely (no link, FIFO or foreign file), or our own file of the right size reused in place; locked
        // exclusively, so a second agent on the same region fails here (exit 1) instead of serving it as well
        try (MappedRegionFile mapping = MappedRegionFile.createOrReuse(region, backing, access);
                HostEndpoint endpoint = Regions.prepareHost(mapping.memory(), regionConfig)) { // READY once the agent serves it
            boolean existed = mapping.reused();
            Path dbSocket = ivshmemServer;
            @Nullable AgentDoorbell doorbell = null;
            if (dbSocket != null) {
                try { // listening before the region is published and before QEMU starts: QEMU connects once
                    doorbell = AgentDoorbell.start(dbSocket, region, safetyPollNanos);
                } catch (IOException e) {
                    spec.commandLine().getErr().println(Usage.prefix(spec) + "--ivshmem-server " + dbSocket + ": "
                            + e.getMessage());
                    return VboostCli.USAGE;
                }
            }
            HostAgent agent = build(endpoint, policy, map, gpa, mapping, watcher, offered, doorbell);
            StopSignals stop = StopSignals.install(); // Ctrl-C/SIGTERM end the loop below: restored, exit 0
            @Nullable HypercallSocketServer hypercalls = null;
            @Nullable MetricsEndpoint metricsEndpoint = null;
            try {
                agent.start();
                if (metricsSpec != null) {
                    metricsEndpoint = MetricsEndpoint.start(metricsSpec,
                            new AgentMetrics(() -> List.of(agent.counters("vm")), () -> 0, agent::loopCounters));
                    out.println("vboost agent: metrics on " + metricsEndpoint.url());
                }
                Path socket = hypercallSocket;
                if (socket != null) {
                    try {
                        hypercalls = HypercallSocketServer.start(socket,
                                List.of(new HypercallDispatcher(agent.hypercallTarget("vm"))), socketOptions);
                    } catch (IOException e) {
                        spec.commandLine().getErr().println(Usage.prefix(spec) + "--hypercall-socket " + socket + ": " + e.getMessage());
                        return VboostCli.USAGE;
                    }
                    out.printf(Locale.ROOT, "vboost agent: hypercalls on %s (VM 0, region GPA 0x%x)%n", socket, gpa);
                }
                out.printf(Locale.ROOT, "vboost agent: region %s (%s, %d slot(s), generation %d), vCPU threads %s, "
                        + "policy %s ceiling %d, max boost %d us%n", region, existed ? "re-initialised" : "created",
                        slotCount, servedGeneration(mapping), map,
                        policy.boostPolicy(), policy.priorityCeiling(), TimeUnit.NANOSECONDS.toMicros(policy.maxBoostNanos()));
                if (doorbell != null) {
                    out.println(doorbell.describe()); // ivshmem-doorbell gets the region from the server
                } else {
                    out.println(RegionFileAccess.qemuLines(region, backing));
                }
                out.flush();
                long end = durationSeconds > 0 ? System.nanoTime() + (long) (durationSeconds * 1e9) : Long.MAX_VALUE;
                long step = statsSeconds > 0 ? (long) (statsSeconds * 1e9) : Long.MAX_VALUE;
                long nextStats = System.nanoTime() + step;
                while (true) {
                    // with --qmp, wake often enough to follow a vCPU change promptly
                    long wait = Math.min(watcher != null ? 20_000_000L : Long.MAX_VALUE, nextStats - System.nanoTime());
                    long left = end == Long.MAX_VALUE ? wait : Math.min(wait, end - System.nanoTime());
                    if (stop.await(Math.max(0, left)) || System.nanoTime() - end >= 0) {
                        break;
                    }
                    if (watcher != null && !servable(watcher.current(), slotCount).equals(map)) {
                        // only the slots whose thread changed are restored and re-served; the others keep their boosts
                        map = servable(watcher.current(), slotCount);
                        if (map.size() < watcher.current().size()) {
                            out.println("vboost agent: vCPUs " + watcher.current().keySet() + " include indexes the "
                                    + slotCount + "-slot region cannot serve; give --slots the VM's maxcpus");
                        }
                        agent.remapVcpus("vm", map);
                        out.println("vboost agent: vCPU threads now " + map + " (QMP)");
                        out.flush();
                    }
                    if (statsSeconds > 0 && System.nanoTime() - nextStats >= 0) {
                        out.println(stats(agent.counters("vm")) + (doorbell != null ? "; " + doorbell.stats() : ""));
                        out.flush();
                        nextStats += step;
                    }
                }
            } finally {
                if (metricsEndpoint != null) {
                    metricsEndpoint.close();
                }
                if (hypercalls != null) {
                    hypercalls.close();
                }
                try {
                    agent.stop();
                    if (watcher != null) {
                        watcher.close();
                    }
                    String signal = stop.received();
                    out.println("stopped" + (signal != null ? " by " + signal + ", every boosted thread restored" : "")
                            + "; " + stats(agent.counters("vm")) + (doorbell != null ? "; " + doorbell.stats() : ""));
                    out.flush();
                } finally {
                    stop.close();
                    if (doorbell != null) {
                        doorbell.close(); // after the agent stopped: its thread waited on the server's eventfd
                    }
                }
            }
            Throwable error = agent.lastError();
            if (error != null) {
                spec.commandLine().getErr().println(Usage.prefix(spec) + "last error: " + error);
                return VboostCli.FAILURE;
            }
            return VboostCli.OK;
        } catch (UncheckedIOException e) {
            spec.commandLine().getErr().println(Usage.prefix(spec) + e.getMessage());
            return VboostCli.FAILURE;
        }
    }

    /** The vCPUs of {@code all} that have a slot in the region (a hot-plugged vCPU may lie beyond it). */
    private static Map<Integer, Integer> servable(Map<Integer, Integer> all, int slotCount) {
        Map<Integer, Integer> m = new TreeMap<>(all);
        m.keySet().removeIf(slot -> slot >= slotCount);
        return m;
    }

    private HostAgent build(HostEndpoint endpoint, PolicyConfig policy, Map<Integer, Integer> map, long gpa,
            MappedRegionFile mapping, @Nullable QmpVcpuWatcher watcher, long offered,
            @Nullable AgentDoorbell doorbell) {
        // a region file unlinked or replaced while mapped fails the VM (spec §9 H9); with --pid, every vCPU
        // thread must belong to that process (H2)
        VmOptions options = VmOptions.NONE.withRegionCheck(mapping::stillLinked);
        if (pid > 0 && pid <= Integer.MAX_VALUE) {
            options = options.withProcessId((int) pid);
        } else if (watcher != null) {
            options = options.withProcessId(watcher.qemuPid()); // QMP's peer: hot-plugged threads are checked too
        }
        HostAgent.Builder b = HostAgent.builder().addVm("vm", endpoint, policy, map, offered, gpa, options);
        if (doorbell != null) {
            doorbell.configure(b);
        }
        if (journal != null) {
            b.journal(journal);
        }
        return b.build();
    }

    /**
     * The generation the agent published READY: start() returns once the agent thread is warmed up, and its
     * first iteration publishes the region (H3, H4) a moment later. Waits up to 10 s; 0 if it never came.
     */
    private static long servedGeneration(MappedRegionFile mapping) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try {
                return Regions.readHostHeader(mapping.memory()).hostGeneration();
            } catch (dev.vboost.api.VboostException e) {
                if (System.nanoTime() - deadline >= 0) {
                    return 0;
                }
                Thread.sleep(1);
            }
        }
    }

    /** With --qmp: connects to QEMU and reads its vCPUs (null without --qmp). */
    private @Nullable QmpVcpuWatcher qmpWatcher() {
        Path socket = qmp;
        if (socket == null) {
            return null;
        }
        if (!vcpus.isEmpty() || pid != 0) {
            throw Usage.error(spec, "give the vCPU threads with one of --qmp, --vcpu or --pid");
        }
        QmpVcpuWatcher w;
        try {
            w = QmpVcpuWatcher.start(socket, java.time.Duration.ofSeconds(10), java.time.Duration.ofSeconds(2), m -> { });
        } catch (IOException e) {
            throw Usage.error(spec, "--qmp: " + e.getMessage());
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

    /** Checks --hypercall-socket and --region-gpa before anything is created; returns the GPA (0 without them). */
    private long hypercallOptions() {
        Path socket = hypercallSocket;
        String gpaText = regionGpa;
        if (socket == null) {
            if (gpaText != null) {
                throw Usage.error(spec, "--region-gpa is only used with --hypercall-socket");
            }
            return 0;
        }
        if (gpaText == null) {
            throw Usage.error(spec, "--hypercall-socket needs --region-gpa (where the VMM maps the region)");
        }
        long gpa;
        try {
            boolean hex = gpaText.startsWith("0x") || gpaText.startsWith("0X");
            gpa = Long.parseLong(hex ? gpaText.substring(2) : gpaText, hex ? 16 : 10); // GPAs are far below 2^63
        } catch (NumberFormatException e) {
            throw Usage.error(spec, "--region-gpa '" + gpaText + "' is not an address (0x... hex or decimal)");
        }
        if (gpa <= 0 || (gpa & (RegionLayout.REGION_ALIGNMENT - 1)) != 0) {
            throw Usage.error(spec, "--region-gpa 0x" + Long.toHexString(gpa) + " must be a non-zero multiple of "
                    + RegionLayout.REGION_ALIGNMENT + " (spec §3.1)");
        }
        Path dir = socket.toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw Usage.error(spec, "--hypercall-socket: directory " + dir + " does not exist");
        }
        try {
            HypercallSocketServer.checkBindable(socket);
        } catch (IOException e) {
            throw Usage.error(spec, "--hypercall-socket: " + e.getMessage());
        }
        return gpa;
    }

    static String stats(VmCounters c) {
        return String.format(Locale.ROOT, "granted %d, denied %d, released %d, expired %d, throttled %d, invalid %d, "
                + "host boosts %d, actuator failures %d, boosted %.3f s", c.granted(), c.denied(), c.released(),
                c.expired(), c.throttled(), c.invalid(), c.hostGranted(), c.actuatorFailures(), c.boostedNanos() / 1e9);
    }

    private PolicyConfig policy() {
        Path f = policyFile;
        if (f == null) {
            return PolicyConfig.defaults();
        }
        try {
            return PolicyConfig.load(f);
        } catch (NoSuchFileException e) {
            throw Usage.error(spec, "--policy: file " + f + " does not exist");
        } catch (IOException e) {
            throw Usage.error(spec, "--policy: cannot read " + f + ": " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw Usage.error(spec, "--policy: " + e.getMessage());
        }
    }

    private Map<Integer, Integer> vcpuMap() {
        if (vcpus.isEmpty() == (pid == 0)) {
            throw Usage.error(spec, "give the vCPU threads with either --vcpu SLOT=TID or --pid PID or --qmp SOCKET (exactly one)");
        }
        Map<Integer, Integer> map = new TreeMap<>();
        if (pid != 0) {
            if (pid < 0) {
                throw Usage.error(spec, "--pid must be positive, got " + pid);
            }
            Pattern name;
            try {
                name = Pattern.compile(threadName);
            } catch (PatternSyntaxException e) {
                throw Usage.error(spec, "--thread-name: bad regular expression: " + e.getDescription());
            }
            try {
                return ThreadNameVcpus.discover(pid, name);
            } catch (IllegalArgumentException e) {
                throw Usage.error(spec, "--pid " + pid + " --thread-name: " + e.getMessage());
            }
        }
        for (String v : vcpus) {
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
}
