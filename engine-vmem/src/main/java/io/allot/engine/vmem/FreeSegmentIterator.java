package io.allot.engine.vmem;

import io.allot.Range;
import io.allot.internal.RangeWalk;
import io.allot.internal.Unsigned;

import static io.allot.engine.vmem.Segments.NIL;

/**
 * The free segments in address order, ascending from or descending to a value, for policies that
 * look at the free space themselves. Each step is one O(log n) descent of the {@link AddressIndex}
 * (guided by its largest-free augmentation, so runs of allocated segments are skipped), not a walk
 * of the segment list. Valid while the arena is not modified, as {@link io.allot.spi.FreeSpace}
 * says.
 */
final class FreeSegmentIterator extends RangeWalk {

    private final AddressIndex index;
    private final boolean ascending;
    /** The index node of the next segment to return, or {@link Segments#NIL} when there is none. */
    private int next;

    /**
     * @param ascending true for segments ending at or after {@code bound}, ascending; false for
     *                  segments starting at or before it, descending
     */
    FreeSegmentIterator(AddressIndex index, boolean ascending, long bound) {
        this.index = index;
        this.ascending = ascending;
        index.sync();
        this.next = ascending ? index.firstFree(bound) : index.lastFree(bound);
    }

    @Override
    protected Range step() {
        if (next == NIL) {
            return null;
        }
        long start = index.k1(next);
        long end = index.k2(next);
        if (ascending) {
            next = end == Unsigned.MAX ? NIL : index.firstFree(end + 1);
        } else {
            next = start == 0 ? NIL : index.lastFree(start - 1);
        }
        return new Range(start, end);
    }
}
