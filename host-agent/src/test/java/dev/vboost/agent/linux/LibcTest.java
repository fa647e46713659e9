package dev.vboost.agent.linux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The binding's calls against the kernel: what each returns, and errno where one fails. */
class LibcTest {
    private static final int ELOOP = 40;

    @BeforeAll
    static void linux() {
        assumeTrue(System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux"), "not Linux");
    }

    @Test
    void preadReadsAtTheOffsetWithoutMovingTheFilePosition(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("data");
        Files.write(f, "0123456789".getBytes(StandardCharsets.US_ASCII));
        int fd = Libc.open(f.toString(), Libc.O_RDONLY | Libc.O_NOFOLLOW | Libc.O_CLOEXEC);
        try {
            Memory buf = new Memory(4);
            assertEquals(4, Libc.pread(fd, buf, 4, 3));
            assertArrayEquals("3456".getBytes(StandardCharsets.US_ASCII), buf.getByteArray(0, 4));
            assertEquals(4, Libc.read(fd, buf, 4), "pread left the position at 0");
            assertArrayEquals("0123".getBytes(StandardCharsets.US_ASCII), buf.getByteArray(0, 4));
            assertEquals(0, Libc.pread(fd, buf, 4, 10), "at the end: nothing");
        } finally {
            Libc.close(fd);
        }
    }

    @Test
    void openRefusesASymlinkWithNoFollow(@TempDir Path dir) throws Exception {
        Path target = Files.writeString(dir.resolve("target"), "x");
        Path link = Files.createSymbolicLink(dir.resolve("link"), target);
        LastErrorException e = assertThrows(LastErrorException.class,
                () -> Libc.open(link.toString(), Libc.O_RDONLY | Libc.O_NOFOLLOW | Libc.O_CLOEXEC));
        assertEquals(ELOOP, e.getErrorCode());
    }

    @Test
    void gettidThroughSyscallIsTheThreadProcNames() throws Exception {
        long tid = Libc.syscall(Libc.SYS_GETTID, 0, 0, 0, 0, 0);
        // /proc/thread-self links to <tgid>/task/<tid>
        Path self = Files.readSymbolicLink(Path.of("/proc/thread-self"));
        assertEquals(Long.toString(tid), self.getFileName().toString());
    }

    @Test
    void eventfdCountsWhatIsWrittenAndReadsItOnce() throws Exception {
        int fd = Libc.eventfd(0, Libc.EFD_NONBLOCK | Libc.EFD_CLOEXEC);
        try {
            Memory v = new Memory(8);
            v.setLong(0, 2);
            Libc.write(fd, v, 8);
            Libc.write(fd, v, 8);
            v.setLong(0, 0);
            assertEquals(8, Libc.read(fd, v, 8));
            assertEquals(4, v.getLong(0));
            LastErrorException e = assertThrows(LastErrorException.class, () -> Libc.read(fd, v, 8));
            assertEquals(Libc.EAGAIN, e.getErrorCode(), "read to zero: a non-blocking read has nothing");
        } finally {
            Libc.closeQuietly(fd);
        }
    }

    @Test
    void aSocketPathTooLongForSunPathIsRefused() {
        assertEquals(2 + 3 + 1, Libc.sockaddrUn("/ab").size());
        assertThrows(IllegalArgumentException.class, () -> Libc.sockaddrUn("/" + "x".repeat(Libc.SUN_PATH_MAX)));
    }

    @Test
    void closeQuietlyIgnoresNoDescriptorAndABadOne() {
        Libc.closeQuietly(-1);
        LastErrorException e = assertThrows(LastErrorException.class, () -> Libc.close(Integer.MAX_VALUE));
        assertEquals(9, e.getErrorCode(), "EBADF");
        Libc.closeQuietly(Integer.MAX_VALUE);
    }
}
