package dev.vboost.chronicle;

import dev.vboost.impl.contract.TestBackend;
import dev.vboost.impl.line.SeqlockStepsTest;

/** protocol-impl's seqlock step checks (spec §4.2, §4.3), unchanged, over the Chronicle native store. */
class ChronicleSeqlockStepsTest extends SeqlockStepsTest {
    @Override
    protected TestBackend backend() {
        return ChronicleTestBackend.NATIVE;
    }
}
