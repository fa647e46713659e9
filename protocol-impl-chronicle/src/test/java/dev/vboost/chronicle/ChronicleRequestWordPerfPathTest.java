package dev.vboost.chronicle;

import dev.vboost.impl.contract.TestBackend;
import dev.vboost.impl.line.RequestWordPerfPathTest;

/** protocol-impl's fast-path equivalence checks (one-int field word, strided scan), unchanged, on Chronicle. */
class ChronicleRequestWordPerfPathTest extends RequestWordPerfPathTest {
    @Override
    protected TestBackend backend() {
        return ChronicleTestBackend.NATIVE;
    }
}
