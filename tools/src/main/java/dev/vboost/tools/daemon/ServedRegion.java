package dev.vboost.tools.daemon;

import dev.vboost.agent.policy.PolicyConfig;
import dev.vboost.api.role.HostEndpoint;
import dev.vboost.api.wire.Feature;
import dev.vboost.impl.HostRegionConfig;
import dev.vboost.impl.Regions;
import dev.vboost.impl.memory.MappedRegionFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.TimeUnit;

/**
 * A VM's region file, mapped, with its host endpoint: created, or re-initialised at a new generation when it
 * already exists at least as large as the region (a VMM may have created it, rounded up for its device).
 */
final class ServedRegion implements AutoCloseable {
    final MappedRegionFile mapping;
    final HostEndpoint endpoint;
    final boolean reinitialised;

    private ServedRegion(MappedRegionFile mapping, HostEndpoint endpoint, boolean reinitialised) {
        this.mapping = mapping;
        this.endpoint = endpoint;
        this.reinitialised = reinitialised;
    }

    static ServedRegion open(VmFile vm, PolicyConfig policy, int slotCount) throws VmFileException {
        Path region = vm.region();
        Path parent = region.getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            throw new VmFileException(vm.file(), "region", "directory " + parent + " does not exist");
        }
        HostRegionConfig cfg = new HostRegionConfig(slotCount, Feature.ALL_BUT_DOORBELL, policy.priorityCeiling(),
                (int) Math.min(Integer.MAX_VALUE, TimeUnit.NANOSECONDS.toMicros(policy.maxBoostNanos())));
        boolean exists;
        try {
            BasicFileAttributes a = Files.readAttributes(region, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!a.isRegularFile()) {
                throw new VmFileException(vm.file(), "region", region + " exists and is not a regular file"
                        + (a.isSymbolicLink() ? " (a symbolic link is never followed)" : ""));
            }
            exists = a.size() >= cfg.regionSize();
        } catch (java.nio.file.NoSuchFileException e) {
            exists = false;
        } catch (IOException e) {
            throw new VmFileException(vm.file(), "region", "cannot inspect " + region + ": " + e.getMessage());
        }
        MappedRegionFile mapping;
        try {
            mapping = exists ? MappedRegionFile.open(region) : MappedRegionFile.create(region, cfg.regionSize());
        } catch (UncheckedIOException | IllegalArgumentException e) {
            throw new VmFileException(vm.file(), "region", String.valueOf(e.getMessage()));
        }
        try {
            // NOT_READY until the agent serves it (§4.4 H3, H4: the agent publishes READY)
            return new ServedRegion(mapping, Regions.prepareHost(mapping.memory(), cfg), exists);
        } catch (RuntimeException e) {
            mapping.close();
            throw new VmFileException(vm.file(), "region", "cannot initialise " + region + ": " + e.getMessage());
        }
    }

    @Override
    public void close() {
        try {
            endpoint.close();
        } finally {
            mapping.close();
        }
    }
}
