package dev.vboost.tools.demo;

import dev.vboost.agent.actuator.ActuatorException;
import dev.vboost.agent.actuator.LinuxPriorityActuator;
import dev.vboost.agent.actuator.LinuxThreads;
import dev.vboost.agent.actuator.PriorityActuator;
import dev.vboost.agent.actuator.ThreadAttributes;
import dev.vboost.api.wire.SchedPolicy;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Real scheduling changes on the demo's threads, through the host agent's {@link PriorityActuator}
 * ({@code sched_setattr} on a thread id): boosts, restores of the attributes read before the first boost,
 * and a probe of whether this process may set real-time priorities at all.
 */
final class RtControl {
    private final PriorityActuator actuator;

    RtControl() {
        this(new LinuxPriorityActuator());
    }

    RtControl(PriorityActuator actuator) {
        this.actuator = actuator;
    }

    PriorityActuator actuator() {
        return actuator;
    }

    ThreadAttributes read(int tid) throws ActuatorException {
        return actuator.read(actuator.identify(tid));
    }

    void boost(int tid, SchedPolicy policy, int priority) throws ActuatorException {
        actuator.apply(actuator.identify(tid), policy == SchedPolicy.RR ? ThreadAttributes.rr(priority) : ThreadAttributes.fifo(priority));
    }

    void restore(int tid, ThreadAttributes original) throws ActuatorException {
        actuator.apply(actuator.identify(tid), original);
    }

    /** Null if this process may set real-time priorities on its threads, else why not. */
    @Nullable String probe() {
        @Nullable String[] why = new @Nullable String[1];
        Thread t = new Thread(() -> {
            int tid = LinuxThreads.currentTid();
            try {
                ThreadAttributes before = read(tid);
                boost(tid, SchedPolicy.FIFO, 1);
                restore(tid, before);
            } catch (ActuatorException e) {
                why[0] = e.kind() + ": " + e.getMessage();
            } catch (RuntimeException | LinkageError e) {
                why[0] = "the Linux actuator is unavailable: " + e;
            }
        }, "vboost-rt-probe");
        t.start();
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
        return why[0];
    }
}
