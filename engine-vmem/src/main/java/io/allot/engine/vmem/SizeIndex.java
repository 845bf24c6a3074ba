package io.allot.engine.vmem;

import io.allot.Request;
import io.allot.internal.Placement;
import io.allot.internal.Unsigned;

import static io.allot.engine.vmem.Segments.FREE;
import static io.allot.engine.vmem.Segments.NIL;
import static io.allot.engine.vmem.Segments.SENTINEL;

/**
 * The free segments by (size, start): best-fit's exact answer — the smallest whole segment that
 * admits a placement, ties to the lower address — in O(log n) where a vmem arena walks a whole
 * free list (the Rust {@code vmem} crate: 2.1 µs per best-fit allocation at 50k segments). Kept up
 * to date lazily (see {@link SegmentIndex}); callers {@link #sync} first.
 *
 * <p>Stored keys: {@code k1} = size, {@code k2} = start; no weight.
 */
final class SizeIndex extends SegmentIndex {

    /** Node of the last successful {@link #smallest}. */
    int found;
    /** Start of the placement the last successful {@link #smallest} chose. */
    long foundStart;

    SizeIndex(Segments segs) {
        super(segs, Segments.PENDING_SIZE);
    }

    @Override
    boolean wanted(int p) {
        return segs.type(p) == FREE;
    }

    @Override
    long key1(int p) {
        return segs.size(p);
    }

    @Override
    long key2(int p) {
        return segs.start(p);
    }

    @Override
    long weight(int p) {
        return 0;
    }

    @Override
    void build() {
        for (int p = segs.next(SENTINEL); p != SENTINEL; p = segs.next(p)) {
            if (wanted(p)) {
                add(p);
            }
        }
    }

    /**
     * The lowest placement satisfying {@code r} inside the first segment, in (size, start) order,
     * of size at least {@code atLeast} that admits one; sets {@link #found} and
     * {@link #foundStart}. O(log n), plus the big-enough segments that admit no placement.
     */
    boolean smallest(Request r, long atLeast) {
        // The first segment of at least that size admits any request but a constrained one: one
        // loop down the tree, no recursion, settles the common case.
        int first = ceiling(atLeast);
        if (first == NIL) {
            return false;
        }
        long start = k2(first);
        long offset = Placement.lowest(start, start + k1(first) - 1, r, 0);
        if (offset != Placement.NONE) {
            found = first;
            foundStart = start + offset;
            return true;
        }
        return smallest(root, r, atLeast);
    }

    private boolean smallest(int t, Request r, long atLeast) {
        if (t == NIL) {
            return false;
        }
        if (Unsigned.lessThan(k1(t), atLeast)) {
            return smallest(right(t), r, atLeast);
        }
        if (smallest(left(t), r, atLeast)) {
            return true;
        }
        long start = k2(t);
        long offset = Placement.lowest(start, start + k1(t) - 1, r, 0);
        if (offset != Placement.NONE) {
            found = t;
            foundStart = start + offset;
            return true;
        }
        return smallest(right(t), r, atLeast);
    }
}
