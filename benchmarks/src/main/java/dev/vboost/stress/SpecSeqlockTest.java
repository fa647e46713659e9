package dev.vboost.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.nio.ByteBuffer;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;

/** The spec's seqlock steps (§4.2, §4.3) as written, on raw VarHandles: no torn copy is ever accepted. */
@JCStressTest
@Description("Spec seqlock model: a writer publishes versions 1 and 2 while a reader takes one copy.")
@Outcome(id = "0, 0, 0, 0", expect = ACCEPTABLE, desc = "consistent copy of version 0")
@Outcome(id = "1, 1, 1, 1", expect = ACCEPTABLE, desc = "consistent copy of version 1")
@Outcome(id = "2, 2, 2, 2", expect = ACCEPTABLE, desc = "consistent copy of version 2")
@Outcome(id = "-1, -1, -1, -1", expect = ACCEPTABLE_INTERESTING, desc = "writer active: copy rejected, reader retries")
@Outcome(expect = FORBIDDEN, desc = "torn copy accepted")
@State
public class SpecSeqlockTest {
    private final ByteBuffer line = SpecSeqlock.newLine();

    @Actor
    public void writer() {
        int seq = SpecSeqlock.write(line, 0, 1);
        SpecSeqlock.write(line, seq, 2);
    }

    @Actor
    public void reader(IIII_Result r) {
        SpecSeqlock.readOnce(line, r);
    }
}
