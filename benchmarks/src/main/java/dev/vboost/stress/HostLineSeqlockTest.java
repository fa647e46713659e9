package dev.vboost.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.vboost.api.HostSlotSnapshot;
import dev.vboost.api.ReadStatus;
import dev.vboost.api.wire.DenialReason;
import dev.vboost.api.wire.SchedPolicy;
import dev.vboost.api.wire.SlotStatus;
import dev.vboost.impl.line.HostStateReader;
import dev.vboost.impl.line.HostStateWriter;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;

/**
 * The real host-line seqlock: {@link HostStateWriter} publishes two states while the guest's
 * {@link HostStateReader} takes one bounded read. Result: acted request id, priority / 10,
 * budget / 1000, host boost id; every field of version v maps to v.
 */
@JCStressTest
@Description("HostStateWriter (W1..W4) against HostStateReader (R1..R5) on the default backend.")
@Outcome(id = "0, 0, 0, 0", expect = ACCEPTABLE, desc = "the line as reset by the host")
@Outcome(id = "1, 1, 1, 1", expect = ACCEPTABLE, desc = "state 1")
@Outcome(id = "2, 2, 2, 2", expect = ACCEPTABLE, desc = "state 2")
@Outcome(id = "-1, -1, -1, -1", expect = ACCEPTABLE_INTERESTING, desc = "BUSY for all 64 attempts")
@Outcome(expect = FORBIDDEN, desc = "torn or invalid copy reported OK, or INVALID for a valid line")
@State
public class HostLineSeqlockTest {
    private final HostStateWriter writer;
    private final HostStateReader reader;
    private final HostSlotSnapshot copy = new HostSlotSnapshot();

    public HostLineSeqlockTest() {
        var memory = StressMemory.oneSlotRegion();
        writer = new HostStateWriter(memory, 0);
        writer.reset(0);                                       // fresh memory: no guest id to take over
        reader = new HostStateReader(memory, 0);
    }

    @Actor
    public void host() {
        writer.publish(SlotStatus.BOOSTED.code(), SchedPolicy.FIFO.code(), 10, DenialReason.NONE.code(), 0, 1000, 1L, 1L);
        writer.publish(SlotStatus.BOOSTED.code(), SchedPolicy.RR.code(), 20, DenialReason.NONE.code(), 0, 2000, 2L, 2L);
    }

    @Actor
    public void guest(IIII_Result r) {
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
            r.r1 = (int) copy.actedRequestId();
            r.r2 = copy.priority() / 10;
            r.r3 = copy.budgetRemainingUs() / 1000;
            r.r4 = (int) copy.hostBoostId();
        }
    }
}
