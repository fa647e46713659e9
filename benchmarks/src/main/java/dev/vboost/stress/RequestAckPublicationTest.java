package dev.vboost.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.vboost.api.GuestSlotSnapshot;
import dev.vboost.api.HostSlotSnapshot;
import dev.vboost.api.ReadStatus;
import dev.vboost.api.memory.SharedMemory;
import dev.vboost.api.wire.BoostReason;
import dev.vboost.api.wire.DenialReason;
import dev.vboost.api.wire.SchedPolicy;
import dev.vboost.api.wire.SlotStatus;
import dev.vboost.impl.line.GuestRequestReader;
import dev.vboost.impl.line.GuestRequestWriter;
import dev.vboost.impl.line.HostStateReader;
import dev.vboost.impl.line.HostStateWriter;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;

/**
 * Request and acknowledgement publication (spec §5.3 G1..G3) with the real line classes: the guest publishes
 * request 1 (FIFO 10) and then reads the host line once, as a vCPU checking for its answer; the host, if its
 * read shows request 1, publishes BOOSTED with that priority and acted_request_id 1. (Two actors: the test
 * machines have two CPUs.) Result: host acted (1/0), then what the guest saw: acted_request_id, status code,
 * priority.
 * An acknowledgement seen without its state (status and priority of the same publication), or a state built
 * from a torn request, is FORBIDDEN.
 */
@JCStressTest
@Description("Guest request, host acknowledgement, guest read-back; real seqlock writers and readers.")
@Outcome(id = {"0, 0, 1, 0", "1, 0, 1, 0"}, expect = ACCEPTABLE, desc = "guest read before the acknowledgement")
@Outcome(id = "1, 1, 2, 10", expect = ACCEPTABLE, desc = "acknowledgement seen with its state")
@Outcome(id = {"0, -1, -1, -1", "1, -1, -1, -1"}, expect = ACCEPTABLE_INTERESTING, desc = "guest read: BUSY")
@Outcome(expect = FORBIDDEN, desc = "acknowledgement without its state, or state from a torn request")
@State
public class RequestAckPublicationTest {
    private final GuestRequestWriter guestWriter;
    private final GuestRequestReader hostSideReader;
    private final HostStateWriter hostWriter;
    private final HostStateReader guestSideReader;
    private final GuestSlotSnapshot request = new GuestSlotSnapshot();
    private final HostSlotSnapshot seen = new HostSlotSnapshot();

    public RequestAckPublicationTest() {
        SharedMemory memory = StressMemory.oneSlotRegion();
        guestWriter = new GuestRequestWriter(memory, 0);
        guestWriter.claim();
        hostSideReader = new GuestRequestReader(memory, 0);
        hostWriter = new HostStateWriter(memory, 0);
        hostWriter.reset(0);                                   // NORMAL, nothing acted on (fresh guest line)
        guestSideReader = new HostStateReader(memory, 0);
    }

    @Actor
    public void guest(IIII_Result r) {
        guestWriter.boost(SchedPolicy.FIFO.code(), 10, 0, BoostReason.RT_TASK.bit());
        ReadStatus status = guestSideReader.read(seen);
        if (status == ReadStatus.OK) {
            r.r2 = (int) seen.actedRequestId();
            r.r3 = seen.statusCode();
            r.r4 = seen.priority();
        } else {
            int code = status == ReadStatus.BUSY ? -1 : -2;    // -2 (INVALID) is forbidden
            r.r2 = code;
            r.r3 = code;
            r.r4 = code;
        }
    }

    @Actor
    public void host(IIII_Result r) {
        ReadStatus status = hostSideReader.read(request);
        if (status == ReadStatus.OK && request.requestId() == 1) {
            hostWriter.publish(SlotStatus.BOOSTED.code(), request.policyCode(), request.priority(),
                    DenialReason.NONE.code(), 0, 1000, request.requestId(), 0L);
            r.r1 = 1;
        } else {
            r.r1 = status == ReadStatus.INVALID ? -2 : 0;      // INVALID: a torn copy slipped through
        }
    }
}
