package dev.vboost.agent.ivshmem;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The libc calls the ivshmem server, its clients and the eventfd waiter need, bound by JNA direct mapping
 * (primitive and {@link Pointer} arguments only, so a call allocates nothing on the Java heap). errno arrives
 * as {@link LastErrorException}. Linux LP64 only (x86_64, aarch64): the struct offsets below are those of that
 * ABI.
 */
final class Libc {
    static final int AF_UNIX = 1;
    static final int SOCK_STREAM = 1;
    static final int SOCK_NONBLOCK = 04000;
    static final int SOCK_CLOEXEC = 02000000;
    static final int EFD_NONBLOCK = 04000;
    static final int EFD_CLOEXEC = 02000000;
    static final int O_RDWR = 02;
    static final int O_NOFOLLOW = 0400000;
    static final int O_CLOEXEC = 02000000;
    static final int MSG_DONTWAIT = 0x40;
    static final int MSG_NOSIGNAL = 0x4000;
    static final int MSG_CTRUNC = 0x8;
    static final int SOL_SOCKET = 1;
    static final int SCM_RIGHTS = 1;
    static final short POLLIN = 0x1;
    static final short POLLERR = 0x8;
    static final short POLLHUP = 0x10;
    static final short POLLNVAL = 0x20;
    static final int EAGAIN = 11;
    static final int EINTR = 4;

    /** {@code struct pollfd}: int fd, short events, short revents. */
    static final int POLLFD_SIZE = 8;
    /** {@code struct msghdr} (LP64): name, namelen(+pad), iov, iovlen, control, controllen, flags(+pad). */
    static final int MSGHDR_SIZE = 56;
    /** {@code struct iovec}: base, len. */
    static final int IOVEC_SIZE = 16;
    /** {@code CMSG_SPACE(sizeof(int))}: 16-byte header, the int, padding to 8. */
    static final int CMSG_SPACE_ONE_FD = 24;
    /** {@code CMSG_LEN(sizeof(int))}. */
    static final int CMSG_LEN_ONE_FD = 20;
    /** {@code sizeof(sun_path)}. */
    static final int SUN_PATH_MAX = 108;

    private Libc() {
    }

    static {
        String os = System.getProperty("os.name", "?").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "?");
        if (!os.startsWith("linux") || !(arch.equals("amd64") || arch.equals("x86_64") || arch.equals("aarch64"))) {
            throw new UnsupportedOperationException("the ivshmem transport needs Linux on x86_64 or aarch64, this is "
                    + os + "/" + arch);
        }
        Native.register(Libc.class, Platform.C_LIBRARY_NAME);
    }

    static native int socket(int domain, int type, int protocol) throws LastErrorException;

    static native int bind(int fd, Pointer addr, int len) throws LastErrorException;

    static native int connect(int fd, Pointer addr, int len) throws LastErrorException;

    static native int listen(int fd, int backlog) throws LastErrorException;

    static native int accept4(int fd, @Nullable Pointer addr, @Nullable Pointer len, int flags) throws LastErrorException;

    static native long sendmsg(int fd, Pointer msg, int flags) throws LastErrorException;

    static native long recvmsg(int fd, Pointer msg, int flags) throws LastErrorException;

    static native int eventfd(int initval, int flags) throws LastErrorException;

    static native long read(int fd, Pointer buf, long count) throws LastErrorException;

    static native long write(int fd, Pointer buf, long count) throws LastErrorException;

    static native int ppoll(Pointer fds, long nfds, @Nullable Pointer timeout, @Nullable Pointer sigmask) throws LastErrorException;

    static native int open(String path, int flags) throws LastErrorException;

    static native int close(int fd) throws LastErrorException;

    /** Closes {@code fd} if it is one, ignoring errors (for clean-up paths). */
    static void closeQuietly(int fd) {
        if (fd >= 0) {
            try {
                close(fd);
            } catch (LastErrorException e) {
                // nothing to do on a clean-up path
            }
        }
    }

    /** A {@code struct sockaddr_un} for {@code path}; the length to pass is {@link Memory#size()}. */
    static Memory sockaddrUn(String path) {
        byte[] p = path.getBytes(StandardCharsets.UTF_8);
        if (p.length + 1 > SUN_PATH_MAX) {
            throw new IllegalArgumentException("socket path longer than " + (SUN_PATH_MAX - 1) + " bytes: " + path);
        }
        Memory m = new Memory(2 + p.length + 1);
        m.clear();
        m.setShort(0, (short) AF_UNIX);
        m.write(2, p, 0, p.length);
        return m;
    }
}
