package io.allot.internal;

/**
 * An allocator whose counters and rotor a snapshot restore may set, after the allocations have
 * been replayed into it, so that the restored allocator is indistinguishable from the saved one.
 */
public interface Restorable {

    /** Sets the next-fit rotor and the cumulative counters of {@link io.allot.AllocatorStats}. */
    void restoreState(long rotor, long totalAllocations, long totalFrees, long failedAllocations);
}
