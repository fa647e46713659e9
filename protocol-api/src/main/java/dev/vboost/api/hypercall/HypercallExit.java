package dev.vboost.api.hypercall;

/**
 * The {@code KVM_EXIT_HYPERCALL} view of a call: {@code nr}, {@code args[6]} and {@code ret}, as a
 * user-space VMM sees it in {@code kvm_run.hypercall}. Immutable; {@link #args()} returns a copy.
 */
public final class HypercallExit {
    private final long nr;
    private final long[] args;
    private final long ret;

    /**
     * An exit as the VMM read it.
     *
     * @param nr the hypercall number
     * @param args all six argument registers; copied
     * @param ret the return value
     * @throws IllegalArgumentException if {@code args} does not have six entries
     */
    public HypercallExit(long nr, long[] args, long ret) {
        if (args.length != HypercallNumbers.EXIT_ARG_COUNT) {
            throw new IllegalArgumentException("kvm_run.hypercall.args has 6 entries, got " + args.length);
        }
        this.nr = nr;
        this.args = args.clone();
        this.ret = ret;
    }

    /**
     * An exit with four arguments, the rest and {@code ret} zero.
     *
     * @param nr the hypercall number
     * @param a0 first argument
     * @param a1 second argument
     * @param a2 third argument
     * @param a3 fourth argument
     * @return the exit
     */
    public static HypercallExit of(long nr, long a0, long a1, long a2, long a3) {
        return new HypercallExit(nr, new long[] {a0, a1, a2, a3, 0, 0}, 0);
    }

    /**
     * The hypercall number.
     *
     * @return the number
     */
    public long nr() {
        return nr;
    }

    /**
     * One argument.
     *
     * @param i 0..5
     * @return the argument
     */
    public long arg(int i) {
        return args[i];
    }

    /**
     * All six arguments.
     *
     * @return a copy
     */
    public long[] args() {
        return args.clone();
    }

    /**
     * The return value.
     *
     * @return the value in RAX
     */
    public long ret() {
        return ret;
    }

    /**
     * The same exit with {@code ret} filled in, as the VMM hands it back before re-entering the guest.
     *
     * @param newRet the return value
     * @return a new exit
     */
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
