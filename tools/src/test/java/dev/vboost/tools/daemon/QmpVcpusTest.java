package dev.vboost.tools.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The daemon's QMP client against a scripted QMP server on a Unix socket (QEMU's wire format). */
class QmpVcpusTest {
    private static final String CPUS = "{\"return\": [{\"thread-id\": 48220, \"props\": {\"core-id\": 0, \"thread-id\": 0, "
            + "\"socket-id\": 0}, \"qom-path\": \"/machine/unattached/device[0]\", \"cpu-index\": 0, \"target\": \"x86_64\"}, "
            + "{\"thread-id\": 48231, \"props\": {\"core-id\": 0, \"thread-id\": 0, \"socket-id\": 1}, \"qom-path\": "
            + "\"/machine/peripheral/cpu1\", \"cpu-index\": 1, \"target\": \"x86_64\"}]}";

    @TempDir
    Path tmp;

    /** Serves one connection: greeting, an event before each answer, then the given answer to query-cpus-fast. */
    private Thread server(ServerSocketChannel ss, String answer) {
        Thread t = new Thread(() -> {
            try (SocketChannel c = ss.accept();
                    BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(c), StandardCharsets.UTF_8));
                    OutputStream out = Channels.newOutputStream(c)) {
                out.write("{\"QMP\": {\"version\": {\"qemu\": {\"major\": 7}}, \"capabilities\": [\"oob\"]}}\r\n".getBytes(StandardCharsets.UTF_8));
                String cmd = in.readLine();
                assertTrue(cmd != null && cmd.contains("qmp_capabilities"), String.valueOf(cmd));
                out.write("{\"timestamp\": {\"seconds\": 1}, \"event\": \"RESUME\"}\r\n{\"return\": {}}\r\n".getBytes(StandardCharsets.UTF_8));
                cmd = in.readLine();
                assertTrue(cmd != null && cmd.contains("query-cpus-fast"), String.valueOf(cmd));
                out.write(("{\"timestamp\": {\"seconds\": 2}, \"event\": \"ACPI_DEVICE_OST\", \"data\": {\"info\": {}}}\r\n"
                        + answer + "\r\n").getBytes(StandardCharsets.UTF_8));
                in.readLine(); // until the client hangs up
            } catch (IOException e) {
                // the client hung up
            }
        });
        t.start();
        return t;
    }

    @Test
    void queryCpusFastMapsCpuIndexToThreadId() throws Exception {
        Path sock = tmp.resolve("qmp.sock");
        try (ServerSocketChannel ss = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            ss.bind(UnixDomainSocketAddress.of(sock));
            Thread t = server(ss, CPUS);
            assertEquals(Map.of(0, 48220, 1, 48231), QmpVcpus.query(sock));
            t.join(10_000);
        }
    }

    @Test
    void errorsAndSilenceAreReported() throws Exception {
        Path sock = tmp.resolve("qmp.sock");
        try (ServerSocketChannel ss = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            ss.bind(UnixDomainSocketAddress.of(sock));
            Thread t = server(ss, "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"no\"}}");
            IOException e = assertThrows(IOException.class, () -> QmpVcpus.query(sock));
            assertTrue(e.getMessage().startsWith("QMP error:"), e.getMessage());
            t.join(10_000);
            // a server that accepts and never speaks: the 2 s bound, not a hang
            IOException silent = assertThrows(IOException.class, () -> QmpVcpus.query(sock));
            assertTrue(silent.getMessage().contains("did not answer within 2 s"), silent.getMessage());
        }
        VmFile f = VmFile.parse(tmp.resolve("v.vm"), "region=/r\nqmp=" + tmp.resolve("none.sock") + "\n");
        VmFileException x = assertThrows(VmFileException.class, () -> VcpuResolver.resolve(f));
        assertEquals("qmp", x.key());
        assertThrows(IOException.class, () -> QmpVcpus.parse("{\"return\": [{\"cpu-index\": 0}]}"));
        assertThrows(IOException.class, () -> QmpVcpus.parse(
                "{\"return\": [{\"thread-id\": 5, \"cpu-index\": 0}, {\"thread-id\": 6, \"cpu-index\": 0}]}"));
    }
}
