package dev.vboost.tools.demo;

import dev.vboost.api.role.GuestEndpoint;
import dev.vboost.api.role.HostEndpoint;
import dev.vboost.api.wire.SchedPolicy;
import java.io.IOException;
import java.nio.file.Path;

/** Region files for the demo: the host creates one in tmpfs, the guest JVM maps the same file. */
final class RegionFactory {
    interface HostRegion extends AutoCloseable {
        HostEndpoint endpoint();

        @Override
        void close();
    }

    private RegionFactory() {
    }

    static HostRegion createHost(Path file, int slots, SchedPolicy policy, int priority, long maxBoostNanos)
            throws IOException {
        throw new UnsupportedOperationException("pending protocol-impl");
    }

    static GuestEndpoint attachGuest(Path file) throws IOException {
        throw new UnsupportedOperationException("pending protocol-impl");
    }
}
