package dev.vboost.bench;

import dev.vboost.api.GuestSlotSnapshot;
import dev.vboost.api.ReadStatus;
import dev.vboost.api.layout.RegionLayout;
import dev.vboost.api.memory.SharedMemory;
import dev.vboost.api.role.GuestEndpoint;
import dev.vboost.api.role.HostEndpoint;
import dev.vboost.api.wire.Feature;
import dev.vboost.impl.HostRegionConfig;
import dev.vboost.impl.Regions;
import java.util.concurrent.TimeUnit;
import org.checkerframework.checker.nullness.qual.MonotonicNonNull;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Single-thread protocol operations through the public endpoints, on a region of 4,096 slots; one subclass
 * per backend. Baselines: {@link RawBaselines}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public abstract class ProtocolBenchmarks {
    private @MonotonicNonNull SharedMemory memory;
    private @MonotonicNonNull HostEndpoint host;
    private @MonotonicNonNull GuestEndpoint guest;
    private final GuestSlotSnapshot request = new GuestSlotSnapshot();
    private final int[] changed = new int[Workload.SLOTS];

    /** A zeroed memory of {@code size} bytes of this backend. */
    protected abstract SharedMemory newMemory(int size);

    /** Frees what {@link #newMemory} allocated. */
    protected void release(SharedMemory m) {
    }

    @Setup(Level.Trial)
    public void setUp() {
        SharedMemory m = newMemory((int) RegionLayout.regionSize(Workload.SLOTS));
        memory = m;
        HostEndpoint h = Regions.createHost(m, HostRegionConfig.defaults(Workload.SLOTS));
        host = h;
        GuestEndpoint g = Regions.attachGuest(m, Feature.DEFINED_MASK);
        guest = g;
        g.requestBoost(Workload.SLOT, Workload.POLICY, Workload.PRIORITY, Workload.NICE, Workload.REASONS);
        // the host has seen every counter once: the scan benchmark then finds nothing changed
        while (h.pollChangedSlots(changed) > 0) {
            // bounded: each call consumes up to changed.length changes and nobody writes meanwhile
        }
        if (h.readRequest(Workload.SLOT, request) != ReadStatus.OK) {
            throw new IllegalStateException("set-up request not readable: " + request);
        }
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

    /** Guest: publish a BOOST request (spec §5.3 G1: seqlock W1..W4 over the slot's guest line). */
    @Benchmark
    public long guestRequestPublish() {
        return guest().requestBoost(Workload.SLOT, Workload.POLICY, Workload.PRIORITY, Workload.NICE, Workload.REASONS);
    }

    /** Host: bounded seqlock read and validation of one guest line, uncontended (spec §4.3). */
    @Benchmark
    public ReadStatus hostSlotRead() {
        return host().readRequest(Workload.SLOT, request);
    }

    /** Host: look for changed guest-line counters among 4,096 unchanged slots (spec §5.2). */
    @Benchmark
    public int hostScan4096() {
        return host().pollChangedSlots(changed);
    }

    private GuestEndpoint guest() {
        GuestEndpoint g = guest;
        if (g == null) {
            throw new IllegalStateException("not set up");
        }
        return g;
    }

    private HostEndpoint host() {
        HostEndpoint h = host;
        if (h == null) {
            throw new IllegalStateException("not set up");
        }
        return h;
    }
}
