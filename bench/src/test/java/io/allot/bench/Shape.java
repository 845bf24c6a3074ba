package io.allot.bench;

import io.allot.Allocation;
import io.allot.AllocatorStats;
import io.allot.Range;
import io.allot.ResourceAllocator;

import java.util.ArrayList;
import java.util.List;

/**
 * What a measured pair must leave as it found it: every allocation, every free range, and the
 * stats that describe them — everything but the running counters (total allocations and frees),
 * which a pair advances by design.
 */
record Shape(List<Allocation> allocations, List<Range> free, long capacity, long allocated, long liveAllocations,
             long freeSegments, long largestFree) {

    /** Short, so that a failed comparison prints two lines, not two heaps. */
    @Override
    public String toString() {
        return "Shape[" + allocations.size() + " allocations (hash " + allocations.hashCode() + "), " + free.size()
                + " free ranges (hash " + free.hashCode() + "), allocated " + allocated + ", live " + liveAllocations
                + ", free segments " + freeSegments + ", largest free " + largestFree + ", capacity " + capacity + "]";
    }

    static Shape of(ResourceAllocator allocator) {
        List<Allocation> allocations = new ArrayList<>();
        allocator.forEachAllocated(allocations::add);
        List<Range> free = new ArrayList<>();
        allocator.forEachFree(free::add);
        AllocatorStats stats = allocator.stats();
        return new Shape(allocations, free, stats.capacity(), stats.allocated(), stats.liveAllocations(),
                stats.freeSegments(), stats.largestFree());
    }
}
