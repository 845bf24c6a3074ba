package io.allot;

import io.allot.internal.Unsigned;

/**
 * A consistent picture of one allocator, taken in O(1) by {@link ResourceAllocator#stats()}.
 *
 * <p>Unit counts are in the resource's own units (bytes for an address space, not quanta) and
 * are unsigned: a space of 2<sup>64</sup>&minus;1 values reports {@code capacity() == -1L}; read
 * them with {@link Long#toUnsignedString(long)} or {@link Long#compareUnsigned}. Free ranges are
 * counted span by span: two adjacent spans make two free segments even when both are empty.
 *
 * @param capacity          values in all spans, unsigned
 * @param allocated         values in live allocations, unsigned
 * @param free              {@code capacity - allocated}, unsigned
 * @param liveAllocations   allocations not yet freed
 * @param freeSegments      maximal free ranges, counted per span
 * @param largestFree       size of the largest free range, unsigned; 0 when nothing is free
 * @param totalAllocations  successful allocations since creation, {@code reserve} and
 *                          {@code reallocate} included
 * @param totalFrees        successful frees since creation, {@code reallocate} included
 * @param failedAllocations {@code allocate}, {@code tryAllocate}, {@code reserve} and
 *                          {@code reallocate} calls that allocated nothing
 * @param imported          values imported from a source allocator and not yet handed back, unsigned
 */
public record AllocatorStats(long capacity, long allocated, long free, long liveAllocations,
                             long freeSegments, long largestFree, long totalAllocations, long totalFrees,
                             long failedAllocations, long imported) {

    /**
     * {@code 1 - largestFree / free}: 0 when all free space is one range (or nothing is free),
     * approaching 1 as free space shatters into many small ranges.
     */
    public double fragmentation() {
        if (free == 0) {
            return 0.0;
        }
        return 1.0 - Unsigned.toDouble(largestFree) / Unsigned.toDouble(free);
    }
}
