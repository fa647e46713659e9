package dev.vboost.conformance.spi;

import dev.vboost.api.role.GuestEndpoint;
import dev.vboost.api.role.HostEndpoint;
import java.util.Set;

/**
 * How a JVM implementation of vboost joins the conformance suite in process. Register the class in
 * {@code META-INF/services/dev.vboost.conformance.spi.ConformanceProvider}. Roles and features the
 * provider does not declare are SKIPPED with that reason, never failed.
 *
 * <p>The suite hands over the region as a {@link RegionAccess}: the file it created, mapped by the
 * provider's own backend ({@link #mapRegion}, or the suite's {@code VarHandle} mapping by default) and
 * wrapped so that the suite can trace stores (the W1/W2 checks of spec §4.2) and interpose between loads
 * (the R5 check). Use {@link RegionAccess#memory()} as given.
 */
public interface ConformanceProvider {

    /** Role name (as in the testee protocol) of an implementation that can act as the guest. */
    String GUEST = "guest";
    /** Role name (as in the testee protocol) of an implementation that can act as the host. */
    String HOST = "host";
    /** The decoder of images at rest (spec §6.7). */
    String CODEC = "codec";
    /** Feature: the provider's host decides under a policy ({@link #policyHost}). */
    String HOST_POLICY = "host-policy";

    /**
     * The implementation's name, shown in reports.
     *
     * @return a short name, e.g. {@code vboost-java}
     */
    String name();

    /**
     * The implementation's version, shown in reports.
     *
     * @return a version string
     */
    String version();

    /**
     * The roles this provider implements.
     *
     * @return any of {@link #GUEST}, {@link #HOST}, {@link #CODEC}
     */
    Set<String> roles();

    /**
     * Optional capabilities (testee protocol §4): {@code expiry} if {@link HostEndpoint} owns boost bounds
     * ({@link #tick}), {@link #HOST_POLICY} if the provider's host decides ({@link #policyHost}).
     *
     * @return the features; empty by default
     */
    default Set<String> features() {
        return Set.of();
    }

    /**
     * Maps {@code size} bytes of the region file {@code file} read-write and shared with the backend under
     * test, e.g. a memory-mapped {@code ByteBuffer} or a Chronicle {@code MappedBytes}. The default returns
     * {@code null}: the suite maps the file itself. The mapping must stay valid until the suite attaches the
     * next region.
     *
     * @param file the region file the suite created
     * @param size bytes to map from its start
     * @return the provider's mapping, or {@code null} to let the suite map the file
     * @throws java.io.IOException when the file cannot be mapped
     */
    default dev.vboost.api.memory.@org.checkerframework.checker.nullness.qual.Nullable SharedMemory mapRegion(
            java.nio.file.Path file, int size) throws java.io.IOException {
        return null;
    }

    /**
     * Attaches a guest to the region (spec §5.2), offering {@code features}.
     *
     * @param region the region to attach to
     * @param features the feature bits the guest offers
     * @return the attached guest
     * @throws dev.vboost.api.VboostException naming the §6 error when the region is refused
     */
    default GuestEndpoint attachGuest(RegionAccess region, long features) {
        throw new UnsupportedOperationException(name() + " has no guest role");
    }

    /**
     * Initialises the region as its host (spec §4.4).
     *
     * @param region the region to initialise
     * @param settings the host's configuration for this case
     * @return the host endpoint over the region
     */
    default HostEndpoint createHost(RegionAccess region, HostSettings settings) {
        throw new UnsupportedOperationException(name() + " has no host role");
    }

    /**
     * Advances the host's boost clock (spec §5.6) for providers that declare {@code expiry}; the default
     * does nothing.
     *
     * @param host a host endpoint this provider created
     * @param elapsedMicros host-clock time to advance, in microseconds
     */
    default void tick(HostEndpoint host, long elapsedMicros) {
    }

    /**
     * The host's behaviour under {@code policy} over {@code host} (testee protocol §5.3), for providers declaring
     * {@link #HOST_POLICY}. A provider whose endpoint only publishes may return a {@link ReferencePolicyHost}.
     *
     * @param host a host endpoint this provider created
     * @param settings the header limits the region was created with
     * @param policy the per-VM policy the runner gives
     * @return the deciding host over {@code host}
     */
    default PolicyHost policyHost(HostEndpoint host, HostSettings settings, HostPolicy policy) {
        throw new UnsupportedOperationException(name() + " does not declare " + HOST_POLICY);
    }

    /**
     * Decodes an image at rest (spec §6.7) into the reply of {@code codec.decode_image} (testee protocol §5.4);
     * for providers declaring the role {@link #CODEC}. {@link ImageReport#of} builds it from protocol-api's
     * {@code RegionImage}.
     *
     * @param image the image bytes, as a region file would hold them
     * @return the decoded fields, keyed as the testee protocol names them
     */
    default java.util.Map<String, String> decodeImage(byte[] image) {
        throw new UnsupportedOperationException(name() + " has no codec role");
    }
}
