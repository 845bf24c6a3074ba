package io.allot.engine.interval;

import io.allot.Range;
import io.allot.internal.RangeWalk;

/**
 * Walks the free segments of a {@link SegmentTree} in address order, ascending or descending, on
 * a {@link Path} of its own: O(height) to start, O(1) amortised per step, entering no subtree
 * whose gap is 0. Valid only while the tree does not change.
 */
final class FreeSegmentIterator extends RangeWalk {

    private final SegmentTree tree;
    private final boolean ascending;
    /** At the next segment to return, or null when there is none. */
    private Path at;

    FreeSegmentIterator(SegmentTree tree, Path first, boolean ascending) {
        this.tree = tree;
        this.at = first;
        this.ascending = ascending;
    }

    @Override
    protected Range step() {
        if (at == null) {
            return null;
        }
        Range range = new Range(tree.start(at), tree.end(at));
        boolean more = ascending
                ? tree.seekUp(at, 0, at.slot[0] + 1, 0, 1)
                : tree.seekDown(at, 0, at.slot[0] - 1, -1L, 1);
        if (!more) {
            at = null;
        }
        return range;
    }
}
