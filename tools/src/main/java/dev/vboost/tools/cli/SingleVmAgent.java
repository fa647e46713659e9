package dev.vboost.tools.cli;

import dev.vboost.agent.HostAgent;
import dev.vboost.agent.VmOptions;
import dev.vboost.agent.hypercall.HypercallDispatcher;
import dev.vboost.agent.hypercall.HypercallSocketServer;
import dev.vboost.agent.policy.PolicyConfig;
import dev.vboost.agent.qmp.QmpVcpuWatcher;
import dev.vboost.api.VboostException;
import dev.vboost.api.layout.RegionLayout;
import dev.vboost.api.role.HostEndpoint;
import dev.vboost.impl.HostRegionConfig;
import dev.vboost.impl.Regions;
import dev.vboost.impl.memory.MappedRegionFile;
import dev.vboost.tools.VboostCli;
import dev.vboost.tools.metrics.MetricsEndpoint;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.checkerframework.checker.nullness.qual.Nullable;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The one-VM {@code vboost agent} from its checked {@link AgentPlan}: maps the region, starts the doorbell
 * ({@link AgentDoorbell}), builds the {@link HostAgent} with its VM options and journal, serves the hypercall
 * socket and hands over to {@link AgentRunLoop} until stopped.
 */
final class SingleVmAgent {
    private SingleVmAgent() {
    }

    /** How long the agent waits for QEMU's QMP socket when QEMU starts after the ivshmem server. */
    private static final java.time.Duration QMP_WAIT = java.time.Duration.ofSeconds(60);

    /** Serves the VM; returns the exit code (a usage error found only now, e.g. a socket that cannot bind, is 2). */
    static int run(CommandSpec spec, AgentCommand a, AgentPlan p) throws IOException, InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PolicyConfig policy = p.policy();
        Path region = p.region();
        HostRegionConfig regionConfig = new HostRegionConfig(p.slotCount(), p.offered(), policy.priorityCeiling(),
                (int) Math.min(Integer.MAX_VALUE, TimeUnit.NANOSECONDS.toMicros(policy.maxBoostNanos())));
        long backing = RegionLayout.backingSize(p.slotCount()); // power of two for ivshmem (spec §3.1, §3.8)
        // created safely (no link, FIFO or foreign file), or our own file of the right size reused in place; locked
        // exclusively, so a second agent on the same region fails here (exit 1) instead of serving it as well
        try (MappedRegionFile mapping = MappedRegionFile.createOrReuse(region, backing, p.access());
                HostEndpoint endpoint = Regions.prepareHost(mapping.memory(), regionConfig)) { // READY once the agent serves it
            boolean existed = mapping.reused();
            Path dbSocket = a.ivshmemServer;
            @Nullable AgentDoorbell doorbell = null;
            if (dbSocket != null) {
                try { // listening before the region is published and before QEMU starts: QEMU connects once
                    doorbell = AgentDoorbell.start(dbSocket, region, p.safetyPollNanos(), p.access());
                } catch (IOException e) {
                    spec.commandLine().getErr().println(Usage.prefix(spec) + "--ivshmem-server " + dbSocket + ": "
                            + e.getMessage());
                    return VboostCli.USAGE;
                }
            }
            if (p.qmpAfterDoorbell() && doorbell != null) {
                out.printf(Locale.ROOT, "vboost agent: ivshmem server listening on %s; waiting up to %d s for QEMU's "
                        + "QMP socket %s%n", dbSocket, QMP_WAIT.toSeconds(), a.qmp);
                out.flush();
                try {
                    QmpVcpuWatcher w = VcpuDiscovery.qmpWatcher(spec, a, QMP_WAIT);
                    if (w == null) {
                        throw new IllegalStateException("--qmp checked by AgentPlan");
                    }
                    p = p.withQmp(w, VcpuDiscovery.servable(w.current(), p.slotCount()));
                } catch (RuntimeException | InterruptedException e) {
                    doorbell.close();
                    throw e;
                }
            }
            HostAgent agent = build(a, p, endpoint, mapping, doorbell);
            StopSignals stop = StopSignals.install(); // Ctrl-C/SIGTERM end the loop below: restored, exit 0
            AgentRunLoop loop = new AgentRunLoop(out, agent, p.watcher(), doorbell, stop, p.slotCount(), p.vcpus());
            @Nullable HypercallSocketServer hypercalls = null;
            @Nullable MetricsEndpoint metricsEndpoint = null;
            try {
                agent.start();
                metricsEndpoint = loop.startMetrics(a.metrics);
                Path socket = a.hypercallSocket;
                if (socket != null) {
                    try {
                        hypercalls = HypercallSocketServer.start(socket,
                                List.of(new HypercallDispatcher(agent.hypercallTarget("vm"))), p.socketOptions());
                    } catch (IOException e) {
                        spec.commandLine().getErr().println(Usage.prefix(spec) + "--hypercall-socket " + socket + ": " + e.getMessage());
                        return VboostCli.USAGE;
                    }
                    out.printf(Locale.ROOT, "vboost agent: hypercalls on %s (VM 0, region GPA 0x%x)%n", socket, p.gpa());
                }
                out.printf(Locale.ROOT, "vboost agent: region %s (%s, %d slot(s), generation %d), vCPU threads %s, "
                        + "policy %s ceiling %d, max boost %d us%n", region, existed ? "re-initialised" : "created",
                        p.slotCount(), servedGeneration(mapping), p.vcpus(),
                        policy.boostPolicy(), policy.priorityCeiling(), TimeUnit.NANOSECONDS.toMicros(policy.maxBoostNanos()));
                if (doorbell != null) {
                    out.println(doorbell.describe()); // ivshmem-doorbell gets the region from the server
                } else {
                    out.println(RegionFileAccess.qemuLines(region, backing));
                }
                out.flush();
                loop.run(a.durationSeconds, a.statsSeconds);
            } finally {
                if (metricsEndpoint != null) {
                    metricsEndpoint.close();
                }
                if (hypercalls != null) {
                    hypercalls.close();
                }
                loop.finish();
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

    private static HostAgent build(AgentCommand a, AgentPlan p, HostEndpoint endpoint, MappedRegionFile mapping,
            @Nullable AgentDoorbell doorbell) {
        // a region file unlinked or replaced while mapped fails the VM (spec §9 H9); with --pid, every vCPU
        // thread must belong to that process (H2)
        VmOptions options = VmOptions.NONE.withRegionCheck(mapping::stillLinked);
        QmpVcpuWatcher watcher = p.watcher();
        if (a.pid > 0 && a.pid <= Integer.MAX_VALUE) {
            options = options.withProcessId((int) a.pid);
        } else if (watcher != null) {
            options = options.withProcessId(watcher.qemuPid()); // QMP's peer: hot-plugged threads are checked too
        }
        HostAgent.Builder b = HostAgent.builder().addVm("vm", endpoint, p.policy(), p.vcpus(), p.offered(), p.gpa(),
                options);
        if (doorbell != null) {
            doorbell.configure(b);
        }
        Path journal = a.journal;
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
            } catch (VboostException e) {
                if (System.nanoTime() - deadline >= 0) {
                    return 0;
                }
                Thread.sleep(1);
            }
        }
    }
}
