package dev.vboost.tools.cli;

import dev.vboost.agent.hypercall.HypercallSocketServer;
import dev.vboost.agent.policy.PolicyConfig;
import dev.vboost.agent.qmp.QmpVcpuWatcher;
import dev.vboost.api.layout.RegionLayout;
import dev.vboost.impl.memory.FileAccess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.checkerframework.checker.nullness.qual.Nullable;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The checked settings of a one-VM {@code vboost agent} (no {@code --vm-dir}): every option is validated here,
 * before the region file or any socket is created, so a wrong value exits 2 with nothing left behind.
 *
 * @param watcher the QMP vCPU watcher with {@code --qmp}, else null
 * @param vcpus the vCPU threads at the start, slot to TID
 * @param gpa the region's guest-physical address with {@code --hypercall-socket}, else 0
 * @param offered the protocol features the region offers
 */
record AgentPlan(Path region, PolicyConfig policy, @Nullable QmpVcpuWatcher watcher, Map<Integer, Integer> vcpus,
        int slotCount, long gpa, FileAccess access, HypercallSocketServer.Options socketOptions, long offered,
        long safetyPollNanos, boolean qmpAfterDoorbell) {

    /** The plan with the vCPUs read over QMP once QEMU runs (after the ivshmem server listens). */
    AgentPlan withQmp(QmpVcpuWatcher w, Map<Integer, Integer> map) {
        return new AgentPlan(region, policy, w, map, slotCount, gpa, access, socketOptions, offered, safetyPollNanos,
                false);
    }

    static AgentPlan check(CommandSpec spec, AgentCommand a, long safetyPollNanos) throws InterruptedException {
        Path region = a.region;
        if (region == null) {
            throw Usage.error(spec, "Missing required option: '--region=FILE' (or --vm-dir DIR)");
        }
        PolicyConfig policy = policy(spec, a.policyFile);
        // with a doorbell the ivshmem server must listen before QEMU starts (QEMU connects once), so QEMU's QMP
        // socket is read only after it: --slots says the region's size
        boolean qmpAfterDoorbell = a.ivshmemServer != null && a.qmp != null;
        if (qmpAfterDoorbell) {
            VcpuDiscovery.checkQmpAlone(spec, a);
            if (a.slots == 0) {
                throw Usage.error(spec, "--ivshmem-server with --qmp needs --slots N: the server listens before QEMU "
                        + "starts, so its vCPUs are read only after that");
            }
        }
        @Nullable QmpVcpuWatcher watcher = qmpAfterDoorbell ? null : VcpuDiscovery.qmpWatcher(spec, a, Duration.ZERO);
        Map<Integer, Integer> map = watcher != null ? watcher.current()
                : qmpAfterDoorbell ? Map.of() : VcpuDiscovery.vcpuMap(spec, a);
        int slotCount = a.slots == 0 ? map.size() : a.slots;
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
        long gpa = hypercallGpa(spec, a.hypercallSocket, a.regionGpa);
        FileAccess access = RegionFileAccess.access(spec, a.mode, a.owner, a.group);
        HypercallSocketServer.Options socketOptions = SocketPeers.options(spec, a.socketUsers, a.socketGroups,
                a.socketMode);
        long offered = AgentDoorbell.offeredFeatures(a.ivshmemServer != null); // DOORBELL only with a doorbell (§12.2)
        return new AgentPlan(region, policy, watcher, map, slotCount, gpa, access, socketOptions, offered,
                safetyPollNanos, qmpAfterDoorbell);
    }

    private static PolicyConfig policy(CommandSpec spec, @Nullable Path f) {
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

    /** Checks --hypercall-socket and --region-gpa before anything is created; returns the GPA (0 without them). */
    private static long hypercallGpa(CommandSpec spec, @Nullable Path socket, @Nullable String gpaText) {
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
}
