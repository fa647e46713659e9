package dev.vboost.bench;

import dev.vboost.api.GuestSlotSnapshot;
import dev.vboost.api.HostSlotSnapshot;
import dev.vboost.api.ReadStatus;
import dev.vboost.api.layout.RegionLayout;
import dev.vboost.api.memory.SharedMemory;
import dev.vboost.api.role.GuestEndpoint;
import dev.vboost.api.role.HostEndpoint;
import dev.vboost.api.wire.DenialReason;
import dev.vboost.api.wire.Feature;
import dev.vboost.api.wire.SlotStatus;
import dev.vboost.impl.HostRegionConfig;
import dev.vboost.impl.Regions;
import java.util.concurrent.TimeUnit;
import org.checkerframework.checker.nullness.qual.MonotonicNonNull;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Control;

/**
 * The cross-thread round trip through the public endpoints: a guest thread publishes a BOOST request and
 * spins until it reads a host line acting on it; a host thread polls, reads and validates the request and
 * publishes the acknowledging state. One operation is one round trip. Baseline: {@link RawPingPong}.
 * Spin loops end when JMH ends the iteration, so neither side can hang.
 */
@State(Scope.Group)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public abstract class RoundTripBenchmarks {
    private static final int SLOT = 0;
    private static final int BUDGET_US = 50_000;

    private @MonotonicNonNull SharedMemory memory;
    private @MonotonicNonNull HostEndpoint host;
    private @MonotonicNonNull GuestEndpoint guest;

    protected abstract SharedMemory newMemory(int size);

    protected void release(SharedMemory m) {
    }

    @Setup(Level.Trial)
    public void setUp() {
        SharedMemory m = newMemory((int) RegionLayout.regionSize(1));
        memory = m;
        host = Regions.createHost(m, HostRegionConfig.defaults(1));
        guest = Regions.attachGuest(m, Feature.DEFINED_MASK);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (guest != null) {
            guest.detach();
        }
        if (host != null) {
            host.close();
        }
        if (memory != null) {
            release(memory);
        }
    }

    @State(Scope.Thread)
    public static class GuestSide {
        final HostSlotSnapshot seen = new HostSlotSnapshot();
    }

    @State(Scope.Thread)
    public static class HostSide {
        final GuestSlotSnapshot request = new GuestSlotSnapshot();
        final HostSlotSnapshot state = new HostSlotSnapshot();
        final int[] changed = new int[1];
        long acted;
        /** The poll reported the slot but its read was BUSY: the poll will not report it again, so re-read. */
        boolean pending;
    }

    @Benchmark
    @Group("roundTrip")
    @GroupThreads(1)
    public long guest(GuestSide g, Control control) {
        GuestEndpoint endpoint = guestEndpoint();
        long id = endpoint.requestBoost(SLOT, Workload.POLICY, Workload.PRIORITY, Workload.NICE, Workload.REASONS);
        while (!control.stopMeasurement) {
            if (endpoint.readHostState(SLOT, g.seen) == ReadStatus.OK && g.seen.actedRequestId() >= id) {
                break;
            }
            Thread.onSpinWait();
        }
        return id;
    }

    /**
     * What a host agent does for one slot: poll the counters, read the changed line (a BUSY read, the guest
     * being mid-write, is retried: the poll has already consumed that change), publish the acting state.
     */
    @Benchmark
    @Group("roundTrip")
    @GroupThreads(1)
    public long host(HostSide h, Control control) {
        HostEndpoint endpoint = hostEndpoint();
        while (!control.stopMeasurement) {
            if (!h.pending) {
                h.pending = endpoint.pollChangedSlots(h.changed) > 0;
            }
            ReadStatus status = h.pending ? endpoint.readRequest(SLOT, h.request) : ReadStatus.BUSY;
            if (status == ReadStatus.INVALID) {
                throw new IllegalStateException("the benchmark's own guest wrote an invalid line: " + h.request);
            }
            if (status == ReadStatus.OK) {
                h.pending = false;
                if (h.request.requestId() > h.acted) {
                    h.acted = h.request.requestId();
                    h.state.set(SlotStatus.BOOSTED, h.request.policy(), h.request.priority(), DenialReason.NONE, 0,
                            BUDGET_US, h.acted, 0L);
                    endpoint.publishState(SLOT, h.state);
                    return h.acted;
                }
            }
            Thread.onSpinWait();
        }
        return -1;
    }

    private GuestEndpoint guestEndpoint() {
        GuestEndpoint g = guest;
        if (g == null) {
            throw new IllegalStateException("not set up");
        }
        return g;
    }

    private HostEndpoint hostEndpoint() {
        HostEndpoint h = host;
        if (h == null) {
            throw new IllegalStateException("not set up");
        }
        return h;
    }
}
