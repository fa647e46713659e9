package dev.vboost.agent.hypercall;

import dev.vboost.agent.HypercallTarget;
import dev.vboost.api.hypercall.Hypercall;
import dev.vboost.api.hypercall.HypercallCodec;
import dev.vboost.api.hypercall.HypercallDecoding;
import dev.vboost.api.hypercall.HypercallExit;
import dev.vboost.api.hypercall.HypercallNumbers;
import dev.vboost.api.hypercall.KvmError;
import dev.vboost.api.layout.RegionLayout;
import dev.vboost.api.wire.Feature;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Executes the vboost hypercalls of one VM (spec §7) as a user-space VMM receives them in
 * {@code KVM_EXIT_HYPERCALL}: decodes {@code nr} and {@code args[6]} with {@link HypercallCodec} (reserved
 * arguments zero, ranges), then checks them against the host's state and runs them against a
 * {@link HypercallTarget}. Returns what goes into RAX: a value, 0, or a negated KVM error
 * ({@code -KVM_ENOSYS} for an unknown number). Never throws for anything the guest passes. Thread-safe.
 *
 * <table>
 * <caption>Host-state checks after decoding</caption>
 * <tr><th>call</th><th>check</th><th>error</th></tr>
 * <tr><td>QUERY</td><td>region READY (generation non-zero)</td><td>{@code -EOPNOTSUPP}</td></tr>
 * <tr><td>ATTACH</td><td>region READY</td><td>{@code -EOPNOTSUPP}</td></tr>
 * <tr><td>ATTACH</td><td>guest ABI major equals the host's</td><td>{@code -EOPNOTSUPP}</td></tr>
 * <tr><td>ATTACH</td><td>GPA is the region's</td><td>{@code -EFAULT}</td></tr>
 * <tr><td>ATTACH</td><td>size is the region's</td><td>{@code -EINVAL}</td></tr>
 * <tr><td>ATTACH</td><td>accepted features a subset of the offer</td><td>{@code -EINVAL}</td></tr>
 * <tr><td>DETACH</td><td>generation is the host's current one</td><td>{@code -EINVAL}</td></tr>
 * <tr><td>NOTIFY</td><td>NOTIFY_HYPERCALL offered (HOST_BOOST too for an ack)</td><td>{@code -EOPNOTSUPP}</td></tr>
 * <tr><td>NOTIFY</td><td>slot below the slot count</td><td>{@code -EINVAL}</td></tr>
 * </table>
 * ATTACH returns the host generation (non-zero); QUERY returns the value asked for
 * ({@code major << 16 | minor}, the feature bits, or the slot count); DETACH and NOTIFY return 0.
 */
public final class HypercallDispatcher {

    /**
     * The outcome of one call.
     *
     * @param ret    the RAX value
     * @param error  the KVM error behind a negative {@code ret}, or {@code null} on success
     * @param detail why it failed, or what was done
     * @param call   the decoded call, or {@code null} if decoding failed
     */
    public record Result(long ret, @Nullable KvmError error, String detail, @Nullable Hypercall call) {
        /**
         * Whether the call succeeded.
         *
         * @return true if there is no KVM error
         */
        public boolean ok() {
            return error == null;
        }
    }

    private final HypercallTarget target;

    /**
     * A dispatcher for one VM.
     *
     * @param target executes the decoded, checked calls (the VM's host endpoint)
     */
    public HypercallDispatcher(HypercallTarget target) {
        this.target = target;
    }

    /**
     * The exit with {@code ret} filled in, as the VMM hands it back before re-entering the guest.
     *
     * @param exit the guest's {@code KVM_EXIT_HYPERCALL}
     * @return a copy with {@code ret} set
     */
    public HypercallExit complete(HypercallExit exit) {
        return exit.withRet(dispatch(exit).ret());
    }

    /**
     * Decodes, checks and executes one exit.
     *
     * @param exit the guest's {@code KVM_EXIT_HYPERCALL}; every value untrusted
     * @return the value for {@code ret} and what happened
     */
    public Result dispatch(HypercallExit exit) {
        HypercallDecoding decoding = HypercallCodec.decode(exit);
        if (decoding instanceof HypercallDecoding.Rejected) {
            HypercallDecoding.Rejected r = (HypercallDecoding.Rejected) decoding;
            return fail(r.error(), r.why(), null);
        }
        Hypercall call = ((HypercallDecoding.Decoded) decoding).call();
        if (call instanceof Hypercall.Query) {
            return query((Hypercall.Query) call);
        } else if (call instanceof Hypercall.Attach) {
            return attach((Hypercall.Attach) call);
        } else if (call instanceof Hypercall.Detach) {
            return detach((Hypercall.Detach) call);
        } else if (call instanceof Hypercall.Notify) {
            return notify((Hypercall.Notify) call);
        }
        return fail(KvmError.ENOSYS, "no handler for " + call, call);
    }

    private Result query(Hypercall.Query q) {
        if (target.generation() == 0) {
            return fail(KvmError.EOPNOTSUPP, "QUERY: host region is not ready", q);
        }
        switch (q.selector()) {
            case HypercallNumbers.QUERY_ABI_VERSION:
                return ok(((long) RegionLayout.ABI_MAJOR << 16) | RegionLayout.ABI_MINOR, "ABI version", q);
            case HypercallNumbers.QUERY_HOST_FEATURES:
                return ok(target.hostFeatures(), "host features", q);
            case HypercallNumbers.QUERY_SLOT_COUNT:
                return ok(target.slotCount(), "slot count", q);
            default:
                return fail(KvmError.EINVAL, "QUERY: unknown selector " + q.selector(), q);
        }
    }

    private Result attach(Hypercall.Attach a) {
        long generation = target.generation();
        if (generation == 0) {
            return fail(KvmError.EOPNOTSUPP, "ATTACH: host region is not ready", a);
        }
        if (a.guestAbiMajor() != RegionLayout.ABI_MAJOR) {
            return fail(KvmError.EOPNOTSUPP, "ATTACH: guest ABI major " + a.guestAbiMajor() + ", host implements "
                    + RegionLayout.ABI_MAJOR, a);
        }
        if (a.regionGpa() != target.regionGpa()) {
            return fail(KvmError.EFAULT, "ATTACH: no vboost region at GPA 0x" + Long.toHexString(a.regionGpa())
                    + " (the region is at 0x" + Long.toHexString(target.regionGpa()) + ")", a);
        }
        if (a.regionSize() != target.regionSize()) {
            return fail(KvmError.EINVAL, "ATTACH: region size " + a.regionSize() + ", the region has "
                    + target.regionSize(), a);
        }
        long notOffered = a.acceptedFeatures() & ~target.hostFeatures();
        if (notOffered != 0) {
            return fail(KvmError.EINVAL, "ATTACH: accepted features 0x" + Long.toHexString(notOffered)
                    + " were not offered (offer 0x" + Long.toHexString(target.hostFeatures()) + ")", a);
        }
        target.attached(a.acceptedFeatures());
        return ok(generation, "attached at generation " + generation, a);
    }

    private Result detach(Hypercall.Detach d) {
        long generation = target.generation();
        if (d.generation() != generation) {
            return fail(KvmError.EINVAL, "DETACH: generation " + d.generation() + " is not the host's current "
                    + generation, d);
        }
        target.detached();
        return ok(0, "detached", d);
    }

    private Result notify(Hypercall.Notify n) {
        long features = target.hostFeatures();
        if (!Feature.NOTIFY_HYPERCALL.in(features)) {
            return fail(KvmError.EOPNOTSUPP, "NOTIFY: the host does not offer NOTIFY_HYPERCALL", n);
        }
        if ((n.flags() & HypercallNumbers.NOTIFY_HOST_BOOST_ACK) != 0 && !Feature.HOST_BOOST.in(features)) {
            return fail(KvmError.EOPNOTSUPP, "NOTIFY: HOST_BOOST_ACK but the host does not offer HOST_BOOST", n);
        }
        if (n.slot() >= target.slotCount()) {
            return fail(KvmError.EINVAL, "NOTIFY: slot " + n.slot() + " not below the slot count "
                    + target.slotCount(), n);
        }
        boolean queued = target.notifySlot(n.slot(), n.flags());
        return ok(0, queued ? "notified" : "notify queue full; slot left to the next poll", n);
    }

    private static Result ok(long ret, String detail, Hypercall call) {
        return new Result(ret, null, detail, call);
    }

    private static Result fail(KvmError e, String detail, @Nullable Hypercall call) {
        return new Result(e.ret(), e, detail, call);
    }
}
