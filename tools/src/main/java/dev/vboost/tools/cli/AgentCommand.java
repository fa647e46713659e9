package dev.vboost.tools.cli;

import dev.vboost.tools.metrics.MetricsEndpoint;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.checkerframework.checker.nullness.qual.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A host agent over one region file: creates (or, after a restart, re-initialises) the region, maps vCPU slots
 * to Linux threads, and runs the host agent with the real Linux actuator until stopped or for a duration.
 * This class holds the options and the checks shared with {@code --vm-dir} ({@link DaemonOptions}); one VM's
 * options are checked by {@link AgentPlan} (vCPU threads by {@link VcpuDiscovery}) and served by
 * {@link SingleVmAgent} and {@link AgentRunLoop}.
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
    @SuppressWarnings("nullness:initialization.field.uninitialized") // required unless --vm-dir: checked in AgentPlan
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

    @Option(names = "--slots", paramLabel = "N", description = "Slots in the region (default: the number of vCPUs mapped; "
            + "required with --ivshmem-server and --qmp, whose vCPUs are read after the server listens).")
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
            + "without a ring or deadline, 1ms..10s (default 100ms); lines changed without a ring are seen this often. "
            + "With --vm-dir: the same, while every VM served has a doorbell.")
    @Nullable String safetyPoll;

    @Option(names = "--duration", paramLabel = "SECONDS", description = "Stop after this long (default: until Ctrl-C).")
    double durationSeconds;

    @Option(names = "--stats", paramLabel = "SECONDS", description = "Print counters this often (default ${DEFAULT-VALUE}; 0: only at the end).")
    double statsSeconds = 5;

    @Override
    public Integer call() throws Exception {
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
            return DaemonOptions.run(spec, this, safetyPollNanos);
        }
        // one VM: every option checked (vCPU threads found) before the region is created, then served
        return SingleVmAgent.run(spec, this, AgentPlan.check(spec, this, safetyPollNanos));
    }
}
