package dev.vboost.tools.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** packaging/: the systemd unit passes {@code systemd-analyze verify}; the libvirt hook writes and removes VM files. */
class PackagingTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @TempDir
    Path tmp;

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    private static String[] run(Path dir, String stdin, List<String> env, String... cmd) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        for (String kv : env) {
            int eq = kv.indexOf('=');
            pb.environment().put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), () -> String.join(" ", cmd) + " did not finish in 60 s");
        return new String[] {Integer.toString(p.exitValue()), Files.readString(out), Files.readString(err)};
    }

    @Test
    void systemdUnitVerifiesWithoutAWarning() throws Exception {
        if (!"true".equals(System.getenv("CI"))) {
            assumeTrue(onPath("systemd-analyze"), "systemd-analyze is not installed here (CI=true forces the test)");
        }
        // verify checks that ExecStart's program exists: point it at a stand-in
        Path exe = tmp.resolve("vboost");
        Files.writeString(exe, "#!/bin/sh\n");
        Files.setPosixFilePermissions(exe, PosixFilePermissions.fromString("rwxr-xr-x"));
        String unit = Files.readString(ROOT.resolve("packaging/systemd/vboost-agent.service"));
        assertTrue(unit.contains("ExecStart=/usr/bin/vboost agent --vm-dir "), unit);
        Path copy = tmp.resolve("vboost-agent.service");
        Files.writeString(copy, unit.replace("/usr/bin/vboost", exe.toString()));
        String[] r = run(tmp, "", List.of(), "systemd-analyze", "verify", copy.toString());
        assertEquals("0", r[0], () -> "systemd-analyze verify failed:\n" + r[1] + r[2]);
        // verify exits 0 on unknown keys and bad values, printing them: any word from it is a defect
        assertEquals("", (r[1] + r[2]).strip(), "systemd-analyze verify complained");
        for (String must : new String[] {"AmbientCapabilities=CAP_SYS_NICE", "CapabilityBoundingSet=CAP_SYS_NICE",
                "NoNewPrivileges=yes", "ProtectSystem=strict", "PrivateTmp=yes", "Restart=on-failure",
                "StateDirectory=vboost", "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6", "--journal /var/lib/vboost/"}) {
            assertTrue(unit.contains(must), () -> "the unit lacks " + must);
        }
        assertTrue(!unit.contains("\nUser=root"), "the agent does not run as root");
    }

    @Test
    void libvirtHookWritesTheVmFileAtStartAndRemovesItAtStop() throws Exception {
        Path hook = ROOT.resolve("packaging/libvirt/qemu");
        Path vms = Files.createDirectory(tmp.resolve("vms"));
        String xml = "<domain type='kvm'><name>web1</name><devices>\n"
                + "  <shmem name='vboost-web1'><model type='ivshmem-plain'/><size unit='K'>4</size></shmem>\n"
                + "</devices></domain>\n";
        // the hook reads QEMU's pid from /run/libvirt/qemu: not there in a test, so the VM is not described
        String[] r = run(tmp, xml, List.of("VBOOST_VM_DIR=" + vms), "sh", hook.toString(), "web1", "started", "begin", "-");
        assertEquals("0", r[0], () -> r[1] + r[2]);
        Path pidDir = Path.of("/run/libvirt/qemu");
        if (Files.isReadable(pidDir.resolve("web1.pid"))) {
            return; // a real VM of that name on this host: leave it alone
        }
        assertTrue(Files.notExists(vms.resolve("web1.vm")), "no pid, no file");
        // with a stand-in for the pid file (the hook's path is fixed), check the rest through a copy of the hook
        Path pidFile = tmp.resolve("web1.pid");
        Files.writeString(pidFile, Long.toString(ProcessHandle.current().pid()));
        Path testHook = tmp.resolve("qemu");
        Files.writeString(testHook, Files.readString(hook).replace("/run/libvirt/qemu/$domain.pid", pidFile.toString()));
        String[] s = run(tmp, xml, List.of("VBOOST_VM_DIR=" + vms, "VBOOST_POLICY=/nonexistent"), "sh",
                testHook.toString(), "web1", "started", "begin", "-");
        assertEquals("0", s[0], () -> s[1] + s[2]);
        String vm = Files.readString(vms.resolve("web1.vm"));
        assertTrue(vm.contains("name = web1\n") && vm.contains("region = /dev/shm/vboost-web1\n")
                && vm.contains("pid = " + ProcessHandle.current().pid() + "\n")
                && vm.contains("thread-name = CPU ([0-9]+)/KVM\n") && !vm.contains("policy"), vm);
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(vms.resolve("web1.vm"))));
        dev.vboost.tools.daemon.VmFile.parse(vms.resolve("web1.vm"), vm); // the agent accepts what the hook writes
        try (var left = Files.list(vms)) {
            assertEquals(1, left.count(), "no temporary file left beside web1.vm");
        }
        String[] t = run(tmp, "", List.of("VBOOST_VM_DIR=" + vms), "sh", testHook.toString(), "web1", "stopped", "end", "-");
        assertEquals("0", t[0], () -> t[1] + t[2]);
        assertTrue(Files.notExists(vms.resolve("web1.vm")), "removed at stop");
        // a domain without a vboost shmem device is not described
        String[] u = run(tmp, "<domain><name>db</name></domain>", List.of("VBOOST_VM_DIR=" + vms), "sh",
                testHook.toString(), "db", "started", "begin", "-");
        assertEquals("0", u[0]);
        assertTrue(Files.notExists(vms.resolve("db.vm")));
    }
    /**
     * At {@code prepare} (before QEMU starts) the hook creates the region with the real {@code vboost region}, owned
     * by the agent's user, group QEMU's, mode 0660, sized for the domain's vCPUs; the agent then reuses that file
     * (a file QEMU created as its own user would be refused); {@code release} removes it.
     */
    @Test
    void libvirtHookCreatesTheRegionBeforeQemuAndRemovesItAtRelease() throws Exception {
        Path hook = ROOT.resolve("packaging/libvirt/qemu");
        Path shm = Files.createDirectory(tmp.resolve("shm"));
        Path vms = Files.createDirectory(tmp.resolve("vms"));
        // the real CLI, run from this test's class path (the jar is packaged after the tests)
        Path cli = tmp.resolve("vboost");
        Files.writeString(cli, "#!/bin/sh\nexec '" + Path.of(System.getProperty("java.home"), "bin", "java")
                + "' -cp '" + System.getProperty("java.class.path") + "' dev.vboost.tools.VboostCli \"$@\"\n");
        Files.setPosixFilePermissions(cli, PosixFilePermissions.fromString("rwx------"));
        String user = Files.getOwner(Path.of("/proc/self")).getName();
        String group = Files.readAttributes(tmp, java.nio.file.attribute.PosixFileAttributes.class).group().getName();
        List<String> env = List.of("VBOOST=" + cli, "VBOOST_SHM_DIR=" + shm, "VBOOST_VM_DIR=" + vms,
                "VBOOST_REGION_OWNER=" + user, "VBOOST_REGION_GROUP=" + group);
        String xml = "<domain type='kvm'><name>web1</name><vcpu placement='static' current='2'>6</vcpu><devices>\n"
                + "  <shmem name='vboost-web1'><model type='ivshmem-plain'/><size unit='K'>4</size></shmem>\n"
                + "</devices></domain>\n";
        String[] r = run(tmp, xml, env, "sh", hook.toString(), "web1", "prepare", "begin", "-");
        assertEquals("0", r[0], () -> r[1] + r[2]);
        Path region = shm.resolve("vboost-web1");
        assertTrue(Files.isRegularFile(region, java.nio.file.LinkOption.NOFOLLOW_LINKS), "created at prepare: " + r[1] + r[2]);
        assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(region)));
        assertEquals(dev.vboost.api.layout.RegionLayout.backingSize(6), Files.size(region), "one slot per possible vCPU");
        // the agent (same user, same group and mode) reuses the file in place instead of refusing it
        dev.vboost.impl.memory.FileAccess access = dev.vboost.impl.memory.FileAccess.parse("0660", null, group);
        try (dev.vboost.impl.memory.MappedRegionFile m = dev.vboost.impl.memory.MappedRegionFile.createOrReuse(region,
                dev.vboost.api.layout.RegionLayout.backingSize(6), access)) {
            assertTrue(m.reused(), "the hook's file is adopted");
        }
        // a domain without a vCPU count gets no region, and the hook still succeeds
        String[] n = run(tmp, xml.replace("<vcpu placement='static' current='2'>6</vcpu>", "").replace("web1", "web2"),
                env, "sh", hook.toString(), "web2", "prepare", "begin", "-");
        assertEquals("0", n[0]);
        assertTrue(Files.notExists(shm.resolve("vboost-web2")));
        String[] t = run(tmp, xml, env, "sh", hook.toString(), "web1", "release", "end", "-");
        assertEquals("0", t[0], () -> t[1] + t[2]);
        assertTrue(Files.notExists(region), "removed at release");
    }
}
