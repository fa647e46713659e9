package dev.vboost.agent.actuator;

import dev.vboost.agent.HostAgent;
import dev.vboost.agent.policy.PolicyConfig;
import dev.vboost.agent.stats.VmCounters;
import dev.vboost.agent.testing.ParkedThread;
import dev.vboost.api.HostSlotSnapshot;
import dev.vboost.api.role.GuestEndpoint;
import dev.vboost.api.wire.BoostReason;
import dev.vboost.api.wire.Feature;
import dev.vboost.api.wire.SchedPolicy;
import dev.vboost.impl.HostRegionConfig;
import dev.vboost.impl.Regions;
import dev.vboost.impl.memory.ByteBufferSharedMemory;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The child JVM of {@link ActuatorPermissionTest}, started without {@code CAP_SYS_NICE}: the real actuator
 * meets a real {@code EPERM}, directly and inside a running agent. Prints {@code key=value} lines and
 * {@code DONE}.
 */
public final class NoPermissionAgentMain {
    private NoPermissionAgentMain() {
    }

    public static void main(String[] args) throws Exception {
        LinuxPriorityActuator actuator = new LinuxPriorityActuator();
        ParkedThread vcpu = ParkedThread.start("vcpu");
        ThreadAttributes before = actuator.read(vcpu.tid()); // inherited: the build may itself run under nice
        try {
            actuator.apply(vcpu.tid(), ThreadAttributes.fifo(1));
            System.out.println("direct=applied");
        } catch (ActuatorException e) {
            System.out.println("direct=" + e.kind() + "/" + e.errno());
        }
        HostRegionConfig config = HostRegionConfig.defaults(1);
        ByteBufferSharedMemory memory = ByteBufferSharedMemory.allocateDirect((int) config.regionSize());
        try (HostAgent agent = HostAgent.builder()
                .addVm("vm", Regions.createHost(memory, config), PolicyConfig.defaults(), Map.of(0, vcpu.tid()))
                .actuator(actuator)
                .build()
                .start()) {
            GuestEndpoint guest = Regions.attachGuest(memory, Feature.DEFINED_MASK);
            HostSlotSnapshot state = new HostSlotSnapshot();
            for (int round = 1; round <= 2; round++) {
                long id = guest.requestBoost(0, SchedPolicy.FIFO, 5, 0, BoostReason.IRQ.bit());
                boolean acted = guest.awaitActed(0, id, TimeUnit.SECONDS.toNanos(20), state);
                System.out.println("round" + round + "=" + acted + "/" + state.status() + "/" + state.denial());
            }
            VmCounters c = agent.counters("vm");
            System.out.println("counters=" + c.actuatorFailures() + "/" + c.deniedFor(
                    dev.vboost.api.wire.DenialReason.ACTUATOR_FAILED) + "/" + c.granted());
            Throwable last = agent.lastError();
            System.out.println("lastError=" + (last instanceof ActuatorException
                    ? ((ActuatorException) last).kind().toString() : String.valueOf(last)));
            ThreadAttributes after = actuator.read(vcpu.tid());
            System.out.println("thread=" + (after.equals(before) ? "unchanged" : "changed from " + before + " to " + after));
        }
        vcpu.stop();
        System.out.println("DONE");
    }
}
