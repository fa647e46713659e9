package dev.vboost.chronicle;

import dev.vboost.impl.GoldenVectorTest;
import dev.vboost.impl.contract.TestBackend;

/** Every golden vector of spec/vectors/v1.0 and v1.1 read through the protocol code over the Chronicle native store. */
class ChronicleGoldenVectorTest extends GoldenVectorTest {
    @Override
    protected TestBackend backend() {
        return ChronicleTestBackend.NATIVE;
    }
}
