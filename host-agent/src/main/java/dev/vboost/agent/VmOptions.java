package dev.vboost.agent;

import java.util.function.BooleanSupplier;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Optional facts about a VM that let the agent check more than its thread ids, given to
 * {@link HostAgent#addVm(String, dev.vboost.api.role.HostEndpoint, dev.vboost.agent.policy.PolicyConfig,
 * java.util.Map, long, long, VmOptions)}. Immutable; start from {@link #NONE}.
 *
 * @param processId         the VMM's process id: a vCPU thread id that names a thread of another process is
 *                          refused at registration (its slot is not served); 0 accepts threads of any process
 * @param regionStillLinked asked on the agent thread about once a second whether the region is still the file
 *                          that was mapped (for a {@code MappedRegionFile}, its {@code stillLinked()}); when it
 *                          answers false the VM fails: its threads are restored and nothing more is published
 *                          (issue 16 row 11). {@code null}: not checked
 */
public record VmOptions(int processId, @Nullable BooleanSupplier regionStillLinked) {
    /** No process check, no region check. */
    public static final VmOptions NONE = new VmOptions(0, null);

    /**
     * Refuses a negative process id.
     *
     * @param processId         the VMM's process id, or 0 for any process
     * @param regionStillLinked the region check, or {@code null} for none
     */
    public VmOptions {
        if (processId < 0) {
            throw new IllegalArgumentException("process id must not be negative, got " + processId);
        }
    }

    /**
     * These options with the VM's process id.
     *
     * @param pid the VMM's process id (positive), or 0 for any process
     * @return new options
     */
    public VmOptions withProcessId(int pid) {
        return new VmOptions(pid, regionStillLinked);
    }

    /**
     * These options with a check that the region is still the file that was mapped.
     *
     * @param stillLinked true while the mapped region is still the file at its path
     * @return new options
     */
    public VmOptions withRegionCheck(BooleanSupplier stillLinked) {
        return new VmOptions(processId, stillLinked);
    }
}
