package io.allot.bench.baseline;

import java.util.Map;
import java.util.TreeMap;

/**
 * A {@link TreeMap} from the start of each maximal free range to its end (inclusive), boxed
 * {@code Long}s and all: the afternoon's-work allocator. First-fit walks the ranges in address
 * order, so its cost grows with the number of free ranges in front of the answer; free merges with
 * both neighbours in O(log n).
 */
public final class TreeMapFirstFit implements FreeRanges {

    private final TreeMap<Long, Long> free = new TreeMap<>();

    /** All of {@code [first, last]} free. */
    public TreeMapFirstFit(long first, long last) {
        if (first < 0 || last < first) {
            throw new IllegalArgumentException("[" + first + ", " + last + "] is not a non-negative range");
        }
        free.put(first, last);
    }

    @Override
    public long allocate(long size, long alignment) {
        for (Map.Entry<Long, Long> range : free.entrySet()) {
            long start = range.getKey();
            long end = range.getValue();
            long aligned = (start + alignment - 1) & -alignment;
            if (aligned + size - 1 <= end) {
                carve(start, end, aligned, size);
                return aligned;
            }
        }
        throw new IllegalStateException("no free range holds " + size + " bytes aligned to " + alignment);
    }

    @Override
    public void reserve(long start, long size) {
        Map.Entry<Long, Long> range = free.floorEntry(start);
        if (range == null || range.getValue() < start + size - 1) {
            throw new IllegalStateException("[" + start + ", +" + size + ") is not wholly free");
        }
        carve(range.getKey(), range.getValue(), start, size);
    }

    private void carve(long start, long end, long at, long size) {
        free.remove(start);
        if (at > start) {
            free.put(start, at - 1);
        }
        if (at + size - 1 < end) {
            free.put(at + size, end);
        }
    }

    @Override
    public void free(long start, long size) {
        long end = start + size - 1;
        Map.Entry<Long, Long> below = free.floorEntry(end);
        if (below != null && below.getValue() >= start) {
            throw new IllegalStateException("[" + start + ", +" + size + ") is partly free already");
        }
        if (below != null && below.getValue() == start - 1) {
            start = below.getKey();
            free.remove(start);
        }
        Long aboveEnd = free.remove(end + 1);
        if (aboveEnd != null) {
            end = aboveEnd;
        }
        free.put(start, end);
    }

    @Override
    public int freeRanges() {
        return free.size();
    }
}
