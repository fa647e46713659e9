package dev.vboost.tools.daemon;

/**
 * A doorbell VM's region and ivshmem server, created before its vCPU threads are known: QEMU connects to the
 * server once, when it starts, so the server must listen before the VM can be served.
 */
final class ListeningDoorbell {
    final VmFile file;
    final ServedRegion region;
    final DaemonDoorbells.Bell bell;

    ListeningDoorbell(VmFile file, ServedRegion region, DaemonDoorbells.Bell bell) {
        this.file = file;
        this.region = region;
        this.bell = bell;
    }
}
