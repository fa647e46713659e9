package dev.vboost.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.vboost.api.GuestSlotSnapshot;
import dev.vboost.api.ReadStatus;
import dev.vboost.api.wire.BoostReason;
import dev.vboost.api.wire.SchedPolicy;
import dev.vboost.impl.line.GuestRequestReader;
import dev.vboost.impl.line.GuestRequestWriter;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;

/**
 * The real guest-line seqlock: {@link GuestRequestWriter} publishes two requests while the host's
 * {@link GuestRequestReader} takes one bounded read. Result: request id, priority / 10, reason bits, policy;
 * every field of version v maps to v, so an accepted torn copy shows mixed numbers.
 */
@JCStressTest
@Description("GuestRequestWriter (W1..W4) against GuestRequestReader (R1..R5) on the default backend.")
@Outcome(id = "0, 0, 0, 0", expect = ACCEPTABLE, desc = "the line as claimed at attach")
@Outcome(id = "1, 1, 1, 1", expect = ACCEPTABLE, desc = "request 1 (FIFO 10, RT_TASK)")
@Outcome(id = "2, 2, 2, 2", expect = ACCEPTABLE, desc = "request 2 (RR 20, IRQ)")
@Outcome(id = "-1, -1, -1, -1", expect = ACCEPTABLE_INTERESTING, desc = "BUSY for all 64 attempts")
@Outcome(expect = FORBIDDEN, desc = "torn or invalid copy reported OK, or INVALID for a valid line")
@State
public class GuestLineSeqlockTest {
    private final GuestRequestWriter writer;
    private final GuestRequestReader reader;
    private final GuestSlotSnapshot copy = new GuestSlotSnapshot();

    public GuestLineSeqlockTest() {
        var memory = StressMemory.oneSlotRegion();
        writer = new GuestRequestWriter(memory, 0);
        writer.claim();
        reader = new GuestRequestReader(memory, 0);
    }

    @Actor
    public void guest() {
        writer.boost(SchedPolicy.FIFO.code(), 10, 0, BoostReason.RT_TASK.bit());
        writer.boost(SchedPolicy.RR.code(), 20, 0, BoostReason.IRQ.bit());
    }

    @Actor
    public void host(IIII_Result r) {
        ReadStatus status = reader.read(copy);
        if (status == ReadStatus.BUSY) {
            r.r1 = -1;
            r.r2 = -1;
            r.r3 = -1;
            r.r4 = -1;
        } else if (status == ReadStatus.INVALID) {
            r.r1 = -2;
            r.r2 = copy.error().ordinal();
            r.r3 = -2;
            r.r4 = -2;
        } else {
            r.r1 = (int) copy.requestId();
            r.r2 = copy.priority() / 10;
            r.r3 = copy.reasons();
            r.r4 = copy.policyCode();
        }
    }
}
