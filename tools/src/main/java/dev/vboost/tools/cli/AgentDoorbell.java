package dev.vboost.tools.cli;

import dev.vboost.agent.HostAgent;
import dev.vboost.agent.ivshmem.EventfdLoopWaiter;
import dev.vboost.agent.ivshmem.IvshmemServer;
import dev.vboost.api.wire.Feature;
import dev.vboost.impl.memory.FileAccess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.checkerframework.checker.nullness.qual.Nullable;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code vboost agent --ivshmem-server PATH [--safety-poll DURATION]}: the agent is the VM's ivshmem server
 * (spec §12.3), offers feature DOORBELL (§12.2) and its thread sleeps on the doorbell eventfd, its next
 * deadline and the safety poll instead of polling every 200 µs. The server listens before the region is
 * published, since QEMU connects once, at its start; if it goes away the agent keeps serving by the safety
 * poll (§12.5).
 */
final class AgentDoorbell implements AutoCloseable {
    /** Default safety poll: how long an idle agent sleeps when no ring and no deadline comes. */
    static final long DEFAULT_SAFETY_POLL_NANOS = dev.vboost.tools.daemon.AgentDaemon.DEFAULT_SAFETY_POLL_NANOS;
    private static final Pattern DURATION = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(us|ms|s)");

    private final IvshmemServer server;
    private final EventfdLoopWaiter waiter;
    private final long safetyPollNanos;

    private AgentDoorbell(IvshmemServer server, EventfdLoopWaiter waiter, long safetyPollNanos) {
        this.server = server;
        this.waiter = waiter;
        this.safetyPollNanos = safetyPollNanos;
    }

    /**
     * Checks {@code --ivshmem-server} and {@code --safety-poll} before anything is created.
     *
     * @return the safety poll in nanoseconds (the default without {@code --safety-poll})
     * @throws picocli.CommandLine.ParameterException (exit 2) for a bad value or a combination that makes no sense
     */
    static long checkOptions(CommandSpec spec, @Nullable Path socket, @Nullable String safetyPoll, boolean vmDir) {
        if (socket == null) {
            if (safetyPoll != null && !vmDir) {
                throw Usage.error(spec, "--safety-poll is only used with --ivshmem-server or --vm-dir");
            }
            // --vm-dir: the daemon's sleep while every VM it serves has a doorbell
            return safetyPoll == null ? DEFAULT_SAFETY_POLL_NANOS : parseSafetyPoll(spec, safetyPoll);
        }
        if (vmDir) {
            throw Usage.error(spec, "--ivshmem-server serves one VM given by --region; with --vm-dir, name each VM's "
                    + "socket with the doorbell key of its VM file");
        }
        Path parent = socket.toAbsolutePath().getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            throw Usage.error(spec, "--ivshmem-server: directory " + parent + " does not exist");
        }
        if (Files.exists(socket, LinkOption.NOFOLLOW_LINKS) && !isSocket(socket)) {
            throw Usage.error(spec, "--ivshmem-server: " + socket + " exists and is not a socket");
        }
        return safetyPoll == null ? DEFAULT_SAFETY_POLL_NANOS : parseSafetyPoll(spec, safetyPoll);
    }

    /** {@code 100ms}, {@code 2s}, {@code 500us}: 1 ms .. 10 s (HostAgent's longest idle poll with a doorbell). */
    static long parseSafetyPoll(CommandSpec spec, String text) {
        Matcher m = DURATION.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw Usage.error(spec, "--safety-poll '" + text + "' is not a duration (e.g. 100ms, 2s, 500us)");
        }
        String number = String.valueOf(m.group(1)); // both groups are mandatory in the pattern
        String suffix = String.valueOf(m.group(2));
        double value = Double.parseDouble(number);
        double unit = suffix.equals("us") ? 1e3 : suffix.equals("ms") ? 1e6 : 1e9;
        double nanos = value * unit;
        if (nanos < 1e6 || nanos > HostAgent.Builder.MAX_DOORBELL_IDLE_NANOS) {
            throw Usage.error(spec, "--safety-poll " + text + " is outside 1ms..10s");
        }
        return (long) nanos;
    }

    private static boolean isSocket(Path p) {
        try {
            Object mode = Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            return mode instanceof Integer && ((Integer) mode & 0170000) == 0140000;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * Starts the ivshmem server for {@code regionFile} on {@code socket} and the waiter on its host eventfd. The
     * socket gets the region file's owner, group and mode ({@code --owner}, {@code --group}, {@code --mode};
     * 0600 and the agent's user by default): whoever may connect receives the region's descriptor, so QEMU
     * running as another user reaches both through the same group.
     *
     * @throws IOException if the socket is in use, the region cannot be opened or the owner cannot be set
     */
    static AgentDoorbell start(Path socket, Path regionFile, long safetyPollNanos, FileAccess access)
            throws IOException {
        IvshmemServer server = IvshmemServer.start(socket, regionFile, 1, access, IvshmemServer.DEFAULT_MAX_CLIENTS);
        try {
            return new AgentDoorbell(server, new EventfdLoopWaiter(server.hostEventFds()), safetyPollNanos);
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
    }

    /** The features the region offers: every one, DOORBELL included, as the agent now waits on a doorbell. */
    static long offeredFeatures(boolean withDoorbell) {
        return withDoorbell ? Feature.DEFINED_MASK : Feature.ALL_BUT_DOORBELL;
    }

    /** Makes the agent sleep on the doorbell, its deadlines and the safety poll. */
    void configure(HostAgent.Builder b) {
        b.loopWaiter(waiter).idlePollNanos(safetyPollNanos);
    }

    String describe() {
        return String.format(Locale.ROOT, "vboost agent: ivshmem server on %s (doorbell: host peer 0, vector 0; "
                + "safety poll %d ms); give QEMU -chardev socket,path=%s,id=vboostdb -device "
                + "ivshmem-doorbell,chardev=vboostdb,vectors=1", server.path(), safetyPollNanos / 1_000_000,
                server.path(), server.path());
    }

    /** Rings counters for the stats line (spec §12.1: received, spurious, coalesced) and the server's clients. */
    String stats() {
        return String.format(Locale.ROOT, "rings %d, spurious %d, coalesced %d, wake-ups %d, ivshmem clients %d",
                waiter.ringsReceived(), waiter.spuriousRings(), waiter.ringsCoalesced(), waiter.wakeUps(),
                server.clientCount());
    }

    /** Call after the agent stopped: the waiter reads the server's descriptors. */
    @Override
    public void close() {
        waiter.close();
        server.close();
    }
}
