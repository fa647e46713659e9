package dev.vboost.chronicle;

import dev.vboost.impl.lincheck.HandshakeLincheckTest;
import dev.vboost.impl.lincheck.HandshakeScenario;
import org.jetbrains.lincheck.datastructures.ManagedStrategyGuaranteeKt;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;

/** protocol-impl's Lincheck scenarios (model checking and stress) over the Chronicle native store. */
class ChronicleHandshakeLincheckTest extends HandshakeLincheckTest {

    /** The scenario over a fresh Chronicle native store per instance. */
    public static class OnChronicle extends HandshakeScenario {
        public OnChronicle() {
            super(ChronicleSharedMemory.allocateNative(REGION_SIZE));
        }
    }

    @Override
    protected Class<? extends HandshakeScenario> scenario() {
        return OnChronicle.class;
    }

    /**
     * Each {@link ChronicleSharedMemory} access is one step of the model: Lincheck cannot follow Chronicle's
     * {@code Unsafe} calls inside it (it fails on {@code Unsafe.putInt(address, value)}), and one access is one
     * memory operation anyway, which is all a sequentially consistent model distinguishes.
     */
    @Override
    protected ModelCheckingOptions modelCheckingOptions() {
        return super.modelCheckingOptions().addGuarantee(ManagedStrategyGuaranteeKt
                .forClasses(ChronicleSharedMemory.class.getName()).allMethods().treatAsAtomic());
    }
}
