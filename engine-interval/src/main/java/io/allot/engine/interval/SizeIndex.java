package io.allot.engine.interval;

import io.allot.Request;

/**
 * The free segments by (size, start), for best-fit and instant-fit: a {@link SizeTree} built on
 * the first query that needs it and kept exact from then on through a small write buffer.
 *
 * <p><b>Built on first use.</b> First-, last- and next-fit never read this index, so an allocator
 * that only uses them never pays for it (memory or updates); the first best- or instant-fit query
 * builds it from the segment tree in O(n log n).
 *
 * <p><b>Write buffer.</b> A change of the free segments is queued as an add or a remove of one
 * key; a queued change that the next one undoes is dropped instead (an add of the key a queued
 * remove took out, or the reverse). An allocation followed by the free that restores the same
 * segments — the commonest pair — therefore leaves the tree untouched. The buffer is applied
 * before every query and whenever it fills, so the tree plus the buffer is always exactly the set
 * of free segments. A key is queued at most once: the second change of the same key cancels the
 * first.
 */
final class SizeIndex {

    private static final int BUFFER = 8;

    private SizeTree tree;
    private final long[] queuedSize = new long[BUFFER];
    private final long[] queuedStart = new long[BUFFER];
    private final boolean[] queuedAdd = new boolean[BUFFER];
    private int queued;

    /** Start of the placement the last successful {@link #smallestFit} found. */
    long found;
    /** The free segment that placement lies in: its first value and its size. */
    long foundSegment;
    long foundSize;

    /** Whether the index has been built (before that, changes are not recorded). */
    boolean built() {
        return tree != null;
    }

    /** Builds the index from every free segment of {@code segments}. */
    void build(SegmentTree segments) {
        SizeTree fresh = new SizeTree();
        segments.forEachFree((start, end) -> fresh.insert(end - start + 1, start));
        tree = fresh;
        queued = 0;
    }

    /** A free segment of {@code size} values appeared at {@code start}. */
    void add(long size, long start) {
        if (tree != null) {
            queue(size, start, true);
        }
    }

    /** The free segment of {@code size} values at {@code start} is gone. */
    void remove(long size, long start) {
        if (tree != null) {
            queue(size, start, false);
        }
    }

    private void queue(long size, long start, boolean add) {
        for (int i = 0; i < queued; i++) {
            if (queuedStart[i] == start && queuedSize[i] == size) {
                // The opposite change of the same key is queued: together they change nothing.
                int last = --queued;
                queuedSize[i] = queuedSize[last];
                queuedStart[i] = queuedStart[last];
                queuedAdd[i] = queuedAdd[last];
                return;
            }
        }
        if (queued == BUFFER) {
            flush();
        }
        queuedSize[queued] = size;
        queuedStart[queued] = start;
        queuedAdd[queued] = add;
        queued++;
    }

    private void flush() {
        for (int i = 0; i < queued; i++) {
            if (queuedAdd[i]) {
                tree.insert(queuedSize[i], queuedStart[i]);
            } else {
                tree.delete(queuedSize[i], queuedStart[i]);
            }
        }
        queued = 0;
    }

    /**
     * The lowest placement for {@code r} in the smallest free segment of size at least
     * {@code minSize} that holds one, ties to the lower address: sets {@link #found}.
     * The index must be {@linkplain #built() built}.
     */
    boolean smallestFit(Request r, long minSize) {
        flush();
        if (!tree.smallestFit(r, minSize)) {
            return false;
        }
        found = tree.found;
        foundSegment = tree.foundSegment;
        foundSize = tree.foundSize;
        return true;
    }

    /**
     * Verifies the tree's invariants and that the tree with the buffer applied holds exactly
     * {@code expected} (size, start pairs in (size, start) order), without applying it: every
     * difference between the tree and {@code expected} must be one queued change. For tests.
     *
     * @throws IllegalStateException naming the first difference
     */
    void checkAgainst(long[] expected, int count) {
        if (tree == null) {
            return;
        }
        tree.checkInvariants();
        long[] held = new long[(int) (2 * tree.size())];
        int[] at = {0};
        tree.forEach((size, start) -> {
            held[at[0]++] = size;
            held[at[0]++] = start;
        });
        boolean[] explained = new boolean[queued];
        int i = 0;
        int j = 0;
        int heldCount = held.length / 2;
        while (i < count || j < heldCount) {
            int order = i == count ? 1 : j == heldCount ? -1
                    : compareKeys(expected[2 * i], expected[2 * i + 1], held[2 * j], held[2 * j + 1]);
            if (order == 0) {
                i++;
                j++;
            } else if (order < 0) {
                explain(expected[2 * i], expected[2 * i + 1], true, explained);
                i++;
            } else {
                explain(held[2 * j], held[2 * j + 1], false, explained);
                j++;
            }
        }
        for (int q = 0; q < queued; q++) {
            if (!explained[q]) {
                throw new IllegalStateException("size index buffer " + (queuedAdd[q] ? "adds" : "removes") + " size "
                        + Long.toHexString(queuedSize[q]) + " at " + Long.toHexString(queuedStart[q]) + " needlessly");
            }
        }
    }

    private static int compareKeys(long sizeA, long startA, long sizeB, long startB) {
        int bySize = Long.compareUnsigned(sizeA, sizeB);
        return bySize != 0 ? bySize : Long.compareUnsigned(startA, startB);
    }

    /** A key that is free but not in the tree must be a queued add, and the reverse a queued remove. */
    private void explain(long size, long start, boolean add, boolean[] explained) {
        for (int q = 0; q < queued; q++) {
            if (!explained[q] && queuedAdd[q] == add && queuedSize[q] == size && queuedStart[q] == start) {
                explained[q] = true;
                return;
            }
        }
        throw new IllegalStateException("size index " + (add ? "lacks" : "holds") + " size " + Long.toHexString(size)
                + " at " + Long.toHexString(start));
    }

    /** Nodes of the built tree (0 before it is built), for memory tests. */
    int liveNodes() {
        return tree == null ? 0 : tree.liveNodes();
    }
}
