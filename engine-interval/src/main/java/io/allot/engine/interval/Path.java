package io.allot.engine.interval;

/**
 * A root-to-leaf position in a {@link SegmentTree}: for each level (0 = leaf) the node, the slot
 * taken in it (at the leaf, the entry), and the node's implied minimum — the first value it covers,
 * which no node stores because its parent's pivots already say it.
 *
 * <p>Mutable and reused, so that descents allocate nothing; every search and update fills one.
 */
final class Path {

    /** Deeper than any tree an int-indexed node array can hold (fan-out at least 5). */
    static final int MAX_HEIGHT = 16;

    final int[] node = new int[MAX_HEIGHT];
    final int[] slot = new int[MAX_HEIGHT];
    final long[] min = new long[MAX_HEIGHT];

    /** Makes this path equal to {@code other} on levels below {@code height}. */
    void copyFrom(Path other, int height) {
        System.arraycopy(other.node, 0, node, 0, height);
        System.arraycopy(other.slot, 0, slot, 0, height);
        System.arraycopy(other.min, 0, min, 0, height);
    }
}
