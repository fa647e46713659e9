package dev.vboost.api.hypercall;

/** One vboost hypercall, decoded and validated (spec §7.3). One record per call. */
public sealed interface Hypercall permits Hypercall.Query, Hypercall.Attach, Hypercall.Detach, Hypercall.Notify {

    /**
     * The hypercall number in RAX.
     *
     * @return the number
     */
    long nr();

    /**
     * Arguments a0..a3 as they travel in RBX, RCX, RDX, RSI.
     *
     * @return a new array of four values
     */
    long[] argRegisters();

    /**
     * {@code VBOOST_HC_QUERY}: ask for the ABI version, the host features or the slot count.
     *
     * @param selector one of {@code HypercallNumbers.QUERY_*}
     */
    record Query(int selector) implements Hypercall {
        @Override
        public long nr() {
            return HypercallNumbers.QUERY;
        }

        @Override
        public long[] argRegisters() {
            return new long[] {selector, 0, 0, 0};
        }
    }

    /**
     * {@code VBOOST_HC_ATTACH}: register the region at {@code regionGpa}.
     *
     * @param regionGpa        guest-physical address of the region
     * @param regionSize       the region's size in bytes
     * @param guestAbiMajor    the ABI major the guest implements
     * @param guestAbiMinor    the ABI minor the guest implements
     * @param acceptedFeatures the {@link dev.vboost.api.wire.Feature} bits the guest accepted
     */
    record Attach(long regionGpa, long regionSize, int guestAbiMajor, int guestAbiMinor, long acceptedFeatures)
            implements Hypercall {
        @Override
        public long nr() {
            return HypercallNumbers.ATTACH;
        }

        @Override
        public long[] argRegisters() {
            return new long[] {regionGpa, regionSize, ((long) guestAbiMajor << 16) | guestAbiMinor, acceptedFeatures};
        }
    }

    /**
     * {@code VBOOST_HC_DETACH}: leave the region attached at {@code generation}.
     *
     * @param generation the host generation the guest attached to
     */
    record Detach(long generation) implements Hypercall {
        @Override
        public long nr() {
            return HypercallNumbers.DETACH;
        }

        @Override
        public long[] argRegisters() {
            return new long[] {generation, 0, 0, 0};
        }
    }

    /**
     * {@code VBOOST_HC_NOTIFY}: slot {@code slot} changed; {@code flags} say how.
     *
     * @param slot  the slot index
     * @param flags {@code HypercallNumbers.NOTIFY_*} bits
     */
    record Notify(int slot, int flags) implements Hypercall {
        @Override
        public long nr() {
            return HypercallNumbers.NOTIFY;
        }

        @Override
        public long[] argRegisters() {
            return new long[] {slot, flags, 0, 0};
        }
    }
}
