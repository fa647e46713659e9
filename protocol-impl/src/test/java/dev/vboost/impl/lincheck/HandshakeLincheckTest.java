package dev.vboost.impl.lincheck;

import dev.vboost.impl.memory.ByteBufferSharedMemory;
import org.jetbrains.lincheck.datastructures.ManagedStrategyGuaranteeKt;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.StressOptions;
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

    /**
     * Model-checking options a backend may add to (for example, which of its classes act as one atomic step).
     * Each {@link ByteBufferSharedMemory} access is one step of the model: Lincheck 3.x does not model the
     * JDK's byte-buffer VarHandles ("Unsupported VarHandle type"), and one access is one memory operation
     * anyway, which is all a sequentially consistent model distinguishes.
     */
    protected ModelCheckingOptions modelCheckingOptions() {
        return new ModelCheckingOptions().addGuarantee(ManagedStrategyGuaranteeKt
                .forClasses(ByteBufferSharedMemory.class.getName()).allMethods().treatAsAtomic());
    }

    /** Model checking runs on every JDK the build supports (CI runs it on 17 and 25). */
    @Test
    void modelChecking() {
        modelCheckingOptions()
                .iterations(ITERATIONS)
                .invocationsPerIteration(INVOCATIONS)
                .threads(2)
                .actorsPerThread(3)
                .actorsBefore(1)
                .actorsAfter(1)
                .sequentialSpecification(HandshakeModel.class)
                .check(scenario());
    }

    @Test
    void stress() {
        new StressOptions()
                .iterations(2 * ITERATIONS)
                .invocationsPerIteration(200)
                .threads(2)
                .actorsPerThread(3)
                .actorsBefore(1)
                .actorsAfter(1)
                .sequentialSpecification(HandshakeModel.class)
                .check(scenario());
    }
}
