package dev.vboost.tools.daemon;

import java.util.Map;
import org.checkerframework.checker.nullness.qual.Nullable;

/** A VM being served from its file: the file, its region, its current vCPU map and its doorbell if any. */
final class ServedVm {
    VmFile file;
    final ServedRegion region;
    Map<Integer, Integer> vcpus;
    /** Its doorbell the agent waits on, or null for a lazy VM. */
    final DaemonDoorbells.@Nullable Bell bell;

    ServedVm(VmFile file, ServedRegion region, Map<Integer, Integer> vcpus, DaemonDoorbells.@Nullable Bell bell) {
        this.file = file;
        this.region = region;
        this.vcpus = vcpus;
        this.bell = bell;
    }
}
