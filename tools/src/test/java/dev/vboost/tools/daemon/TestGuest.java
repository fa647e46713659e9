package dev.vboost.tools.daemon;

import dev.vboost.api.HostSlotSnapshot;
import dev.vboost.api.ReadStatus;
import dev.vboost.api.role.GuestEndpoint;
import dev.vboost.api.wire.BoostReason;
import dev.vboost.api.wire.Feature;
import dev.vboost.api.wire.SchedPolicy;
import dev.vboost.api.wire.SlotStatus;
import dev.vboost.impl.Regions;
import dev.vboost.impl.memory.MappedRegionFile;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** A guest in the test JVM over a region file some agent serves. */
final class TestGuest implements AutoCloseable {
    private final MappedRegionFile mapping;
    final GuestEndpoint guest;
    private final HostSlotSnapshot state = new HostSlotSnapshot();

    private TestGuest(MappedRegionFile mapping, GuestEndpoint guest) {
        this.mapping = mapping;
        this.guest = guest;
    }

    /** Attaches (waiting up to 20 s for the host to publish the region). */
    static TestGuest attach(Path region) throws Exception {
        MappedRegionFile m = MappedRegionFile.open(region);
        try {
            return new TestGuest(m, Regions.attachGuest(m.memory(), Feature.DEFINED_MASK, Duration.ofSeconds(20)));
        } catch (Exception | Error e) {
            m.close();
            throw e;
        }
    }

    /** Requests an RR boost on {@code slot} and waits (bounded) until the host acted on it; returns the status. */
    SlotStatus boost(int slot, int priority) throws InterruptedException {
        long id = guest.requestBoost(slot, SchedPolicy.RR, priority, 0, BoostReason.RT_TASK.bit());
        return await(slot, id);
    }

    SlotStatus release(int slot) throws InterruptedException {
        return await(slot, guest.release(slot));
    }

    private SlotStatus await(int slot, long id) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() - until < 0) {
            if (guest.readHostState(slot, state) == ReadStatus.OK && state.actedRequestId() >= id) {
                return state.status();
            }
            Thread.sleep(1);
        }
        throw new AssertionError("host did not act on request " + id + " of slot " + slot + " within 20 s: " + state);
    }

    @Override
    public void close() {
        try {
            guest.close();
        } finally {
            mapping.close();
        }
    }
}
