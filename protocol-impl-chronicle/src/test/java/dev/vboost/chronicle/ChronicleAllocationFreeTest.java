package dev.vboost.chronicle;

import dev.vboost.impl.AllocationFreeTest;
import dev.vboost.impl.contract.TestBackend;

/** The hot paths allocate nothing after warm-up on the Chronicle native store either. */
class ChronicleAllocationFreeTest extends AllocationFreeTest {
    @Override
    protected TestBackend backend() {
        return ChronicleTestBackend.NATIVE;
    }
}
