package dev.vboost.api.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.vboost.api.hypercall.HypercallCodec;
import dev.vboost.api.hypercall.HypercallDecoding;
import dev.vboost.api.hypercall.HypercallExit;
import dev.vboost.api.hypercall.HypercallNumbers;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Fuzzes the decoder of guest-written hypercall registers (spec §7). The input is the raw
 * {@code kvm_run.hypercall} view, little-endian: {@code nr}, then {@code args[0..5]}, 8 bytes each; missing
 * bytes read as zero. Saved inputs under {@code HypercallCodecFuzzTestInputs/} replay in every build.
 *
 * <p>Invariants on every input: decoding never throws; a rejection carries a negative KVM return code and a
 * reason; an accepted call re-encodes to exactly the registers it came from (nothing the guest wrote is
 * dropped or invented) and decodes again to the same call.
 */
class HypercallCodecFuzzTest {

    private static final int WORDS = 1 + HypercallNumbers.EXIT_ARG_COUNT;

    @FuzzTest(maxDuration = "60s")
    void decode(FuzzedDataProvider data) {
        HypercallExit exit = exitFrom(data.consumeRemainingAsBytes());
        HypercallDecoding result = HypercallCodec.decode(exit);
        if (result instanceof HypercallDecoding.Rejected) {
            HypercallDecoding.Rejected r = (HypercallDecoding.Rejected) result;
            assertTrue(r.error().ret() < 0, () -> "error return must be negative: " + r);
            assertFalse(r.why().isEmpty(), "a rejection says why");
        } else if (result instanceof HypercallDecoding.Decoded) {
            HypercallDecoding.Decoded d = (HypercallDecoding.Decoded) result;
            HypercallExit again = HypercallCodec.encode(d.call());
            assertEquals(exit.withRet(0), again, "accepted call must re-encode to its own registers");
            assertEquals(result, HypercallCodec.decode(again), "decode(encode(call)) == call");
        } else {
            fail("unexpected decoding " + result);
        }
    }

    /** Builds the exit from little-endian words; bytes past the input read as zero. */
    static HypercallExit exitFrom(byte[] raw) {
        ByteBuffer b = ByteBuffer.allocate(WORDS * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.put(raw, 0, Math.min(raw.length, b.capacity()));   // the rest stays zero
        long nr = b.getLong(0);
        long[] args = new long[HypercallNumbers.EXIT_ARG_COUNT];
        for (int i = 0; i < args.length; i++) {
            args[i] = b.getLong((i + 1) * Long.BYTES);
        }
        return new HypercallExit(nr, args, 0);
    }
}
