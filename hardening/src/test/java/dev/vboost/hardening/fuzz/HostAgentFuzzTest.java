package dev.vboost.hardening.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.vboost.agent.HostAgent;
import dev.vboost.agent.actuator.RecordingActuator;
import dev.vboost.agent.actuator.ThreadAttributes;
import dev.vboost.agent.hypercall.HypercallDispatcher;
import dev.vboost.agent.policy.PolicyConfig;
import dev.vboost.api.HostSlotSnapshot;
import dev.vboost.api.VboostException;
import dev.vboost.api.WireError;
import dev.vboost.api.hypercall.HypercallExit;
import dev.vboost.api.hypercall.HypercallNumbers;
import dev.vboost.api.layout.RegionLayout;
import dev.vboost.api.memory.SharedMemory;
import dev.vboost.api.role.GuestEndpoint;
import dev.vboost.api.role.HostEndpoint;
import dev.vboost.api.wire.BoostReason;
import dev.vboost.api.wire.Feature;
import dev.vboost.api.wire.SchedPolicy;
import dev.vboost.impl.HostRegionConfig;
import dev.vboost.impl.Regions;
import dev.vboost.impl.memory.ByteBufferSharedMemory;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;

/**
 * Fuzzes the host agent as a hostile guest drives it: the hypercall dispatcher ({@link HypercallDispatcher}
 * over the agent's {@code HypercallTarget}), well-formed requests, releases and acks through a real guest
 * endpoint, raw scribbles over the guest's own header and lines (odd counters, ids backwards or jumping, bad
 * codes) and over the host's header and lines, re-attaches, host-initiated boosts, and the host clock moving. The agent runs one {@link HostAgent#runOnce()} per
 * step against a real region and a {@link RecordingActuator} (threat model T1, T3, T5, T6, T8, T13, T15..T17,
 * T21, T23..T25).
 *
 * <p>Invariants after every step: no exception escapes the dispatcher or the agent; a hypercall result is a
 * value {@code >= 0} or exactly its negated KVM error; the actuator only ever touched the VM's own threads
 * and never applied a real-time priority outside {@code 1..ceiling}; and no boost has lasted
 * {@code boost.max} or longer on the host clock. At the end, with the guest silent, one more bound's worth
 * of host time returns every thread to its original attributes.
 */
class HostAgentFuzzTest {

    private static final int SLOTS = 2;
    private static final int CEILING = 7;
    private static final long MAX_BOOST_NANOS = TimeUnit.MILLISECONDS.toNanos(3);
    private static final long GPA = 0x1_0000_0000L;
    private static final int[] TIDS = {4101, 4102};
    private static final ThreadAttributes ORIGINAL = ThreadAttributes.normal(0);
    private static final int MAX_STEPS = 96;

    @FuzzTest(maxDuration = "60s")
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void drive(FuzzedDataProvider data) {
        Harness h = new Harness(data.consumeBoolean());
        for (int step = 0; step < MAX_STEPS && data.remainingBytes() > 0; step++) {
            h.step(data);
            h.check();
        }
        // the guest falls silent: one bound of host time ends every boost (spec §5.6, §8)
        h.clock[0] += MAX_BOOST_NANOS;
        h.agent.runOnce();
        h.check();
        for (int tid : TIDS) {
            assertEquals(ORIGINAL, h.actuator.current(tid), "thread " + tid + " is back after the bound");
        }
        h.agent.stop();
    }

    private static final class Harness {
        final long[] clock = {1_000_000_000L};
        final RecordingActuator actuator = new RecordingActuator();
        final SharedMemory memory = ByteBufferSharedMemory.allocateDirect((int) RegionLayout.regionSize(SLOTS));
        final HostEndpoint endpoint;
        final HostAgent agent;
        final HypercallDispatcher dispatcher;
        final long generation;
        final long regionSize = RegionLayout.regionSize(SLOTS);
        @Nullable GuestEndpoint guest;
        /** Host time each thread's current boost started at, or -1 when it is not boosted. */
        final Map<Integer, Long> boostStart = new HashMap<>();
        int callsSeen;

        Harness(boolean hostBoostEnabled) {
            endpoint = Regions.createHost(memory, new HostRegionConfig(SLOTS, Feature.DEFINED_MASK, CEILING,
                    (int) (MAX_BOOST_NANOS / 1000)));
            PolicyConfig policy = PolicyConfig.builder().priorityCeiling(CEILING).maxBoostNanos(MAX_BOOST_NANOS)
                    .hostBoostEnabled(hostBoostEnabled).hostBoostTimeoutNanos(MAX_BOOST_NANOS / 3).build();
            Map<Integer, Integer> threads = new HashMap<>();
            for (int i = 0; i < SLOTS; i++) {
                actuator.addThread(TIDS[i], ORIGINAL);
                threads.put(i, TIDS[i]);
                boostStart.put(TIDS[i], -1L);
            }
            agent = HostAgent.builder().addVm("vm", endpoint, policy, threads, Feature.DEFINED_MASK, GPA)
                    .actuator(actuator).clock(() -> clock[0]).build().prepare();
            dispatcher = new HypercallDispatcher(agent.hypercallTarget("vm"));
            generation = endpoint.generation();
            guest = Regions.attachGuest(memory, Feature.DEFINED_MASK);
        }

        void step(FuzzedDataProvider data) {
            switch (data.consumeInt(0, 9)) {
                case 0, 1 -> hypercall(data);
                case 2, 3 -> request(data);
                case 4 -> release(data);
                case 5 -> acknowledge(data);
                case 6 -> scribble(data);
                case 7 -> agent.requestHostBoost(0, data.consumeInt(-1, SLOTS), data.consumeInt(0, 7));
                case 8 -> reattach();
                default -> clock[0] += data.consumeLong(0, 2 * MAX_BOOST_NANOS);
            }
            agent.runOnce();
        }

        /** Registers as a guest (or anything running in it) may load them before VMCALL. */
        void hypercall(FuzzedDataProvider data) {
            long nr = pick(data, HypercallNumbers.QUERY, HypercallNumbers.ATTACH, HypercallNumbers.DETACH,
                    HypercallNumbers.NOTIFY);
            long[] args = new long[HypercallNumbers.EXIT_ARG_COUNT];
            for (int i = 0; i < args.length; i++) {
                args[i] = data.consumeBoolean() ? 0 : pick(data, 1, 2, 3, GPA, regionSize, generation,
                        (long) RegionLayout.ABI_MAJOR << 16, Feature.DEFINED_MASK);
            }
            HypercallExit exit = new HypercallExit(nr, args, 0);
            HypercallDispatcher.Result r = dispatcher.dispatch(exit);
            assertNotNull(r);
            if (r.ok()) {
                assertTrue(r.ret() >= 0, () -> "success returns a value >= 0: " + r);
            } else {
                assertNotNull(r.error());
                assertEquals(r.error().ret(), r.ret(), "a failure returns its negated KVM error");
                assertTrue(r.ret() < 0);
            }
            assertEquals(r.ret(), dispatcher.complete(exit).ret(), "complete() returns what dispatch() decided");
        }

        void request(FuzzedDataProvider data) {
            GuestEndpoint guest = this.guest;
            if (guest == null) {
                return;
            }
            int slot = data.consumeInt(0, SLOTS - 1);
            // a nice request is a caller error unless NICE_HINTS was negotiated (a scribbled host header followed
            // by a re-attach can take it away), and the endpoint says so with an IllegalArgumentException
            SchedPolicy policy = data.pickValue(Feature.NICE_HINTS.in(guest.acceptedFeatures())
                    ? List.of(SchedPolicy.FIFO, SchedPolicy.RR, SchedPolicy.NORMAL)
                    : List.of(SchedPolicy.FIFO, SchedPolicy.RR));
            int priority = policy == SchedPolicy.NORMAL ? 0 : data.consumeInt(1, RegionLayout.PRIO_MAX);
            int nice = policy == SchedPolicy.NORMAL ? data.consumeInt(RegionLayout.NICE_MIN, RegionLayout.NICE_MAX) : 0;
            int reasons = data.consumeInt(0, BoostReason.DEFINED_MASK);
            if (refusedWhileStale(guest, () -> guest.requestBoost(slot, policy, priority, nice, reasons))) {
                return;
            }
            guest.requestBoost(slot, policy, priority, nice, reasons);
        }

        /**
         * A scribbled host header makes the guest stale (spec §5.9); it must then refuse with E_STALE_GENERATION
         * and write nothing, until it re-attaches.
         */
        static boolean refusedWhileStale(GuestEndpoint guest, Executable call) {
            if (!guest.hostRestarted()) {
                return false;
            }
            VboostException e = assertThrows(VboostException.class, call, "a stale guest refuses to request");
            assertEquals(WireError.STALE_GENERATION, e.error());
            return true;
        }

        void release(FuzzedDataProvider data) {
            GuestEndpoint guest = this.guest;
            if (guest == null) {
                return;
            }
            int slot = data.consumeInt(0, SLOTS - 1);
            if (!refusedWhileStale(guest, () -> guest.release(slot))) {
                guest.release(slot);
            }
        }

        void acknowledge(FuzzedDataProvider data) {
            GuestEndpoint guest = this.guest;
            if (guest == null) {
                return;
            }
            int slot = data.consumeInt(0, SLOTS - 1);
            HostSlotSnapshot s = new HostSlotSnapshot();
            guest.readHostState(slot, s);
            long id = data.consumeBoolean() ? s.hostBoostId() : data.consumeLong(0, Long.MAX_VALUE);
            guest.acknowledgeHostBoost(slot, Math.max(0, id));
        }

        /**
         * A hostile write of 1..8 raw bytes: into the guest's own header or lines, or anywhere in the region
         * (the guest can write the host's lines and header too; the host must decide from its private state).
         */
        void scribble(FuzzedDataProvider data) {
            int at;
            if (data.consumeBoolean()) {
                int line = data.consumeInt(-1, SLOTS - 1);
                int base = line < 0 ? RegionLayout.GUEST_HEADER_OFFSET : RegionLayout.guestLineOffset(line);
                at = base + data.consumeInt(0, RegionLayout.LINE_SIZE - 1);
            } else {
                at = data.consumeInt(0, (int) regionSize - 1);
            }
            byte[] b = data.consumeBytes((int) Math.min(8, regionSize - at));
            memory.putBytes(at, b, 0, b.length);
        }

        /** The guest leaves and attaches again, as a rebooting guest would; refused if it wrecked the header. */
        void reattach() {
            if (guest != null) {
                guest.detach();
            }
            try {
                guest = Regions.attachGuest(memory, Feature.DEFINED_MASK);
            } catch (VboostException e) {
                guest = null;
            }
        }

        /** Replays the actuator's new calls at the current host time, then checks the bound and the ceiling. */
        void check() {
            Throwable inside = agent.lastError();
            assertNull(inside, () -> "the agent caught an unexpected exception: " + inside);
            long now = clock[0];
            List<RecordingActuator.Call> calls = actuator.calls();
            for (int i = callsSeen; i < calls.size(); i++) {
                RecordingActuator.Call c = calls.get(i);
                Long start = boostStart.get(c.tid());
                if (start == null) {
                    fail("the agent touched thread " + c.tid() + ", which is not the VM's: " + c);
                    return;
                }
                if (c.op() != RecordingActuator.Op.APPLY || !c.succeeded()) {
                    continue;
                }
                ThreadAttributes a = c.attributes();
                assertNotNull(a);
                if (a.isRealTime()) {
                    assertTrue(a.priority() >= 1 && a.priority() <= CEILING,
                            () -> "priority outside 1.." + CEILING + " applied: " + c);
                }
                boolean boosted = !a.equals(ORIGINAL);
                if (boosted && start < 0) {
                    boostStart.put(c.tid(), now);
                } else if (!boosted) {
                    boostStart.put(c.tid(), -1L);
                }
            }
            callsSeen = calls.size();
            for (int tid : TIDS) {
                long start = boostStart.get(tid);
                assertTrue(start < 0 || now - start < MAX_BOOST_NANOS,
                        () -> "thread " + tid + " boosted since " + start + ", now " + now + ": outlived "
                                + MAX_BOOST_NANOS + " ns");
                ThreadAttributes cur = actuator.current(tid);
                assertEquals(start >= 0, cur != null && !cur.equals(ORIGINAL), "tracking matches the actuator");
            }
        }

        private static long pick(FuzzedDataProvider data, long... usual) {
            return data.consumeBoolean() ? data.pickValue(usual) : data.consumeLong();
        }
    }
}
