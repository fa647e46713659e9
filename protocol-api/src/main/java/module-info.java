/**
 * The vboost wire contract as Java types: layout descriptors, wire enums and flags, snapshots, the
 * hypercall ABI, the ordered memory-access interface and the guest and host role interfaces.
 * Nothing here knows an implementation.
 */
module dev.vboost.api {
    requires static org.checkerframework.checker.qual;

    exports dev.vboost.api;
    exports dev.vboost.api.layout;
    exports dev.vboost.api.wire;
    exports dev.vboost.api.memory;
    exports dev.vboost.api.hypercall;
    exports dev.vboost.api.role;
    exports dev.vboost.api.image;
}
