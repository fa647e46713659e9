package dev.vboost.api.hypercall;

/** KVM hypercall error codes; a call fails by returning the negated code in RAX (spec §7.2). */
public enum KvmError {
    /** Operation not permitted. */
    EPERM(1),
    /** Argument too big. */
    E2BIG(7),
    /** Bad guest address. */
    EFAULT(14),
    /** Invalid argument. */
    EINVAL(22),
    /** Operation not supported (a feature not negotiated). */
    EOPNOTSUPP(95),
    /** Unknown hypercall number (KVM's own code 1000). */
    ENOSYS(1000);

    private final int code;

    KvmError(int code) {
        this.code = code;
    }

    /**
     * The positive error number.
     *
     * @return the number
     */
    public int code() {
        return code;
    }

    /**
     * The value placed in RAX: {@code -code}.
     *
     * @return the negated code
     */
    public long ret() {
        return -code;
    }

    /**
     * The error a negative return value stands for, or {@code null} for a success or an unknown code.
     *
     * @param ret a hypercall's return value
     * @return the error, or {@code null}
     */
    public static @org.checkerframework.checker.nullness.qual.Nullable KvmError fromRet(long ret) {
        for (KvmError e : values()) {
            if (e.ret() == ret) {
                return e;
            }
        }
        return null;
    }
}
