package dev.vboost.api.hypercall;

/**
 * The {@code KVM_EXIT_HYPERCALL} view of a call: {@code nr}, {@code args[6]} and {@code ret}, as a
 * user-space VMM sees it in {@code kvm_run.hypercall}. Immutable; {@link #args()} returns a copy.
 */
public final class HypercallExit {
    private final long nr;
    private final long[] args;
    private final long ret;

    public HypercallExit(long nr, long[] args, long ret) {
        if (args.length != HypercallNumbers.EXIT_ARG_COUNT) {
            throw new IllegalArgumentException("kvm_run.hypercall.args has 6 entries, got " + args.length);
        }
        this.nr = nr;
        this.args = args.clone();
        this.ret = ret;
    }

    public static HypercallExit of(long nr, long a0, long a1, long a2, long a3) {
        return new HypercallExit(nr, new long[] {a0, a1, a2, a3, 0, 0}, 0);
    }

    public long nr() {
        return nr;
    }

    public long arg(int i) {
        return args[i];
    }

    public long[] args() {
        return args.clone();
    }

    public long ret() {
        return ret;
    }

    /** The same exit with {@code ret} filled in, as the VMM hands it back before re-entering the guest. */
    public HypercallExit withRet(long newRet) {
        return new HypercallExit(nr, args, newRet);
    }

    @Override
    public boolean equals(@org.checkerframework.checker.nullness.qual.Nullable Object o) {
        return o instanceof HypercallExit && ((HypercallExit) o).nr == nr
                && java.util.Arrays.equals(((HypercallExit) o).args, args) && ((HypercallExit) o).ret == ret;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(nr, java.util.Arrays.hashCode(args), ret);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("HypercallExit{nr=0x").append(Long.toHexString(nr)).append(", args=[");
        for (int i = 0; i < args.length; i++) {
            sb.append(i == 0 ? "0x" : ", 0x").append(Long.toHexString(args[i]));
        }
        return sb.append("], ret=").append(ret).append('}').toString();
    }
}
