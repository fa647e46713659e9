package dev.vboost.tools.daemon;

import dev.vboost.agent.policy.PolicyConfig;
import dev.vboost.api.layout.RegionLayout;
import dev.vboost.api.role.HostEndpoint;
import dev.vboost.impl.HostRegionConfig;
import dev.vboost.impl.Regions;
import dev.vboost.impl.memory.FileAccess;
import dev.vboost.impl.memory.MappedRegionFile;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A VM's region file, mapped, with its host endpoint: created with an explicit owner, group and mode, or an
 * existing file that passes the checks of {@link MappedRegionFile#createOrReuse} re-initialised at a new
 * generation.
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

    /**
     * Opens {@code vm}'s region as the single-VM {@code vboost agent} does (spec §9 H1): created with
     * {@code O_CREAT|O_EXCL} and {@code access}, or an existing file adopted only if it passes the same checks
     * (no link, regular, one link, owner and writers as {@code access} allows, safe directory); locked
     * exclusively. Its size is the backing size (a power of two for ivshmem); a file of another size is emptied
     * and resized. {@code hostFeatures} are the features the region offers: DOORBELL only when the agent waits
     * on the VM's doorbell (spec §12.2).
     */
    static ServedRegion open(VmFile vm, PolicyConfig policy, int slotCount, FileAccess access) throws VmFileException {
        return open(vm, policy, slotCount, access, dev.vboost.api.wire.Feature.ALL_BUT_DOORBELL);
    }

    /** As {@link #open(VmFile, PolicyConfig, int, FileAccess)}, offering {@code hostFeatures}. */
    static ServedRegion open(VmFile vm, PolicyConfig policy, int slotCount, FileAccess access, long hostFeatures)
            throws VmFileException {
        Path region = vm.region();
        Path parent = region.getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            throw new VmFileException(vm.file(), "region", "directory " + parent + " does not exist");
        }
        HostRegionConfig cfg = new HostRegionConfig(slotCount, hostFeatures, policy.priorityCeiling(),
                (int) Math.min(Integer.MAX_VALUE, TimeUnit.NANOSECONDS.toMicros(policy.maxBoostNanos())));
        MappedRegionFile mapping;
        try {
            mapping = MappedRegionFile.createOrReuse(region, RegionLayout.backingSize(slotCount), access);
        } catch (UncheckedIOException | IllegalArgumentException e) {
            throw new VmFileException(vm.file(), "region", String.valueOf(e.getMessage()));
        }
        try {
            // NOT_READY until the agent serves it (§4.4 H3, H4: the agent publishes READY)
            return new ServedRegion(mapping, Regions.prepareHost(mapping.memory(), cfg), mapping.reused());
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
