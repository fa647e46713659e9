package dev.vboost.agent.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vboost.api.wire.BoostReason;
import dev.vboost.api.wire.SchedPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The per-VM policy: defaults, validation, and the properties file an operator writes. */
class PolicyConfigTest {
    private static final long MS = 1_000_000L;

    @TempDir
    Path dir;

    @Test
    void defaultsFollowTheRfc() {
        PolicyConfig d = PolicyConfig.defaults();
        assertTrue(d.enabled());
        assertEquals(3 * MS, d.maxBoostNanos(), "RFC: 3 ms longest boost");
        assertEquals(BoostReason.DEFINED_MASK, d.allowedReasons());
        assertEquals(SchedPolicy.RR, d.boostPolicy());
        assertEquals(8, d.priorityCeiling());
        assertEquals(50 * MS, d.budgetNanos());
        assertEquals(100 * MS, d.windowNanos());
        assertEquals(1000, d.maxTransitionsPerSecond());
        assertTrue(d.hostBoostEnabled());
        assertEquals(1 * MS, d.hostBoostTimeoutNanos());
        assertEquals(200_000, PolicyConfig.builder().maxBoostNanos(200_000).build().hostBoostTimeoutNanos(),
                "the default host-boost timeout never exceeds the longest boost");
    }

    @Test
    void rejectsWhatCannotBeEnforced() {
        assertThrows(IllegalArgumentException.class, () -> PolicyConfig.builder().boostPolicy(SchedPolicy.NORMAL).build());
        assertThrows(IllegalArgumentException.class, () -> PolicyConfig.builder().priorityCeiling(0).build());
        assertThrows(IllegalArgumentException.class, () -> PolicyConfig.builder().priorityCeiling(100).build());
        assertThrows(IllegalArgumentException.class, () -> PolicyConfig.builder().allowedReasons(1 << 7).build());
        assertThrows(IllegalArgumentException.class, () -> PolicyConfig.builder().maxBoostNanos(0).build());
        assertThrows(IllegalArgumentException.class, () -> PolicyConfig.builder().budget(20 * MS, 10 * MS).build());
        assertThrows(IllegalArgumentException.class, () -> PolicyConfig.builder().maxTransitionsPerSecond(1).build());
        assertThrows(IllegalArgumentException.class,
                () -> PolicyConfig.builder().maxBoostNanos(MS).hostBoostTimeoutNanos(2 * MS).build());
        assertThrows(IllegalArgumentException.class, () -> PolicyConfig.builder().niceFloor(-21).build());
    }

    @Test
    void loadsAFileAndRoundTrips() throws IOException {
        Path f = Files.writeString(dir.resolve("policy.properties"), String.join("\n",
                "# web tier",
                "allowed.reasons = IRQ, lock_holder",
                "boost.policy=SCHED_FIFO",
                "priority.ceiling=20",
                "boost.max.us=500",
                "budget.us=2000",
                "budget.window.us=10000",
                "budget.vm.us=5000",
                "transitions.per.second=300",
                "host.boost.enabled=false", ""));
        PolicyConfig p = PolicyConfig.load(f);
        assertEquals(BoostReason.IRQ.bit() | BoostReason.LOCK_HOLDER.bit(), p.allowedReasons());
        assertEquals(SchedPolicy.FIFO, p.boostPolicy());
        assertEquals(20, p.priorityCeiling());
        assertEquals(500_000, p.maxBoostNanos());
        assertEquals(500_000, p.hostBoostTimeoutNanos(), "default timeout follows the shorter longest boost");
        assertEquals(2 * MS, p.budgetNanos());
        assertEquals(10 * MS, p.windowNanos());
        assertEquals(5 * MS, p.vmBudgetNanos(), "per-VM budget (spec §8.3)");
        assertEquals(300, p.maxTransitionsPerSecond());
        assertFalse(p.hostBoostEnabled());
        Path again = Files.writeString(dir.resolve("again.properties"), p.toPropertiesText());
        assertEquals(p, PolicyConfig.load(again));
    }

    @Test
    void perVmSectionsOverrideTheCommonKeys() throws IOException {
        Path f = Files.writeString(dir.resolve("vms.properties"), String.join("\n",
                "priority.ceiling=12", "vm.db.priority.ceiling=3", "vm.db.enabled=false", "vm.web.boost.policy=FIFO", ""));
        Map<String, PolicyConfig> all = PolicyConfig.loadAll(f);
        assertEquals(12, all.get("").priorityCeiling());
        assertEquals(3, all.get("db").priorityCeiling());
        assertFalse(all.get("db").enabled());
        assertEquals(12, all.get("web").priorityCeiling());
        assertEquals(SchedPolicy.FIFO, all.get("web").boostPolicy());
        assertEquals(3, all.size());
    }

    @Test
    void badFilesSayWhatIsWrong() throws IOException {
        Path unknown = Files.writeString(dir.resolve("unknown.properties"), "priority.cieling=5\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PolicyConfig.load(unknown));
        assertTrue(e.getMessage().contains(unknown.toString()) && e.getMessage().contains("priority.cieling"), e.getMessage());
        Path bad = Files.writeString(dir.resolve("bad.properties"), "boost.policy=DEADLINE\n");
        e = assertThrows(IllegalArgumentException.class, () -> PolicyConfig.load(bad));
        assertTrue(e.getMessage().contains("boost.policy") && e.getMessage().contains("FIFO or RR"), e.getMessage());
        Path reason = Files.writeString(dir.resolve("reason.properties"), "allowed.reasons=IRQ,PAGE_FAULT\n");
        e = assertThrows(IllegalArgumentException.class, () -> PolicyConfig.load(reason));
        assertTrue(e.getMessage().contains("PAGE_FAULT"), e.getMessage());
        Path range = Files.writeString(dir.resolve("range.properties"), "priority.ceiling=150\n");
        e = assertThrows(IllegalArgumentException.class, () -> PolicyConfig.load(range));
        assertTrue(e.getMessage().contains("150"), e.getMessage());
        Path section = Files.writeString(dir.resolve("section.properties"), "vm.=1\n");
        assertThrows(IllegalArgumentException.class, () -> PolicyConfig.loadAll(section));
    }
}
