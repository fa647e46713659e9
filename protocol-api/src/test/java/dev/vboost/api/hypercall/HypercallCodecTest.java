package dev.vboost.api.hypercall;

import static dev.vboost.api.testutil.Seeds.describe;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.vboost.api.layout.RegionLayout;
import dev.vboost.api.testutil.Seeds;
import dev.vboost.api.wire.Feature;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link HypercallCodec} against spec §7: round trips over generated calls and every rejection rule. */
class HypercallCodecTest {

    private static final int ROUNDS = 20_000;
    private static final long MAX_REGION = RegionLayout.regionSize(RegionLayout.MAX_SLOTS);

    private static Hypercall randomValidCall(SplittableRandom r) {
        switch (r.nextInt(4)) {
            case 0:
                return new Hypercall.Query(r.nextInt(3));
            case 1:
                int minor = r.nextInt(0x10000);
                return new Hypercall.Attach(r.nextLong(0, 1L << 52) << 12,
                        (long) r.nextInt(1, (int) (MAX_REGION / 4096) + 1) * 4096, r.nextInt(0x10000),
                        minor, r.nextLong(Feature.definedMask(minor) + 1)); // bits defined at that minor
            case 2:
                return new Hypercall.Detach(r.nextLong(1, 1L << 32));
            default:
                return new Hypercall.Notify(r.nextInt(RegionLayout.MAX_SLOTS), r.nextInt(1, 4));
        }
    }

    @Test
    void everyValidCallRoundTripsThroughTheExitView() {
        long seed = Seeds.seed();
        SplittableRandom r = Seeds.random(seed);
        for (int i = 0; i < ROUNDS; i++) {
            Hypercall call = randomValidCall(r);
            HypercallExit exit = HypercallCodec.encode(call);
            assertEquals(call.nr(), exit.nr(), describe(seed));
            assertEquals(0, exit.arg(4), describe(seed));
            assertEquals(0, exit.arg(5), describe(seed));
            assertEquals(0, exit.ret(), describe(seed));
            long[] regs = call.argRegisters();
            for (int a = 0; a < HypercallNumbers.ARG_COUNT; a++) {
                assertEquals(regs[a], exit.arg(a), () -> describe(seed) + " " + call);
            }
            HypercallDecoding back = HypercallCodec.decode(exit);
            assertEquals(new HypercallDecoding.Decoded(call), back, () -> describe(seed) + " " + call);
        }
    }

    @Test
    void anyNonZeroReservedArgumentIsEinval() {
        long seed = Seeds.seed();
        SplittableRandom r = Seeds.random(seed);
        for (int i = 0; i < ROUNDS; i++) {
            Hypercall call = randomValidCall(r);
            long[] args = HypercallCodec.encode(call).args();
            int[] reserved = reservedArgs(call);
            int which = reserved[r.nextInt(reserved.length)];
            args[which] = nonZero(r);
            HypercallExit bad = new HypercallExit(call.nr(), args, 0);
            HypercallDecoding d = HypercallCodec.decode(bad);
            assertEquals(KvmError.EINVAL, rejected(d).error(), () -> describe(seed) + " " + bad);
        }
    }

    /** Argument slots that must be zero for this call: the MBZ a-registers and args[4], args[5]. */
    private static int[] reservedArgs(Hypercall call) {
        if (call instanceof Hypercall.Attach) {
            return new int[] {4, 5};
        }
        if (call instanceof Hypercall.Notify) {
            return new int[] {2, 3, 4, 5};
        }
        return new int[] {1, 2, 3, 4, 5};
    }

    private static long nonZero(SplittableRandom r) {
        long v;
        do {
            v = r.nextInt(3) == 0 ? 1L << r.nextInt(64) : r.nextLong();
        } while (v == 0);
        return v;
    }

    @Test
    void unknownNumbersAreEnosysWhateverTheArguments() {
        long seed = Seeds.seed();
        SplittableRandom r = Seeds.random(seed);
        long[] fixed = {0, 1, 12, HypercallNumbers.BASE, HypercallNumbers.NOTIFY + 1, -1, 0x1_5642_0001L};
        for (long nr : fixed) {
            assertEquals(KvmError.ENOSYS, rejected(HypercallCodec.decode(HypercallExit.of(nr, 0, 0, 0, 0))).error());
        }
        for (int i = 0; i < ROUNDS; i++) {
            long nr = r.nextLong();
            if (nr >= HypercallNumbers.QUERY && nr <= HypercallNumbers.NOTIFY) {
                continue;
            }
            long[] args = {r.nextLong(), r.nextLong(), r.nextLong(), r.nextLong(), r.nextLong(), r.nextLong()};
            HypercallExit exit = new HypercallExit(nr, args, 0);
            assertEquals(KvmError.ENOSYS, rejected(HypercallCodec.decode(exit)).error(), () -> describe(seed) + exit);
        }
    }

    @Test
    void decodingArbitraryExitsNeverThrows() {
        long seed = Seeds.seed();
        SplittableRandom r = Seeds.random(seed);
        for (int i = 0; i < ROUNDS; i++) {
            long nr = HypercallNumbers.QUERY + r.nextInt(4);
            long[] args = new long[6];
            for (int a = 0; a < 6; a++) {
                args[a] = r.nextInt(4) == 0 ? 0 : r.nextInt(2) == 0 ? r.nextLong(16) : r.nextLong();
            }
            HypercallDecoding d = HypercallCodec.decode(new HypercallExit(nr, args, 0));
            if (d instanceof HypercallDecoding.Decoded) {
                // whatever decodes must encode back to the same registers
                assertArrayEquals(args, HypercallCodec.encode(((HypercallDecoding.Decoded) d).call()).args(),
                        describe(seed));
            }
        }
    }

    @Test
    void queryRules() {
        assertEquals(KvmError.EINVAL, reject(HypercallNumbers.QUERY, 3, 0, 0, 0));
        assertEquals(KvmError.EINVAL, reject(HypercallNumbers.QUERY, -1, 0, 0, 0));
        assertEquals(new Hypercall.Query(2), decoded(HypercallNumbers.QUERY, 2, 0, 0, 0));
    }

    @Test
    void attachRules() {
        long ok = 4096;
        assertEquals(KvmError.EINVAL, reject(HypercallNumbers.ATTACH, 0x1001, ok, 0x10000, 0), "GPA not aligned");
        assertEquals(KvmError.E2BIG, reject(HypercallNumbers.ATTACH, 0, MAX_REGION + 4096, 0x10000, 0));
        assertEquals(KvmError.E2BIG, reject(HypercallNumbers.ATTACH, 0, Long.MIN_VALUE, 0x10000, 0), "u64 >= 2^63");
        assertEquals(KvmError.EINVAL, reject(HypercallNumbers.ATTACH, 0, 0, 0x10000, 0), "size 0");
        assertEquals(KvmError.EINVAL, reject(HypercallNumbers.ATTACH, 0, 4097, 0x10000, 0), "size not 4096-multiple");
        assertEquals(KvmError.EINVAL, reject(HypercallNumbers.ATTACH, 0, ok, 1L << 32, 0), "a2 high bits");
        assertEquals(KvmError.EINVAL, reject(HypercallNumbers.ATTACH, 0, ok, 0x10000, 1L << 4), "undefined feature");
        assertEquals(new Hypercall.Attach(0x7000, MAX_REGION, 1, 0, 0xF),
                decoded(HypercallNumbers.ATTACH, 0x7000, MAX_REGION, 0x10000, 0xF));
    }

    @Test
    void detachRules() {
        assertEquals(KvmError.EINVAL, reject(HypercallNumbers.DETACH, 0, 0, 0, 0), "generation 0");
        assertEquals(KvmError.EINVAL, reject(HypercallNumbers.DETACH, 1L << 32, 0, 0, 0), "not a u32");
        assertEquals(new Hypercall.Detach(0xFFFF_FFFFL), decoded(HypercallNumbers.DETACH, 0xFFFF_FFFFL, 0, 0, 0));
    }

    @Test
    void notifyRules() {
        assertEquals(KvmError.EINVAL, reject(HypercallNumbers.NOTIFY, RegionLayout.MAX_SLOTS, 1, 0, 0), "slot range");
        assertEquals(KvmError.EINVAL, reject(HypercallNumbers.NOTIFY, -1, 1, 0, 0), "negative slot");
        assertEquals(KvmError.EINVAL, reject(HypercallNumbers.NOTIFY, 0, 0, 0, 0), "no flag");
        assertEquals(KvmError.EINVAL, reject(HypercallNumbers.NOTIFY, 0, 4, 0, 0), "undefined flag");
        assertEquals(new Hypercall.Notify(4095, 3), decoded(HypercallNumbers.NOTIFY, 4095, 3, 0, 0));
    }

    @Test
    void encodeRefusesCallsTheAbiCannotCarry() {
        assertThrows(IllegalArgumentException.class, () -> HypercallCodec.encode(new Hypercall.Notify(-1, 1)));
        assertThrows(IllegalArgumentException.class, () -> HypercallCodec.encode(new Hypercall.Notify(0, 8)));
        assertThrows(IllegalArgumentException.class,
                () -> HypercallCodec.encode(new Hypercall.Attach(0, 4096, 1, 0x10000, 0)), "minor overflows");
        assertThrows(IllegalArgumentException.class,
                () -> HypercallCodec.encode(new Hypercall.Attach(0, 4096, 1, -1, 0)), "negative minor");
        assertThrows(IllegalArgumentException.class, () -> HypercallCodec.encode(new Hypercall.Query(7)));
        assertThrows(IllegalArgumentException.class, () -> HypercallCodec.encode(new Hypercall.Detach(0)));
    }

    @Test
    void errorsAreReturnedNegatedInRax() {
        assertEquals(-1000, KvmError.ENOSYS.ret());
        assertEquals(-22, KvmError.EINVAL.ret());
        assertEquals(-1, KvmError.EPERM.ret());
        for (KvmError e : KvmError.values()) {
            assertEquals(e, KvmError.fromRet(e.ret()));
        }
        assertEquals(null, KvmError.fromRet(0));
        assertEquals(null, KvmError.fromRet(-2));
    }

    @Test
    void exitViewHasSixArguments() {
        assertThrows(IllegalArgumentException.class, () -> new HypercallExit(1, new long[4], 0));
        HypercallExit e = HypercallExit.of(HypercallNumbers.QUERY, 0, 0, 0, 0).withRet(KvmError.EINVAL.ret());
        assertEquals(-22, e.ret());
        assertEquals(6, e.args().length);
    }

    private static KvmError reject(long nr, long a0, long a1, long a2, long a3) {
        return rejected(HypercallCodec.decode(HypercallExit.of(nr, a0, a1, a2, a3))).error();
    }

    private static Hypercall decoded(long nr, long a0, long a1, long a2, long a3) {
        HypercallDecoding d = HypercallCodec.decode(HypercallExit.of(nr, a0, a1, a2, a3));
        return assertInstanceOf(HypercallDecoding.Decoded.class, d, d::toString).call();
    }

    private static HypercallDecoding.Rejected rejected(HypercallDecoding d) {
        return assertInstanceOf(HypercallDecoding.Rejected.class, d, d::toString);
    }
}
