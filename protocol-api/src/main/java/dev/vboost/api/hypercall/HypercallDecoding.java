package dev.vboost.api.hypercall;

/** Result of decoding a {@code KVM_EXIT_HYPERCALL}: a valid call, or the error to return in RAX and why. */
public sealed interface HypercallDecoding permits HypercallDecoding.Decoded, HypercallDecoding.Rejected {

    /**
     * The exit held a well-formed call.
     *
     * @param call the call
     */
    record Decoded(Hypercall call) implements HypercallDecoding {
    }

    /**
     * The exit broke a rule; return {@code error.ret()} to the guest.
     *
     * @param error the error to return
     * @param why   what was wrong, for logs
     */
    record Rejected(KvmError error, String why) implements HypercallDecoding {
    }
}
