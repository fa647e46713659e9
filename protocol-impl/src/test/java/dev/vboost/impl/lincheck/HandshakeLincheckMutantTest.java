package dev.vboost.impl.lincheck;

import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.vboost.api.wire.DenialReason;
import dev.vboost.api.wire.SchedPolicy;
import dev.vboost.api.wire.SlotStatus;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.junit.jupiter.api.Test;

/**
 * Shows the Lincheck set-up can fail: a host that claims to have acted on one request more than it read must
 * be reported as not linearizable against {@link HandshakeModel}: the check is not vacuous.
 */
class HandshakeLincheckMutantTest {

    /** The mutant: publishes acted = seen + 1. */
    public static class OffByOneHost extends HandshakeScenario {
        @Override
        @Operation(nonParallelGroup = "host")
        public void hostActs() {
            toPublish.set(seenBoost ? SlotStatus.BOOSTED : SlotStatus.NORMAL,
                    seenBoost ? SchedPolicy.FIFO : SchedPolicy.NORMAL, seenBoost ? 1 : 0, DenialReason.NONE, 0, 0,
                    seenId + 1, hostBoostId);
            host.publishState(0, toPublish);
        }
    }

    @Test
    void anOffByOneHostIsCaught() {
        assertThrows(AssertionError.class, () -> new StressOptions()
                .iterations(20)
                .invocationsPerIteration(50)
                .threads(2)
                .actorsPerThread(3)
                .actorsBefore(2)
                .actorsAfter(2)
                .minimizeFailedScenario(false)     // the failure is the point; shrinking it only costs time
                .sequentialSpecification(HandshakeModel.class)
                .check(OffByOneHost.class));
    }
}
