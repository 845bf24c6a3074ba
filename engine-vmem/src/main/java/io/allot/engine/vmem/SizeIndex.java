package io.allot.engine.vmem;

import io.allot.Request;
import io.allot.internal.Placement;
import io.allot.internal.SearchMemo;
import io.allot.internal.Unsigned;

import static io.allot.engine.vmem.Segments.FREE;
import static io.allot.engine.vmem.Segments.NIL;
import static io.allot.engine.vmem.Segments.SENTINEL;

/**
 * The free segments by (size, start): best-fit's exact answer — the smallest whole segment that
 * admits a placement, ties to the lower address — in O(log n) where a vmem arena walks a whole
 * free list (the Rust {@code vmem} crate: 2.1 µs per best-fit allocation at 50k segments). Kept up
 * to date lazily (see {@link SegmentIndex}); callers {@link #sync} first. The first segment of
 * at least a size is remembered per size while the tree is unchanged ({@link #memo}), so a search
 * for a size asked before in the same tree costs O(1).
 *
 * <p>Stored keys: {@code k1} = size, {@code k2} = start; no weight.
 */
final class SizeIndex extends SegmentIndex {

    /**
     * Recent answers of {@link #ceiling} by size, at the index's {@link #version}, so that a
     * best-fit loop of transient allocations skips the descent (about 16 dependent node reads at
     * 50k free segments, most of them cache misses, and half of V1 best-fit's time when measured).
     * Such a loop leaves the tree as it found it: the carve and the free that merges the segment
     * back touch one record, which {@link #sync} finds matching its node, so the next search for
     * the same size asks the same tree; any change to the tree changes the version.
     */
    private final SearchMemo memo = new SearchMemo();

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
        int first = ceilingRemembered(atLeast);
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

    /** {@link #ceiling}, from {@link #memo} when the tree has not changed since it was asked the same. */
    private int ceilingRemembered(long atLeast) {
        long remembered = memo.get(atLeast, version());
        if (remembered != SearchMemo.NONE) {
            return (int) remembered;
        }
        int n = ceiling(atLeast);
        memo.put(atLeast, version(), n);
        return n;
    }

    /**
     * Every answer {@link #memo} holds for the current tree is what a descent finds now. For the
     * arena's invariant check, after {@link #check}.
     *
     * @throws IllegalStateException naming the first that is not
     */
    void checkRemembered() {
        memo.forEachAt(version(), (size, node) -> {
            if (ceiling(size) != (int) node) {
                throw new IllegalStateException("size index remembers node " + node + " for size " + Unsigned.hex(size)
                        + ", a descent finds " + ceiling(size));
            }
        });
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
