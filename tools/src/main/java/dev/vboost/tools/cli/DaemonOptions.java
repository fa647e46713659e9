package dev.vboost.tools.cli;

import dev.vboost.agent.actuator.LinuxPriorityActuator;
import dev.vboost.tools.VboostCli;
import dev.vboost.impl.memory.FileAccess;
import dev.vboost.tools.daemon.AgentDaemon;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;

/** {@code vboost agent --vm-dir DIR}: checks the options that go with it and runs {@link AgentDaemon}. */
final class DaemonOptions {
    private DaemonOptions() {
    }

    static int run(CommandLine.Model.CommandSpec spec, AgentCommand a, long safetyPollNanos) throws IOException {
        Path dir = a.vmDir;
        if (dir == null) {
            throw new IllegalStateException("--vm-dir not given");
        }
        List<String> oneVm = new ArrayList<>();
        if (a.region != null) {
            oneVm.add("--region");
        }
        if (a.policyFile != null) {
            oneVm.add("--policy");
        }
        if (!a.vcpus.isEmpty()) {
            oneVm.add("--vcpu");
        }
        if (a.pid != 0) {
            oneVm.add("--pid");
        }
        if (spec.commandLine().getParseResult().hasMatchedOption("--thread-name")) { // it has a default value
            oneVm.add("--thread-name");
        }
        if (a.slots != 0) {
            oneVm.add("--slots");
        }
        if (a.hypercallSocket != null || a.regionGpa != null) {
            oneVm.add("--hypercall-socket/--region-gpa");
        }
        if (!oneVm.isEmpty()) {
            throw Usage.error(spec, "--vm-dir replaces " + String.join(", ", oneVm) + ": put them in the VM's file");
        }
        if (!Files.isDirectory(dir)) {
            throw Usage.error(spec, "--vm-dir: " + dir + " is not a directory");
        }
        if (a.rescanSeconds < 0.05 || a.rescanSeconds > 3600) {
            throw Usage.error(spec, "--rescan must be 0.05..3600 seconds, got " + a.rescanSeconds);
        }
        Path journal = a.journal;
        if (journal != null) {
            Path parent = journal.toAbsolutePath().getParent();
            if (parent == null || !Files.isDirectory(parent)) {
                throw Usage.error(spec, "--journal: directory " + parent + " does not exist");
            }
        }
        // --mode/--owner/--group: every VM's region file, created and checked as the single-VM agent does
        FileAccess regionAccess = RegionFileAccess.access(spec, a.mode, a.owner, a.group);
        AgentDaemon.Options o = new AgentDaemon.Options(dir, journal, a.metrics,
                Duration.ofMillis((long) (a.rescanSeconds * 1000)), true, regionAccess, safetyPollNanos);
        int rc = AgentDaemon.runForeground(o, LinuxPriorityActuator::new, a.durationSeconds, a.statsSeconds,
                spec.commandLine().getOut(), spec.commandLine().getErr());
        return rc == 0 ? VboostCli.OK : VboostCli.FAILURE;
    }
}
