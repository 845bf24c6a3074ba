package io.allot.engine.interval;

import io.allot.Request;
import io.allot.internal.Placement;
import io.allot.internal.SearchMemo;
import io.allot.internal.Unsigned;

import java.util.Arrays;

/**
 * Free segments ordered by (size, start), both unsigned: a B+-tree in node blocks of 32 longs
 * (256 bytes) in one {@code long[]}, leaves chained in key order.
 * <pre>
 * leaf:      [count][next leaf][size 0, start 0] ... [size 14, start 14]
 * internal:  [count][separator size 0, separator start 0, child 0] ... (10 slots)
 * </pre>
 * Separator k (k &ge; 1) is at most the smallest key under child k and greater than every key
 * under child k &minus; 1; slot 0's separator is not consulted.
 *
 * <p>Invariants: keys strictly increasing along the leaf chain; separators as above; all leaves at
 * one depth; non-root leaves hold 7..15 keys, non-root internal nodes 5..10 children, an internal
 * root at least 2. Insert, delete and reaching the first key of a given size are O(log n) with
 * fan-out 5..10. Not thread-safe.
 */
final class SizeTree {

    private static final int SHIFT = 5;
    private static final int NEXT = 1;
    private static final int KEYS = 2;
    static final int LEAF_CAP = 15;
    static final int LEAF_MIN = 7;
    static final int FANOUT = 10;
    static final int FANOUT_MIN = 5;

    private long[] nodes = new long[4 << SHIFT];
    private int used;
    private int recycled = -1;
    private int liveNodes;
    private int root;
    private int height = 1;
    private long size;

    private final int[] pathNode = new int[Path.MAX_HEIGHT];
    private final int[] pathSlot = new int[Path.MAX_HEIGHT];

    /**
     * Changes so far ({@link #insert} and {@link #delete}): a finger taken at one version is valid
     * while the version stays.
     */
    private long version = 1;
    /**
     * Fingers of {@link #smallestFit} by minimum size: at a version, the first key at least (size,
     * 0) was at a leaf and slot (possibly one past its last key), packed as {@code leaf << 32 |
     * slot}. An allocation and the free that undoes it leave the tree untouched (the write buffer
     * cancels them), so a workload of such pairs searches each size by one descent, then by none.
     */
    private final SearchMemo fingers = new SearchMemo();

    /** Start of the placement the last successful {@link #smallestFit} found. */
    long found;
    /** The free segment that placement lies in: its first value and its size. */
    long foundSegment;
    long foundSize;

    SizeTree() {
        root = newNode();
        nodes[(root << SHIFT) + NEXT] = -1;
    }

    long size() {
        return size;
    }

    private int newNode() {
        int n;
        if (recycled >= 0) {
            n = recycled;
            recycled = (int) nodes[(n << SHIFT) + 1];
        } else {
            if (used == Integer.MAX_VALUE >>> SHIFT) {
                throw new IllegalStateException("interval engine: size index too large");
            }
            n = used++;
            if ((long) used << SHIFT > nodes.length) {
                long grown = Math.max((long) used << SHIFT, nodes.length + (nodes.length >> 1));
                nodes = Arrays.copyOf(nodes, (int) Math.min(grown & -(1L << SHIFT), Integer.MAX_VALUE & -(1 << SHIFT)));
            }
        }
        int b = n << SHIFT;
        Arrays.fill(nodes, b, b + (1 << SHIFT), 0L);
        liveNodes++;
        return n;
    }

    private void releaseNode(int n) {
        int b = n << SHIFT;
        Arrays.fill(nodes, b, b + (1 << SHIFT), 0L);
        nodes[b + 1] = recycled;
        recycled = n;
        liveNodes--;
    }

    private static int compare(long sizeA, long startA, long sizeB, long startB) {
        int bySize = Long.compareUnsigned(sizeA, sizeB);
        return bySize != 0 ? bySize : Long.compareUnsigned(startA, startB);
    }

    /** The child of internal block {@code b} whose range holds the key: the last separator at most it. */
    private int route(int b, long keySize, long keyStart) {
        int c = (int) nodes[b];
        int k = 1;
        int o = b + 1 + 3;
        while (k < c && compare(nodes[o], nodes[o + 1], keySize, keyStart) <= 0) {
            k++;
            o += 3;
        }
        return k - 1;
    }

    /** Index of the first key of leaf block {@code b} at least the given key. */
    private int lowerBound(int b, long keySize, long keyStart) {
        int c = (int) nodes[b];
        int j = 0;
        while (j < c && compare(nodes[b + KEYS + 2 * j], nodes[b + KEYS + 2 * j + 1], keySize, keyStart) < 0) {
            j++;
        }
        return j;
    }

    /** Fills the path down to the leaf whose range holds the key; returns that leaf. */
    private int descend(long keySize, long keyStart) {
        int n = root;
        for (int level = height - 1; level > 0; level--) {
            int k = route(n << SHIFT, keySize, keyStart);
            pathNode[level] = n;
            pathSlot[level] = k;
            n = (int) nodes[(n << SHIFT) + 3 + 3 * k];
        }
        pathNode[0] = n;
        return n;
    }

    /** Adds a key that is not present. */
    void insert(long keySize, long keyStart) {
        version++;
        int leaf = descend(keySize, keyStart);
        int j = lowerBound(leaf << SHIFT, keySize, keyStart);
        pathSlot[0] = j;
        if (nodes[leaf << SHIFT] == LEAF_CAP) {
            split(0);
            leaf = pathNode[0];
            j = pathSlot[0];
        }
        int b = leaf << SHIFT;
        int c = (int) nodes[b];
        int o = b + KEYS + 2 * j;
        System.arraycopy(nodes, o, nodes, o + 2, 2 * (c - j));
        nodes[o] = keySize;
        nodes[o + 1] = keyStart;
        nodes[b] = c + 1;
        size++;
    }

    /** Removes a key that is present. */
    void delete(long keySize, long keyStart) {
        version++;
        int leaf = descend(keySize, keyStart);
        int b = leaf << SHIFT;
        int j = lowerBound(b, keySize, keyStart);
        int c = (int) nodes[b];
        if (j == c || nodes[b + KEYS + 2 * j] != keySize || nodes[b + KEYS + 2 * j + 1] != keyStart) {
            throw new IllegalStateException("size index has no segment of size " + Unsigned.hex(keySize) + " at "
                    + Unsigned.hex(keyStart));
        }
        int o = b + KEYS + 2 * j;
        System.arraycopy(nodes, o + 2, nodes, o, 2 * (c - j - 1));
        nodes[b + KEYS + 2 * (c - 1)] = 0;
        nodes[b + KEYS + 2 * (c - 1) + 1] = 0;
        nodes[b] = c - 1;
        size--;
        for (int level = 0; level < height - 1; level++) {
            if (nodes[pathNode[level] << SHIFT] >= (level == 0 ? LEAF_MIN : FANOUT_MIN)) {
                return;
            }
            rebalance(level);
        }
        while (height > 1 && nodes[root << SHIFT] == 1) {
            int old = root;
            root = (int) nodes[(root << SHIFT) + 3];
            releaseNode(old);
            height--;
        }
    }

    /**
     * The lowest placement for {@code r} in the first segment, in (size, start) order, of size at
     * least {@code minSize} that holds one: sets {@link #found}. O(log n) to the first candidate;
     * each candidate that cannot hold the request (alignment, phase, no-cross, window) costs O(1).
     */
    boolean smallestFit(Request r, long minSize) {
        int n;
        int j;
        long finger = fingers.get(minSize, version);
        if (finger != SearchMemo.NONE) {
            n = (int) (finger >>> 32);
            j = (int) finger;
        } else {
            n = descend(minSize, 0);
            j = lowerBound(n << SHIFT, minSize, 0);
            fingers.put(minSize, version, (long) n << 32 | j);
        }
        while (true) {
            int b = n << SHIFT;
            int c = (int) nodes[b];
            for (; j < c; j++) {
                long segmentSize = nodes[b + KEYS + 2 * j];
                long start = nodes[b + KEYS + 2 * j + 1];
                long offset = Placement.lowest(start, start + segmentSize - 1, r, 0);
                if (offset != Placement.NONE) {
                    found = start + offset;
                    foundSegment = start;
                    foundSize = segmentSize;
                    return true;
                }
            }
            n = (int) nodes[b + NEXT];
            if (n < 0) {
                return false;
            }
            j = 0;
        }
    }

    /**
     * Makes room in the full node on {@code level} of the path: evens it out with a sibling that
     * has room (so that appending keeps nodes nearly full), else splits it in two, splitting a
     * full parent first. The path keeps pointing at the insertion position.
     */
    private void split(int level) {
        if (level < height - 1 && share(level)) {
            return;
        }
        if (level == height - 1) {
            int r = newNode();
            int br = r << SHIFT;
            nodes[br] = 1;
            nodes[br + 3] = root;
            root = r;
            pathNode[height] = r;
            pathSlot[height] = 0;
            height++;
        }
        if (nodes[pathNode[level + 1] << SHIFT] == FANOUT) {
            split(level + 1);
        }
        int parent = pathNode[level + 1];
        int ps = pathSlot[level + 1];
        int x = pathNode[level];
        int y = newNode();
        int bx = x << SHIFT;
        int by = y << SHIFT;
        int c = (int) nodes[bx];
        int half = c >>> 1;
        long sepSize;
        long sepStart;
        if (level == 0) {
            System.arraycopy(nodes, bx + KEYS + 2 * half, nodes, by + KEYS, 2 * (c - half));
            Arrays.fill(nodes, bx + KEYS + 2 * half, bx + KEYS + 2 * c, 0L);
            nodes[by + NEXT] = nodes[bx + NEXT];
            nodes[bx + NEXT] = y;
            sepSize = nodes[by + KEYS];
            sepStart = nodes[by + KEYS + 1];
        } else {
            System.arraycopy(nodes, bx + 1 + 3 * half, nodes, by + 1, 3 * (c - half));
            Arrays.fill(nodes, bx + 1 + 3 * half, bx + 1 + 3 * c, 0L);
            sepSize = nodes[by + 1];
            sepStart = nodes[by + 2];
        }
        nodes[bx] = half;
        nodes[by] = c - half;
        insertSlot(parent, ps + 1, sepSize, sepStart, y);
        // A key going exactly between the halves stays left: right's first key is now its separator.
        if (level == 0 ? pathSlot[0] > half : pathSlot[level] >= half) {
            pathNode[level] = y;
            pathSlot[level] -= half;
            pathSlot[level + 1] = ps + 1;
        }
    }

    /** Evens out the full node on {@code level} with a sibling that has room for two or more; false if none has. */
    private boolean share(int level) {
        int parent = pathNode[level + 1];
        int bp = parent << SHIFT;
        int s = pathSlot[level + 1];
        int pc = (int) nodes[bp];
        int cap = level == 0 ? LEAF_CAP : FANOUT;
        int roomLeft = s > 0 ? cap - (int) nodes[(int) nodes[bp + 3 + 3 * (s - 1)] << SHIFT] : -1;
        int roomRight = s < pc - 1 ? cap - (int) nodes[(int) nodes[bp + 3 + 3 * (s + 1)] << SHIFT] : -1;
        if (Math.max(roomLeft, roomRight) < 2) {
            return false;
        }
        int c = (int) nodes[pathNode[level] << SHIFT];
        int at = pathSlot[level];
        if (roomLeft >= roomRight) {
            int left = (int) nodes[bp + 3 + 3 * (s - 1)];
            int cl = (int) nodes[left << SHIFT];
            int m = (c - cl + 1) / 2;
            moveToLeft(level, parent, s - 1, m);
            // A key going exactly between the two stays left, below the new separator.
            if (level == 0 ? at <= m : at < m) {
                pathNode[level] = left;
                pathSlot[level] = at + cl;
                pathSlot[level + 1] = s - 1;
            } else {
                pathSlot[level] = at - m;
            }
        } else {
            int right = (int) nodes[bp + 3 + 3 * (s + 1)];
            int m = (c - (int) nodes[right << SHIFT] + 1) / 2;
            moveToRight(level, parent, s, m);
            if (level == 0 ? at > c - m : at >= c - m) {
                pathNode[level] = right;
                pathSlot[level] = at - (c - m);
                pathSlot[level + 1] = s + 1;
            }
        }
        return true;
    }

    private void insertSlot(int n, int k, long sepSize, long sepStart, int child) {
        int b = n << SHIFT;
        int c = (int) nodes[b];
        int o = b + 1 + 3 * k;
        System.arraycopy(nodes, o, nodes, o + 3, 3 * (c - k));
        nodes[o] = sepSize;
        nodes[o + 1] = sepStart;
        nodes[o + 2] = child;
        nodes[b] = c + 1;
    }

    private void removeSlot(int n, int k) {
        int b = n << SHIFT;
        int c = (int) nodes[b];
        int o = b + 1 + 3 * k;
        System.arraycopy(nodes, o + 3, nodes, o, 3 * (c - k - 1));
        Arrays.fill(nodes, b + 1 + 3 * (c - 1), b + 1 + 3 * c, 0L);
        nodes[b] = c - 1;
    }

    /**
     * Merges the short node on {@code level} of the path with a sibling when the two leave room
     * for two more (so that the next insert cannot split them again at once), else borrows from
     * the sibling so that both hold at least the minimum.
     */
    private void rebalance(int level) {
        int parent = pathNode[level + 1];
        int bp = parent << SHIFT;
        int s = pathSlot[level + 1];
        int j = s > 0 ? s - 1 : s;
        int left = (int) nodes[bp + 3 + 3 * j];
        int right = (int) nodes[bp + 3 + 3 * (j + 1)];
        int cl = (int) nodes[left << SHIFT];
        int cr = (int) nodes[right << SHIFT];
        int min = level == 0 ? LEAF_MIN : FANOUT_MIN;
        if (cl + cr < 2 * min) {
            moveToLeft(level, parent, j, cr);
            if (level == 0) {
                nodes[(left << SHIFT) + NEXT] = nodes[(right << SHIFT) + NEXT];
            }
            removeSlot(parent, j + 1);
            releaseNode(right);
            pathNode[level] = left;
        } else if (cl < cr) {
            moveToLeft(level, parent, j, (cr - cl + 1) / 2);
        } else {
            moveToRight(level, parent, j, (cl - cr + 1) / 2);
        }
    }

    /** Moves the first {@code m} keys or children of the child right of slot {@code j} to the end of child j. */
    private void moveToLeft(int level, int parent, int j, int m) {
        int bp = parent << SHIFT;
        int sep = bp + 1 + 3 * (j + 1);
        int bl = (int) nodes[bp + 3 + 3 * j] << SHIFT;
        int br = (int) nodes[sep + 2] << SHIFT;
        int cl = (int) nodes[bl];
        int cr = (int) nodes[br];
        if (level == 0) {
            System.arraycopy(nodes, br + KEYS, nodes, bl + KEYS + 2 * cl, 2 * m);
            System.arraycopy(nodes, br + KEYS + 2 * m, nodes, br + KEYS, 2 * (cr - m));
            Arrays.fill(nodes, br + KEYS + 2 * (cr - m), br + KEYS + 2 * cr, 0L);
            if (cr > m) {
                nodes[sep] = nodes[br + KEYS];
                nodes[sep + 1] = nodes[br + KEYS + 1];
            }
        } else {
            // Right's first child is no longer first once it moves: it takes right's separator.
            nodes[br + 1] = nodes[sep];
            nodes[br + 2] = nodes[sep + 1];
            System.arraycopy(nodes, br + 1, nodes, bl + 1 + 3 * cl, 3 * m);
            System.arraycopy(nodes, br + 1 + 3 * m, nodes, br + 1, 3 * (cr - m));
            Arrays.fill(nodes, br + 1 + 3 * (cr - m), br + 1 + 3 * cr, 0L);
            if (cr > m) {
                nodes[sep] = nodes[br + 1];
                nodes[sep + 1] = nodes[br + 2];
            }
        }
        nodes[bl] = cl + m;
        nodes[br] = cr - m;
    }

    /** Moves the last {@code m} keys or children of child {@code j} to the front of the child right of it. */
    private void moveToRight(int level, int parent, int j, int m) {
        int bp = parent << SHIFT;
        int sep = bp + 1 + 3 * (j + 1);
        int bl = (int) nodes[bp + 3 + 3 * j] << SHIFT;
        int br = (int) nodes[sep + 2] << SHIFT;
        int cl = (int) nodes[bl];
        int cr = (int) nodes[br];
        if (level == 0) {
            System.arraycopy(nodes, br + KEYS, nodes, br + KEYS + 2 * m, 2 * cr);
            System.arraycopy(nodes, bl + KEYS + 2 * (cl - m), nodes, br + KEYS, 2 * m);
            Arrays.fill(nodes, bl + KEYS + 2 * (cl - m), bl + KEYS + 2 * cl, 0L);
            nodes[sep] = nodes[br + KEYS];
            nodes[sep + 1] = nodes[br + KEYS + 1];
        } else {
            nodes[br + 1] = nodes[sep];
            nodes[br + 2] = nodes[sep + 1];
            System.arraycopy(nodes, br + 1, nodes, br + 1 + 3 * m, 3 * cr);
            System.arraycopy(nodes, bl + 1 + 3 * (cl - m), nodes, br + 1, 3 * m);
            Arrays.fill(nodes, bl + 1 + 3 * (cl - m), bl + 1 + 3 * cl, 0L);
            nodes[sep] = nodes[br + 1];
            nodes[sep + 1] = nodes[br + 2];
        }
        nodes[bl] = cl - m;
        nodes[br] = cr + m;
    }

    /** Receives keys in order. */
    interface KeyAction {
        void accept(long size, long start);
    }

    /** Visits every key in (size, start) order along the leaf chain. */
    void forEach(KeyAction action) {
        int n = root;
        for (int level = height - 1; level > 0; level--) {
            n = (int) nodes[(n << SHIFT) + 3];
        }
        while (n >= 0) {
            int b = n << SHIFT;
            int c = (int) nodes[b];
            for (int j = 0; j < c; j++) {
                action.accept(nodes[b + KEYS + 2 * j], nodes[b + KEYS + 2 * j + 1]);
            }
            n = (int) nodes[b + NEXT];
        }
    }

    /**
     * Verifies the invariants in the class comment by a full walk, O(n). For tests.
     *
     * @throws IllegalStateException naming the first broken one
     */
    void checkInvariants() {
        int[] seen = {0, 0};
        long[] previous = {0, 0, 0}; // size, start, any
        int firstLeaf = checkNode(root, height - 1, false, 0, 0, false, 0, 0, seen);
        if (seen[0] != liveNodes) {
            throw new IllegalStateException(liveNodes + " size-index nodes in use, " + seen[0] + " in the tree");
        }
        long keys = 0;
        for (int n = firstLeaf; n >= 0; n = (int) nodes[(n << SHIFT) + NEXT]) {
            int b = n << SHIFT;
            for (int j = 0; j < (int) nodes[b]; j++) {
                long s = nodes[b + KEYS + 2 * j];
                long t = nodes[b + KEYS + 2 * j + 1];
                if (previous[2] == 1 && compare(previous[0], previous[1], s, t) >= 0) {
                    throw new IllegalStateException("size index out of order at " + Unsigned.hex(s) + "@" + Unsigned.hex(t));
                }
                previous[0] = s;
                previous[1] = t;
                previous[2] = 1;
                keys++;
            }
        }
        if (keys != size || seen[1] != size) {
            throw new IllegalStateException("size index counts " + size + " keys, chain has " + keys + ", leaves " + seen[1]);
        }
        checkFingers();
    }

    /** Every current finger is where a fresh descent puts the first key at least (its size, 0). */
    private void checkFingers() {
        fingers.forEachAt(version, (size, finger) -> {
            int n = descend(size, 0);
            int j = lowerBound(n << SHIFT, size, 0);
            if (n != (int) (finger >>> 32) || j != (int) finger) {
                throw new IllegalStateException("size-index finger for size " + Unsigned.hex(size) + " at leaf "
                        + (int) (finger >>> 32) + " slot " + (int) finger + ", a descent finds leaf " + n + " slot " + j);
            }
        });
    }

    /** Checks the subtree under n against bounds (lo inclusive, hi exclusive); returns its first leaf. */
    private int checkNode(int n, int level, boolean hasLo, long loSize, long loStart, boolean hasHi, long hiSize,
                          long hiStart, int[] seen) {
        seen[0]++;
        int b = n << SHIFT;
        int c = (int) nodes[b];
        boolean isRoot = n == root;
        if (level == 0) {
            if (c > LEAF_CAP || c < (isRoot ? 0 : LEAF_MIN)) {
                throw new IllegalStateException("size-index leaf of " + c + " keys");
            }
            for (int j = 0; j < c; j++) {
                long s = nodes[b + KEYS + 2 * j];
                long t = nodes[b + KEYS + 2 * j + 1];
                if (hasLo && compare(s, t, loSize, loStart) < 0 || hasHi && compare(s, t, hiSize, hiStart) >= 0) {
                    throw new IllegalStateException("size-index key outside its separators at " + Unsigned.hex(s));
                }
            }
            seen[1] += c;
            return n;
        }
        if (c > FANOUT || c < (isRoot ? 2 : FANOUT_MIN)) {
            throw new IllegalStateException("size-index internal node of " + c + " children");
        }
        int first = -1;
        for (int k = 0; k < c; k++) {
            boolean childHasLo = k > 0 || hasLo;
            long childLoSize = k > 0 ? nodes[b + 1 + 3 * k] : loSize;
            long childLoStart = k > 0 ? nodes[b + 2 + 3 * k] : loStart;
            boolean childHasHi = k < c - 1 || hasHi;
            long childHiSize = k < c - 1 ? nodes[b + 1 + 3 * (k + 1)] : hiSize;
            long childHiStart = k < c - 1 ? nodes[b + 2 + 3 * (k + 1)] : hiStart;
            int leaf = checkNode((int) nodes[b + 3 + 3 * k], level - 1, childHasLo, childLoSize, childLoStart,
                    childHasHi, childHiSize, childHiStart, seen);
            if (k == 0) {
                first = leaf;
            }
        }
        return first;
    }

    int liveNodes() {
        return liveNodes;
    }

    int height() {
        return height;
    }
}
