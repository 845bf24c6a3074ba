package io.allot.bench.baseline;

import com.google.common.collect.Range;
import com.google.common.collect.RangeSet;
import com.google.common.collect.TreeRangeSet;

/**
 * Guava's {@link TreeRangeSet} as the free set, ranges kept half-open: what a developer with Guava
 * on the class path reaches for. {@code add} merges neighbours itself; first-fit walks
 * {@code asRanges()} in address order.
 */
public final class RangeSetFirstFit implements FreeRanges {

    private final RangeSet<Long> free = TreeRangeSet.create();

    /** All of {@code [first, last]} free. */
    public RangeSetFirstFit(long first, long last) {
        if (first < 0 || last < first || last == Long.MAX_VALUE) {
            throw new IllegalArgumentException("[" + first + ", " + last + "] is not a non-negative range below 2^63-1");
        }
        free.add(Range.closedOpen(first, last + 1));
    }

    @Override
    public long allocate(long size, long alignment) {
        for (Range<Long> range : free.asRanges()) {
            long aligned = (range.lowerEndpoint() + alignment - 1) & -alignment;
            if (aligned + size <= range.upperEndpoint()) {
                free.remove(Range.closedOpen(aligned, aligned + size));
                return aligned;
            }
        }
        throw new IllegalStateException("no free range holds " + size + " bytes aligned to " + alignment);
    }

    @Override
    public void reserve(long start, long size) {
        Range<Long> taken = Range.closedOpen(start, start + size);
        if (!free.encloses(taken)) {
            throw new IllegalStateException(taken + " is not wholly free");
        }
        free.remove(taken);
    }

    @Override
    public void free(long start, long size) {
        Range<Long> given = Range.closedOpen(start, start + size);
        if (free.intersects(given)) {
            throw new IllegalStateException(given + " is partly free already");
        }
        free.add(given);
    }

    @Override
    public int freeRanges() {
        return free.asRanges().size();
    }
}
