package dev.vboost.impl.lincheck;

import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.vboost.api.wire.DenialReason;
import dev.vboost.api.wire.SchedPolicy;
import dev.vboost.api.wire.SlotStatus;
import org.jetbrains.kotlinx.lincheck.LinCheckerKt;
import org.jetbrains.kotlinx.lincheck.annotations.Operation;
import org.jetbrains.kotlinx.lincheck.strategy.stress.StressOptions;
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
        assertThrows(AssertionError.class, () -> LinCheckerKt.check(new StressOptions()
                .iterations(50)
                .invocationsPerIteration(50)
                .threads(2)
                .actorsPerThread(3)
                .actorsBefore(2)
                .actorsAfter(2)
                .sequentialSpecification(HandshakeModel.class), OffByOneHost.class));
    }
}
