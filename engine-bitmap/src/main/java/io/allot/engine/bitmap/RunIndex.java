package io.allot.engine.bitmap;

import java.util.Arrays;

/**
 * Best-fit's index of one span's wide free runs: every maximal free run of at least {@link #WIDE}
 * units, by size and by position, so that the smallest run of at least a given size is a descent
 * instead of a walk of every run of its power-of-two class.
 *
 * <p><b>Why.</b> {@link RunStats}' size classes give each run of 1 to 32 units a class of its own,
 * so a best-fit of up to 32 units ends at the first run of its size; above that a class spans a
 * power of two, and {@link FitSearch} had to meet every run of the class to know which was the
 * smallest. A space of thousands of mid-sized holes (the {@code fragmenter} workload: holes of 1 to
 * 16 Ki units between pins) made every such search a walk of a few thousand runs.
 *
 * <p><b>Structure.</b> One node per indexed run ({@code start}, {@code size}), in two treaps that
 * share the node and its random priority: one ordered by start (to find the runs a change
 * touched), one by (size, start) (best-fit's order: smallest, then lowest). Nodes live in parallel
 * arrays indexed by node id, node 0 being the empty tree; ids are reused through a free list.
 *
 * <p><b>Invariant</b> (after {@link #sync}): the nodes are exactly the span's maximal free runs of
 * at least {@link #WIDE} units, pairwise disjoint; each treap is ordered by its key with every
 * parent's priority at least its children's.
 *
 * <p><b>Laziness.</b> Nothing on the allocate and free paths touches the index. {@link RunStats}
 * refolds every group of 512 units (eight leaf words) whose bits changed before answering any
 * query, and tells the index which ({@link #dirty}: a bit test, and an append the first time).
 * {@link #sync} then brings the stretch around each such group in line with the bits
 * ({@link #refresh}): nodes equal to the stretch's runs are kept, the others removed, new runs
 * inserted. The grain is the group, not the block of 4096 units, because a refresh costs what the
 * runs it meets cost: a block of a {@code dma} state holds dozens of wide runs, a group a few.
 * When more than a quarter of the groups are dirty, a rebuild from the bits is cheaper, and the
 * list stops growing.
 *
 * <p><b>Costs.</b> Created when {@link FitSearch} first lets it serve (its walks of the wide
 * classes have grown long; never for an unconstrained instant-fit, first-fit or the id paths):
 * one scan of every free run. Then O((r + 1) log n) per group changed since the last search that
 * used it (r the wide runs meeting it, n the runs indexed), paid at the next such search; the
 * search itself O(log n) to the smallest run of at least the size, plus O(log n) per further run
 * tried when a window, alignment or no-cross refuses one. Memory: 36 bytes per wide run, one bit
 * per group, and up to a quarter of the groups as queued {@code int}s. Used only on a span's
 * exclusive path (not by concurrent trees); not thread-safe.
 */
final class RunIndex {

    /** The fewest units of an indexed run: the first class of {@link RunStats} that holds more than one size. */
    static final long WIDE = 33;
    /** No node: the empty tree. */
    static final int NIL = 0;
    /** Units per group of eight leaf words, the grain of {@link RunStats}' change reports. */
    private static final int GROUP_SHIFT = 9;

    private final SpanBitmap span;
    private final BitTree bits;
    private final int groups;
    /** Dirty groups beyond which {@link #sync} rebuilds instead. */
    private final int rebuildAfter;

    // Nodes 1 .. top-1; a freed node's posLeft links the free list.
    private long[] start;
    private long[] size;
    private int[] priority;
    private int[] posLeft;
    private int[] posRight;
    private int[] sizeLeft;
    private int[] sizeRight;
    private int top = 1;
    private int freeNodes = NIL;
    private int count;
    private int posRoot = NIL;
    private int sizeRoot = NIL;
    /** The priorities' generator (xorshift): fixed seed, so a run is reproducible. */
    private int seed = 0x2545F491;

    /** Groups reported since the last sync: a bit each, and the list of them. */
    private final long[] dirtyBits;
    private int[] dirtyList = new int[16];
    private int dirtyCount;
    /** More groups changed than {@link #rebuildAfter}: the next sync rebuilds. */
    private boolean stale;

    /** An index of {@code span}'s wide runs, built from its bits now. */
    RunIndex(SpanBitmap span) {
        this.span = span;
        this.bits = span.bits;
        this.groups = (int) ((span.units + (1L << GROUP_SHIFT) - 1) >>> GROUP_SHIFT);
        this.rebuildAfter = Math.max(16, groups / 4);
        this.dirtyBits = new long[(groups + 63) >>> 6];
        int capacity = 16;
        start = new long[capacity];
        size = new long[capacity];
        priority = new int[capacity];
        posLeft = new int[capacity];
        posRight = new int[capacity];
        sizeLeft = new int[capacity];
        sizeRight = new int[capacity];
        rebuild();
    }

    // ---------------------------------------------------------------- changes

    /**
     * Groups {@code marked} (bit g: units {@code [4096 block + 512 g, 4096 block + 512 g + 511]})
     * of block {@code block} changed since the last sync.
     */
    void dirty(int block, int marked) {
        for (int m = marked; m != 0 && !stale; m &= m - 1) {
            int i = 8 * block + Integer.numberOfTrailingZeros(m);
            if (i >= groups) {
                return; // groups past the span's end: nothing there to index
            }
            long bit = 1L << i;
            int w = i >>> 6;
            if ((dirtyBits[w] & bit) != 0) {
                continue;
            }
            if (dirtyCount == rebuildAfter) {
                stale = true;
                return;
            }
            dirtyBits[w] |= bit;
            if (dirtyCount == dirtyList.length) {
                dirtyList = Arrays.copyOf(dirtyList, Math.min(2 * dirtyList.length, rebuildAfter));
            }
            dirtyList[dirtyCount++] = i;
        }
    }

    /**
     * Brings the index up to date with the bits: call after {@link RunStats#cleanAll}, which
     * reports every group changed since the previous query.
     */
    void sync() {
        if (stale) {
            rebuild();
            return;
        }
        for (int j = 0; j < dirtyCount; j++) {
            int i = dirtyList[j];
            dirtyBits[i >>> 6] &= ~(1L << i);
            refresh(i);
        }
        dirtyCount = 0;
    }

    /** Drops every node and indexes every wide run of the bits afresh. */
    private void rebuild() {
        Arrays.fill(dirtyBits, 0);
        dirtyCount = 0;
        stale = false;
        top = 1;
        freeNodes = NIL;
        count = 0;
        posRoot = NIL;
        sizeRoot = NIL;
        long units = span.units;
        for (long a = bits.nextFree(0); a >= 0; ) {
            long b = span.runEnd(a);
            if (b - a + 1 >= WIDE) {
                insert(a, b - a + 1);
            }
            a = b + 1 < units ? bits.nextFree(b + 1) : -1;
        }
    }

    /**
     * Group {@code i} changed: brings the nodes of the stretch around it in line with the bits.
     * The stretch starts as the group and grows to cover any node it meets (a node may have been
     * cut far from the group, its other parts in no changed group) and the free run at each end (a
     * run that only touched the group may have merged into it), until both its neighbours are
     * allocated and no node crosses its ends; every free run inside it is then maximal. The
     * stretch's runs and its nodes, both in address order, are then merged: a node equal to a
     * wide run is kept (most of a group's runs did not change), a wide run with no equal node is
     * inserted and any other node removed. So the nodes stay disjoint.
     */
    private void refresh(int i) {
        long units = span.units;
        long lo = (long) i << GROUP_SHIFT;
        long hi = Math.min(lo + (1L << GROUP_SHIFT) - 1, units - 1);
        // Each end is settled apart, and looked at again only when it moved: the free run past it
        // taken in (its neighbour is then allocated), then the node crossing it. Nodes are
        // disjoint, so only the last to begin at or before an end can cross it.
        boolean loMoved = true;
        boolean hiMoved = true;
        while (loMoved || hiMoved) {
            if (loMoved) {
                loMoved = false;
                if (lo > 0 && !bits.isSet(lo - 1)) {
                    lo = span.runStart(lo - 1);
                }
                int n = posFloor(lo);
                if (n != NIL && start[n] < lo && end(n) >= lo) {
                    lo = start[n];
                    loMoved = true;
                }
            }
            if (hiMoved) {
                hiMoved = false;
                if (hi < units - 1 && !bits.isSet(hi + 1)) {
                    hi = span.runEnd(hi + 1);
                }
                int n = posFloor(hi);
                if (n != NIL && end(n) > hi) {
                    hi = end(n);
                    hiMoved = true;
                }
            }
        }
        int n = posCeiling(lo);
        for (long a = bits.nextFree(lo); a >= 0 && a <= hi; ) {
            long b = span.runEnd(a); // at most hi: hi + 1 is allocated or past the end
            long run = b - a + 1;
            if (run >= WIDE) {
                while (n != NIL && start[n] < a) {
                    n = removeAndNext(n); // no wide run begins there now
                }
                if (n != NIL && start[n] == a && size[n] == run) {
                    n = posCeiling(a + 1); // unchanged
                } else {
                    if (n != NIL && start[n] == a) {
                        n = removeAndNext(n);
                    }
                    insert(a, run);
                }
            }
            a = b + 1 < units ? bits.nextFree(b + 1) : -1;
        }
        while (n != NIL && start[n] <= hi) {
            n = removeAndNext(n);
        }
    }

    /** Removes node {@code n} and returns the next node by start, or {@link #NIL}. */
    private int removeAndNext(int n) {
        int next = posCeiling(start[n] + 1);
        remove(n);
        return next;
    }

    // ---------------------------------------------------------------- queries

    /** The node of the smallest run of at least {@code units} units (the lowest among equals), or {@link #NIL}. */
    int smallestAtLeast(long units) {
        return sizeCeiling(units, Long.MIN_VALUE);
    }

    /** The node after {@code n} in (size, start) order, or {@link #NIL}. */
    int nextBySize(int n) {
        return sizeCeiling(size[n], start[n] + 1);
    }

    /** Node {@code n}'s first unit. */
    long start(int n) {
        return start[n];
    }

    /** Node {@code n}'s units. */
    long size(int n) {
        return size[n];
    }

    /** Runs indexed. */
    int count() {
        return count;
    }

    private long end(int n) {
        return start[n] + size[n] - 1;
    }

    private int posFloor(long u) {
        int best = NIL;
        for (int t = posRoot; t != NIL; ) {
            if (start[t] <= u) {
                best = t;
                t = posRight[t];
            } else {
                t = posLeft[t];
            }
        }
        return best;
    }

    private int posCeiling(long u) {
        int best = NIL;
        for (int t = posRoot; t != NIL; ) {
            if (start[t] >= u) {
                best = t;
                t = posLeft[t];
            } else {
                t = posRight[t];
            }
        }
        return best;
    }

    private int sizeCeiling(long units, long first) {
        int best = NIL;
        for (int t = sizeRoot; t != NIL; ) {
            if (size[t] > units || size[t] == units && start[t] >= first) {
                best = t;
                t = sizeLeft[t];
            } else {
                t = sizeRight[t];
            }
        }
        return best;
    }

    // ---------------------------------------------------------------- the treaps

    private void insert(long a, long units) {
        int n = newNode(a, units);
        posRoot = insert(posRoot, n, posLeft, posRight, false);
        sizeRoot = insert(sizeRoot, n, sizeLeft, sizeRight, true);
        count++;
    }

    private void remove(int n) {
        posRoot = remove(posRoot, n, posLeft, posRight, false);
        sizeRoot = remove(sizeRoot, n, sizeLeft, sizeRight, true);
        posLeft[n] = freeNodes;
        freeNodes = n;
        count--;
    }

    private int newNode(long a, long units) {
        int n;
        if (freeNodes != NIL) {
            n = freeNodes;
            freeNodes = posLeft[n];
        } else {
            if (top == start.length) {
                grow();
            }
            n = top++;
        }
        start[n] = a;
        size[n] = units;
        int x = seed;
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        seed = x;
        priority[n] = x;
        posLeft[n] = NIL;
        posRight[n] = NIL;
        sizeLeft[n] = NIL;
        sizeRight[n] = NIL;
        return n;
    }

    private void grow() {
        int capacity = 2 * start.length;
        start = Arrays.copyOf(start, capacity);
        size = Arrays.copyOf(size, capacity);
        priority = Arrays.copyOf(priority, capacity);
        posLeft = Arrays.copyOf(posLeft, capacity);
        posRight = Arrays.copyOf(posRight, capacity);
        sizeLeft = Arrays.copyOf(sizeLeft, capacity);
        sizeRight = Arrays.copyOf(sizeRight, capacity);
    }

    // One treap's operations, for either order: the caller passes that treap's child arrays
    // (which only newNode's growth replaces, never during an operation) and its order.

    /** Whether {@code n} sorts before {@code t}: by (size, start), or by start. */
    private boolean before(int n, int t, boolean bySize) {
        return bySize ? size[n] < size[t] || size[n] == size[t] && start[n] < start[t] : start[n] < start[t];
    }

    /** Inserts node {@code n} into the treap rooted at {@code t}; returns the new root. */
    private int insert(int t, int n, int[] left, int[] right, boolean bySize) {
        if (t == NIL) {
            return n;
        }
        if (before(n, t, bySize)) {
            int l = insert(left[t], n, left, right, bySize);
            left[t] = l;
            if (priority[l] > priority[t]) { // rotate right
                left[t] = right[l];
                right[l] = t;
                return l;
            }
        } else {
            int r = insert(right[t], n, left, right, bySize);
            right[t] = r;
            if (priority[r] > priority[t]) { // rotate left
                right[t] = left[r];
                left[r] = t;
                return r;
            }
        }
        return t;
    }

    /** Removes node {@code n}, which the treap rooted at {@code t} holds; returns the new root. */
    private int remove(int t, int n, int[] left, int[] right, boolean bySize) {
        if (t == n) {
            return merge(left[n], right[n], left, right);
        }
        if (before(n, t, bySize)) {
            left[t] = remove(left[t], n, left, right, bySize);
        } else {
            right[t] = remove(right[t], n, left, right, bySize);
        }
        return t;
    }

    /** Joins two treaps, every key of {@code a} before every key of {@code b}; returns the root. */
    private int merge(int a, int b, int[] left, int[] right) {
        if (a == NIL) {
            return b;
        }
        if (b == NIL) {
            return a;
        }
        if (priority[a] >= priority[b]) {
            right[a] = merge(right[a], b, left, right);
            return a;
        }
        left[b] = merge(a, left[b], left, right);
        return b;
    }

    /** Bytes of the index's arrays: 36 per node slot, the dirty bits and the queue. */
    long bytes() {
        return 36L * start.length + 8L * dirtyBits.length + 4L * dirtyList.length;
    }

    // ---------------------------------------------------------------- checks

    /**
     * Throws {@link IllegalStateException} unless, once synced, the index holds exactly the span's
     * maximal free runs of at least {@link #WIDE} units, both treaps ordered, heap-ordered by
     * priority and of {@link #count} nodes each. For tests.
     */
    void checkInvariants() {
        sync();
        long[] expected = new long[16];
        int runs = 0;
        long units = span.units;
        for (long a = bits.nextFree(0); a >= 0; ) {
            long b = span.runEnd(a);
            if (b - a + 1 >= WIDE) {
                if (2 * runs + 2 > expected.length) {
                    expected = Arrays.copyOf(expected, 2 * expected.length);
                }
                expected[2 * runs] = a;
                expected[2 * runs + 1] = b - a + 1;
                runs++;
            }
            a = b + 1 < units ? bits.nextFree(b + 1) : -1;
        }
        long[] inOrder = new long[2 * top];
        int[] at = {0};
        int nodes = checkPos(posRoot, Long.MIN_VALUE, Long.MAX_VALUE, Integer.MAX_VALUE, inOrder, at);
        if (nodes != count) {
            throw new IllegalStateException("the position treap holds " + nodes + " nodes, the count is " + count);
        }
        for (int j = 0; j < Math.max(runs, count); j++) {
            if (j >= runs || j >= count || inOrder[2 * j] != expected[2 * j] || inOrder[2 * j + 1] != expected[2 * j + 1]) {
                throw new IllegalStateException("wide run " + j + ": the bits' "
                        + (j < runs ? expected[2 * j] + "+" + expected[2 * j + 1] : "none") + ", the index's "
                        + (j < count ? inOrder[2 * j] + "+" + inOrder[2 * j + 1] : "none"));
            }
        }
        int bySize = 0;
        long prevSize = Long.MIN_VALUE;
        long prevStart = Long.MIN_VALUE;
        for (int n = smallestAtLeast(0); n != NIL; n = nextBySize(n)) {
            if (size[n] < prevSize || size[n] == prevSize && start[n] <= prevStart) {
                throw new IllegalStateException("size order broken at node " + n);
            }
            prevSize = size[n];
            prevStart = start[n];
            bySize++;
        }
        if (bySize != count || countSize(sizeRoot, Integer.MAX_VALUE) != count) {
            throw new IllegalStateException("the size treap holds a different number of nodes than " + count);
        }
    }

    private int checkPos(int t, long lo, long hi, int parentPriority, long[] out, int[] at) {
        if (t == NIL) {
            return 0;
        }
        if (start[t] < lo || start[t] > hi || priority[t] > parentPriority) {
            throw new IllegalStateException("position treap out of order at node " + t);
        }
        int left = checkPos(posLeft[t], lo, start[t] - 1, priority[t], out, at);
        out[at[0]++] = start[t];
        out[at[0]++] = size[t];
        return left + 1 + checkPos(posRight[t], start[t] + 1, hi, priority[t], out, at);
    }

    private int countSize(int t, int parentPriority) {
        if (t == NIL) {
            return 0;
        }
        if (priority[t] > parentPriority) {
            throw new IllegalStateException("size treap out of heap order at node " + t);
        }
        return 1 + countSize(sizeLeft[t], priority[t]) + countSize(sizeRight[t], priority[t]);
    }
}
