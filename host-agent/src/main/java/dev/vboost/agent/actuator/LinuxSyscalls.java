package dev.vboost.agent.actuator;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import java.util.Locale;

/**
 * The three raw Linux system calls the actuator needs, through libc's {@code syscall(2)}: glibc has no
 * wrappers for {@code sched_getattr}/{@code sched_setattr}, and {@code gettid} only since 2.30. Numbers are
 * per architecture; an architecture not listed here fails with a clear message instead of guessing.
 */
final class LinuxSyscalls {

    /** libc's variadic {@code long syscall(long number, ...)}; errno arrives as {@link LastErrorException}. */
    interface LibC extends Library {
        long syscall(long number, Object... args) throws LastErrorException;
    }

    final long gettid;
    final long schedSetattr;
    final long schedGetattr;
    final LibC libc;

    private LinuxSyscalls(long gettid, long schedSetattr, long schedGetattr, LibC libc) {
        this.gettid = gettid;
        this.schedSetattr = schedSetattr;
        this.schedGetattr = schedGetattr;
        this.libc = libc;
    }

    /** Loaded once, on first use. */
    private static final class Holder {
        static final LinuxSyscalls INSTANCE = load();
    }

    /**
     * The system calls for this machine.
     *
     * @throws UnsupportedOperationException on a non-Linux OS or an architecture without known numbers
     */
    static LinuxSyscalls get() {
        return Holder.INSTANCE;
    }

    private static LinuxSyscalls load() {
        String os = System.getProperty("os.name", "?");
        if (!os.toLowerCase(Locale.ROOT).startsWith("linux")) {
            throw new UnsupportedOperationException("the Linux priority actuator needs Linux, this is " + os);
        }
        String arch = System.getProperty("os.arch", "?");
        long gettid;
        long setattr;
        long getattr;
        switch (arch) {
            case "amd64":
            case "x86_64":
                // arch/x86/entry/syscalls/syscall_64.tbl
                gettid = 186;
                setattr = 314;
                getattr = 315;
                break;
            case "aarch64":
            case "arm64":
                // include/uapi/asm-generic/unistd.h
                gettid = 178;
                setattr = 274;
                getattr = 275;
                break;
            default:
                throw new UnsupportedOperationException("no sched_setattr/sched_getattr/gettid syscall numbers known "
                        + "for architecture '" + arch + "' (supported: x86_64, aarch64)");
        }
        LibC libc = Native.load(Platform.C_LIBRARY_NAME, LibC.class);
        return new LinuxSyscalls(gettid, setattr, getattr, libc);
    }
}
