package dev.vboost.impl.contract;

import dev.vboost.api.memory.SharedMemory;
import dev.vboost.api.role.GuestEndpoint;
import dev.vboost.api.role.HostEndpoint;
import dev.vboost.api.wire.Feature;
import dev.vboost.impl.HostRegionConfig;
import dev.vboost.impl.Regions;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The child JVM of the cross-process handshake test: plays the guest or the host over a region file the parent
 * created, using the backend of the given {@link HandshakeContractTest} subclass. Exit 0 on success; on failure
 * the reason goes to stderr and the exit status is 1 (2 for bad arguments).
 *
 * <p>Arguments: {@code <contract test class> guest|host <region file> <rounds per slot> <slot count>}.
 */
public final class CrossProcessPeer {
    static final long TIMEOUT_MILLIS = 60_000;

    private CrossProcessPeer() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 5) {
            System.err.println("usage: CrossProcessPeer <contract test class> guest|host <region file> <rounds> <slots>");
            System.exit(2);
        }
        HandshakeContractTest backend = (HandshakeContractTest) instantiate(args[0]);
        String role = args[1];
        Path file = Paths.get(args[2]);
        long rounds = Long.parseLong(args[3]);
        int slots = Integer.parseInt(args[4]);
        SharedMemory memory = backend.openMapped(file);
        try {
            if (role.equals("guest")) {
                GuestEndpoint guest = Regions.attachGuest(memory, Feature.DEFINED_MASK, Duration.ofMillis(TIMEOUT_MILLIS));
                HandshakeRounds.guest(guest, 0, slots, rounds, TIMEOUT_MILLIS);
                guest.detach();
            } else if (role.equals("host")) {
                HostEndpoint host = Regions.createHost(memory, HostRegionConfig.defaults(slots));
                HandshakeRounds.host(host, 0, slots, rounds, TIMEOUT_MILLIS);
            } else {
                System.err.println("unknown role " + role);
                System.exit(2);
            }
        } catch (Throwable t) {
            t.printStackTrace();
            System.exit(1);
        } finally {
            backend.release(memory);
        }
        System.exit(0);
    }

    private static Object instantiate(String className) throws ReflectiveOperationException {
        var constructor = Class.forName(className).getDeclaredConstructor();
        constructor.setAccessible(true);
        return constructor.newInstance();
    }

    /**
     * Starts this class in a child JVM: same java binary, this test class path, and the JVM options of this
     * process that a backend may need ({@code --add-*}, {@code --enable-native-access}, {@code --sun-misc-*},
     * {@code -D...}, {@code -XX:...}).
     */
    public static Process start(Class<?> contract, String role, Path file, long rounds, int slots) throws IOException {
        String java = ProcessHandle.current().info().command().orElse(
                Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("--add-") || arg.startsWith("--enable-native-access") || arg.startsWith("--sun-misc")
                    || (arg.startsWith("-D") && !arg.startsWith("-Dfile.encoding")) || arg.startsWith("-XX:")) {
                cmd.add(arg);
            }
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(CrossProcessPeer.class.getName());
        cmd.add(contract.getName());
        cmd.add(role);
        cmd.add(file.toString());
        cmd.add(Long.toString(rounds));
        cmd.add(Integer.toString(slots));
        Path log = file.resolveSibling(file.getFileName() + "." + role + ".log");
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }


    /** Waits for the child, bounded; kills it and fails loudly with its output when it does not finish. */
    public static void awaitSuccess(Process child, Path file, String role, long timeoutMillis)
            throws InterruptedException, IOException {
        boolean done = child.waitFor(timeoutMillis, TimeUnit.MILLISECONDS);
        if (!done) {
            child.destroyForcibly();
            child.waitFor(10, TimeUnit.SECONDS);
        }
        Path log = file.resolveSibling(file.getFileName() + "." + role + ".log");
        String output = java.nio.file.Files.exists(log) ? java.nio.file.Files.readString(log) : "(no output)";
        if (!done) {
            throw new AssertionError("child JVM did not finish within " + timeoutMillis + " ms; output:\n" + output);
        }
        if (child.exitValue() != 0) {
            throw new AssertionError("child JVM exited with " + child.exitValue() + "; output:\n" + output);
        }
    }
}
