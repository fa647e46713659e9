package dev.vboost.impl.lincheck;

import org.jetbrains.kotlinx.lincheck.LinCheckerKt;
import org.jetbrains.kotlinx.lincheck.strategy.managed.modelchecking.ModelCheckingOptions;
import org.jetbrains.kotlinx.lincheck.strategy.stress.StressOptions;
import org.junit.jupiter.api.Assumptions;
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
public class HandshakeLincheckTest {
    /**
     * Scenarios per mode, kept small for the default build (model checking instruments the JDK's buffer
     * code and is slow); {@code -Dvboost.lincheck.iterations=...} raises it for a longer run.
     */
    static final int ITERATIONS = Integer.getInteger("vboost.lincheck.iterations", 3);
    /** Interleavings explored per model-checking scenario; {@code -Dvboost.lincheck.invocations=...} raises it. */
    static final int INVOCATIONS = Integer.getInteger("vboost.lincheck.invocations", 50);

    /** The scenario class Lincheck instantiates; another backend's subclass returns its own. */
    protected Class<? extends HandshakeScenario> scenario() {
        return HandshakeScenario.class;
    }

    /** Model-checking options a backend may add to (for example, which of its classes act as one atomic step). */
    protected ModelCheckingOptions modelCheckingOptions() {
        return new ModelCheckingOptions();
    }

    /**
     * Model checking runs on JDK 17 to 24 (CI's first pass is JDK 17). On JDK 25, Lincheck 2.39's managed
     * strategy slows down inside the JDK's byte-buffer VarHandles until it reports the (bounded) seqlock read
     * as hung, and Lincheck 3.x rejects those VarHandles outright ("Unsupported VarHandle type"); stress mode
     * below still runs there.
     */
    @Test
    void modelChecking() {
        Assumptions.assumeTrue(Runtime.version().feature() < 25,
                "Lincheck 2.39 model checking cannot instrument byte-buffer VarHandles on JDK 25; runs on JDK 17");
        LinCheckerKt.check(modelCheckingOptions()
                .iterations(ITERATIONS)
                .invocationsPerIteration(INVOCATIONS)
                .threads(2)
                .actorsPerThread(3)
                .actorsBefore(1)
                .actorsAfter(1)
                .sequentialSpecification(HandshakeModel.class), scenario());
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
                .sequentialSpecification(HandshakeModel.class), scenario());
    }
}
