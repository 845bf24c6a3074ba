package io.allot.engine.vmem;

import io.allot.Request;
import io.allot.internal.Placement;
import io.allot.internal.Unsigned;

import static io.allot.engine.vmem.Segments.FREE;
import static io.allot.engine.vmem.Segments.NIL;
import static io.allot.engine.vmem.Segments.SENTINEL;

/**
 * Every segment, free and allocated, by start address, each subtree knowing its largest free
 * segment ({@code aug}, a free segment weighing its size and an allocated one 0). It answers what a
 * plain vmem arena answers by walking its segment list: which segment holds a value (reserve,
 * isFree, allocationContaining) and first-, last- and next-fit under a window — in O(log n)
 * instead of O(n). Kept up to date lazily (see {@link SegmentIndex}); callers {@link #sync} first.
 *
 * <p>Stored keys: {@code k1} = start, {@code k2} = end, {@code w} = size if free else 0.
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
        int type = segs.type(p);
        return type == FREE || type == Segments.ALLOCATED;
    }

    @Override
    long key1(int p) {
        return segs.start(p);
    }

    @Override
    long key2(int p) {
        return segs.end(p);
    }

    @Override
    long weight(int p) {
        return segs.type(p) == FREE ? segs.size(p) : 0;
    }

    /** The address list is already sorted: a balanced tree in O(n). */
    @Override
    void build() {
        int[] sorted = new int[segs.live()];
        int count = 0;
        for (int p = segs.next(SENTINEL); p != SENTINEL; p = segs.next(p)) {
            if (wanted(p)) {
                sorted[count++] = p;
            }
        }
        root = buildBalanced(sorted, 0, count - 1);
    }

    /** The node with the greatest start at or below {@code value}, or NIL. */
    int floor(long value) {
        int best = NIL;
        for (int t = root; t != NIL; ) {
            if (Unsigned.atMost(k1[t], value)) {
                best = t;
                t = right[t];
            } else {
                t = left[t];
            }
        }
        return best;
    }

    /** The node with the least start at or above {@code value}, or NIL. */
    int ceiling(long value) {
        int best = NIL;
        for (int t = root; t != NIL; ) {
            if (Unsigned.atLeast(k1[t], value)) {
                best = t;
                t = left[t];
            } else {
                t = right[t];
            }
        }
        return best;
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
        if (t == NIL || Unsigned.lessThan(aug[t], r.size())) {
            return false;
        }
        if (Unsigned.lessThan(k2[t], lo)) {
            return lowest(right[t], r, lo, from); // t and its left subtree end below the window
        }
        if (lowest(left[t], r, lo, from)) {
            return true;
        }
        if (Unsigned.greaterThan(k1[t], r.max())) {
            return false; // t and its right subtree start above the window
        }
        if (Unsigned.atLeast(w[t], r.size())) {
            long offset = Placement.lowest(k1[t], k2[t], r, from);
            if (offset != Placement.NONE) {
                found = t;
                foundStart = k1[t] + offset;
                return true;
            }
        }
        return lowest(right[t], r, lo, from);
    }

    /**
     * The highest placement satisfying {@code r} that ends at or below {@code to}; sets
     * {@link #found} and {@link #foundStart}. Costs as {@link #lowest}.
     */
    boolean highest(Request r, long to) {
        return highest(root, r, Unsigned.min(to, r.max()), to);
    }

    private boolean highest(int t, Request r, long hi, long to) {
        if (t == NIL || Unsigned.lessThan(aug[t], r.size())) {
            return false;
        }
        if (Unsigned.greaterThan(k1[t], hi)) {
            return highest(left[t], r, hi, to); // t and its right subtree start above the window
        }
        if (highest(right[t], r, hi, to)) {
            return true;
        }
        if (Unsigned.lessThan(k2[t], r.min())) {
            return false; // t and its left subtree end below the window
        }
        if (Unsigned.atLeast(w[t], r.size())) {
            long offset = Placement.highest(k1[t], k2[t], r, to);
            if (offset != Placement.NONE) {
                found = t;
                foundStart = k1[t] + offset;
                return true;
            }
        }
        return highest(left[t], r, hi, to);
    }

    /** The lowest free segment's node among those ending at or above {@code from}, or NIL. O(log n). */
    int firstFree(long from) {
        return firstFree(root, from);
    }

    private int firstFree(int t, long from) {
        if (t == NIL || aug[t] == 0) {
            return NIL;
        }
        if (Unsigned.lessThan(k2[t], from)) {
            return firstFree(right[t], from);
        }
        int n = firstFree(left[t], from);
        if (n != NIL) {
            return n;
        }
        return w[t] != 0 ? t : firstFree(right[t], from);
    }

    /** The highest free segment's node among those starting at or below {@code to}, or NIL. O(log n). */
    int lastFree(long to) {
        return lastFree(root, to);
    }

    private int lastFree(int t, long to) {
        if (t == NIL || aug[t] == 0) {
            return NIL;
        }
        if (Unsigned.greaterThan(k1[t], to)) {
            return lastFree(left[t], to);
        }
        int n = lastFree(right[t], to);
        if (n != NIL) {
            return n;
        }
        return w[t] != 0 ? t : lastFree(left[t], to);
    }

    /** The largest free segment, unsigned; 0 if none. O(1) once synced. */
    long largestFree() {
        return aug[root];
    }
}
