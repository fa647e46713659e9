package dev.vboost.agent.hypercall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vboost.api.hypercall.HypercallExit;
import dev.vboost.api.hypercall.HypercallNumbers;
import dev.vboost.api.hypercall.KvmError;
import dev.vboost.api.layout.RegionLayout;
import dev.vboost.api.wire.Feature;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Every hypercall and every error case of the dispatcher (spec §7). */
class HypercallDispatcherTest {
    private static final long GPA = 0x1_0000_0000L;
    private static final int SLOTS = 4;
    private static final long SIZE = RegionLayout.regionSize(SLOTS);
    private static final long ABI = (long) RegionLayout.ABI_MAJOR << 16 | RegionLayout.ABI_MINOR;

    private final FakeTarget target = new FakeTarget(SLOTS, GPA, SIZE);
    private final HypercallDispatcher dispatcher = new HypercallDispatcher(target);

    private HypercallDispatcher.Result call(long nr, long a0, long a1, long a2, long a3) {
        return dispatcher.dispatch(HypercallExit.of(nr, a0, a1, a2, a3));
    }

    private void assertError(KvmError expected, HypercallDispatcher.Result r) {
        assertEquals(expected, r.error(), r.detail());
        assertEquals(-expected.code(), r.ret());
    }

    @Test
    void query() {
        assertEquals(ABI, call(HypercallNumbers.QUERY, 0, 0, 0, 0).ret());
        assertEquals(0xF, call(HypercallNumbers.QUERY, 1, 0, 0, 0).ret());
        assertEquals(SLOTS, call(HypercallNumbers.QUERY, 2, 0, 0, 0).ret());
        assertError(KvmError.EINVAL, call(HypercallNumbers.QUERY, 3, 0, 0, 0));
        assertError(KvmError.EINVAL, call(HypercallNumbers.QUERY, -1, 0, 0, 0));
        assertError(KvmError.EINVAL, call(HypercallNumbers.QUERY, 0, 1, 0, 0));
        assertError(KvmError.EINVAL, call(HypercallNumbers.QUERY, 0, 0, 0, 1));
        target.generation = 0;
        assertError(KvmError.EOPNOTSUPP, call(HypercallNumbers.QUERY, 0, 0, 0, 0));
    }

    @Test
    void reservedExitArgumentsMustBeZero() {
        HypercallExit e = new HypercallExit(HypercallNumbers.QUERY, new long[] {0, 0, 0, 0, 0, 1}, 0);
        assertError(KvmError.EINVAL, dispatcher.dispatch(e));
        HypercallExit e4 = new HypercallExit(HypercallNumbers.NOTIFY, new long[] {0, 1, 0, 0, 7, 0}, 0);
        assertError(KvmError.EINVAL, dispatcher.dispatch(e4));
        assertTrue(target.calls().isEmpty());
    }

    @Test
    void attach() {
        HypercallDispatcher.Result ok = call(HypercallNumbers.ATTACH, GPA, SIZE, ABI, 0x5);
        assertNull(ok.error(), ok.detail());
        assertEquals(5, ok.ret(), "ATTACH returns the host generation");
        assertEquals(List.of("attached 5"), target.calls());
        assertError(KvmError.EINVAL, call(HypercallNumbers.ATTACH, GPA + 8, SIZE, ABI, 0));
        assertError(KvmError.EFAULT, call(HypercallNumbers.ATTACH, GPA + 4096, SIZE, ABI, 0));
        assertError(KvmError.E2BIG, call(HypercallNumbers.ATTACH, GPA, RegionLayout.regionSize(RegionLayout.MAX_SLOTS) + 4096, ABI, 0));
        assertError(KvmError.E2BIG, call(HypercallNumbers.ATTACH, GPA, -4096, ABI, 0));
        assertError(KvmError.EINVAL, call(HypercallNumbers.ATTACH, GPA, SIZE + 1, ABI, 0));
        assertError(KvmError.EINVAL, call(HypercallNumbers.ATTACH, GPA, 0, ABI, 0));
        assertError(KvmError.EINVAL, call(HypercallNumbers.ATTACH, GPA, SIZE + 4096, ABI, 0));
        assertError(KvmError.EOPNOTSUPP, call(HypercallNumbers.ATTACH, GPA, SIZE, 2L << 16, 0));
        assertError(KvmError.EINVAL, call(HypercallNumbers.ATTACH, GPA, SIZE, ABI | 1L << 32, 0));
        assertError(KvmError.EINVAL, call(HypercallNumbers.ATTACH, GPA, SIZE, ABI, 1L << 4));
        target.features = Feature.HOST_BOOST.bit();
        assertError(KvmError.EINVAL, call(HypercallNumbers.ATTACH, GPA, SIZE, ABI, Feature.NICE_HINTS.bit()));
        target.generation = 0;
        assertError(KvmError.EOPNOTSUPP, call(HypercallNumbers.ATTACH, GPA, SIZE, ABI, 0));
        assertEquals(1, target.calls().size(), "failed calls change nothing");
    }

    @Test
    void detach() {
        assertEquals(0, call(HypercallNumbers.DETACH, 5, 0, 0, 0).ret());
        assertEquals(List.of("detached"), target.calls());
        assertError(KvmError.EINVAL, call(HypercallNumbers.DETACH, 4, 0, 0, 0));
        assertError(KvmError.EINVAL, call(HypercallNumbers.DETACH, 0, 0, 0, 0));
        assertError(KvmError.EINVAL, call(HypercallNumbers.DETACH, 5 | 1L << 32, 0, 0, 0));
        assertError(KvmError.EINVAL, call(HypercallNumbers.DETACH, 5, 0, 1, 0));
        assertEquals(1, target.calls().size());
    }

    @Test
    void notifyCall() {
        assertEquals(0, call(HypercallNumbers.NOTIFY, 3, 1, 0, 0).ret());
        assertEquals(0, call(HypercallNumbers.NOTIFY, 0, 3, 0, 0).ret());
        assertEquals(List.of("notify 3 1", "notify 0 3"), target.calls());
        assertError(KvmError.EINVAL, call(HypercallNumbers.NOTIFY, SLOTS, 1, 0, 0));
        assertError(KvmError.EINVAL, call(HypercallNumbers.NOTIFY, RegionLayout.MAX_SLOTS, 1, 0, 0));
        assertError(KvmError.EINVAL, call(HypercallNumbers.NOTIFY, -1, 1, 0, 0));
        assertError(KvmError.EINVAL, call(HypercallNumbers.NOTIFY, 0, 0, 0, 0));
        assertError(KvmError.EINVAL, call(HypercallNumbers.NOTIFY, 0, 4, 0, 0));
        assertError(KvmError.EINVAL, call(HypercallNumbers.NOTIFY, 0, 1, 1, 0));
        target.features = Feature.NOTIFY_HYPERCALL.bit();
        assertError(KvmError.EOPNOTSUPP, call(HypercallNumbers.NOTIFY, 0, HypercallNumbers.NOTIFY_HOST_BOOST_ACK, 0, 0));
        target.features = Feature.HOST_BOOST.bit();
        assertError(KvmError.EOPNOTSUPP, call(HypercallNumbers.NOTIFY, 0, 1, 0, 0));
        assertEquals(2, target.calls().size());
    }

    @Test
    void unknownNumbersAreEnosys() {
        for (long nr : new long[] {0, 1, 12, HypercallNumbers.BASE, HypercallNumbers.BASE + 5, -1, Long.MIN_VALUE}) {
            HypercallDispatcher.Result r = call(nr, 0, 0, 0, 0);
            assertEquals(-1000, r.ret(), "nr 0x" + Long.toHexString(nr));
            assertEquals(KvmError.ENOSYS, r.error());
        }
    }

    @Test
    void completeFillsRet() {
        HypercallExit done = dispatcher.complete(HypercallExit.of(HypercallNumbers.QUERY, 2, 0, 0, 0));
        assertEquals(SLOTS, done.ret());
        assertEquals(HypercallNumbers.QUERY, done.nr());
    }

    /** Random exits never throw and always answer a success or one of the KVM codes. */
    @Test
    void randomExitsNeverThrow() {
        long seed = Long.getLong("vboost.seed", System.nanoTime());
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < 20_000; i++) {
            long nr = r.nextInt(3) == 0 ? r.nextLong() : HypercallNumbers.BASE + r.nextInt(6);
            long[] args = new long[6];
            for (int k = 0; k < 6; k++) {
                int pick = r.nextInt(4);
                args[k] = k >= 4 && r.nextInt(8) != 0 ? 0 : pick == 0 ? 0 : pick == 1 ? r.nextInt(8) : pick == 2 ? GPA : r.nextLong();
            }
            HypercallDispatcher.Result res = dispatcher.dispatch(new HypercallExit(nr, args, 0));
            if (res.ret() < 0) {
                assertEquals(KvmError.fromRet(res.ret()), res.error(), "seed " + seed + ": " + res);
            } else {
                assertNull(res.error(), "seed " + seed);
            }
        }
    }
}
