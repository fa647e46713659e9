package dev.vboost.api.image;

import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * One seqlock-protected line of an image: its counter, its decoded value, and the rule it broke if any.
 * {@code value} is null only when the counter is odd ({@code E_BUSY}): nothing inside such a line is used.
 * A line that broke another rule keeps its decoded value so tools can show it.
 *
 * @param <T>   the decoded type of the line
 * @param seq   the line's u32 counter, widened
 * @param value the decoded line, or null if busy
 * @param error the first rule broken, or null if the line is valid
 */
public record LineImage<T>(long seq, @Nullable T value, @Nullable ImageError error) {

    /**
     * Whether the line is consistent and valid.
     *
     * @return true if no rule is broken
     */
    public boolean ok() {
        return error == null;
    }
}
