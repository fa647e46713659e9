package dev.vboost.api.hypercall;

import dev.vboost.api.layout.RegionLayout;
import dev.vboost.api.wire.Feature;

/**
 * Converts between {@link HypercallExit} ({@code nr}, {@code args[6]}, {@code ret}) and {@link Hypercall},
 * applying the per-call argument rules of spec §7.3. Checks that need host state (slot count, features
 * offered, attached generation) belong to the dispatcher.
 */
public final class HypercallCodec {

    private HypercallCodec() {
    }

    /**
     * The exit a guest produces for {@code call}, {@code ret} 0.
     *
     * @throws IllegalArgumentException if the call holds values the ABI cannot carry (they would not decode
     *         back to the same call: a negative slot, a minor above 0xFFFF, undefined feature bits, ...)
     * @param call the call
     * @return the exit
     */
    public static HypercallExit encode(Hypercall call) {
        long[] a = call.argRegisters();
        HypercallExit exit = HypercallExit.of(call.nr(), a[0], a[1], a[2], a[3]);
        HypercallDecoding back = decode(exit);
        if (!(back instanceof HypercallDecoding.Decoded) || !((HypercallDecoding.Decoded) back).call().equals(call)) {
            throw new IllegalArgumentException("not encodable: " + call + " -> " + back);
        }
        return exit;
    }

    /**
     * Decodes and validates an exit; never throws.
     *
     * @param exit the exit as the VMM read it
     * @return the call, or the error to return to the guest
     */
    public static HypercallDecoding decode(HypercallExit exit) {
        long nr = exit.nr();
        // an unknown number is -KVM_ENOSYS whatever its arguments (spec §7.2), as KVM itself answers
        if (nr != HypercallNumbers.QUERY && nr != HypercallNumbers.ATTACH && nr != HypercallNumbers.DETACH
                && nr != HypercallNumbers.NOTIFY) {
            return reject(KvmError.ENOSYS, "unknown hypercall number 0x" + Long.toHexString(nr));
        }
        if (exit.arg(4) != 0 || exit.arg(5) != 0) {
            return reject(KvmError.EINVAL, "args[4] and args[5] must be zero");
        }
        if (nr == HypercallNumbers.QUERY) {
            return decodeQuery(exit);
        } else if (nr == HypercallNumbers.ATTACH) {
            return decodeAttach(exit);
        } else if (nr == HypercallNumbers.DETACH) {
            return decodeDetach(exit);
        }
        return decodeNotify(exit);
    }

    private static HypercallDecoding decodeQuery(HypercallExit exit) {
        if (exit.arg(1) != 0 || exit.arg(2) != 0 || exit.arg(3) != 0) {
            return reject(KvmError.EINVAL, "QUERY: a1..a3 must be zero");
        }
        long selector = exit.arg(0);
        if (selector < HypercallNumbers.QUERY_ABI_VERSION || selector > HypercallNumbers.QUERY_SLOT_COUNT) {
            return reject(KvmError.EINVAL, "QUERY: unknown selector 0x" + Long.toHexString(selector));
        }
        return new HypercallDecoding.Decoded(new Hypercall.Query((int) selector));
    }

    private static HypercallDecoding decodeAttach(HypercallExit exit) {
        long gpa = exit.arg(0);
        long size = exit.arg(1);
        long abi = exit.arg(2);
        long features = exit.arg(3);
        if ((gpa & (RegionLayout.REGION_ALIGNMENT - 1)) != 0) {
            return reject(KvmError.EINVAL, "ATTACH: region GPA 0x" + Long.toHexString(gpa) + " is not 4096-aligned");
        }
        // a u64 size of 2^63 or more is negative here and falls into the E2BIG branch
        if (size < 0 || size > RegionLayout.regionSize(RegionLayout.MAX_SLOTS)) {
            return reject(KvmError.E2BIG, "ATTACH: region size 0x" + Long.toHexString(size)
                    + " exceeds the largest region (" + RegionLayout.regionSize(RegionLayout.MAX_SLOTS) + ")");
        }
        if (size < RegionLayout.REGION_ALIGNMENT || (size & (RegionLayout.REGION_ALIGNMENT - 1)) != 0) {
            return reject(KvmError.EINVAL, "ATTACH: region size " + size + " is not a non-zero multiple of 4096");
        }
        if ((abi & ~0xFFFF_FFFFL) != 0) {
            return reject(KvmError.EINVAL, "ATTACH: a2 bits 63..32 must be zero");
        }
        if (Feature.hasUndefinedBits(features, (int) (abi & 0xFFFF))) {
            return reject(KvmError.EINVAL, "ATTACH: accepted features 0x" + Long.toHexString(features)
                    + " has undefined bits");
        }
        return new HypercallDecoding.Decoded(new Hypercall.Attach(gpa, size, (int) (abi >>> 16), (int) (abi & 0xFFFF),
                features));
    }

    private static HypercallDecoding decodeDetach(HypercallExit exit) {
        if (exit.arg(1) != 0 || exit.arg(2) != 0 || exit.arg(3) != 0) {
            return reject(KvmError.EINVAL, "DETACH: a1..a3 must be zero");
        }
        long generation = exit.arg(0);
        if (generation == 0 || (generation & ~0xFFFF_FFFFL) != 0) {
            return reject(KvmError.EINVAL, "DETACH: generation must be a non-zero u32");
        }
        return new HypercallDecoding.Decoded(new Hypercall.Detach(generation));
    }

    private static HypercallDecoding decodeNotify(HypercallExit exit) {
        if (exit.arg(2) != 0 || exit.arg(3) != 0) {
            return reject(KvmError.EINVAL, "NOTIFY: a2..a3 must be zero");
        }
        long slot = exit.arg(0);
        long flags = exit.arg(1);
        if (slot < 0 || slot >= RegionLayout.MAX_SLOTS) {
            return reject(KvmError.EINVAL, "NOTIFY: slot 0x" + Long.toHexString(slot) + " out of range");
        }
        if (flags == 0 || (flags & ~(long) HypercallNumbers.NOTIFY_DEFINED_MASK) != 0) {
            return reject(KvmError.EINVAL, "NOTIFY: flags 0x" + Long.toHexString(flags)
                    + " must be a non-empty subset of 0x3");
        }
        return new HypercallDecoding.Decoded(new Hypercall.Notify((int) slot, (int) flags));
    }

    private static HypercallDecoding reject(KvmError error, String why) {
        return new HypercallDecoding.Rejected(error, why);
    }
}
