package dev.vboost.impl.lincheck;

import org.jetbrains.kotlinx.lincheck.LinCheckerKt;
import org.jetbrains.kotlinx.lincheck.strategy.managed.modelchecking.ModelCheckingOptions;
import org.jetbrains.kotlinx.lincheck.strategy.stress.StressOptions;
import org.junit.jupiter.api.Test;

/**
 * Generated concurrent scenarios over the guest and host endpoints of one slot ({@link HandshakeScenario}),
 * checked by Lincheck for linearizability against the sequential specification {@link HandshakeModel}, in
 * model-checking and in stress mode. Guest operations run in one thread (a vCPU owns its slot), host
 * operations in another (one host thread per endpoint), as the role interfaces require.
 *
 * <p>Lincheck assumes sequential consistency: it finds interleaving bugs in the handshake, not missing
 * fences; those are covered by the step tests and the threaded handshake test.
 */
class HandshakeLincheckTest {
    /**
     * Scenarios per mode, kept small for the default build (model checking instruments the JDK's buffer
     * code and is slow); {@code -Dvboost.lincheck.iterations=...} raises it for a longer run.
     */
    static final int ITERATIONS = Integer.getInteger("vboost.lincheck.iterations", 5);

    @Test
    void modelChecking() {
        LinCheckerKt.check(new ModelCheckingOptions()
                .iterations(ITERATIONS)
                .invocationsPerIteration(100)
                .threads(2)
                .actorsPerThread(3)
                .actorsBefore(1)
                .actorsAfter(1)
                .sequentialSpecification(HandshakeModel.class), HandshakeScenario.class);
    }

    @Test
    void stress() {
        LinCheckerKt.check(new StressOptions()
                .iterations(2 * ITERATIONS)
                .invocationsPerIteration(200)
                .threads(2)
                .actorsPerThread(3)
                .actorsBefore(1)
                .actorsAfter(1)
                .sequentialSpecification(HandshakeModel.class), HandshakeScenario.class);
    }
}
