package dev.vboost.agent.linux;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The agent's one binding of the C library, for the actuator (system calls, {@code /proc} stat files) and the
 * ivshmem transport (sockets, eventfd, poll). JNA direct mapping with primitive and {@link Pointer} arguments
 * only, so a call allocates nothing on the Java heap. errno arrives as {@link LastErrorException}, its
 * {@code getErrorCode()} compared with the constants here. Linux LP64 only (x86_64, aarch64): the struct offsets and system call numbers below are that
 * ABI's; elsewhere nothing is bound and {@link #requireSupported} says why. Internal to the module.
 */
public final class Libc {
    public static final int AF_UNIX = 1;
    public static final int SOCK_STREAM = 1;
    public static final int SOCK_NONBLOCK = 04000;
    public static final int SOCK_CLOEXEC = 02000000;
    public static final int EFD_NONBLOCK = 04000;
    public static final int EFD_CLOEXEC = 02000000;
    public static final int O_RDONLY = 0;
    public static final int O_RDWR = 02;
    public static final int O_NOFOLLOW = 0400000;
    public static final int O_CLOEXEC = 02000000;
    public static final int MSG_DONTWAIT = 0x40;
    public static final int MSG_NOSIGNAL = 0x4000;
    public static final int MSG_CTRUNC = 0x8;
    public static final int SOL_SOCKET = 1;
    public static final int SCM_RIGHTS = 1;
    /** {@code SO_PEERCRED} on x86_64 and aarch64 (asm-generic/socket.h). */
    public static final int SO_PEERCRED = 17;
    /** Bytes of {@code struct ucred}: pid, uid, gid as 32-bit ints. */
    public static final int UCRED_SIZE = 12;
    public static final short POLLIN = 0x1;
    public static final short POLLERR = 0x8;
    public static final short POLLHUP = 0x10;
    public static final short POLLNVAL = 0x20;
    public static final int EINTR = 4;
    public static final int EAGAIN = 11;

    /** {@code struct pollfd}: int fd, short events, short revents. */
    public static final int POLLFD_SIZE = 8;
    /** {@code struct msghdr} (LP64): name, namelen(+pad), iov, iovlen, control, controllen, flags(+pad). */
    public static final int MSGHDR_SIZE = 56;
    /** {@code struct iovec}: base, len. */
    public static final int IOVEC_SIZE = 16;
    /** {@code CMSG_SPACE(sizeof(int))}: 16-byte header, the int, padding to 8. */
    public static final int CMSG_SPACE_ONE_FD = 24;
    /** {@code CMSG_LEN(sizeof(int))}. */
    public static final int CMSG_LEN_ONE_FD = 20;
    /** {@code sizeof(sun_path)}. */
    public static final int SUN_PATH_MAX = 108;

    // System call numbers: x86_64 from arch/x86/entry/syscalls/syscall_64.tbl, aarch64 from
    // include/uapi/asm-generic/unistd.h; -1 on any other architecture (nothing is bound there).
    public static final long SYS_GETTID;
    public static final long SYS_SCHED_SETATTR;
    public static final long SYS_SCHED_GETATTR;
    public static final long SYS_SCHED_SETAFFINITY;
    public static final long SYS_PRCTL;

    /** Why this platform has no binding, or null when it has one. */
    private static final @Nullable String UNSUPPORTED;

    static {
        String os = System.getProperty("os.name", "?");
        String arch = System.getProperty("os.arch", "?").toLowerCase(Locale.ROOT);
        boolean x86 = arch.equals("amd64") || arch.equals("x86_64");
        boolean arm = arch.equals("aarch64") || arch.equals("arm64");
        SYS_GETTID = x86 ? 186 : arm ? 178 : -1;
        SYS_SCHED_SETATTR = x86 ? 314 : arm ? 274 : -1;
        SYS_SCHED_GETATTR = x86 ? 315 : arm ? 275 : -1;
        SYS_SCHED_SETAFFINITY = x86 ? 203 : arm ? 122 : -1;
        SYS_PRCTL = x86 ? 157 : arm ? 167 : -1;
        if (!os.toLowerCase(Locale.ROOT).startsWith("linux") || !(x86 || arm)) {
            UNSUPPORTED = "needs Linux on x86_64 or aarch64, this is " + os + "/" + arch;
        } else {
            UNSUPPORTED = null;
            Native.register(Libc.class, Platform.C_LIBRARY_NAME);
        }
    }

    private Libc() {
    }

    /**
     * Throws unless this platform has the binding: the clear message for an entry point to give before its
     * first call (which would otherwise fail with {@link UnsatisfiedLinkError}).
     *
     * @param user what needs the binding, for the message ("the Linux priority actuator")
     * @throws UnsupportedOperationException off Linux or on another architecture than x86_64 and aarch64
     */
    public static void requireSupported(String user) {
        String why = UNSUPPORTED;
        if (why != null) {
            throw new UnsupportedOperationException(user + " " + why);
        }
    }

    public static native int socket(int domain, int type, int protocol) throws LastErrorException;

    public static native int bind(int fd, Pointer addr, int len) throws LastErrorException;

    public static native int connect(int fd, Pointer addr, int len) throws LastErrorException;

    public static native int listen(int fd, int backlog) throws LastErrorException;

    public static native int getsockopt(int fd, int level, int name, Pointer value, Pointer length)
            throws LastErrorException;

    public static native int accept4(int fd, @Nullable Pointer addr, @Nullable Pointer len, int flags)
            throws LastErrorException;

    public static native long sendmsg(int fd, Pointer msg, int flags) throws LastErrorException;

    public static native long recvmsg(int fd, Pointer msg, int flags) throws LastErrorException;

    public static native int eventfd(int initval, int flags) throws LastErrorException;

    public static native long read(int fd, Pointer buf, long count) throws LastErrorException;

    public static native long pread(int fd, Pointer buf, long count, long offset) throws LastErrorException;

    public static native long write(int fd, Pointer buf, long count) throws LastErrorException;

    public static native int ppoll(Pointer fds, long nfds, @Nullable Pointer timeout, @Nullable Pointer sigmask)
            throws LastErrorException;

    public static native int open(String path, int flags) throws LastErrorException;

    public static native int close(int fd) throws LastErrorException;

    /**
     * libc's {@code long syscall(long number, ...)} with five argument words; a system call ignores those it
     * does not take. Direct mapping has no varargs, and on the two ABIs above integer arguments travel in the
     * same registers whether the callee is variadic or not. A pointer argument is passed as
     * {@link Pointer#nativeValue}; the caller keeps its {@link Memory} reachable until the call returns.
     *
     * @param number the system call number ({@link #SYS_GETTID}, ...)
     * @return the system call's result
     * @throws LastErrorException with the errno when it fails
     */
    public static native long syscall(long number, long a1, long a2, long a3, long a4, long a5)
            throws LastErrorException;

    /**
     * Closes {@code fd} if it is one, ignoring errors (for clean-up paths; Linux releases the descriptor even
     * when close reports {@code EINTR}).
     *
     * @param fd a descriptor, or negative for none
     */
    public static void closeQuietly(int fd) {
        if (fd >= 0) {
            try {
                close(fd);
            } catch (LastErrorException e) {
                // nothing to do on a clean-up path
            }
        }
    }

    /**
     * A {@code struct sockaddr_un} for {@code path}; the length to pass is {@link Memory#size()}.
     *
     * @param path the socket's path, shorter than {@link #SUN_PATH_MAX} bytes in UTF-8
     * @return the address
     * @throws IllegalArgumentException if the path is too long
     */
    public static Memory sockaddrUn(String path) {
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
