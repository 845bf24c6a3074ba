package io.allot.engine.interval;

import io.allot.Range;
import io.allot.internal.Unsigned;

import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Walks the free segments of an {@link AddressTree} in address order, ascending from a bound or
 * descending to one, with an explicit stack: O(log n) to start, O(1) amortised per step. Subtrees
 * with nothing free ({@code maxFree == 0}) are never entered. Valid only while the tree does not
 * change.
 */
final class FreeSegmentIterator implements Iterator<Range> {

    private final AddressTree tree;
    private final Segments segs;
    private final boolean ascending;
    private int[] stack = new int[64];
    private int depth;
    private int next = IntrusiveAvl.NIL;

    private FreeSegmentIterator(AddressTree tree, Segments segs, boolean ascending) {
        this.tree = tree;
        this.segs = segs;
        this.ascending = ascending;
    }

    /** Free segments ending at or after {@code from}, ascending. */
    static FreeSegmentIterator ascending(AddressTree tree, Segments segs, long from) {
        FreeSegmentIterator it = new FreeSegmentIterator(tree, segs, true);
        int t = tree.root;
        while (t != IntrusiveAvl.NIL && tree.maxFree(t) != 0) {
            if (Unsigned.atLeast(segs.end[t], from)) {
                it.push(t);
                t = tree.left[t];
            } else {
                t = tree.right[t];
            }
        }
        it.advance();
        return it;
    }

    /** Free segments starting at or before {@code to}, descending. */
    static FreeSegmentIterator descending(AddressTree tree, Segments segs, long to) {
        FreeSegmentIterator it = new FreeSegmentIterator(tree, segs, false);
        int t = tree.root;
        while (t != IntrusiveAvl.NIL && tree.maxFree(t) != 0) {
            if (Unsigned.atMost(segs.start[t], to)) {
                it.push(t);
                t = tree.right[t];
            } else {
                t = tree.left[t];
            }
        }
        it.advance();
        return it;
    }

    @Override
    public boolean hasNext() {
        return next != IntrusiveAvl.NIL;
    }

    @Override
    public Range next() {
        if (next == IntrusiveAvl.NIL) {
            throw new NoSuchElementException();
        }
        Range range = new Range(segs.start[next], segs.end[next]);
        advance();
        return range;
    }

    /** Pops nodes in order until a free one, pushing the path into each popped node's far side. */
    private void advance() {
        next = IntrusiveAvl.NIL;
        while (depth > 0 && next == IntrusiveAvl.NIL) {
            int t = stack[--depth];
            int child = ascending ? tree.right[t] : tree.left[t];
            while (child != IntrusiveAvl.NIL && tree.maxFree(child) != 0) {
                push(child);
                child = ascending ? tree.left[child] : tree.right[child];
            }
            if (segs.isFree(t)) {
                next = t;
            }
        }
    }

    private void push(int t) {
        if (depth == stack.length) {
            stack = Arrays.copyOf(stack, depth * 2);
        }
        stack[depth++] = t;
    }
}
