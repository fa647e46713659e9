package dev.vboost.stress.broken;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.vboost.stress.SpecSeqlock;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;

/**
 * DELIBERATELY BROKEN: the writer skips W1 (no odd counter before the data), so a reader whose R1 and R5
 * both land before W4 accepts a half-written line. jcstress must report FORBIDDEN outcomes.
 */
@JCStressTest
@Description("Broken on purpose: seqlock writer without the odd count of W1.")
@Outcome(id = "0, 0, 0, 0", expect = ACCEPTABLE, desc = "consistent copy of version 0")
@Outcome(id = "1, 1, 1, 1", expect = ACCEPTABLE, desc = "consistent copy of version 1")
@Outcome(id = "2, 2, 2, 2", expect = ACCEPTABLE, desc = "consistent copy of version 2")
@Outcome(id = "-1, -1, -1, -1", expect = ACCEPTABLE_INTERESTING, desc = "copy rejected")
@Outcome(expect = FORBIDDEN, desc = "torn copy accepted")
@State
public class NoOddCountSeqlockTest {
    private static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private final ByteBuffer line = SpecSeqlock.newLine();

    private void write(int seq, int v) {
        // BUG: W1 (odd counter, then store-store fence) is missing
        line.put(4, (byte) v);
        INT.set(line, 8, v);
        LONG.set(line, 16, (long) v);
        LONG.set(line, 24, (long) v);
        INT.setRelease(line, 0, seq + 2);
    }

    @Actor
    public void writer() {
        write(0, 1);
        write(2, 2);
    }

    @Actor
    public void reader(IIII_Result r) {
        SpecSeqlock.readOnce(line, r);
    }
}
