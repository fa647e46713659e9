/**
 * The vboost host agent: per-VM boost policy, real thread priorities through a {@code PriorityActuator},
 * the hypercall dispatcher and its Unix-socket transport, the lease journal and counters. The API is
 * {@link dev.vboost.agent.HostAgent} and the exported packages below; {@code dev.vboost.agent.core} (the policy
 * engine, live counters, JFR events) and {@code dev.vboost.agent.linux} (the one libc binding) are internal.
 */
module dev.vboost.agent {
    // a host application's one requires: the agent's API names the protocol's types (and dev.vboost.impl
    // brings dev.vboost.api), so both are read by whoever reads this module
    requires transitive dev.vboost.impl;
    requires com.sun.jna;
    requires com.fasterxml.jackson.databind;
    requires jdk.jfr;
    requires jdk.net;
    requires static org.checkerframework.checker.qual;

    exports dev.vboost.agent;
    exports dev.vboost.agent.actuator;
    exports dev.vboost.agent.policy;
    exports dev.vboost.agent.journal;
    exports dev.vboost.agent.log;
    exports dev.vboost.agent.stats;
    exports dev.vboost.agent.hypercall;
    exports dev.vboost.agent.qmp;
    exports dev.vboost.agent.ivshmem;
}
