package dev.vboost.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.vboost.api.ReadStatus;
import dev.vboost.api.layout.RegionLayout;
import dev.vboost.api.memory.SharedMemory;
import dev.vboost.api.role.GuestEndpoint;
import dev.vboost.api.role.HostEndpoint;
import dev.vboost.api.wire.Feature;
import dev.vboost.impl.HostRegionConfig;
import dev.vboost.impl.Regions;
import dev.vboost.impl.memory.ByteBufferSharedMemory;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.openjdk.jmh.infra.Control;
import org.junit.jupiter.api.Test;

/**
 * The baselines must do the same memory work as the protocol code they are compared with, or the ratios
 * mean nothing: same bytes written, same lines read. And every protocol benchmark must run and return what
 * a working protocol returns. (Chronicle variants run only in their flagged JMH forks.)
 */
class BaselineEquivalenceTest {

    @Test
    void rawPublishWritesTheSameGuestLineBytesAsTheGuestEndpoint() {
        RawBaselines raw = new RawBaselines();
        raw.setUp();                     // publishes request 1 on Workload.SLOT
        raw.guestRequestPublish();       // request 2

        SharedMemory memory = ByteBufferSharedMemory.allocateDirect((int) RegionLayout.regionSize(Workload.SLOTS));
        HostEndpoint host = Regions.createHost(memory, HostRegionConfig.defaults(Workload.SLOTS));
        GuestEndpoint guest = Regions.attachGuest(memory, Feature.DEFINED_MASK);
        guest.requestBoost(Workload.SLOT, Workload.POLICY, Workload.PRIORITY, Workload.NICE, Workload.REASONS);
        long id = guest.requestBoost(Workload.SLOT, Workload.POLICY, Workload.PRIORITY, Workload.NICE, Workload.REASONS);
        assertEquals(2, id);

        int line = RegionLayout.guestLineOffset(Workload.SLOT);
        byte[] expected = new byte[RegionLayout.LINE_SIZE];
        memory.getBytes(line, expected, 0, expected.length);
        byte[] actual = new byte[RegionLayout.LINE_SIZE];
        ByteBuffer region = raw.region();
        region.get(line, actual);
        assertArrayEquals(expected, actual, "guest line of slot " + Workload.SLOT);
        host.close();
    }

    @Test
    void perFieldDiagnosticsDoTheSameWorkAsTheBaselines() {
        RawBaselines whole = new RawBaselines();
        whole.setUp();
        whole.guestRequestPublish();
        RawBaselines perField = new RawBaselines();
        perField.setUp();
        assertEquals(2, perField.guestRequestPublishPerField());
        int line = RegionLayout.guestLineOffset(Workload.SLOT);
        byte[] expected = new byte[RegionLayout.LINE_SIZE];
        whole.region().get(line, expected);
        byte[] actual = new byte[RegionLayout.LINE_SIZE];
        perField.region().get(line, actual);
        assertArrayEquals(expected, actual);
        assertEquals(whole.hostSlotRead(), perField.hostSlotReadPerField());
    }

    @Test
    void rawReadAcceptsTheLineTheHostEndpointAccepts() {
        RawBaselines raw = new RawBaselines();
        raw.setUp();
        assertEquals(4, raw.hostSlotRead(), "consistent read returns the even counter after one publication");
        assertEquals(0, raw.hostScan4096(), "nothing changed since set-up");
    }

    @Test
    void everyVarHandleProtocolBenchmarkRunsAndReturnsWhatAWorkingProtocolReturns() {
        VarHandleProtocol bench = new VarHandleProtocol();
        bench.setUp();
        try {
            assertEquals(ReadStatus.OK, bench.hostSlotRead());
            assertEquals(0, bench.hostScan4096());
            assertEquals(2, bench.guestRequestPublish());
            assertEquals(1, bench.hostScan4096(), "the publication moved exactly one counter");
            assertEquals(0, bench.hostScan4096());
            assertEquals(ReadStatus.OK, bench.hostSlotRead());
        } finally {
            bench.tearDown();
        }
    }

    /**
     * The round-trip benchmark's two sides, driven like JMH drives them (one thread each, same group state),
     * complete every round in order: a lost wake-up (for instance a BUSY read whose change the poll already
     * consumed) would leave both sides spinning, and the bounded join then fails the test.
     */
    @Test
    void varHandleRoundTripCompletesEveryRoundInOrder() throws Exception {
        int rounds = 5_000;
        VarHandleRoundTrip bench = new VarHandleRoundTrip();
        bench.setUp();
        Control control = new Control();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread host = new Thread(() -> {
            RoundTripBenchmarks.HostSide side = new RoundTripBenchmarks.HostSide();
            try {
                for (long i = 1; i <= rounds; i++) {
                    long acted = bench.host(side, control);
                    if (acted != i) {
                        throw new AssertionError("host acted on " + acted + " in round " + i);
                    }
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        }, "round-trip-host");
        Thread guest = new Thread(() -> {
            RoundTripBenchmarks.GuestSide side = new RoundTripBenchmarks.GuestSide();
            try {
                for (long i = 1; i <= rounds && failure.get() == null; i++) {
                    long id = bench.guest(side, control);
                    if (id != i || side.seen.actedRequestId() != i) {
                        throw new AssertionError("round " + i + ": request " + id + ", acted "
                                + side.seen.actedRequestId() + " (the guest returns once its request is acted on)");
                    }
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        }, "round-trip-guest");
        host.start();
        guest.start();
        guest.join(TimeUnit.SECONDS.toMillis(60));
        host.join(TimeUnit.SECONDS.toMillis(5));
        boolean stuck = guest.isAlive() || host.isAlive();
        control.stopMeasurement = true;   // releases a side still spinning, as the end of a JMH iteration does
        guest.join(TimeUnit.SECONDS.toMillis(5));
        host.join(TimeUnit.SECONDS.toMillis(5));
        bench.tearDown();
        if (failure.get() != null) {
            throw new AssertionError("a side failed", failure.get());
        }
        assertFalse(stuck, "the two sides did not finish " + rounds + " rounds within 60 s");
    }
}
