package io.allot.engine.vmem;

import io.allot.Request;
import io.allot.internal.Placement;
import io.allot.internal.Unsigned;

import static io.allot.engine.vmem.Segments.FREE;
import static io.allot.engine.vmem.Segments.NIL;

/**
 * The free segments by start address, each subtree knowing its largest free segment ({@code aug}).
 * It answers what a plain vmem arena answers by walking its segment list: which free segment holds
 * a value (reserve, isFree) and first-, last- and next-fit under a window — in O(log n) instead of
 * O(n). Kept up to date lazily (see {@link SegmentIndex}); callers {@link #sync} first.
 *
 * <p><b>Re-keying in place.</b> Free segments are pairwise disjoint, and a record that stays free
 * keeps part of its range when it changes: carving takes from its front, back or middle (the
 * record keeps one remainder), a merge extends it. If a node's stored range and its record's
 * current range overlap, at a value x say, then against any other such node (stored range before
 * or after x's, current range disjoint from the record's) it sorts the same by stored or by
 * current start, strictly. So once the nodes whose ranges do not overlap (a recycled record slot)
 * are gone, every change is a new key for an unmoved node: the allocation that carves the front of
 * the free tail, W6's every step, costs one descent and no rotation, where a remove and re-insert
 * cost three rebalancing passes.
 *
 * <p>Stored keys: {@code k1} = start, {@code k2} = end, {@code w} = size.
 */
final class AddressIndex extends SegmentIndex {

    /** Node of the last successful {@link #lowest}/{@link #highest}. */
    int found;
    /** Start of the placement the last successful {@link #lowest}/{@link #highest} chose. */
    long foundStart;

    AddressIndex(Segments segs) {
        super(segs, Segments.PENDING_ADDRESS);
    }

    @Override
    boolean wanted(int p) {
        return segs.type(p) == FREE;
    }

    @Override
    long weight(int p) {
        return segs.size(p);
    }

    /** Whether node {@code n}'s stored range and free record {@code p}'s current range overlap. */
    @Override
    boolean keepsOrder(int n, int p) {
        return Unsigned.atMost(k1(n), segs.end(p)) && Unsigned.atMost(segs.start(p), k2(n));
    }

    /** The address list is already sorted: a balanced tree in O(n). */
    @Override
    void build() {
        buildInAddressOrder();
    }

    /**
     * The lowest placement satisfying {@code r} that starts at or above {@code from}; sets
     * {@link #found} and {@link #foundStart}. Visits only subtrees whose largest free segment can
     * hold the request and that reach into the window: O(log n), plus the segments that are big
     * enough but admit no aligned placement.
     */
    boolean lowest(Request r, long from) {
        return lowest(root, r, Unsigned.max(from, r.min()), from);
    }

    private boolean lowest(int t, Request r, long lo, long from) {
        if (t == NIL || Unsigned.lessThan(aug(t), r.size())) {
            return false;
        }
        if (Unsigned.lessThan(k2(t), lo)) {
            return lowest(right(t), r, lo, from); // t and its left subtree end below the window
        }
        if (lowest(left(t), r, lo, from)) {
            return true;
        }
        if (Unsigned.greaterThan(k1(t), r.max())) {
            return false; // t and its right subtree start above the window
        }
        if (Unsigned.atLeast(w(t), r.size())) {
            long offset = Placement.lowest(k1(t), k2(t), r, from);
            if (offset != Placement.NONE) {
                found = t;
                foundStart = k1(t) + offset;
                return true;
            }
        }
        return lowest(right(t), r, lo, from);
    }

    /**
     * The highest placement satisfying {@code r} that ends at or below {@code to}; sets
     * {@link #found} and {@link #foundStart}. Costs as {@link #lowest}.
     */
    boolean highest(Request r, long to) {
        return highest(root, r, Unsigned.min(to, r.max()), to);
    }

    private boolean highest(int t, Request r, long hi, long to) {
        if (t == NIL || Unsigned.lessThan(aug(t), r.size())) {
            return false;
        }
        if (Unsigned.greaterThan(k1(t), hi)) {
            return highest(left(t), r, hi, to); // t and its right subtree start above the window
        }
        if (highest(right(t), r, hi, to)) {
            return true;
        }
        if (Unsigned.lessThan(k2(t), r.min())) {
            return false; // t and its left subtree end below the window
        }
        if (Unsigned.atLeast(w(t), r.size())) {
            long offset = Placement.highest(k1(t), k2(t), r, to);
            if (offset != Placement.NONE) {
                found = t;
                foundStart = k1(t) + offset;
                return true;
            }
        }
        return highest(left(t), r, hi, to);
    }

    /** The lowest free segment's node among those ending at or above {@code from}, or NIL. O(log n). */
    int firstFree(long from) {
        int best = NIL;
        for (int t = root; t != NIL; ) {
            if (Unsigned.atLeast(k2(t), from)) {
                best = t;   // free segments are disjoint: ends ascend with starts
                t = left(t);
            } else {
                t = right(t);
            }
        }
        return best;
    }

    /** The highest free segment's node among those starting at or below {@code to}, or NIL. O(log n). */
    int lastFree(long to) {
        return floor(to);
    }

    /** The largest free segment, unsigned; 0 if none. O(1) once synced. */
    long largestFree() {
        return aug(root);
    }
}
