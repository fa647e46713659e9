package dev.vboost.chronicle;

import dev.vboost.impl.contract.TestBackend;
import dev.vboost.impl.line.HostHeaderStepsTest;

/** protocol-impl's host header publication checks (spec §4.4), unchanged, over the Chronicle native store. */
class ChronicleHostHeaderStepsTest extends HostHeaderStepsTest {
    @Override
    protected TestBackend backend() {
        return ChronicleTestBackend.NATIVE;
    }
}
