package io.allot.engine.interval;

import io.allot.Range;
import io.allot.Request;
import io.allot.internal.Placement;
import io.allot.internal.Unsigned;

/**
 * The free segments ordered by (size, start), both unsigned: the index behind best-fit and
 * instant-fit.
 *
 * <p>The search walks the segments of size at least the bound in that order and takes the first
 * that holds a placement, so ties in size go to the lower address as best-fit requires. Reaching
 * the first candidate is O(log n); for an unconstrained request it always fits. A constrained
 * request (alignment, phase, no-cross, window) may skip segments that are big enough but cannot
 * hold an admissible placement: O(log n + k) for k skipped.
 */
final class SizeTree extends IntrusiveAvl {

    private final Segments segs;

    /** The segment holding the placement the last successful {@link #smallestFit} returned. */
    int foundSegment;

    SizeTree(Segments segs) {
        super(segs.capacity());
        this.segs = segs;
    }

    @Override
    int compare(int a, int b) {
        int bySize = Long.compareUnsigned(segs.size(a), segs.size(b));
        return bySize != 0 ? bySize : Long.compareUnsigned(segs.start[a], segs.start[b]);
    }

    /**
     * The lowest placement for {@code r} in the smallest free segment of size at least
     * {@code minSize} that holds one, or null.
     */
    Range smallestFit(Request r, long minSize) {
        return smallestFit(root, r, minSize);
    }

    private Range smallestFit(int t, Request r, long minSize) {
        if (t == NIL) {
            return null;
        }
        if (Unsigned.atLeast(segs.size(t), minSize)) {
            Range found = smallestFit(left[t], r, minSize);
            if (found != null) {
                return found;
            }
            long offset = Placement.lowest(segs.start[t], segs.end[t], r, 0);
            if (offset != Placement.NONE) {
                foundSegment = t;
                long s = segs.start[t] + offset;
                return new Range(s, s + r.size() - 1);
            }
        }
        return smallestFit(right[t], r, minSize);
    }
}
