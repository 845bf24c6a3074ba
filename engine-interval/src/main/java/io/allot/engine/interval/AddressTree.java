package io.allot.engine.interval;

import io.allot.Allocation;
import io.allot.Range;
import io.allot.Request;
import io.allot.internal.Placement;
import io.allot.internal.Unsigned;

import java.util.Arrays;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * All segments ordered by start, each node augmented with {@code maxFree}: the size of the
 * largest free segment in its subtree (0 if none).
 *
 * <p>That one number is what makes the searches logarithmic: a subtree whose {@code maxFree} is
 * below the request's size cannot hold it and is skipped whole; a subtree entirely below
 * {@code from} (its root ends before it, so its left side does too) or above the window is skipped
 * by key. For an unconstrained request every segment that is not skipped fits, so the search walks
 * one root-to-leaf path plus the O(log n) subtrees hanging off the boundary of the window:
 * O(log n). With alignment, phase or no-cross a segment of sufficient size may still not fit;
 * each such segment in front of the answer is tested once (O(1) each, see {@link Placement}).
 */
final class AddressTree extends IntrusiveAvl {

    private final Segments segs;
    private long[] maxFree;

    /** Neighbours found by the last {@link #locate}: out-parameters, not state. */
    int foundPredecessor;
    int foundSuccessor;
    /** The segment holding the placement the last successful {@link #lowest}/{@link #highest} returned. */
    int foundSegment;

    AddressTree(Segments segs) {
        super(segs.capacity());
        this.segs = segs;
        this.maxFree = new long[segs.capacity()];
    }

    @Override
    int compare(int a, int b) {
        return Long.compareUnsigned(segs.start[a], segs.start[b]);
    }

    @Override
    void pull(int n) {
        long own = segs.isFree(n) ? segs.size(n) : 0;
        maxFree[n] = Unsigned.max(own, Unsigned.max(maxFree[left[n]], maxFree[right[n]]));
    }

    @Override
    void grow(int capacity) {
        super.grow(capacity);
        maxFree = Arrays.copyOf(maxFree, capacity);
    }

    /** Size of the largest free segment anywhere, 0 if none. O(1). */
    long largestFree() {
        return maxFree[root];
    }

    long maxFree(int n) {
        return maxFree[n];
    }

    /** The segment holding {@code value}, or NIL if no span does. O(log n). */
    int containing(long value) {
        int t = root;
        while (t != NIL) {
            if (Unsigned.lessThan(value, segs.start[t])) {
                t = left[t];
            } else if (Unsigned.greaterThan(value, segs.end[t])) {
                t = right[t];
            } else {
                return t;
            }
        }
        return NIL;
    }

    /**
     * The segment holding {@code value}, or NIL; also sets {@link #foundPredecessor} and
     * {@link #foundSuccessor} to its in-order neighbours (NIL at either end). One descent,
     * O(log n): what freeing needs to merge.
     */
    int locate(long value) {
        int t = root;
        int predecessor = NIL;
        int successor = NIL;
        while (t != NIL) {
            if (Unsigned.lessThan(value, segs.start[t])) {
                successor = t;
                t = left[t];
            } else if (Unsigned.greaterThan(value, segs.end[t])) {
                predecessor = t;
                t = right[t];
            } else {
                break;
            }
        }
        if (t != NIL) {
            if (left[t] != NIL) {
                predecessor = rightmost(left[t]);
            }
            if (right[t] != NIL) {
                successor = leftmost(right[t]);
            }
        }
        foundPredecessor = predecessor;
        foundSuccessor = successor;
        return t;
    }

    private int leftmost(int t) {
        while (left[t] != NIL) {
            t = left[t];
        }
        return t;
    }

    private int rightmost(int t) {
        while (right[t] != NIL) {
            t = right[t];
        }
        return t;
    }

    /** The lowest placement satisfying {@code r} with start at or above {@code from}, or null. */
    Range lowest(Request r, long from) {
        // The window's floor prunes like from does: subtrees ending below it are never entered.
        return lowest(root, r, Unsigned.max(from, r.min()));
    }

    private Range lowest(int t, Request r, long from) {
        if (t == NIL || Unsigned.lessThan(maxFree[t], r.size())) {
            return null;
        }
        boolean reachesFrom = Unsigned.atLeast(segs.end[t], from);
        if (reachesFrom) {
            Range found = lowest(left[t], r, from);
            if (found != null) {
                return found;
            }
            if (segs.isFree(t)) {
                long offset = Placement.lowest(segs.start[t], segs.end[t], r, from);
                if (offset != Placement.NONE) {
                    return placement(t, offset, r);
                }
            }
        }
        if (Unsigned.greaterThan(segs.start[t], r.max())) {
            return null; // the right subtree starts even higher
        }
        return lowest(right[t], r, from);
    }

    /** The highest placement satisfying {@code r} with end at or below {@code to}, or null. */
    Range highest(Request r, long to) {
        // The window's ceiling prunes like to does: subtrees starting above it are never entered.
        return highest(root, r, Unsigned.min(to, r.max()));
    }

    private Range highest(int t, Request r, long to) {
        if (t == NIL || Unsigned.lessThan(maxFree[t], r.size())) {
            return null;
        }
        boolean startsByTo = Unsigned.atMost(segs.start[t], to);
        if (startsByTo) {
            Range found = highest(right[t], r, to);
            if (found != null) {
                return found;
            }
            if (segs.isFree(t)) {
                long offset = Placement.highest(segs.start[t], segs.end[t], r, to);
                if (offset != Placement.NONE) {
                    return placement(t, offset, r);
                }
            }
        }
        if (Unsigned.lessThan(segs.end[t], r.min())) {
            return null; // the left subtree ends even lower
        }
        return highest(left[t], r, to);
    }

    private Range placement(int t, long offset, Request r) {
        foundSegment = t;
        long s = segs.start[t] + offset;
        return new Range(s, s + r.size() - 1);
    }

    /** The lowest allocated segment overlapping {@code [from, to]}, or NIL. For messages; O(log n + k). */
    int firstAllocatedIn(long from, long to) {
        return firstAllocatedIn(root, from, to);
    }

    private int firstAllocatedIn(int t, long from, long to) {
        if (t == NIL) {
            return NIL;
        }
        if (Unsigned.atLeast(segs.end[t], from)) {
            int found = firstAllocatedIn(left[t], from, to);
            if (found != NIL) {
                return found;
            }
            if (Unsigned.greaterThan(segs.start[t], to)) {
                return NIL;
            }
            if (!segs.isFree(t)) {
                return t;
            }
        }
        return firstAllocatedIn(right[t], from, to);
    }

    /** Visits every node id in address order. */
    void forEachInOrder(IntConsumer action) {
        forEachInOrder(root, action);
    }

    private void forEachInOrder(int t, IntConsumer action) {
        if (t != NIL) {
            forEachInOrder(left[t], action);
            action.accept(t);
            forEachInOrder(right[t], action);
        }
    }

    void forEachAllocated(Consumer<? super Allocation> action) {
        forEachAllocated(root, action);
    }

    private void forEachAllocated(int t, Consumer<? super Allocation> action) {
        if (t == NIL) {
            return;
        }
        forEachAllocated(left[t], action);
        if (!segs.isFree(t)) {
            action.accept(new Allocation(new Range(segs.start[t], segs.end[t]), segs.tag(t)));
        }
        forEachAllocated(right[t], action);
    }

    void forEachFree(Consumer<? super Range> action) {
        forEachFree(root, action);
    }

    private void forEachFree(int t, Consumer<? super Range> action) {
        if (maxFree[t] == 0) {
            return; // nothing free below (also covers NIL)
        }
        forEachFree(left[t], action);
        if (segs.isFree(t)) {
            action.accept(new Range(segs.start[t], segs.end[t]));
        }
        forEachFree(right[t], action);
    }
}
