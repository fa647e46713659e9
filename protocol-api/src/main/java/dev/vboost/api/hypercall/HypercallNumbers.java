package dev.vboost.api.hypercall;

/**
 * Hypercall numbers and argument constants, spec/protocol.md §7. The range 0x5642xxxx ("VB") is this
 * protocol's own, far from KVM's 1..12. Numbers are never reused.
 */
public final class HypercallNumbers {
    /** Start of this protocol's hypercall number range. */
    public static final long BASE = 0x5642_0000L;
    /** a0 = selector ({@code QUERY_*}); a1..a3 MBZ. Returns the value asked for. */
    public static final long QUERY = 0x5642_0001L;
    /** a0 = region GPA, a1 = region size, a2 = guest ABI (major &lt;&lt; 16 | minor), a3 = accepted features. */
    public static final long ATTACH = 0x5642_0002L;
    /** a0 = host generation attached to; a1..a3 MBZ. */
    public static final long DETACH = 0x5642_0003L;
    /** a0 = slot index, a1 = notify flags ({@code NOTIFY_*}); a2..a3 MBZ. */
    public static final long NOTIFY = 0x5642_0004L;

    /** QUERY selector: the host's ABI version, major &lt;&lt; 16 | minor. */
    public static final int QUERY_ABI_VERSION = 0;
    /** QUERY selector: the feature bits the host offers. */
    public static final int QUERY_HOST_FEATURES = 1;
    /** QUERY selector: the number of slots the host serves. */
    public static final int QUERY_SLOT_COUNT = 2;

    /** The slot's guest line holds a new request. */
    public static final int NOTIFY_REQUEST = 1;
    /** The guest acknowledged a host-initiated boost. */
    public static final int NOTIFY_HOST_BOOST_ACK = 1 << 1;
    /** All notify flags this ABI version defines. */
    public static final int NOTIFY_DEFINED_MASK = NOTIFY_REQUEST | NOTIFY_HOST_BOOST_ACK;

    /** KVM passes four arguments on x86 (RBX, RCX, RDX, RSI); {@code args[4]} and {@code args[5]} MBZ. */
    public static final int ARG_COUNT = 4;
    /** Size of {@code kvm_run.hypercall.args}. */
    public static final int EXIT_ARG_COUNT = 6;

    private HypercallNumbers() {
    }
}
