package dev.vboost.tools.demo;

import dev.vboost.agent.actuator.ActuatorException;
import dev.vboost.agent.actuator.LinuxCpuPlacement;
import dev.vboost.agent.actuator.LinuxThreads;
import dev.vboost.agent.hypercall.HypercallDispatcher;
import dev.vboost.agent.hypercall.HypercallFrame;
import dev.vboost.api.hypercall.HypercallExit;
import dev.vboost.api.hypercall.HypercallNumbers;
import dev.vboost.api.wire.SchedPolicy;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.function.LongConsumer;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The demo VMM's end of the hypercall socket: the frames of {@link HypercallFrame} (host-agent/README.md, "Socket
 * frame"), the same a guest's {@code HypercallSocketClient} speaks to the agent's {@code HypercallSocketServer},
 * served for the one guest by one thread pinned to the measured CPU at real-time priority with a blocking read:
 * a NOTIFY costs the vCPU one switch to this thread and back, as an exit to KVM does, where the shipped server's
 * selector loop (built for many VMMs, at normal priority) costs more on the CPU the hogs share.
 */
final class FrameServer implements AutoCloseable {
    private final ServerSocketChannel server;
    private final HypercallDispatcher dispatcher;
    private final RtControl rt;
    private final int cpu;
    private final int priority;
    private final LongConsumer onExit;
    private volatile @Nullable SocketChannel channel;
    private volatile boolean closed;
    private volatile int tid;
    private volatile long frames;
    private volatile @Nullable Throwable failure;
    private @Nullable Thread thread;

    private FrameServer(ServerSocketChannel server, HypercallDispatcher dispatcher, RtControl rt, int cpu,
            int priority, LongConsumer onExit) {
        this.onExit = onExit;
        this.server = server;
        this.dispatcher = dispatcher;
        this.rt = rt;
        this.cpu = cpu;
        this.priority = priority;
    }

    /**
     * Binds {@code socket} (in the demo's private directory) and serves the first guest that connects; tells
     * {@code onExit} when each frame has arrived (monotonic ns), before acting on it.
     */
    static FrameServer start(Path socket, HypercallDispatcher dispatcher, RtControl rt, int cpu, int priority,
            LongConsumer onExit) throws IOException {
        ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        s.bind(UnixDomainSocketAddress.of(socket));
        FrameServer f = new FrameServer(s, dispatcher, rt, cpu, priority, onExit);
        Thread t = new Thread(f::serve, "vboost-demo-hypercalls");
        t.setDaemon(true);
        f.thread = t;
        t.start();
        return f;
    }

    private void serve() {
        try {
            LinuxCpuPlacement.pinCurrentThread(cpu);
            tid = LinuxThreads.currentTid();
            rt.boost(tid, SchedPolicy.FIFO, priority);
            SocketChannel ch = server.accept();
            channel = ch;
            ByteBuffer request = ByteBuffer.allocateDirect(HypercallFrame.REQUEST_SIZE).order(ByteOrder.LITTLE_ENDIAN);
            ByteBuffer response = ByteBuffer.allocateDirect(HypercallFrame.RESPONSE_SIZE).order(ByteOrder.LITTLE_ENDIAN);
            long[] args = new long[HypercallNumbers.EXIT_ARG_COUNT];
            while (!closed) {
                request.clear();
                while (request.hasRemaining()) {
                    if (ch.read(request) < 0) {
                        return; // the guest went away
                    }
                }
                onExit.accept(System.nanoTime());
                if (request.getInt(0) != HypercallFrame.REQUEST_MAGIC
                        || Short.toUnsignedInt(request.getShort(4)) != HypercallFrame.VERSION) {
                    write(ch, HypercallFrame.encodeResponse(response, HypercallFrame.STATUS_BAD_FRAME, 0));
                    return;
                }
                if (request.getShort(6) != 0) {
                    write(ch, HypercallFrame.encodeResponse(response, HypercallFrame.STATUS_UNKNOWN_VM, 0));
                    continue;
                }
                for (int i = 0; i < args.length; i++) {
                    args[i] = request.getLong(16 + 8 * i);
                }
                long ret = dispatcher.complete(new HypercallExit(request.getLong(8), args, 0)).ret();
                frames++;
                write(ch, HypercallFrame.encodeResponse(response, HypercallFrame.STATUS_EXECUTED, ret));
            }
        } catch (IOException e) {
            // closed at the end of the run
        } catch (ActuatorException | RuntimeException e) {
            if (!closed) {
                failure = e;
            }
        }
    }

    private static void write(SocketChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    /** Frames served. */
    long frames() {
        return frames;
    }

    /** The serving thread's id, 0 before it started. */
    int tid() {
        return tid;
    }

    /** What stopped the thread other than the end of the run, or null. */
    @Nullable Throwable failure() {
        return failure;
    }

    @Override
    public void close() throws IOException {
        closed = true;
        SocketChannel ch = channel;
        if (ch != null) {
            ch.close();
        }
        server.close();
        Thread t = thread;
        if (t != null) {
            try {
                t.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
