package dev.vboost.agent.qmp;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import dev.vboost.agent.linux.Libc;
import java.io.IOException;
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
    private QmpPeer() {
    }

    /**
     * The process id of whoever listens on {@code socket} (for {@code -qmp unix:...,server=on}: QEMU).
     *
     * @param socket the QMP socket
     * @return the listener's process id as the kernel recorded it
     * @throws IOException if the socket cannot be reached or the kernel gives no credentials
     */
    public static int listenerPid(Path socket) throws IOException {
        Libc.requireSupported("the QMP peer check");
        Memory address;
        try {
            address = Libc.sockaddrUn(socket.toString());
        } catch (IllegalArgumentException e) {
            throw new IOException("QMP socket path " + socket + " is longer than a Unix socket address allows", e);
        }
        int fd;
        try {
            fd = Libc.socket(Libc.AF_UNIX, Libc.SOCK_STREAM | Libc.SOCK_CLOEXEC, 0);
        } catch (LastErrorException e) {
            throw new IOException("QMP socket " + socket + ": socket() failed, errno " + e.getErrorCode(), e);
        }
        try (Memory ucred = new Memory(Libc.UCRED_SIZE); Memory length = new Memory(Integer.BYTES)) {
            Libc.connect(fd, address, (int) address.size());
            length.setInt(0, Libc.UCRED_SIZE);
            Libc.getsockopt(fd, Libc.SOL_SOCKET, Libc.SO_PEERCRED, ucred, length);
            int pid = ucred.getInt(0); // struct ucred: pid, uid, gid
            if (pid <= 0) {
                throw new IOException("QMP socket " + socket + ": the kernel names no process for its peer");
            }
            return pid;
        } catch (LastErrorException e) {
            throw new IOException("QMP socket " + socket + ": cannot read its peer's credentials, errno "
                    + e.getErrorCode(), e);
        } finally {
            Libc.closeQuietly(fd);
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
