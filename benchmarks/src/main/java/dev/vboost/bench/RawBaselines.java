package dev.vboost.bench;

import static dev.vboost.bench.RawRegion.INT;
import static dev.vboost.bench.RawRegion.LONG;

import dev.vboost.api.layout.RegionLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Baselines for the single-thread benchmarks: the same memory work as {@link ProtocolBenchmarks} with the
 * fewest raw {@code VarHandle} operations on a direct buffer (one int store for the four u8 request fields,
 * no validation, no decoding, no abstraction).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
public class RawBaselines {
    private static final int SLOTS = Workload.SLOTS;
    private static final int SLOT = Workload.SLOT;
    private static final int SEQ = RawRegion.guestSeq(SLOT);
    private static final int WORD = RawRegion.guestRequestWord(SLOT);
    private static final int REASONS = RawRegion.guestReasons(SLOT);
    private static final int REQUEST_ID = RawRegion.guestRequestId(SLOT);
    private static final int ACK = RawRegion.guestAck(SLOT);

    private ByteBuffer region = ByteBuffer.allocate(0);
    private final int[] seen = new int[SLOTS];
    private final int[] changed = new int[SLOTS];
    private final RawCopy copy = new RawCopy();
    private int seq;
    private long requestId;
    private final int requestWord = Workload.requestWord();

    @Setup(Level.Trial)
    public void setUp() {
        region = RawRegion.allocate(SLOTS);
        // every slot as a freshly attached guest leaves it: counter 2 and nothing asked
        for (int i = 0; i < SLOTS; i++) {
            INT.setRelease(region, RawRegion.guestSeq(i), 2);
            seen[i] = 2;
        }
        seq = 2;
        // one published request for the read benchmark
        guestRequestPublish();
    }

    /** Guest: seqlock writer W1..W4 over the request fields. */
    @Benchmark
    public long guestRequestPublish() {
        final ByteBuffer r = region;
        final int s = seq;
        final long id = requestId + 1;
        INT.setOpaque(r, SEQ, s + 1);                       // W1
        VarHandle.storeStoreFence();
        INT.set(r, WORD, requestWord);                       // W2: request, policy, priority, nice
        INT.set(r, REASONS, Workload.REASONS);
        LONG.set(r, REQUEST_ID, id);
        LONG.set(r, ACK, 0L);
        INT.setRelease(r, SEQ, s + 2);                       // W4
        seq = s + 2;
        requestId = id;
        return id;
    }

    /** Host: one bounded seqlock read R1..R5 of the guest line into a reusable copy. */
    @Benchmark
    public int hostSlotRead() {
        final ByteBuffer r = region;
        for (int attempt = 0; attempt < RegionLayout.MAX_READ_ATTEMPTS; attempt++) {
            final int s1 = (int) INT.getAcquire(r, SEQ);     // R1
            if ((s1 & 1) != 0) {                             // R2
                continue;
            }
            final int word = (int) INT.get(r, WORD);         // R3
            final int reasons = (int) INT.get(r, REASONS);
            final long id = (long) LONG.get(r, REQUEST_ID);
            final long ack = (long) LONG.get(r, ACK);
            VarHandle.acquireFence();                        // R4
            if ((int) INT.get(r, SEQ) == s1) {               // R5
                copy.seq = s1;
                copy.word = word;
                copy.reasons = reasons;
                copy.requestId = id;
                copy.ack = ack;
                return s1;
            }
        }
        return -1;
    }

    /** Host: compare all 4,096 guest-line counters with the last values seen; none changed. */
    @Benchmark
    public int hostScan4096() {
        final ByteBuffer r = region;
        final int[] last = seen;
        int n = 0;
        for (int i = 0; i < SLOTS; i++) {
            final int s = (int) INT.getAcquire(r, RegionLayout.SLOTS_OFFSET + i * RegionLayout.SLOT_SIZE);
            if (s != last[i]) {
                last[i] = s;
                changed[n++] = i;
            }
        }
        return n;
    }

    /** The region, for the test that checks the baselines write the same bytes as the protocol code. */
    ByteBuffer region() {
        return region;
    }

    /** Where the raw read copies to, like the protocol's reusable snapshot. */
    static final class RawCopy {
        int seq;
        int word;
        int reasons;
        long requestId;
        long ack;
    }
}
