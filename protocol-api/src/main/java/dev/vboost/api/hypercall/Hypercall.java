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

    /** {@code VBOOST_HC_QUERY}: ask for the ABI version, the host features or the slot count. */
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

    /** {@code VBOOST_HC_ATTACH}: register the region at {@code regionGpa}. */
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

    /** {@code VBOOST_HC_DETACH}: leave the region attached at {@code generation}. */
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

    /** {@code VBOOST_HC_NOTIFY}: slot {@code slot} changed; {@code flags} say how. */
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
