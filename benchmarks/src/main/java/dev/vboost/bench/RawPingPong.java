package dev.vboost.bench;

import static dev.vboost.bench.RawRegion.INT;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Control;

/**
 * Baseline for the round trip: a raw two-thread cache-line ping-pong. The "guest" thread release-stores a
 * new value in the guest line of slot 0 and spins until the "host" thread has copied it into the host line
 * (a different cache line); one operation is one round trip, the least two threads can do to hand a value
 * over and get an answer back. Spin loops give up when JMH ends the iteration, so neither side hangs.
 */
@State(Scope.Group)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
public class RawPingPong {
    private static final int PING = RawRegion.guestSeq(0);
    private static final int PONG = RawRegion.hostSeq(0);

    private ByteBuffer region = ByteBuffer.allocate(0);

    @Setup(Level.Trial)
    public void setUp() {
        region = RawRegion.allocate(1);
    }

    @State(Scope.Thread)
    public static class GuestSide {
        int value;
    }

    @State(Scope.Thread)
    public static class HostSide {
        int last;
    }

    @Benchmark
    @Group("roundTrip")
    @GroupThreads(1)
    public int guest(GuestSide g, Control control) {
        final ByteBuffer r = region;
        final int v = g.value + 1;
        g.value = v;
        INT.setRelease(r, PING, v);
        while ((int) INT.getAcquire(r, PONG) != v && !control.stopMeasurement) {
            Thread.onSpinWait();
        }
        return v;
    }

    @Benchmark
    @Group("roundTrip")
    @GroupThreads(1)
    public int host(HostSide h, Control control) {
        final ByteBuffer r = region;
        int v;
        while ((v = (int) INT.getAcquire(r, PING)) == h.last && !control.stopMeasurement) {
            Thread.onSpinWait();
        }
        h.last = v;
        INT.setRelease(r, PONG, v);
        return v;
    }
}
