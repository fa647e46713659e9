/**
 * The vboost host agent: per-VM boost policy, real thread priorities through a {@code PriorityActuator},
 * the hypercall dispatcher and its Unix-socket transport, the lease journal and counters.
 */
module dev.vboost.agent {
    requires dev.vboost.api;
    requires dev.vboost.impl;
    requires com.sun.jna;
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
}
