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
 * DELIBERATELY BROKEN: the reader skips R4 and R5 (no re-check of the counter), so a copy taken while the
 * writer is between W1 and W4 is accepted. jcstress must report the FORBIDDEN torn outcomes; run-jcstress.sh
 * fails if it does not. Never part of the default test selection.
 */
@JCStressTest
@Description("Broken on purpose: seqlock reader without the R5 re-check.")
@Outcome(id = "0, 0, 0, 0", expect = ACCEPTABLE, desc = "consistent copy of version 0")
@Outcome(id = "1, 1, 1, 1", expect = ACCEPTABLE, desc = "consistent copy of version 1")
@Outcome(id = "2, 2, 2, 2", expect = ACCEPTABLE, desc = "consistent copy of version 2")
@Outcome(id = "-1, -1, -1, -1", expect = ACCEPTABLE_INTERESTING, desc = "writer active: copy rejected")
@Outcome(expect = FORBIDDEN, desc = "torn copy accepted")
@State
public class NoRecheckSeqlockTest {
    private static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private final ByteBuffer line = SpecSeqlock.newLine();

    @Actor
    public void writer() {
        int seq = SpecSeqlock.write(line, 0, 1);
        SpecSeqlock.write(line, seq, 2);
    }

    @Actor
    public void reader(IIII_Result r) {
        final int s1 = (int) INT.getAcquire(line, 0);
        if ((s1 & 1) != 0) {
            SpecSeqlock.reject(r);
            return;
        }
        r.r1 = line.get(4);
        r.r2 = (int) INT.get(line, 8);
        r.r3 = (int) (long) LONG.get(line, 16);
        r.r4 = (int) (long) LONG.get(line, 24);
        // BUG: R4 (acquire fence) and R5 (counter re-check) are missing
    }
}
