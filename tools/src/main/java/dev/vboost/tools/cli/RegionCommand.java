package dev.vboost.tools.cli;

import dev.vboost.agent.policy.PolicyConfig;
import dev.vboost.api.layout.RegionLayout;
import dev.vboost.api.role.HostEndpoint;
import dev.vboost.api.wire.Feature;
import dev.vboost.impl.HostRegionConfig;
import dev.vboost.impl.Regions;
import dev.vboost.impl.memory.FileAccess;
import dev.vboost.impl.memory.MappedRegionFile;
import dev.vboost.tools.VboostCli;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.checkerframework.checker.nullness.qual.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Creates a region file for a VMM to map before the agent starts: NOT_READY, because nothing serves it yet (a
 * guest that attaches waits until the agent publishes READY); {@code --ready} publishes it READY for trying
 * 'vboost guest' and 'vboost inspect' without an agent.
 */
@Command(name = "region", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Creates a region file at the ivshmem backing size, initialised NOT_READY (spec §4.4): nothing "
                + "serves it yet, so a guest that attaches waits until 'vboost agent' serves it and publishes READY. "
                + "Prints the QEMU and libvirt lines. With --ready the region is published READY with no agent behind "
                + "it, to try 'vboost guest attach/status' and 'vboost inspect' (requests then go unanswered).",
                "Exit 0 on success, 1 if the file cannot be written, 2 for bad options."})
public final class RegionCommand implements Callable<Integer> {
    @CommandLine.Spec
    @SuppressWarnings("nullness:initialization.field.uninitialized") // injected by picocli
    private CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "Region file to create (a regular file of this user's "
            + "is overwritten; a link, a FIFO or another user's file is refused).")
    @SuppressWarnings("nullness:initialization.field.uninitialized") // required parameter
    Path file;

    @Option(names = "--mode", paramLabel = "OCTAL", description = "Permission bits of the file, set exactly whatever "
            + "the umask (default 0600, or 0660 with --group so that a VMM in that group can attach).")
    @Nullable String mode;

    @Option(names = "--owner", paramLabel = "USER", description = "Owning user, by name or number (default: this user).")
    @Nullable String owner;

    @Option(names = "--group", paramLabel = "GROUP", description = "Owning group, by name or number (default: this user's).")
    @Nullable String group;

    @Option(names = "--slots", paramLabel = "N", description = "Slots (vCPUs), 1..4096 (default ${DEFAULT-VALUE}).")
    int slots = 1;

    @Option(names = "--priority-ceiling", paramLabel = "P", description = "Highest priority offered, 1..99 (default ${DEFAULT-VALUE}).")
    int ceiling = PolicyConfig.defaults().priorityCeiling();

    @Option(names = "--max-boost", paramLabel = "MICROS", description = "Longest boost announced (default ${DEFAULT-VALUE}).")
    int maxBoostMicros = HostRegionConfig.DEFAULT_MAX_BOOST_US;

    @Option(names = "--ready", description = "Publish the region READY although nothing serves it (to try the guest "
            + "commands without an agent). Default: NOT_READY until an agent serves it.")
    boolean ready;

    @Override
    public Integer call() {
        if (slots < 1 || slots > RegionLayout.MAX_SLOTS) {
            throw Usage.error(spec, "--slots must be 1.." + RegionLayout.MAX_SLOTS + ", got " + slots);
        }
        if (ceiling < 1 || ceiling > 99) {
            throw Usage.error(spec, "--priority-ceiling must be 1..99, got " + ceiling);
        }
        if (maxBoostMicros < 1) {
            throw Usage.error(spec, "--max-boost must be positive, got " + maxBoostMicros);
        }
        HostRegionConfig config;
        try {
            config = new HostRegionConfig(slots, Feature.ALL_BUT_DOORBELL, ceiling, maxBoostMicros);
        } catch (IllegalArgumentException e) {
            throw Usage.error(spec, String.valueOf(e.getMessage()));
        }
        FileAccess access = RegionFileAccess.access(spec, mode, owner, group);
        Path parent = file.toAbsolutePath().getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            throw Usage.error(spec, "directory " + parent + " does not exist");
        }
        if (Files.isSymbolicLink(file)) {
            throw Usage.error(spec, file + " is a symbolic link; a region file is never written through one");
        }
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw Usage.error(spec, file + " exists and is not a regular file");
        }
        long backing = RegionLayout.backingSize(slots); // power of two for ivshmem (spec §3.1, §3.8)
        try (MappedRegionFile mapping = MappedRegionFile.create(file, backing, access)) {
            // not closed: closing a host endpoint publishes DISABLED (spec §5.7); the region stays as created
            HostEndpoint host = ready ? Regions.createHost(mapping.memory(), config)
                    : Regions.prepareHost(mapping.memory(), config);
            mapping.force();
            spec.commandLine().getOut().println("created " + file + ": " + backing + " bytes (region " + config.regionSize() + "), " + slots
                    + " slot(s), " + (ready ? "READY, generation " + host.generation() + " (nothing serves it)"
                    : "NOT_READY until an agent serves it"));
            spec.commandLine().getOut().println(RegionFileAccess.qemuLines(file, backing));
            return VboostCli.OK;
        } catch (UncheckedIOException e) {
            throw Usage.error(spec, String.valueOf(e.getMessage()));   // the file cannot be created where asked
        }
    }
}
