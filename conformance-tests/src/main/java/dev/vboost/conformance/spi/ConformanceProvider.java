package dev.vboost.conformance.spi;

import dev.vboost.api.role.GuestEndpoint;
import dev.vboost.api.role.HostEndpoint;
import java.util.Set;

/**
 * How a JVM implementation of vboost joins the conformance suite in process. Register the class in
 * {@code META-INF/services/dev.vboost.conformance.spi.ConformanceProvider}. Roles and features the
 * provider does not declare are SKIPPED with that reason, never failed.
 *
 * <p>The suite hands over the region as a {@link RegionAccess}: the file it created, mapped, and the
 * suite's own {@link dev.vboost.api.memory.SharedMemory} over that mapping. Use the memory given (the
 * suite traces stores through it for the W1/W2 checks of spec §4.2) or map {@link RegionAccess#file()}
 * yourself.
 */
public interface ConformanceProvider {

    /** Role names as in the testee protocol. */
    String GUEST = "guest";
    String HOST = "host";

    String name();

    String version();

    /** Any of {@link #GUEST}, {@link #HOST}. */
    Set<String> roles();

    /** Optional capabilities (testee protocol §4): {@code expiry} if {@link HostEndpoint} owns boost bounds. */
    default Set<String> features() {
        return Set.of();
    }

    /**
     * Attaches a guest to the region (spec §5.2), offering {@code features}.
     *
     * @throws dev.vboost.api.VboostException naming the §6 error when the region is refused
     */
    default GuestEndpoint attachGuest(RegionAccess region, long features) {
        throw new UnsupportedOperationException(name() + " has no guest role");
    }

    /** Initialises the region as its host (spec §4.4). */
    default HostEndpoint createHost(RegionAccess region, HostSettings settings) {
        throw new UnsupportedOperationException(name() + " has no host role");
    }

    /**
     * Advances the host's boost clock (spec §5.6) for providers that declare {@code expiry}; the default
     * does nothing.
     */
    default void tick(HostEndpoint host, long elapsedMicros) {
    }
}
