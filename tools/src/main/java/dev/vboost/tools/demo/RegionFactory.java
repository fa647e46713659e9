package dev.vboost.tools.demo;

import dev.vboost.api.role.GuestEndpoint;
import dev.vboost.api.wire.Feature;
import dev.vboost.impl.Regions;
import dev.vboost.impl.memory.MappedRegionFile;
import java.nio.file.Path;
import java.time.Duration;

/** The guest JVM's view of the demo's region file. */
final class RegionFactory {
    private RegionFactory() {
    }

    /** Maps the region file and attaches as the guest (spec §5.2); the mapping lives as long as the JVM. */
    static GuestEndpoint attachGuest(Path file) throws InterruptedException {
        MappedRegionFile mapping = MappedRegionFile.open(file);
        return Regions.attachGuest(mapping.memory(), Feature.DEFINED_MASK, Duration.ofSeconds(5));
    }
}
