package io.allot.spi;

/**
 * Implemented by an engine's allocators so that {@link io.allot.Allocators#restore} can bring back
 * what replaying the allocations cannot: the next-fit rotor and the cumulative counters. The
 * restored allocator is then indistinguishable from the saved one.
 *
 * <p>Optional: an allocator that does not implement it is restored with its allocations, spans,
 * quantum and policy, but with its rotor at the lowest span and its counters as the replay left
 * them. Called once, right after the replay, before the allocator is handed out.
 */
public interface Restorable {

    /**
     * Sets the rotor and the counters of {@link io.allot.AllocatorStats}.
     *
     * @param rotor             where the next next-fit search starts
     * @param totalAllocations  successful allocations over the saved allocator's life
     * @param totalFrees        successful frees over its life
     * @param failedAllocations failed allocation calls over its life
     */
    void restoreState(long rotor, long totalAllocations, long totalFrees, long failedAllocations);
}
