package dev.vboost.agent.qmp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(120) // a QMP exchange that hangs is a failure, not a stuck build
class QmpVcpuWatcherTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final Duration NO_POLL = Duration.ofHours(1); // only events trigger a read in these tests

    @TempDir
    Path dir;

    @Test
    void readsTheMapAndFollowsHotPlugEvents() throws Exception {
        try (FakeQmpServer qemu = new FakeQmpServer(dir.resolve("qmp"))) {
            qemu.cpus.add(FakeQmpServer.cpu(0, 101));
            qemu.cpus.add(FakeQmpServer.cpu(1, 102));
            LinkedBlockingQueue<Map<Integer, Integer>> changes = new LinkedBlockingQueue<>();
            try (QmpVcpuWatcher w = QmpVcpuWatcher.start(dir.resolve("qmp"), TIMEOUT, NO_POLL, changes::add)) {
                assertEquals(Map.of(0, 101, 1, 102), w.current());
                assertTrue(qemu.received.get(0).contains("qmp_capabilities"), "capabilities negotiated first");
                // vCPU 1 unplugged: the guest ejects it, QEMU reports ACPI_DEVICE_OST then DEVICE_DELETED
                qemu.cpus.remove(1);
                qemu.event("ACPI_DEVICE_OST");
                assertEquals(Map.of(0, 101), changes.poll(10, TimeUnit.SECONDS));
                // re-plugged: a new thread, a higher tid, the same cpu-index
                qemu.cpus.add(FakeQmpServer.cpu(1, 250));
                qemu.event("DEVICE_DELETED"); // any of the CPU events triggers a read
                assertEquals(Map.of(0, 101, 1, 250), changes.poll(10, TimeUnit.SECONDS));
                assertEquals(Map.of(0, 101, 1, 250), w.current());
                // an unrelated event reads nothing
                int before = qemu.queries.get();
                qemu.event("RTC_CHANGE");
                w.refresh(); // an explicit read of an unchanged map calls no listener
                assertTrue(waitFor(() -> qemu.queries.get() == before + 1), "refresh read once");
                assertEquals(null, changes.poll(200, TimeUnit.MILLISECONDS));
            }
        }
    }

    @Test
    void theIntervalReadsWithoutEvents() throws Exception {
        try (FakeQmpServer qemu = new FakeQmpServer(dir.resolve("qmp"))) {
            qemu.cpus.add(FakeQmpServer.cpu(0, 7));
            LinkedBlockingQueue<Map<Integer, Integer>> changes = new LinkedBlockingQueue<>();
            try (QmpVcpuWatcher w = QmpVcpuWatcher.start(dir.resolve("qmp"), TIMEOUT, Duration.ofMillis(20), changes::add)) {
                qemu.cpus.set(0, FakeQmpServer.cpu(0, 8));
                assertEquals(Map.of(0, 8), changes.poll(10, TimeUnit.SECONDS));
            }
        }
    }

    @Test
    void qemuGoneIsSeen() throws Exception {
        FakeQmpServer qemu = new FakeQmpServer(dir.resolve("qmp"));
        qemu.cpus.add(FakeQmpServer.cpu(0, 7));
        try (QmpVcpuWatcher w = QmpVcpuWatcher.start(dir.resolve("qmp"), TIMEOUT, NO_POLL, m -> { })) {
            assertTrue(w.connected());
            qemu.close();
            assertTrue(waitFor(() -> !w.connected()), "the watcher sees QEMU go");
        }
    }

    @Test
    void noSocketNamesThePath() {
        IOException e = assertThrows(IOException.class,
                () -> QmpVcpuWatcher.start(dir.resolve("absent"), TIMEOUT, NO_POLL, m -> { }));
        assertTrue(e.getMessage().contains(dir.resolve("absent").toString()), e.getMessage());
    }

    @Test
    void aPeerThatIsNotQmpIsRefused() throws Exception {
        try (FakeQmpServer qemu = new FakeQmpServer(dir.resolve("qmp"))) {
            qemu.greeting = "{\"hello\": 1}";
            IOException e = assertThrows(IOException.class,
                    () -> QmpVcpuWatcher.start(dir.resolve("qmp"), TIMEOUT, NO_POLL, m -> { }));
            assertTrue(e.getMessage().contains("no QMP greeting"), e.getMessage());
        }
    }

    @Test
    void commandErrorsCarryQemusDescription() throws Exception {
        try (FakeQmpServer qemu = new FakeQmpServer(dir.resolve("qmp"));
                QmpClient c = QmpClient.connect(dir.resolve("qmp"), TIMEOUT, m -> { })) {
            IOException e = assertThrows(IOException.class, () -> c.execute("no-such-command"));
            assertEquals("QMP no-such-command: CommandNotFound: The command was not found", e.getMessage());
        }
    }

    @Test
    void badAnswersAreRefused() throws Exception {
        ObjectMapper json = new ObjectMapper();
        assertEquals(Map.of(0, 5, 3, 9), QmpVcpuWatcher.parse(json.readTree(
                "[{\"cpu-index\":3,\"thread-id\":9},{\"cpu-index\":0,\"thread-id\":5}]")));
        for (String bad : new String[] {"{}", "[{\"cpu-index\":0}]", "[{\"cpu-index\":0,\"thread-id\":0}]",
                "[{\"cpu-index\":4096,\"thread-id\":1}]", "[{\"cpu-index\":\"x\",\"thread-id\":1}]",
                "[{\"cpu-index\":1,\"thread-id\":2},{\"cpu-index\":1,\"thread-id\":3}]"}) {
            assertThrows(IOException.class, () -> QmpVcpuWatcher.parse(json.readTree(bad)), bad);
        }
    }

    private static boolean waitFor(java.util.function.BooleanSupplier c) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!c.getAsBoolean()) {
            if (System.nanoTime() > end) {
                return false;
            }
            Thread.sleep(5);
        }
        return true;
    }
}
