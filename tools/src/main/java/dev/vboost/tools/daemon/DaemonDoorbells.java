package dev.vboost.tools.daemon;

import dev.vboost.agent.HostAgent;
import dev.vboost.agent.ivshmem.EventfdLoopWaiter;
import dev.vboost.agent.ivshmem.IvshmemServer;
import dev.vboost.impl.memory.FileAccess;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The daemon's doorbells (spec §12): an ivshmem server per VM file with a {@code doorbell} key, each VM's
 * eventfd waited on by the one agent thread through one {@link EventfdLoopWaiter} whose descriptor set follows
 * the VMs as they come and go.
 *
 * <p>Idle poll: the agent sleeps up to the safety poll only while every VM it serves has a doorbell; while any
 * lazy VM (no {@code doorbell} key, so its region does not offer DOORBELL) or a guest that did not accept it is
 * served, the agent itself polls at its lazy period ({@code HostAgent.Builder.lazyPollNanos}; §12.2: a guest that
 * cannot ring is looked at on its lazy-mode moments).
 *
 * <p>A server's eventfd is closed only after the agent thread can no longer read it ({@link
 * EventfdLoopWaiter#removeRingFds}); if that does not happen in time (a stuck agent thread) the server stays
 * open until {@link #close()}, which runs after the agent stopped.
 */
final class DaemonDoorbells implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(DaemonDoorbells.class.getName());
    /** How long a VM's removal waits for the agent thread to stop waiting on that VM's eventfd. */
    static final long ADOPTION_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final EventfdLoopWaiter waiter = new EventfdLoopWaiter();
    private final long safetyPollNanos;
    private final List<IvshmemServer> keptOpen = new ArrayList<>();

    /** One VM's doorbell: its server, whose host eventfd the agent waits on. */
    static final class Bell {
        final IvshmemServer server;
        final int[] fds;

        private Bell(IvshmemServer server) {
            this.server = server;
            this.fds = server.hostEventFds();
        }
    }

    /**
     * @param safetyPollNanos the agent's longest sleep while every served VM rings, 1 ms..10 s
     */
    DaemonDoorbells(long safetyPollNanos) {
        if (safetyPollNanos < TimeUnit.MILLISECONDS.toNanos(1) || safetyPollNanos > HostAgent.Builder.MAX_DOORBELL_IDLE_NANOS) {
            throw new IllegalArgumentException("safety poll " + safetyPollNanos + " ns outside 1 ms..10 s");
        }
        this.safetyPollNanos = safetyPollNanos;
    }

    /** The agent sleeps on every VM's doorbell, its deadlines and the idle poll chosen above. */
    void configure(HostAgent.Builder b) {
        b.loopWaiter(waiter).idlePollNanos(safetyPollNanos);
    }

    /**
     * Starts {@code vm}'s ivshmem server on its {@code doorbell} socket for its region, as the one-VM {@code
     * vboost agent --ivshmem-server} does: one vector, the socket with the region file's owner, group and mode
     * (whoever connects receives the region's descriptor), bound where no one can reach it before they are set
     * and never through a link; then the agent waits on its eventfd. Call after the region is created with
     * DOORBELL offered and before the VM is added.
     *
     * @param access the region file's access, given to the socket too
     * @throws VmFileException (key {@code doorbell}) if the socket cannot be bound or the region opened
     */
    Bell start(VmFile vm, FileAccess access) throws VmFileException {
        Path socket = vm.doorbell();
        if (socket == null) {
            throw new IllegalArgumentException("VM '" + vm.name() + "' has no doorbell key");
        }
        IvshmemServer server;
        try {
            server = IvshmemServer.start(socket, vm.region(), 1, access, IvshmemServer.DEFAULT_MAX_CLIENTS);
        } catch (IOException | RuntimeException e) {
            throw new VmFileException(vm.file(), "doorbell", "cannot serve " + socket + ": " + e.getMessage());
        }
        Bell bell = new Bell(server);
        try {
            waiter.addRingFds(bell.fds);
        } catch (RuntimeException e) {
            server.close();
            throw new VmFileException(vm.file(), "doorbell", "cannot wait on " + socket + ": " + e.getMessage());
        }
        return bell;
    }

    /**
     * Stops a VM's doorbell after the VM was removed: the agent thread stops waiting on its eventfd, then the
     * server closes every client and descriptor and removes its socket file.
     */
    void stop(Bell bell) {
        try {
            waiter.removeRingFds(ADOPTION_TIMEOUT_NANOS, bell.fds);
        } catch (TimeoutException | InterruptedException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            // closing now could let the agent thread read a reused descriptor number: keep them until close()
            LOG.log(Level.ERROR, "ivshmem server " + bell.server.path() + " kept open until the agent stops: " + e);
            synchronized (this) {
                keptOpen.add(bell.server);
            }
            return;
        }
        bell.server.close();
    }

    /** Rings counted by the one waiter (spec §12.1), for the stats line. */
    String stats() {
        return String.format(Locale.ROOT, "rings %d, spurious %d, coalesced %d", waiter.ringsReceived(),
                waiter.spuriousRings(), waiter.ringsCoalesced());
    }

    EventfdLoopWaiter waiter() {
        return waiter;
    }

    /** After the agent stopped: closes servers kept open and the waiter. */
    @Override
    public void close() {
        List<IvshmemServer> left;
        synchronized (this) {
            left = new ArrayList<>(keptOpen);
            keptOpen.clear();
        }
        for (IvshmemServer s : left) {
            s.close();
        }
        waiter.close();
    }
}
