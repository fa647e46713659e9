/**
 * The vboost protocol implementation: the default off-heap backend (JDK {@code VarHandle} over direct and
 * mapped {@code ByteBuffer}s), region creation and attachment, and the guest and host endpoints.
 * The role-named seqlock readers and writers ({@code dev.vboost.impl.line}) are internal.
 */
module dev.vboost.impl {
    requires transitive dev.vboost.api;
    requires static org.checkerframework.checker.qual;

    exports dev.vboost.impl;
    exports dev.vboost.impl.memory;
    exports dev.vboost.impl.pci;
}
