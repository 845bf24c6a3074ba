package io.allot.engine.vmem;

import io.allot.Range;
import io.allot.internal.Unsigned;

import java.util.Iterator;
import java.util.NoSuchElementException;

import static io.allot.engine.vmem.Segments.NIL;

/**
 * The free segments in address order, ascending from or descending to a value, for policies that
 * look at the free space themselves. Each step is one O(log n) descent of the {@link AddressIndex}
 * (guided by its largest-free augmentation, so runs of allocated segments are skipped), not a walk
 * of the segment list. Valid while the arena is not modified, as {@link io.allot.spi.FreeSpace}
 * says.
 */
final class FreeSegmentIterator implements Iterator<Range> {

    private final AddressIndex index;
    private final boolean ascending;
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
    public boolean hasNext() {
        return next != NIL;
    }

    @Override
    public Range next() {
        if (next == NIL) {
            throw new NoSuchElementException("no more free segments");
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
