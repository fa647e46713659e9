package dev.vboost.stress.broken;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.vboost.api.layout.HostSlotLayout;
import dev.vboost.api.layout.RegionLayout;
import dev.vboost.api.wire.SchedPolicy;
import dev.vboost.api.wire.SlotStatus;
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
 * DELIBERATELY BROKEN: the host acknowledges request 1 without the seqlock, storing acted_request_id first
 * and the state after it, and the guest reads the host line without the seqlock. A guest can then see the
 * acknowledgement without its state, the outcome {@code RequestAckPublicationTest} forbids; jcstress must
 * report it here.
 */
@JCStressTest
@Description("Broken on purpose: acknowledgement published before its state, read without the seqlock.")
@Outcome(id = "0, 0, 0, 0", expect = ACCEPTABLE, desc = "nothing acted on yet")
@Outcome(id = "1, 2, 10, 1", expect = ACCEPTABLE, desc = "acknowledgement seen with its state")
@Outcome(expect = FORBIDDEN, desc = "acknowledgement without its state (or state without acknowledgement)")
@State
public class AckBeforeStateTest {
    private static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private final ByteBuffer line = ByteBuffer.allocateDirect(RegionLayout.LINE_SIZE).order(ByteOrder.LITTLE_ENDIAN);

    @Actor
    public void host() {
        // BUG: no W1/W4 around the stores, and the acknowledgement goes first
        LONG.set(line, HostSlotLayout.ACTED_REQUEST_ID_OFFSET, 1L);
        line.put(HostSlotLayout.STATUS_OFFSET, (byte) SlotStatus.BOOSTED.code());
        line.put(HostSlotLayout.POLICY_OFFSET, (byte) SchedPolicy.FIFO.code());
        line.put(HostSlotLayout.PRIORITY_OFFSET, (byte) 10);
        INT.set(line, HostSlotLayout.BUDGET_REMAINING_US_OFFSET, 1000);
    }

    @Actor
    public void guest(IIII_Result r) {
        // BUG: plain reads with no R1..R5 around them
        r.r1 = (int) (long) LONG.get(line, HostSlotLayout.ACTED_REQUEST_ID_OFFSET);
        r.r2 = line.get(HostSlotLayout.STATUS_OFFSET);
        r.r3 = line.get(HostSlotLayout.PRIORITY_OFFSET);
        r.r4 = (int) INT.get(line, HostSlotLayout.BUDGET_REMAINING_US_OFFSET) / 1000;
    }
}
