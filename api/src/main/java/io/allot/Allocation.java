package io.allot;

import java.util.Objects;

/**
 * A live allocation: the range it holds and the tag it was made with.
 *
 * @param range the allocated values, never {@code null}
 * @param tag   the owner label from {@link Request#tag()} or {@link ResourceAllocator#reserve(Range, String)},
 *              or {@code null}
 */
public record Allocation(Range range, String tag) {

    /** @throws NullPointerException if {@code range} is {@code null} */
    public Allocation {
        Objects.requireNonNull(range, "range");
    }
}
