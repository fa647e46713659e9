/**
 * vCPU discovery: which host thread runs which vCPU of a VM. {@link dev.vboost.agent.qmp.QmpVcpuWatcher} asks QEMU
 * itself over QMP ({@code query-cpus-fast}: {@code cpu-index} is the slot, {@code thread-id} the tid) and follows
 * CPU hot-plug; {@link dev.vboost.agent.qmp.ThreadNameVcpus} reads QEMU's debug thread names
 * ({@code CPU n/KVM}, only with {@code -name ...,debug-threads=on}) as a fallback.
 */
package dev.vboost.agent.qmp;
