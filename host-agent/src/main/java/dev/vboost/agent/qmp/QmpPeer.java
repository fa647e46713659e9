package dev.vboost.agent.qmp;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Which process serves a QMP socket, and whether the vCPU threads QEMU names there are its own (spec §9 H2 for
 * {@code vboost agent --qmp}): QEMU's {@code query-cpus-fast} answer is only a claim, so a thread id of another
 * process (a compromised or impostor QEMU, or a stale answer after the id was reused) must never be boosted.
 *
 * <p>The process is read from the kernel, not from QEMU: {@code SO_PEERCRED} of a connection to the socket names
 * the process that listens on it. The JDK's {@code SO_PEERCRED} option carries the user and group only, so a
 * second, short connection is made through libc here; it is queued behind the QMP client's own connection
 * (QEMU serves one client at a time) and closed at once, which QEMU sees as a client that left.
 */
public final class QmpPeer {
    private static final int AF_UNIX = 1;
    private static final int SOCK_STREAM = 1;
    private static final int SOCK_CLOEXEC = 02000000;
    private static final int SOL_SOCKET = 1;
    private static final int SO_PEERCRED = 17; // x86_64 and aarch64 (asm-generic/socket.h)
    private static final int SUN_PATH_MAX = 108;

    private QmpPeer() {
    }

    /** The few libc calls the credentials probe needs. */
    interface Socket extends Library {
        int socket(int domain, int type, int protocol) throws LastErrorException;

        int connect(int fd, byte[] address, int length) throws LastErrorException;

        int getsockopt(int fd, int level, int name, int[] value, int[] length) throws LastErrorException;

        int close(int fd);
    }

    private static final class Holder {
        static final Socket LIBC = Native.load(Platform.C_LIBRARY_NAME, Socket.class);
    }

    /**
     * The process id of whoever listens on {@code socket} (for {@code -qmp unix:...,server=on}: QEMU).
     *
     * @param socket the QMP socket
     * @return the listener's process id as the kernel recorded it
     * @throws IOException if the socket cannot be reached or the kernel gives no credentials
     */
    public static int listenerPid(Path socket) throws IOException {
        byte[] path = socket.toString().getBytes(StandardCharsets.UTF_8);
        if (path.length >= SUN_PATH_MAX) {
            throw new IOException("QMP socket path " + socket + " is longer than a Unix socket address allows");
        }
        byte[] address = new byte[2 + SUN_PATH_MAX]; // struct sockaddr_un: sun_family (host order), sun_path
        address[0] = (byte) AF_UNIX; // little-endian hosts only (x86_64, aarch64), as LinuxSyscalls
        System.arraycopy(path, 0, address, 2, path.length);
        Socket libc = Holder.LIBC;
        int fd;
        try {
            fd = libc.socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        } catch (LastErrorException e) {
            throw new IOException("QMP socket " + socket + ": socket() failed, errno " + e.getErrorCode(), e);
        }
        try {
            libc.connect(fd, address, address.length);
            int[] ucred = new int[3]; // struct ucred: pid, uid, gid
            int[] length = {Integer.BYTES * 3};
            libc.getsockopt(fd, SOL_SOCKET, SO_PEERCRED, ucred, length);
            if (ucred[0] <= 0) {
                throw new IOException("QMP socket " + socket + ": the kernel names no process for its peer");
            }
            return ucred[0];
        } catch (LastErrorException e) {
            throw new IOException("QMP socket " + socket + ": cannot read its peer's credentials, errno "
                    + e.getErrorCode(), e);
        } finally {
            libc.close(fd);
        }
    }

    /**
     * The vCPUs of {@code vcpus} whose thread is not a thread of process {@code pid} (no
     * {@code /proc/<pid>/task/<tid>}), each described for a log or error line.
     *
     * @param pid   QEMU's process id
     * @param vcpus cpu-index → thread-id as QEMU reported them
     * @return one line per foreign thread; empty when every thread is QEMU's
     */
    public static List<String> foreignThreads(int pid, Map<Integer, Integer> vcpus) {
        List<String> foreign = new ArrayList<>();
        for (Map.Entry<Integer, Integer> e : vcpus.entrySet()) {
            int tid = e.getValue();
            if (!Files.isDirectory(Path.of("/proc", Integer.toString(pid), "task", Integer.toString(tid)),
                    LinkOption.NOFOLLOW_LINKS)) {
                foreign.add("cpu-index " + e.getKey() + ": thread-id " + tid + " is " + owner(tid));
            }
        }
        return foreign;
    }

    private static String owner(int tid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Integer.toString(tid), "status"))) {
                if (line.startsWith("Tgid:")) {
                    return "a thread of process " + line.substring(5).trim();
                }
            }
        } catch (IOException e) {
            return "no thread at all";
        }
        return "a thread of an unknown process";
    }
}
