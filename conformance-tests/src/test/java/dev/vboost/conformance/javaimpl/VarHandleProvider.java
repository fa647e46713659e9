package dev.vboost.conformance.javaimpl;

import dev.vboost.api.memory.SharedMemory;
import dev.vboost.api.role.GuestEndpoint;
import dev.vboost.api.role.HostEndpoint;
import dev.vboost.conformance.spi.ConformanceProvider;
import dev.vboost.api.image.RegionImage;
import dev.vboost.conformance.spi.HostPolicy;
import dev.vboost.conformance.spi.HostSettings;
import dev.vboost.conformance.spi.ImageReport;
import dev.vboost.conformance.spi.PolicyHost;
import dev.vboost.conformance.spi.ReferencePolicyHost;
import dev.vboost.conformance.spi.RegionAccess;
import dev.vboost.impl.HostRegionConfig;
import dev.vboost.impl.Regions;
import dev.vboost.impl.memory.MappedRegionFile;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * The Java implementation (protocol-impl) with its default backend, JDK {@code VarHandle} over a mapped
 * {@code ByteBuffer}, as an implementer registers it: this class plus one line in
 * {@code META-INF/services/dev.vboost.conformance.spi.ConformanceProvider}.
 */
public class VarHandleProvider implements ConformanceProvider {

    @Override
    public String name() {
        return "vboost-java (VarHandle backend)";
    }

    @Override
    public String version() {
        return "0.1.0-SNAPSHOT";
    }

    @Override
    public Set<String> roles() {
        return Set.of(GUEST, HOST, CODEC);
    }

    /** protocol-impl's endpoint publishes; the host decisions are the suite's reference policy host. */
    @Override
    public Set<String> features() {
        return Set.of(HOST_POLICY);
    }

    @Override
    public PolicyHost policyHost(HostEndpoint host, HostSettings settings, HostPolicy policy) {
        return new ReferencePolicyHost(host, settings, policy);
    }

    /** The decoder of images at rest is protocol-api's {@code RegionImage}. */
    @Override
    public Map<String, String> decodeImage(byte[] image) {
        return ImageReport.of(RegionImage.decode(image));
    }

    /** The region file mapped by protocol-impl's own backend ({@code ByteBufferSharedMemory}). */
    @Override
    public SharedMemory mapRegion(Path file, int size) {
        return MappedRegionFile.open(file).memory();
    }

    @Override
    public GuestEndpoint attachGuest(RegionAccess region, long features) {
        return Regions.attachGuest(region.memory(), features);
    }

    @Override
    public HostEndpoint createHost(RegionAccess region, HostSettings s) {
        return Regions.createHost(region.memory(),
                new HostRegionConfig(s.slotCount(), s.hostFeatures(), s.prioCeiling(), s.maxBoostUs()));
    }
}
