package dev.vboost.agent;

import dev.vboost.agent.actuator.ActuatorException;
import dev.vboost.agent.actuator.LinuxPriorityActuator;
import dev.vboost.agent.actuator.LinuxThreads;
import dev.vboost.agent.actuator.ThreadAttributes;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The agent thread's own scheduling attributes (issue 16 row 4): a boosted vCPU at RT priority on the agent's
 * CPU would otherwise delay the very thread that ends its boost. Either the embedder's explicit attributes, or
 * (auto) SCHED_FIFO one above the highest ceiling of the VMs served, raised again when a VM with a higher ceiling
 * is added. Where the kernel refuses, a warning says so once and the agent runs on at its inherited priority.
 */
final class AgentThreadPriority {
    private static final System.Logger LOG = System.getLogger(HostAgent.class.getName());

    private final @Nullable ThreadAttributes explicit;
    private final boolean auto;
    private volatile int agentTid;
    private int appliedFifo;
    private boolean warned;

    AgentThreadPriority(@Nullable ThreadAttributes explicit, boolean auto) {
        this.explicit = explicit;
        this.auto = auto;
    }

    /** Called by the agent thread as it starts. */
    synchronized void applyToCurrentThread(int highestCeiling) {
        int tid;
        try {
            tid = LinuxThreads.currentTid();
        } catch (RuntimeException | LinkageError e) {
            warn("cannot find the agent thread's id (" + e + ")");
            return;
        }
        agentTid = tid;
        ThreadAttributes a = explicit;
        if (a != null) {
            apply(tid, a);
        } else if (auto) {
            raiseAbove(highestCeiling);
        }
    }

    /** A VM with this ceiling was added: keep the agent above it. */
    synchronized void ceilingAdded(int ceiling) {
        if (auto && agentTid > 0 && ceiling + 1 > appliedFifo) {
            raiseAbove(ceiling);
        }
    }

    private void raiseAbove(int ceiling) {
        int prio = Math.max(1, Math.min(ThreadAttributes.RT_PRIORITY_MAX, Math.max(ceiling, appliedFifo - 1) + 1));
        if (apply(agentTid, ThreadAttributes.fifo(prio))) {
            appliedFifo = prio;
        }
    }

    private boolean apply(int tid, ThreadAttributes a) {
        try {
            new LinuxPriorityActuator().apply(tid, a);
            return true;
        } catch (ActuatorException | RuntimeException | LinkageError e) {
            warn("could not set the agent thread to " + a + " (" + e.getMessage() + ")");
            return false;
        }
    }

    private void warn(String what) {
        if (!warned) {
            warned = true;
            LOG.log(System.Logger.Level.WARNING, what + ": the agent thread runs at its inherited priority, so a "
                    + "boosted vCPU on its CPU can delay the end of boosts; give the agent CAP_SYS_NICE or RT "
                    + "rights (see host-agent/README.md)");
        }
    }
}
