package dev.vboost.api;

/** Outcome of a bounded seqlock read into a reusable snapshot (spec §4.3). */
public enum ReadStatus {
    /** The snapshot holds one consistent version of the line, and its values passed validation. */
    OK,
    /** The writer held the line (odd counter) or kept changing it for all attempts; the snapshot is not valid. */
    BUSY,
    /** A consistent copy was taken but a value broke a rule; the snapshot records which ({@code error()}). */
    INVALID
}
