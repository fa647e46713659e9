package dev.vboost.api.hypercall;

/** KVM hypercall error codes; a call fails by returning the negated code in RAX (spec §7.2). */
public enum KvmError {
    EPERM(1),
    E2BIG(7),
    EFAULT(14),
    EINVAL(22),
    EOPNOTSUPP(95),
    ENOSYS(1000);

    private final int code;

    KvmError(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The value placed in RAX: {@code -code}. */
    public long ret() {
        return -code;
    }

    /** The error a negative return value stands for, or {@code null} for a success or an unknown code. */
    public static @org.checkerframework.checker.nullness.qual.Nullable KvmError fromRet(long ret) {
        for (KvmError e : values()) {
            if (e.ret() == ret) {
                return e;
            }
        }
        return null;
    }
}
