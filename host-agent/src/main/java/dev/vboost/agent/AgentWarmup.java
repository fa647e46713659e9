package dev.vboost.agent;

import dev.vboost.agent.actuator.ActuatorException;
import dev.vboost.agent.actuator.LinuxPriorityActuator;
import dev.vboost.agent.actuator.LinuxThreads;
import dev.vboost.agent.actuator.PriorityActuator;
import dev.vboost.agent.actuator.ThreadAttributes;
import dev.vboost.agent.actuator.VcpuThread;
import dev.vboost.agent.policy.PolicyConfig;
import dev.vboost.api.role.GuestEndpoint;
import dev.vboost.api.role.HostEndpoint;
import dev.vboost.api.wire.BoostReason;
import dev.vboost.api.wire.Feature;
import dev.vboost.api.wire.HostBoostFlag;
import dev.vboost.api.wire.SchedPolicy;
import dev.vboost.impl.HostRegionConfig;
import dev.vboost.impl.Regions;
import dev.vboost.impl.memory.ByteBufferSharedMemory;
import java.util.Map;

/**
 * Runs the agent's hot paths once on the agent thread, over a scratch region in heap memory with a scratch
 * actuator, before the agent serves any VM (issue 11): class loading and initialisation, lambda and enum-switch
 * bootstraps, and the JNA binding of {@code sched_getattr} otherwise happen on a real guest's first boost or
 * first expiry, while a thread waits or stays boosted past its bound. Touches no real thread but reads the
 * agent thread's own attributes.
 */
final class AgentWarmup {
    private static final System.Logger LOG = System.getLogger(HostAgent.class.getName());
    private static final int ROUNDS = 3;
    /**
     * Idle scans of a silent guest run before serving: enough for the JIT's optimising tier. A doorbell agent
     * wakes about 10 times a second when idle, far too rarely for the JIT to compile the scan soon; interpreted,
     * one scan of 64 VMs of 8 vCPUs costs about 1 ms instead of about 35 µs (docs/performance.md, idle cost).
     */
    static final int IDLE_SCANS = 20_000;
    private static final int IDLE_SCAN_SLOTS = 8;

    private AgentWarmup() {
    }

    static void run(long now) {
        try {
            warmJna();
            HostRegionConfig config = HostRegionConfig.defaults(2);
            ByteBufferSharedMemory memory = ByteBufferSharedMemory.allocateDirect((int) config.regionSize());
            HostEndpoint endpoint = Regions.createHost(memory, config);
            GuestEndpoint guest = Regions.attachGuest(memory, Feature.ALL_BUT_DOORBELL);
            AgentErrors errors = new AgentErrors();
            ThreadLeases leases = new ThreadLeases(new ScratchActuator(), () -> now);
            SlotActions actions = new SlotActions(leases, () -> now, errors);
            VmServer server = new VmServer(actions, leases, errors);
            PolicyConfig policy = PolicyConfig.defaults();
            VmState vm = new VmState("warm-up", endpoint, policy, VmState.tidsBySlot("warm-up", 2, Map.of(0, 1, 1, 2)),
                    Feature.ALL_BUT_DOORBELL, 0, AgentWarmup::nothing);
            long t = now;
            for (int round = 0; round < ROUNDS; round++) {
                guest.requestBoost(0, SchedPolicy.FIFO, 5, 0, BoostReason.IRQ.bit());   // grant
                server.serve(vm, t += 1_000);
                guest.release(0);                                                      // release
                server.serve(vm, t += 1_000);
                guest.requestBoost(1, SchedPolicy.RR, 99, 0, BoostReason.LOCK_HOLDER.bit());
                server.serve(vm, t += 1_000);
                server.serve(vm, t += policy.maxBoostNanos() + 1);                     // expiry
                vm.signals.queueNotify(0, 1);
                vm.signals.queueHostBoost(0, HostBoostFlag.IRQ_INJECTED.bit());        // host boost
                server.serve(vm, t += 1_000);
                guest.acknowledgeHostBoost(0, vm.engine.hostBoostId(0));               // its ack
                server.serve(vm, t += 1_000);
                vm.signals.queueHostBoost(1, HostBoostFlag.TIMER.bit());
                server.serve(vm, t += 1_000);
                server.serve(vm, t += policy.hostBoostTimeoutNanos() + 1);             // host timeout
                vm.stats.snapshot();
                t += policy.windowNanos();
            }
            server.endAll(vm, t, true);
            guest.detach();
            server.serve(vm, t + 1_000);
            leases.restoreAll();
            endpoint.close();
            scanIdleGuest(server, t);
        } catch (RuntimeException | LinkageError e) {
            // a warm-up that fails costs latency, never correctness
            LOG.log(System.Logger.Level.DEBUG, "agent warm-up incomplete", e);
        }
    }

    /** {@link #IDLE_SCANS} iterations over a scratch VM whose guest is attached and silent. */
    private static void scanIdleGuest(VmServer server, long now) {
        HostRegionConfig config = HostRegionConfig.defaults(IDLE_SCAN_SLOTS);
        ByteBufferSharedMemory memory = ByteBufferSharedMemory.allocateDirect((int) config.regionSize());
        HostEndpoint endpoint = Regions.createHost(memory, config);
        GuestEndpoint guest = Regions.attachGuest(memory, Feature.ALL_BUT_DOORBELL);
        VmState vm = new VmState("warm-up-idle", endpoint, PolicyConfig.defaults(),
                new int[IDLE_SCAN_SLOTS], Feature.ALL_BUT_DOORBELL, 0, AgentWarmup::nothing);
        long t = now;
        for (int i = 0; i < IDLE_SCANS; i++) {
            server.serve(vm, t += 1_000);
        }
        guest.detach();
        endpoint.close();
    }

    /** Binds {@code sched_getattr} through JNA by reading the calling thread's own attributes. */
    private static void warmJna() {
        try {
            new LinuxPriorityActuator().read(LinuxThreads.currentTid());
        } catch (ActuatorException | RuntimeException | LinkageError e) {
            // not Linux, or no JNA: the configured actuator is something else then
        }
    }

    private static void nothing() {
    }

    /** Threads that exist only in memory; nothing is changed. */
    private static final class ScratchActuator implements PriorityActuator {
        @Override
        public VcpuThread identify(int tid) {
            return new VcpuThread(1, tid, 1);
        }

        @Override
        public ThreadAttributes read(VcpuThread thread) {
            return ThreadAttributes.DEFAULT;
        }

        @Override
        public void apply(VcpuThread thread, ThreadAttributes attributes) {
        }
    }
}
