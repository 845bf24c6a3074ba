package io.allot.internal;

import io.allot.Range;

/**
 * An allocator that may import spans from a source ({@link io.allot.Allocators.Builder#source}):
 * what {@link io.allot.Allocators#restore(java.io.InputStream, io.allot.ResourceAllocator)} needs
 * to give a restored arena back the spans it had imported, marked as imported, so that they go
 * back to the source once wholly free. Implemented by {@link GuardedAllocator} and passed through
 * by the layers around it.
 */
public interface Importing {

    /**
     * Adds {@code span}, which the source holds as one allocation on this arena's behalf, as an
     * imported span, all free. Called by restore before the snapshot's allocations are replayed.
     *
     * @throws IllegalStateException    if this allocator has no source
     * @throws io.allot.OverlapException if {@code span} overlaps a span
     * @throws IllegalArgumentException if it is off the quantum
     */
    void restoreImported(Range span);
}
