package io.allot.engine.interval;

import io.allot.Request;
import io.allot.internal.Placement;
import io.allot.internal.Unsigned;

import java.util.Arrays;

/**
 * The whole 64-bit space as a B-tree of ranges, in the manner of Linux's maple tree: every value
 * lies in exactly one <em>entry</em> — a free segment, an allocated segment, or a hole outside every
 * span — and entries are stored only by their last value (their <em>pivot</em>); an entry starts
 * one past the pivot before it.
 *
 * <h2>Layout</h2>
 * Every node is one block of 32 longs (256 bytes) in a single {@code long[]}, so a visit reads a few
 * adjacent cache lines instead of one line per field:
 * <pre>
 * leaf:      [count | bound][kinds][marks][pivot 0 .. pivot 28]
 *            kinds: bit i = entry i is free (low half), a hole (high half); neither = allocated
 *            marks: bit i = entry i starts a span (low half), has side data (high half):
 *                   a tag, or, on an allocated entry, that it is a run of equal allocations
 *                   (which of the two is the core's to know, see {@link IntervalCore})
 * internal:  [count | bound][pivot 0, gap 0, child 0] ... [pivot 9, gap 9, child 9][mask]
 *            pivot k = last value under child k; gap k = largest free entry under child k;
 *            mask bit k = gap k is not 0
 * </pre>
 * Word 0 holds the count in its low byte and, above it, the node's <em>bound</em>: at least the
 * second-largest gap among its entries or children (the largest of all but one holder of the
 * largest), saturated at 2<sup>56</sup>&minus;1, which means "unknown". The node's largest gap
 * itself is the one its parent records for it. When the largest shrinks but stays at or above the
 * bound it is still the largest, so the update costs O(1) on that level; only when it falls below
 * does the node rescan its children (which makes the bound exact again). Growing or shrinking any
 * other child never rescans: the bound only rises. This is what makes carving a little off the
 * largest free segment again and again — first-fit filling an empty space, last-fit and next-fit
 * taking from the free tail — cost O(1) per level instead of a scan of every ancestor.
 *
 * <p>A node's first value is implied by its parent (one past the pivot before its slot, or the
 * parent's own first value), and a {@link Path} carries it down, as maple's {@code ma_state} does.
 *
 * <h2>Deferred shrink</h2>
 * When an allocation shrinks the largest free entry of a leaf (to a size that is not 0), the
 * ancestors are not told at once: the tree remembers that one leaf, its first value (a descent to
 * it finds its path again when needed: no other leaf boundary moves meanwhile), the gap its parent
 * still records and the true one, and tells the ancestors on the next operation that needs exact
 * gaps or changes the structure — a free or carve in another leaf, a share, a half split, a
 * merge, {@link #largestFree} — or settles it with the next free in that leaf, which then climbs
 * only as far as the net change of the two reaches (not at all when the free restores the leaf's
 * largest gap, as freeing the allocation just made does).
 * Until then every ancestor's gap on that path is an upper bound, which searches may read: a gap
 * only decides whether a subtree is entered, and entering one that holds no fit costs time, never
 * a wrong answer. The one split that keeps the shrink deferred is an append split of that leaf
 * itself ({@link #split}): the half that holds the leaf's largest free entry takes the shrink
 * over — its slot in the parent records the old gap, the other half's its exact one, so the
 * parent's largest and everything above it stay as they were — and when that is the new last
 * leaf, as it is in an address-order fill, its first value becomes the shrink's. (When the largest
 * stays behind, the cursor moves on without it and the shrink is told at once.) Filling a space in
 * address order thus never climbs to the root: leaf splits record the new leaf in its parent,
 * and internal splits and shares move slots with the gaps they record. Likewise a first-fit
 * search that found its placement in the cursor's leaf remembers that nothing of its size ends
 * before that leaf at or above its lower limit; until a free outside that leaf or a change of
 * leaf boundaries, the next search with a size and limit no smaller starts at the leaf; last-fit, mirrored, likewise. The one change of leaf
 * boundaries that keeps them is the split a one-pass carve needs ({@link #cleanAfterSplit}):
 * the split comes before the carve's pieces are written, so the carved entry's pieces share
 * one leaf and everything moved before that leaf lay before the entry, which the scan had
 * passed; the bounds become that search's own. An address-order fill thus never searches the
 * general way after its first allocation.
 *
 * <h2>Invariants</h2>
 * <ol>
 *   <li>entries tile [0, 2<sup>64</sup>&minus;1] in pivot order; the root covers all of it;</li>
 *   <li>a node's last pivot equals its parent's pivot for it;</li>
 *   <li>every gap is exact: the largest free entry under that child (0 if none), and
 *       {@link #largestFree()} is the root's — except, on the path of the one leaf with a deferred
 *       shrink, the gaps recorded for it and its ancestors, which are what they would be if that
 *       leaf's largest free entry were still {@link #pendWas}, the size before the shrink (so
 *       above the truth, and never 0; after an append split handed the shrink over, the new leaf
 *       records it too); every mask bit is exact; every bound is at least the second-largest gap
 *       of its node as recorded (or saturated), and a leaf's at most its largest free entry
 *       (an update raises it only to a value no larger than the leaf's largest after it, and a
 *       rescan sets it to the second), so that an entry below it is not the leaf's largest;</li>
 *   <li>all leaves are at one depth; a non-root leaf holds 14..29 entries — except the last
 *       leaf (the one ending at 2<sup>64</sup>&minus;1), which holds 1..29, so that appends can
 *       split it without moving half of it (see {@link #appendsAtTheEnd}) — a non-root internal
 *       node 5..10 children, an internal root at least 2;</li>
 *   <li>no two adjacent entries are holes, and two adjacent free entries only where the second
 *       starts a span (free space never merges across spans); a span-start mark is never on a
 *       hole;</li>
 *   <li>a clean leaf ({@link #cleanLeaf}) is a leaf of the tree, and no free entry of at least
 *       {@link #cleanSize} values ending at or above {@link #cleanLo} lies in a leaf before it;
 *       mirrored for {@link #cleanHighLeaf}.</li>
 * </ol>
 *
 * <h2>Costs</h2>
 * Height is at most {@code 2 + log5(n / 14)}. A lookup is one descent; a search descends into the
 * first child whose gap holds the request and backs up only where alignment, phase, no-cross or
 * the window make a big-enough segment useless. An update changes one leaf (or two, when a merge
 * crosses a leaf boundary) and climbs while a gap changes, O(1) per level unless a largest gap
 * falls below its node's bound. Allocating inside one entry (all of it, a piece at either end, or
 * one strictly inside) and freeing with merges inside one leaf take short paths ({@link #carve},
 * {@link #release}) that shift at most the leaf's pivots — the front piece a one-pass first-fit
 * takes inline, in the pass that found it ({@link #allocateLowestInLeaf}), as the back piece a
 * one-pass last-fit takes ({@link #allocateHighestInLeaf}), and a piece strictly
 * inside the entry it found goes straight to the middle carve, with no scan at all when it starts
 * at the lower limit inside the cursor's entry, as next-fit's rotor does
 * ({@link #allocateInsideCursor}); allocating all of a free entry
 * ({@link #takeWhole}) and freeing the allocation at the cursor when it merges with neither
 * neighbour ({@link #freeAlone}) — best- and instant-fit pairs and one-unit ids — move no pivot
 * at all: one kind bit, and gap work only when the leaf's largest changes; freeing it when it
 * merges one or both neighbours inside its leaf ({@link #freeOne}, {@link #freeBoth}) —
 * first-match's, last-match's and next-fit's pairs — closes one or two pivots and keeps the
 * first piece's bits, with the same gap shortcut;
 * splits, merges and merges across leaves are the B-tree's, O(height); a carve that only shrinks
 * the largest entry of the leaf with a deferred shrink is O(1) in all. Appending at the end of the
 * last leaf splits off a new last leaf with just the entries from the insertion point on (an
 * <em>append split</em>, which hands a deferred shrink over instead of climbing), and
 * appending at the end of another node whose left sibling has room fills that sibling instead
 * of splitting, so ascending fills leave full nodes and split once per node.
 * Each allocation of such a fill but one per leaf takes the front of the free entry right after
 * the cursor's ({@link #allocateFrontAfterCursor}: a few loads and stores, no scan, no climb);
 * when the core keeps the fill as a run, the allocation instead moves the run's pivot
 * ({@link #extendRunAtCursor}: no entry added, so no split at all), and a free inside a run first
 * cuts the allocation out of it ({@link #carveFromRun}).
 * Not thread-safe.
 */
final class SegmentTree {

    static final int FREE = 0;
    static final int ALLOCATED = 1;
    static final int HOLE = 2;

    static final int SHIFT = 5;
    private static final int KINDS = 1;
    private static final int MARKS = 2;
    private static final int PIVOTS = 3;
    /** In an internal node: bit k set when child k's gap is not 0, so scans visit only children with free space. */
    private static final int MASK = 31;
    static final int LEAF_CAP = 29;
    static final int LEAF_MIN = 14;
    static final int FANOUT = 10;
    static final int FANOUT_MIN = 5;
    /** A bit in both 32-bit halves of a kinds or marks word. */
    private static final long HALVES = 0x1_0000_0001L;
    private static final int MAX_NODES = Integer.MAX_VALUE >>> SHIFT;
    private static final long SIGN = Long.MIN_VALUE;
    /** The count's bits in word 0; the bound is above them. */
    private static final long COUNT = 0xFF;
    private static final int BOUND_SHIFT = 8;
    /** The saturated bound: the second-largest gap may be anything. */
    static final long NO_BOUND = -1L >>> BOUND_SHIFT;

    long[] nodes = new long[8 << SHIFT];
    private int used;
    private int recycled = -1;
    private int liveNodes;
    private int root;
    private int height = 1;
    private long rootGap;

    /**
     * Where the last lookup or search ended: kept so that an allocation right after the search
     * that chose it, or a free right after that allocation, need not descend again.
     */
    final Path cur = new Path();
    /** Whether {@link #cur} points at an entry of the current tree. Every structural change that cannot keep it clears it. */
    boolean cursorValid;
    /** A second path, for the neighbour leaf when a merge crosses a leaf boundary. */
    private final Path side = new Path();

    /**
     * The leaf whose shrunk largest gap its ancestors do not know yet, or -1: see "Deferred
     * shrink" above. {@link #pendMin} is its first value, {@link #pendWas} the gap its parent
     * records for it, {@link #pendNow} its true largest gap (smaller, never 0). Its path is not
     * kept: nothing moves a leaf boundary while a shrink is deferred (every share, half split and
     * merge flushes first; an append split of this leaf hands the shrink to the half that holds its
     * largest free entry, moving {@link #pendMin} with it), so a descent to {@link #pendMin} finds
     * it again, which {@link #flush} does into
     * {@link #pend} — once per flush, instead of copying the cursor's path at every deferral (each
     * last-fit or next-fit pair that shrinks a leaf's largest gap starts one) — unless the cursor
     * is on that leaf, whose path is then the one.
     */
    private int pendLeaf = -1;
    private long pendMin;
    private final Path pend = new Path();
    private long pendWas;
    private long pendNow;
    /**
     * A leaf before which no free entry of at least {@link #cleanSize} values ends at or above
     * {@link #cleanLo}, or -1: the last first-fit search that found its placement in that leaf
     * without leaving it proved so, and only allocations (which shrink free space) have happened
     * since, or frees inside that leaf that moved no leaf boundary. Lets the next such search skip
     * {@link #leftOfCursor}.
     */
    private int cleanLeaf = -1;
    private long cleanLo;
    private long cleanSize;
    /**
     * Where the latest successful {@link #extendRunAtCursor} left its run, for
     * {@link #extendRunAgain}: the index in {@link #nodes} of the run's pivot (the free entry's
     * follows it), and the bound of its leaf. Meaningful only until any other call on the tree.
     */
    private int joinPivot;
    private long joinBound;
    /** As {@link #cleanLeaf}, mirrored for last-fit: nothing of {@link #cleanHighSize} starts after the leaf at or below {@link #cleanHi}. */
    private int cleanHighLeaf = -1;
    private long cleanHi;
    private long cleanHighSize;

    /** Start of the placement the last successful {@link #lowest}/{@link #highest}/{@link #allocateLowestInLeaf} found. */
    long found;
    /** The free entry the last successful {@link #allocateLowestInLeaf}/{@link #allocateHighestInLeaf} carved its placement from. */
    long carvedFirst;
    long carvedLast;
    /** Results of the last {@link #release}: the merged entry, and the neighbours it swallowed. */
    long mergedStart;
    long mergedEnd;
    boolean mergedPrevious;
    boolean mergedNext;
    long previousStart;
    long previousEnd;
    long nextStart;
    long nextEnd;

    SegmentTree() {
        root = newNode();
        int b = root << SHIFT;
        nodes[b] = 1;
        nodes[b + KINDS] = 1L << 32; // one hole: [0, 2^64 - 1]
        nodes[b + PIVOTS] = -1L;
    }

    // ------------------------------------------------------------------ nodes

    /**
     * A node of zeros: a recycled one (zeroed when released, but for its free-list link) or the
     * next never-used block, which is zero already. The array doubles when full: a 10<sup>6</sup>-page
     * address-order fill spends most of its growth zeroing and copying the big arrays (22 copies,
     * about 36 MB allocated, when it grew by half; about 6 ms of a fill, measured against a
     * preallocated array), and doubling halves that: paired in one JVM, the fill took 0.87&ndash;0.985
     * of the time of growing by half (four runs of 30 rounds, faster in 22&ndash;25 rounds of each).
     * The cost is retained heap: up to twice the nodes in use, about 22 bytes per segment at
     * 10<sup>6</sup> live pages in W3's state instead of 15 (an earlier measurement). A store of
     * fixed 128 KiB pages that never copies was measured too (paired in one JVM): W6 3% faster,
     * W3 next-fit 15&ndash;18% slower — every node visit then loads its page first, and the
     * bigger compiled helpers stop being inlined — so the array stays one. The copy is written
     * out (a new array, then {@code System.arraycopy}) rather than {@code Arrays.copyOf}, so that
     * C2 zeroes only the half past the copy (the fill 0.95&ndash;0.96 paired on the core).
     */
    private int newNode() {
        int n;
        if (recycled >= 0) {
            n = recycled;
            int b = n << SHIFT;
            recycled = (int) nodes[b + 1];
            nodes[b + 1] = 0L;
        } else {
            if (used == MAX_NODES) {
                throw new IllegalStateException("interval engine: more than " + MAX_NODES + " tree nodes");
            }
            n = used++;
            if ((long) used << SHIFT > nodes.length) {
                long grown = Math.min((long) MAX_NODES << SHIFT, Math.max((long) used << SHIFT, 2L * nodes.length));
                // Not Arrays.copyOf: a growth is too rare for C2 to inline that call, so it runs
                // in the interpreter or C1, which zero the whole new array and then copy into it.
                // Here, in the split's C2 code, the allocation and the copy are one, and only the
                // part past the copy is zeroed.
                long[] bigger = new long[(int) (grown & -(1L << SHIFT))];
                System.arraycopy(nodes, 0, bigger, 0, nodes.length);
                nodes = bigger;
            }
            // Blocks at and above used were never written: they are zero already.
        }
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

    /** Entries (leaf) or children (internal node) of node {@code n}. */
    private int count(int n) {
        return (int) nodes[n << SHIFT] & (int) COUNT;
    }

    /** As {@link #count}, of the block at {@code b}. */
    private int countAt(int b) {
        return (int) nodes[b] & (int) COUNT;
    }

    private void setCount(int b, int c) {
        nodes[b] = nodes[b] & ~COUNT | c;
    }

    /**
     * Ends a carve of the leaf at {@code b}: stores its kind and mark bits, the allocated piece at
     * slot {@code at} tagged if {@code tagged}, and leaves the cursor on that piece.
     */
    private void storeCarved(Path p, int b, long kinds, long marks, boolean tagged, int at) {
        nodes[b + KINDS] = kinds;
        nodes[b + MARKS] = tagged ? marks | 1L << 32 << at : marks;
        p.slot[0] = at;
        cursorValid = true;
    }

    /**
     * Removes the {@code removed} pivots from slot {@code j} of the {@code c}-entry leaf at
     * {@code b} that a merge swallowed: the merged entry keeps the last piece's pivot, the pivots
     * before it in the merge go, and the count drops. Kind and mark bits are the caller's.
     */
    private void closePivots(int b, int j, int c, int removed) {
        long[] a = nodes;
        for (int o = b + PIVOTS + j, stop = b + PIVOTS + c - removed; o < stop; o++) {
            a[o] = a[o + removed];
        }
        for (int o = b + PIVOTS + c - removed, stop = b + PIVOTS + c; o < stop; o++) {
            a[o] = 0L;
        }
        setCount(b, c - removed);
    }

    /**
     * Records the result of a {@link #release}: the free entry {@code [first, last]} it left, built
     * from the freed {@code [start, end]} and the neighbours it swallowed.
     */
    private void recordMerge(long first, long last, long start, long end, boolean previous, boolean next) {
        mergedStart = first;
        mergedEnd = last;
        mergedPrevious = previous;
        mergedNext = next;
        previousStart = first;
        previousEnd = start - 1;
        nextStart = end + 1;
        nextEnd = last;
    }

    /** Sets the bound of block {@code b} to {@code second}, saturating. */
    private void setBound(int b, long second) {
        long bound = Long.compareUnsigned(second, NO_BOUND) < 0 ? second : NO_BOUND;
        nodes[b] = bound << BOUND_SHIFT | nodes[b] & COUNT;
    }

    /** Raises the bound of block {@code b} to cover a gap of {@code v}. */
    private void raiseBound(int b, long v) {
        long w = nodes[b];
        if ((v ^ SIGN) > ((w >>> BOUND_SHIFT) ^ SIGN)) {
            long bound = Long.compareUnsigned(v, NO_BOUND) < 0 ? v : NO_BOUND;
            nodes[b] = bound << BOUND_SHIFT | w & COUNT;
        }
    }

    private int childOf(int b, int k) {
        return (int) nodes[b + 3 + 3 * k];
    }

    private long lastPivot(int n, int level) {
        int b = n << SHIFT;
        int c = countAt(b);
        return level == 0 ? nodes[b + PIVOTS + c - 1] : nodes[b + 1 + 3 * (c - 1)];
    }

    /** Bits 0..n-1 of both halves. */
    private static long lowBits(int n) {
        return ((1L << n) - 1) * HALVES;
    }

    /** Inserts k zero bits at position i of both halves (bits at and above i move up). */
    private static long openBits(long word, int i, int k) {
        long below = lowBits(i);
        return (word & below) | ((word & ~below) << k);
    }

    /** Removes bits i..i+k-1 of both halves (bits above move down). */
    private static long closeBits(long word, int i, int k) {
        return (word & lowBits(i)) | ((word & ~lowBits(i + k)) >>> k);
    }

    /** Bits from..from+m-1 of both halves, moved down to 0..m-1. */
    private static long takeBits(long word, int from, int m) {
        return (word >>> from) & lowBits(m);
    }

    private static int kindOf(long kinds, int i) {
        if ((kinds >>> i & 1) != 0) {
            return FREE;
        }
        return (kinds >>> (32 + i) & 1) != 0 ? HOLE : ALLOCATED;
    }

    /** The kinds bits of {@code kind} at position 0. */
    private static long kindBits(int kind) {
        return kind == FREE ? 1L : kind == HOLE ? 1L << 32 : 0L;
    }

    private void setBits(int b, int i, int kind, boolean spanStart, boolean tagged) {
        long bit = 1L << i;
        nodes[b + KINDS] = nodes[b + KINDS] & ~(bit * HALVES) | kindBits(kind) << i;
        long marks = nodes[b + MARKS] & ~(bit * HALVES);
        if (spanStart) {
            marks |= bit;
        }
        if (tagged) {
            marks |= bit << 32;
        }
        nodes[b + MARKS] = marks;
    }

    private long entryStart(int b, int i, long leafMin) {
        return i == 0 ? leafMin : nodes[b + PIVOTS + i - 1] + 1;
    }

    private void closeEntries(int b, int i, int k) {
        int c = countAt(b);
        for (int o = b + PIVOTS + i, stop = b + PIVOTS + c - k; o < stop; o++) {
            nodes[o] = nodes[o + k];
        }
        for (int o = b + PIVOTS + c - k, stop = b + PIVOTS + c; o < stop; o++) {
            nodes[o] = 0L;
        }
        nodes[b + KINDS] = closeBits(nodes[b + KINDS], i, k);
        nodes[b + MARKS] = closeBits(nodes[b + MARKS], i, k);
        setCount(b, c - k);
    }

    private void insertSlot(int n, int k, long pivot, long gap, int child) {
        int b = n << SHIFT;
        int c = countAt(b);
        int o = b + 1 + 3 * k;
        System.arraycopy(nodes, o, nodes, o + 3, 3 * (c - k));
        nodes[o] = pivot;
        nodes[o + 1] = gap;
        nodes[o + 2] = child;
        setCount(b, c + 1);
        recomputeMask(b);
    }

    private void removeSlot(int n, int k) {
        int b = n << SHIFT;
        int c = countAt(b);
        int o = b + 1 + 3 * k;
        System.arraycopy(nodes, o + 3, nodes, o, 3 * (c - k - 1));
        Arrays.fill(nodes, b + 1 + 3 * (c - 1), b + 1 + 3 * c, 0L);
        setCount(b, c - 1);
        recomputeMask(b);
    }

    /** Sets the gap of slot {@code k} of internal block {@code b}, keeping its mask bit (not its bound). */
    private void setSlotGap(int b, int k, long gap) {
        nodes[b + 2 + 3 * k] = gap;
        long bit = 1L << k;
        nodes[b + MASK] = gap != 0 ? nodes[b + MASK] | bit : nodes[b + MASK] & ~bit;
    }

    private void recomputeMask(int b) {
        int c = countAt(b);
        long mask = 0;
        for (int k = 0; k < c; k++) {
            if (nodes[b + 2 + 3 * k] != 0) {
                mask |= 1L << k;
            }
        }
        nodes[b + MASK] = mask;
    }

    // ------------------------------------------------------------------ gaps

    /**
     * Recomputes the mask (internal nodes) and makes the bound exact for node {@code n} on
     * {@code level}, whose first value is {@code min}; returns its largest gap.
     */
    private long refreshNode(int n, int level, long min) {
        return level == 0 ? refreshLeaf(n << SHIFT, min) : refreshInternal(n << SHIFT);
    }

    private long refreshLeaf(int b, long min) {
        int free = (int) nodes[b + KINDS];
        long best = 0;
        long second = 0;
        while (free != 0) {
            int i = Integer.numberOfTrailingZeros(free);
            free &= free - 1;
            long before = i == 0 ? min - 1 : nodes[b + PIVOTS + i - 1];
            long size = nodes[b + PIVOTS + i] - before;
            if ((size ^ SIGN) > (best ^ SIGN)) {
                second = best;
                best = size;
            } else if ((size ^ SIGN) > (second ^ SIGN)) {
                second = size;
            }
        }
        setBound(b, second);
        return best;
    }

    private long refreshInternal(int b) {
        int c = countAt(b);
        long mask = 0;
        long best = 0;
        long second = 0;
        for (int k = 0; k < c; k++) {
            long g = nodes[b + 2 + 3 * k];
            if (g != 0) {
                mask |= 1L << k;
                if ((g ^ SIGN) > (best ^ SIGN)) {
                    second = best;
                    best = g;
                } else if ((g ^ SIGN) > (second ^ SIGN)) {
                    second = g;
                }
            }
        }
        nodes[b + MASK] = mask;
        setBound(b, second);
        return best;
    }

    /** The largest gap of the node on {@code level} of {@code p}, as its parent (or the root gap) records it. */
    private long gapAbove(Path p, int level) {
        return level == height - 1 ? rootGap : nodes[(p.node[level + 1] << SHIFT) + 2 + 3 * p.slot[level + 1]];
    }

    /**
     * One entry (on level 0) or child of node {@code n}, whose largest gap is {@code m}, changed
     * its own gap from {@code before} to {@code after} (unsigned). Keeps {@code n}'s bound valid
     * and returns its largest gap now: O(1), unless the largest shrank below the bound, which
     * costs one rescan of {@code n}. Several changes to one node may be applied one after the
     * other, passing each call's result as the next one's {@code m}.
     */
    private long changed(int n, int level, long min, long m, long before, long after) {
        if (before == after) {
            return m;
        }
        int b = n << SHIFT;
        long afterKey = after ^ SIGN;
        if (afterKey > (m ^ SIGN)) {
            if (before != m) {
                raiseBound(b, m); // the old largest is now at most second
            }
            return after;
        }
        if (before != m) {
            raiseBound(b, after);
            return m;
        }
        long bound = nodes[b] >>> BOUND_SHIFT;
        if (bound != NO_BOUND && afterKey >= (bound ^ SIGN)) {
            return after; // shrank, but nothing else reaches it
        }
        return refreshNode(n, level, min);
    }

    /**
     * The node on {@code level} of {@code p} changed its largest gap from {@code m} to
     * {@code now}: records that in its parent and climbs while the parents' gaps change.
     */
    private void propagate(Path p, int level, long m, long now) {
        int top = height - 1;
        while (m != now) {
            if (level == top) {
                rootGap = now;
                return;
            }
            level++;
            int bp = p.node[level] << SHIFT;
            int k = p.slot[level];
            nodes[bp + 2 + 3 * k] = now;
            if (m == 0 || now == 0) {
                nodes[bp + MASK] ^= 1L << k; // exactly one of them is 0
            }
            long parentGap = gapAbove(p, level);
            now = changed(p.node[level], level, p.min[level], parentGap, m, now);
            m = parentGap;
        }
    }

    // ------------------------------------------------------------------ reading

    /** Size of the largest free entry, 0 if none. O(1). */
    long largestFree() {
        flush();
        return rootGap;
    }

    int height() {
        return height;
    }

    /** Whether a leaf's shrunk largest gap is still untold to its ancestors. For tests. */
    boolean shrinkDeferred() {
        return pendLeaf >= 0;
    }

    /**
     * The largest gap as the root records it, without telling the ancestors a deferred shrink
     * first (so an upper bound of {@link #largestFree}): shows whether an operation climbed to the
     * root. For tests.
     */
    long recordedLargest() {
        return rootGap;
    }

    /**
     * Whether a first-fit of {@code size} values from {@code lo} would start on the one-pass path
     * ({@link #allocateLowestInLeaf}): the cursor's leaf is clean for them. For tests.
     */
    boolean cleanForLowest(long lo, long size) {
        return cursorValid && cur.node[0] == cleanLeaf && Unsigned.atLeast(lo, cleanLo) && Unsigned.atLeast(size, cleanSize);
    }

    /** As {@link #cleanForLowest}, for a last-fit up to {@code hi} ({@link #allocateHighestInLeaf}). For tests. */
    boolean cleanForHighest(long hi, long size) {
        return cursorValid && cur.node[0] == cleanHighLeaf && Unsigned.atMost(hi, cleanHi) && Unsigned.atLeast(size, cleanHighSize);
    }

    /** The number of entries of every leaf, in address order. O(n / 14). For tests. */
    int[] leafCounts() {
        int[] counts = new int[liveNodes];
        int leaves = 0;
        Path q = new Path();
        locate(q, 0);
        do {
            counts[leaves++] = count(q.node[0]);
        } while (nextLeaf(q));
        return Arrays.copyOf(counts, leaves);
    }

    /** Points {@code p} at the entry holding {@code v}. One descent. */
    void locate(Path p, long v) {
        long key = v ^ Long.MIN_VALUE;
        int n = root;
        long min = 0;
        for (int level = height - 1; level > 0; level--) {
            int b = n << SHIFT;
            int o = b + 1;
            while ((nodes[o] ^ Long.MIN_VALUE) < key) {
                o += 3;
            }
            int k = (o - b - 1) / 3;
            p.node[level] = n;
            p.slot[level] = k;
            p.min[level] = min;
            if (k > 0) {
                min = nodes[o - 3] + 1;
            }
            n = (int) nodes[o + 2];
        }
        int b = n << SHIFT;
        int o = b + PIVOTS;
        while ((nodes[o] ^ Long.MIN_VALUE) < key) {
            o++;
        }
        p.node[0] = n;
        p.slot[0] = o - b - PIVOTS;
        p.min[0] = min;
    }

    /**
     * Points the cursor at the entry holding {@code v}: within the cursor's leaf when it covers
     * {@code v} (no descent), else by one descent from the root.
     */
    void locate(long v) {
        Path p = cur;
        if (cursorValid) {
            int b = p.node[0] << SHIFT;
            long key = v ^ Long.MIN_VALUE;
            if ((p.min[0] ^ Long.MIN_VALUE) <= key && key <= (nodes[b + PIVOTS + countAt(b) - 1] ^ Long.MIN_VALUE)) {
                int o = b + PIVOTS;
                while ((nodes[o] ^ Long.MIN_VALUE) < key) {
                    o++;
                }
                p.slot[0] = o - b - PIVOTS;
                return;
            }
        }
        locate(p, v);
        cursorValid = true;
    }

    int kind(Path p) {
        return kindOf(nodes[(p.node[0] << SHIFT) + KINDS], p.slot[0]);
    }

    long start(Path p) {
        return entryStart(p.node[0] << SHIFT, p.slot[0], p.min[0]);
    }

    long end(Path p) {
        return nodes[(p.node[0] << SHIFT) + PIVOTS + p.slot[0]];
    }

    boolean tagged(Path p) {
        return (nodes[(p.node[0] << SHIFT) + MARKS] >>> (32 + p.slot[0]) & 1) != 0;
    }

    boolean startsSpan(Path p) {
        return (nodes[(p.node[0] << SHIFT) + MARKS] >>> p.slot[0] & 1) != 0;
    }

    /** Whether the cursor is valid and its entry holds all of {@code [start, end]}. */
    boolean cursorHolds(long start, long end) {
        if (!cursorValid) {
            return false;
        }
        int b = cur.node[0] << SHIFT;
        int i = cur.slot[0];
        return Unsigned.atMost(entryStart(b, i, cur.min[0]), start) && Unsigned.atMost(end, nodes[b + PIVOTS + i]);
    }

    /** Moves {@code p} to the next entry; false (p unchanged) at the top of the space. */
    boolean nextEntry(Path p) {
        if (p.slot[0] < count(p.node[0]) - 1) {
            p.slot[0]++;
            return true;
        }
        return nextLeaf(p);
    }

    /**
     * The lowest placement for {@code r} starting at or above {@code from}: sets {@link #found} and
     * points the cursor at its segment. Descends into the leftmost child whose gap can hold the
     * request and that reaches {@code from}, backing up only past segments that are big enough but
     * cannot hold an admissible placement.
     */
    boolean lowest(Request r, long from) {
        return lowest(r, r.size(), Unsigned.max(from, r.min()), r.max());
    }

    /**
     * The lowest free block of {@code size} values inside {@code [lo, hi]}, where {@code size} is
     * the quantum, {@code lo} is on a quantum boundary and every entry starts and ends on one (so a
     * free entry of at least {@code size} values that ends at or above {@code lo + size - 1} holds
     * one at its start or at {@code lo}): {@link #lowest(Request, long)} for a one-quantum request
     * without a {@link Request}. Sets {@link #found} and points the cursor at its entry.
     */
    boolean lowestUnit(long size, long lo, long hi) {
        return lowest(null, size, lo, hi);
    }

    /** {@link #lowest(Request, long)} with its bounds, or {@link #lowestUnit} when {@code r} is null. */
    private boolean lowest(Request r, long size, long lo, long hi) {
        if (Unsigned.lessThan(rootGap, size)) {
            return false;
        }
        Path p = cur;
        int level;
        if (!cursorValid) {
            level = restartFromRoot();
        } else if (p.node[0] == cleanLeaf && Unsigned.atLeast(lo, cleanLo) && Unsigned.atLeast(size, cleanSize)) {
            level = 0;
        } else {
            level = leftOfCursor(lo, size);
        }
        cursorValid = false;
        int leaf = p.node[0];
        // The cursor's leaf holds a candidate: one found there first may record the clean bounds.
        boolean firstCandidate = level == 0 && firstInLeaf(p, 0, lo, size);
        boolean more = firstCandidate
                || (level > 0 ? seekUp(p, level, 0, lo, size) : seekUp(p, 0, level == 0 ? LEAF_CAP : p.slot[0] + 1, lo, size));
        while (more) {
            int b = p.node[0] << SHIFT;
            int i = p.slot[0];
            long start = entryStart(b, i, p.min[0]);
            if (Unsigned.greaterThan(start, hi)) {
                return false;
            }
            long offset = lowestIn(start, nodes[b + PIVOTS + i], r, size, lo, hi);
            if (offset != Placement.NONE) {
                found = start + offset;
                cursorValid = true;
                if (firstCandidate) {
                    cleanLeaf = leaf;
                    cleanLo = lo;
                    cleanSize = size;
                }
                return true;
            }
            firstCandidate = false;
            more = seekUp(p, 0, i + 1, lo, size);
        }
        return false;
    }

    /**
     * {@link #lowest} and {@link #carve} of its answer (as an allocation, tagged if {@code tagged})
     * in one pass, for the case that an address-order fill and a first-fit allocate/free pair
     * meet every time: the cursor's leaf is clean for {@code lo} and {@code size} (nothing big
     * enough ends before it: see {@link #cleanLeaf}) and its first free entry that could hold the
     * request does. That is what {@link #lowest} would find too, without leaving the leaf; here
     * the entry found is carved straight from the values the scan read — the pieces, bits and gap
     * changes of {@link #carve} — instead of the cursor being read again by the caller and by the
     * carve. The clean bounds keep their values, which imply the new ones. The scan starts at the
     * cursor's entry when every entry before it ends below {@code lo}, as next-fit's rotor does
     * past the holes its leaf kept from before.
     *
     * @return true with {@link #found} the placement's start, {@link #carvedFirst} and
     *         {@link #carvedLast} the free entry it was cut from, and the cursor on the new
     *         allocation; false, changing nothing, when the case does not apply (the caller then
     *         searches the general way)
     */
    boolean allocateLowestInLeaf(Request r, long size, long lo, long hi, boolean tagged) {
        Path p = cur;
        int n = p.node[0];
        if (!cursorValid || n != cleanLeaf || Unsigned.lessThan(lo, cleanLo) || Unsigned.lessThan(size, cleanSize)) {
            return false;
        }
        long[] a = nodes;
        int b = n << SHIFT;
        long min = p.min[0];
        long kinds = a[b + KINDS];
        int free = (int) kinds;
        long loKey = lo ^ SIGN;
        long sizeKey = size ^ SIGN;
        int s = p.slot[0];
        if (s > 0 && (a[b + PIVOTS + s - 1] ^ SIGN) < loKey) {
            // Every entry before the cursor's ends below lo, so the scan would pass it: next-fit's
            // rotor lies in the entry its last free left the cursor on, past the leaf's old holes.
            free &= -1 << s;
        }
        while (free != 0) {
            int i = Integer.numberOfTrailingZeros(free);
            free &= free - 1;
            long last = a[b + PIVOTS + i];
            long before = i == 0 ? min - 1 : a[b + PIVOTS + i - 1];
            if ((last ^ SIGN) >= loKey && (last - before ^ SIGN) >= sizeKey) {
                long first = before + 1;
                long end = first + size - 1; // at most last: the entry holds size values
                // The front of the entry, the answer of an address-order fill every time, is
                // tested directly; anything else asks the general placement.
                long offset = (first ^ SIGN) >= loKey && (end ^ SIGN) <= (hi ^ SIGN) && fitsAtFront(r, first) ? 0
                        : Unsigned.greaterThan(first, hi) ? Placement.NONE : lowestIn(first, last, r, size, lo, hi);
                if (offset == Placement.NONE) {
                    return false; // the general search goes on past this entry, or fails
                }
                int c = (int) a[b] & (int) COUNT;
                if (offset == 0 && end != last && c < LEAF_CAP && (pendLeaf == n || pendLeaf < 0)) {
                    // The front of the entry, as an address-order fill and most first-fit pairs
                    // take it: carveIn's first case, written out here because the call (eleven
                    // arguments, too big to inline) and its other cases cost a fill as much as
                    // everything else in it. The allocation takes slot i and the entry's span
                    // mark; the free rest moves to i + 1 with the old pivot.
                    for (int o = b + PIVOTS + c - 1, stop = b + PIVOTS + i; o >= stop; o--) {
                        a[o + 1] = a[o];
                    }
                    a[b + PIVOTS + i] = end;
                    a[b]++; // the count, in the low byte, is below LEAF_CAP
                    long marks = openBits(a[b + MARKS], i, 1);
                    marks = marks & ~(2L << i) | (marks >>> (i + 1) & 1) << i;
                    a[b + KINDS] = openBits(kinds, i, 1);
                    a[b + MARKS] = tagged ? marks | 1L << 32 << i : marks;
                    p.slot[0] = i;
                    found = first;
                    carvedFirst = first;
                    carvedLast = last;
                    cursorValid = true;
                    boolean pending = pendLeaf >= 0; // then on this leaf
                    long m0 = pending ? pendNow : gapAbove(p, 0);
                    // Not 0: the rest is free. So the shrink is deferred, as carveIn defers it.
                    deferShrink(n, min, pending, m0, changed(n, 0, min, m0, last - before, last - end));
                    return true;
                }
                if (offset == 0 && end == last) {
                    // All of the entry, as one-unit claims of ids (W1) take it: takeWhole straight
                    // away, not through carveFound and carveIn (two calls of eleven arguments).
                    found = first;
                    carvedFirst = first;
                    carvedLast = last;
                    takeWhole(n, b, i, kinds, min, size, tagged);
                    return true;
                }
                long start = first + offset;
                if (offset != 0 && (last - start ^ SIGN) >= sizeKey && c <= LEAF_CAP - 2) {
                    // Strictly inside the entry (the placement ends before last), with room for
                    // both new entries, as next-fit carves its free tail: carveMiddle straight
                    // away, not through carveFound and carveIn (two calls of eleven arguments
                    // each, neither inlined).
                    found = start;
                    carvedFirst = first;
                    carvedLast = last;
                    p.slot[0] = i;
                    return carveMiddle(n, b, i, c, kinds, min, first, last, start, start + size - 1, tagged);
                }
                carveFound(p, n, b, i, kinds, min, first, last, start, size, tagged);
                if (cleanLeaf < 0) {
                    cleanAfterSplit(lo, size);
                }
                return true;
            }
        }
        return false;
    }

    /**
     * Next-fit's commonest case as a short method of its own, tried before
     * {@link #allocateLowestInLeaf}: the placement at {@code lo} itself — the rotor, one past the
     * allocation before — lies strictly inside the cursor's free entry (a free piece stays on
     * either side of it), in the window, and passes alignment and phase, with no no-cross limit;
     * the leaf has room for the two entries the carve adds. Then no search is needed at all: no
     * placement starts below {@code lo}, so {@code lo} is the lowest, whatever lies elsewhere in
     * the tree. As next-fit carves its way through a free tail, its free of the allocation just
     * made merging both pieces back and leaving the cursor on the whole entry again
     * ({@link #freeBoth}). Carves as {@link #allocateLowestInLeaf} does then ({@link #carveMiddle}:
     * the same pivots, bits, cursor, results and deferred shrink); the clean bounds stay as they
     * are, since splitting a free entry into smaller ones in its own leaf makes none of them wrong.
     *
     * @return true with {@link #found}, {@link #carvedFirst} and {@link #carvedLast} set as
     *         {@link #allocateLowestInLeaf} sets them; false, changing nothing, when the case does
     *         not apply
     */
    boolean allocateInsideCursor(Request r, long size, long lo, long hi, boolean tagged) {
        if (!cursorValid) {
            return false;
        }
        Path p = cur;
        int n = p.node[0];
        int i = p.slot[0];
        int b = n << SHIFT;
        long[] a = nodes;
        long kinds = a[b + KINDS];
        if ((kinds >>> i & 1) == 0) {
            return false; // the cursor's entry is not free
        }
        int c = (int) a[b] & (int) COUNT;
        long min = p.min[0];
        long first = i == 0 ? min : a[b + PIVOTS + i - 1] + 1;
        long last = a[b + PIVOTS + i];
        long end = lo + size - 1;
        // first < lo <= end < last and end <= hi, unsigned; lo <= end says the block does not wrap.
        if (c > LEAF_CAP - 2 || (first ^ SIGN) >= (lo ^ SIGN) || (end ^ SIGN) < (lo ^ SIGN)
                || (end ^ SIGN) >= (last ^ SIGN) || (end ^ SIGN) > (hi ^ SIGN) || !fitsAtFront(r, lo)) {
            return false;
        }
        found = lo;
        carvedFirst = first;
        carvedLast = last;
        return carveMiddle(n, b, i, c, kinds, min, first, last, lo, end, tagged);
    }

    /**
     * The one-pass first-fit's commonest case as a short method of its own, tried before
     * {@link #allocateLowestInLeaf}: the free entry right after the cursor's is the first free
     * entry of the cursor's leaf (which is clean for {@code lo} and {@code size}), its front fits
     * the request, and taking it leaves a free rest in a leaf whose deferred shrink already tracks
     * that entry as the leaf's largest gap and whose bound says no other entry reaches the rest's
     * size ({@link #freeAfterCursor}); the leaf has room for one more entry, or it is the last
     * leaf, full, with the entry among its last two, and an append split makes the room
     * ({@link #appendSplitAt}). That is every allocation of an address-order fill but its first,
     * except those the core joins to a run ({@link #extendRunAtCursor}). Does exactly what {@link #allocateLowestInLeaf} does then (the same pivots,
     * bits, split, cursor, results and deferred shrink; the clean bounds, which a split there
     * narrows to this search's, kept as they were); gives up, changing nothing, in any other case.
     */
    boolean allocateFrontAfterCursor(Request r, long size, long lo, long hi, boolean tagged) {
        int i = freeAfterCursor(r, size, lo, hi);
        if (i < 0) {
            return false;
        }
        int b = cur.node[0] << SHIFT;
        long before = nodes[b + PIVOTS + i - 1];
        long was = nodes[b + PIVOTS + i] - before;
        if (((int) nodes[b] & (int) COUNT) == LEAF_CAP) {
            if ((i = appendSplitAt(i)) < 0) {
                return false; // no room for the entry the carve adds, and not at the end of the last leaf
            }
            b = cur.node[0] << SHIFT;
        }
        takeFront(b, i, before, size, was, tagged);
        return true;
    }

    /**
     * The test {@link #allocateFrontAfterCursor} and {@link #extendRunAtCursor} share: the slot of
     * the free entry right after the cursor's when a first-fit of {@code size} in {@code [lo, hi]}
     * takes its front — it is the first free entry of the cursor's leaf, which is clean for
     * {@code lo} and {@code size}, the front lies in the window and passes alignment, phase and
     * no-cross, and the rest stays the leaf's largest gap, tracked by the leaf's deferred shrink,
     * at or above the bound — else -1.
     */
    private int freeAfterCursor(Request r, long size, long lo, long hi) {
        Path p = cur;
        int n = p.node[0];
        if (n != pendLeaf || n != cleanLeaf || !cursorValid
                || Long.compareUnsigned(lo, cleanLo) < 0 || Long.compareUnsigned(size, cleanSize) < 0) {
            return -1;
        }
        long[] a = nodes;
        int b = n << SHIFT;
        int i = p.slot[0] + 1;
        long head = a[b];
        // Entry i is the leaf's first free entry (a bit past the count is never set).
        if (((int) a[b + KINDS] & (2 << i) - 1) != 1 << i) {
            return -1;
        }
        long before = a[b + PIVOTS + i - 1];
        long was = a[b + PIVOTS + i] - before;
        long first = before + 1;
        long rest = was - size;
        // The entry is bigger than the request (a rest remains), its front lies in the window and
        // passes alignment and phase; it was the leaf's largest gap and the rest stays at or
        // above the bound (so it still is: changed() would return it without a rescan).
        if (Long.compareUnsigned(was, size) <= 0 || Long.compareUnsigned(first, lo) < 0
                || Long.compareUnsigned(before + size, hi) > 0
                || r.noCross() != 0 || (first - r.phase() & r.alignment() - 1) != 0
                || was != pendNow || head >>> BOUND_SHIFT == NO_BOUND
                || Long.compareUnsigned(rest, head >>> BOUND_SHIFT) < 0) {
            return -1;
        }
        return i;
    }

    /**
     * An address-order fill's allocation of {@code size} values joined to the cursor's entry,
     * {@code [runStart, runEnd]}, instead of stored as an entry of its own: the core keeps runs of
     * equal allocations placed back to back as one allocated entry (see {@link IntervalCore}), and
     * this moves that entry's pivot up by {@code size}, taking the front of the free entry right
     * after it, under the conditions of {@link #allocateFrontAfterCursor}. The entry must be
     * allocated, a run already when {@code run} (its side-data bit set) or else a plain untagged
     * allocation, which then becomes a run (the bit set here; the core records its unit); and the
     * free entry must start no span, so that the run stays inside one. No pivot is added, so the
     * leaf never splits and the node array never grows: one store for the pivot, and the deferred
     * shrink of the free entry as {@link #takeFront} sets it. The cursor stays on the run.
     *
     * <p>The placement is {@code runEnd + 1}, and {@link #found}, {@link #carvedFirst} and
     * {@link #carvedLast} are left as they were: the caller has all three from {@code runEnd} and
     * the answer. In a stand-alone copy of this loop, storing them tripled its time (5.5 to 18 ns
     * an allocation: stores of values that depend on the loads before them, near fields the next
     * pass loads); in the engine the difference was within the noise, and the stores are not
     * needed.
     *
     * @return the size of the free entry before the allocation took its front (more than
     *         {@code size}), or 0, changing nothing, when the case does not apply
     */
    long extendRunAtCursor(Request r, long size, long lo, long hi, long runStart, long runEnd, boolean run) {
        int i = freeAfterCursor(r, size, lo, hi);
        if (i < 0) {
            return 0;
        }
        long[] a = nodes;
        int j = i - 1;
        int b = cur.node[0] << SHIFT;
        long before = a[b + PIVOTS + j];
        long marks = a[b + MARKS];
        // The free entry starting no span is implied today (the streak always leaves a rest in
        // its own span, and nothing that takes that rest keeps the streak); tested all the same,
        // since a run must never cross into another span.
        if (before != runEnd || entryStart(b, j, cur.min[0]) != runStart || (a[b + KINDS] >>> j & HALVES) != 0
                || (marks >>> 32 >>> j & 1) != (run ? 1 : 0) || (marks >>> i & 1) != 0) {
            return 0;
        }
        if (!run) {
            a[b + MARKS] = marks | 1L << 32 << j;
        }
        long was = a[b + PIVOTS + i] - before;
        a[b + PIVOTS + j] = before + size;
        pendNow = was - size;
        joinPivot = b + PIVOTS + j;
        joinBound = a[b] >>> BOUND_SHIFT;
        return was;
    }

    /**
     * {@link #extendRunAtCursor} again, for a caller that has called nothing else on this tree
     * since an extension (by either method) that returned non-zero, with the same {@code size}:
     * the tree is then exactly as that extension left it — the same leaf, run and free entry after
     * it, the deferred shrink on that entry ({@link #pendNow} its size), the clean bounds and the
     * leaf's bound — so only the checks that the request or the shrinking free entry can fail are
     * made again: a rest still remains at or above the leaf's bound, the front lies in the window
     * and passes alignment, phase and no-cross, and {@code lo} is still within the clean bound.
     * Reads two pivots and writes one, and {@link #pendNow}.
     *
     * @return as {@link #extendRunAtCursor}
     */
    long extendRunAgain(Request r, long size, long lo, long hi) {
        long[] a = nodes;
        int p = joinPivot;
        long before = a[p];
        long was = a[p + 1] - before;
        long rest = was - size;
        if (Long.compareUnsigned(was, size) <= 0 || Long.compareUnsigned(before + 1, lo) < 0
                || Long.compareUnsigned(before + size, hi) > 0 || Long.compareUnsigned(lo, cleanLo) < 0
                || r.noCross() != 0 || (before + 1 - r.phase() & r.alignment() - 1) != 0
                || Long.compareUnsigned(rest, joinBound) < 0) {
            return 0;
        }
        a[p] = before + size;
        pendNow = rest;
        return was;
    }

    /**
     * {@link #allocateFrontAfterCursor}'s case of a full leaf, once per leaf's worth of an
     * address-order fill: when free entry {@code i} of the cursor's full leaf is one of its last
     * two entries and the leaf is the last one, the append split that {@link #carveGeneral} would
     * make, made here (the entries from {@code i} on start a new last leaf, which takes the
     * deferred shrink over: it holds the leaf's largest free entry, entry {@code i}), with the
     * cursor moved to {@code i}'s new place, so that the caller carves the front of the entry
     * there. That skips the one-pass scan, the general carve and their gap updates, which found
     * and did the same. The new leaf stays clean for the same bounds: entries before {@code i}
     * are not free, and they are all that stays behind. The high clean leaf is forgotten, as
     * {@link #carveGeneral} forgets it (the free entry moved after the old leaf).
     *
     * @return the entry's slot in the cursor's leaf now, or -1, changing nothing, when this is
     *         not an append split
     */
    private int appendSplitAt(int i) {
        int b = cur.node[0] << SHIFT;
        if (i < LEAF_CAP - 2 || nodes[b + PIVOTS + LEAF_CAP - 1] != -1L) {
            return -1;
        }
        cur.slot[0] = i;
        cleanHighLeaf = -1;
        split(0);
        cleanLeaf = cur.node[0];
        return cur.slot[0];
    }

    /**
     * The carve of {@link #allocateFrontAfterCursor}: allocates the first {@code size} values of
     * free entry {@code i} of the cursor's leaf (block {@code b}), which has room for one more
     * entry, the entry of {@code was} values after {@code before}: the allocation takes slot
     * {@code i} and the entry's span mark, the free rest moves to {@code i + 1} with the old pivot,
     * the cursor goes to the allocation, and the results and the deferred shrink (of this leaf, to
     * the rest) are set.
     */
    private void takeFront(int b, int i, long before, long size, long was, boolean tagged) {
        long[] a = nodes;
        int c = (int) a[b] & (int) COUNT;
        int o = b + PIVOTS + i;
        // The entries after the free one move up one slot: in a fill just one, the hole after the
        // span. That one is moved by hand: C2 compiles a copy loop with pre-, main and post-loops
        // whose set-up costs more than the copy at one or two trips (the fill 0.82-0.90 paired).
        if (c - i == 2) {
            a[o + 2] = a[o + 1];
        } else {
            shiftUp(a, o + 1, b + PIVOTS + c);
        }
        a[o + 1] = before + was;
        a[o] = before + size;
        a[b]++; // the count, in the low byte, is below LEAF_CAP
        long marks = openBits(a[b + MARKS], i, 1);
        marks = marks & ~(2L << i) | (marks >>> (i + 1) & 1) << i;
        a[b + KINDS] = openBits(a[b + KINDS], i, 1);
        a[b + MARKS] = tagged ? marks | 1L << 32 << i : marks;
        cur.slot[0] = i;
        found = before + 1;
        carvedFirst = before + 1;
        carvedLast = before + was;
        pendNow = was - size;
    }

    /** Moves {@code a[from .. end - 1]} up one place, to {@code a[from + 1 .. end]}. */
    private static void shiftUp(long[] a, int from, int end) {
        for (int o = end - 1; o >= from; o--) {
            a[o + 1] = a[o];
        }
    }

    /**
     * Makes the cursor's leaf clean for {@code lo} and {@code size} again after the carve of a
     * one-pass first-fit needed a split (which forgets the clean bounds: entries may move into a
     * sibling on either side), so that an address-order fill keeps taking the one-pass path
     * instead of one general search per split. It holds: before the carved entry no free entry of
     * at least {@code size} values ends at or above {@code lo} — before the old leaf by its clean
     * bounds (no larger than these), inside it because the scan took the first that did — and
     * every piece of the carved entry lies in the cursor's leaf (the split comes before the
     * pieces are written), so whatever the split or share moved before that leaf came before the
     * entry.
     */
    private void cleanAfterSplit(long lo, long size) {
        cleanLeaf = cur.node[0];
        cleanLo = lo;
        cleanSize = size;
    }

    /** {@link #cleanAfterSplit}, mirrored for a one-pass last-fit. */
    private void cleanHighAfterSplit(long hi, long size) {
        cleanHighLeaf = cur.node[0];
        cleanHi = hi;
        cleanHighSize = size;
    }

    /**
     * The carve both one-pass searches end in: {@code [start, start + size - 1]} out of the free
     * entry {@code [first, last]} at slot {@code i} of the cursor's leaf {@code n} (block {@code b}),
     * from the values the scan already read; the general carve when the in-leaf one cannot.
     */
    private void carveFound(Path p, int n, int b, int i, long kinds, long min, long first, long last, long start,
            long size, boolean tagged) {
        long end = start + size - 1;
        found = start;
        carvedFirst = first;
        carvedLast = last;
        p.slot[0] = i;
        int c = (int) nodes[b] & (int) COUNT;
        if (!carveIn(n, b, i, c, kinds, min, first, last, start, end, tagged)) {
            carveGeneral(start, end, ALLOCATED, false, tagged);
        }
    }

    /** The highest placement for {@code r} ending at or below {@code to}; as {@link #lowest}, mirrored. */
    boolean highest(Request r, long to) {
        return highest(r, r.size(), r.min(), Unsigned.min(to, r.max()));
    }

    /**
     * {@link #allocateLowestInLeaf}, mirrored: {@link #highest} and the carve of its answer in one
     * pass when the cursor's leaf is clean for {@code hi} and {@code size} (see
     * {@link #cleanHighLeaf}) and its last free entry that could hold the request does.
     *
     * @return as {@link #allocateLowestInLeaf}
     */
    boolean allocateHighestInLeaf(Request r, long size, long lo, long hi, boolean tagged) {
        Path p = cur;
        int n = p.node[0];
        if (!cursorValid || n != cleanHighLeaf || Unsigned.greaterThan(hi, cleanHi) || Unsigned.lessThan(size, cleanHighSize)) {
            return false;
        }
        long[] a = nodes;
        int b = n << SHIFT;
        long min = p.min[0];
        long kinds = a[b + KINDS];
        int free = (int) kinds;
        long hiKey = hi ^ SIGN;
        long sizeKey = size ^ SIGN;
        while (free != 0) {
            int i = 31 - Integer.numberOfLeadingZeros(free);
            free &= ~(1 << i);
            long before = i == 0 ? min - 1 : a[b + PIVOTS + i - 1];
            long last = a[b + PIVOTS + i];
            if ((before + 1 ^ SIGN) <= hiKey && (last - before ^ SIGN) >= sizeKey) {
                long first = before + 1;
                long offset = Unsigned.lessThan(last, lo) ? Placement.NONE : highestIn(first, last, r, size, lo, hi);
                if (offset == Placement.NONE) {
                    return false; // the general search goes on below this entry, or fails
                }
                long start = first + offset;
                int c = (int) a[b] & (int) COUNT;
                if (offset != 0 && start + size - 1 == last && c < LEAF_CAP && (pendLeaf == n || pendLeaf < 0)) {
                    // The back of the entry, as last-match takes it from the free tail: carveIn's
                    // back case, written out as allocateLowestInLeaf writes out the front one
                    // (carveFound and carveIn are two calls of eleven arguments, neither inlined).
                    // The free rest keeps slot i and the span mark; the allocation takes i + 1
                    // with the old pivot.
                    for (int o = b + PIVOTS + c - 1, stop = b + PIVOTS + i; o >= stop; o--) {
                        a[o + 1] = a[o];
                    }
                    a[b + PIVOTS + i] = start - 1;
                    a[b]++; // the count, in the low byte, is below LEAF_CAP
                    long marks = openBits(a[b + MARKS], i, 1);
                    marks = marks & ~(2L << i) | (marks >>> (i + 1) & 1) << i;
                    a[b + KINDS] = openBits(kinds, i, 1) & ~(2L << i) | 1L << i;
                    a[b + MARKS] = tagged ? marks | 2L << 32 << i : marks;
                    p.slot[0] = i + 1;
                    found = start;
                    carvedFirst = first;
                    carvedLast = last;
                    cursorValid = true;
                    boolean pending = pendLeaf >= 0; // then on this leaf
                    long m0 = pending ? pendNow : gapAbove(p, 0);
                    // Not 0: the rest is free. So the shrink is deferred, as carveIn defers it.
                    deferShrink(n, min, pending, m0, changed(n, 0, min, m0, last - before, offset));
                    return true;
                }
                carveFound(p, n, b, i, kinds, min, first, last, start, size, tagged);
                if (cleanHighLeaf < 0) {
                    cleanHighAfterSplit(hi, size);
                }
                return true;
            }
        }
        return false;
    }

    /**
     * As {@link #lowestUnit}, the highest: {@code hi} is the last value of a quantum, and a free
     * entry of at least {@code size} values that starts at or below {@code hi - size + 1} holds one
     * at its end or ending at {@code hi}.
     */
    boolean highestUnit(long size, long lo, long hi) {
        return highest(null, size, lo, hi);
    }

    /** {@link #highest(Request, long)} with its bounds, or {@link #highestUnit} when {@code r} is null. */
    private boolean highest(Request r, long size, long lo, long hi) {
        if (Unsigned.lessThan(rootGap, size)) {
            return false;
        }
        Path p = cur;
        int level;
        if (!cursorValid) {
            level = restartFromRoot();
        } else if (p.node[0] == cleanHighLeaf && Unsigned.atMost(hi, cleanHi) && Unsigned.atLeast(size, cleanHighSize)) {
            level = 0;
        } else {
            level = rightOfCursor(hi, size);
        }
        cursorValid = false;
        int leaf = p.node[0];
        boolean firstCandidate = level == 0; // in this leaf, with nothing after it to consider
        boolean more = seekDown(p, level, count(p.node[level]) - 1, hi, size);
        while (more) {
            int b = p.node[0] << SHIFT;
            int i = p.slot[0];
            long end = nodes[b + PIVOTS + i];
            if (Unsigned.lessThan(end, lo)) {
                return false;
            }
            long start = entryStart(b, i, p.min[0]);
            long offset = highestIn(start, end, r, size, lo, hi);
            if (offset != Placement.NONE) {
                found = start + offset;
                cursorValid = true;
                if (firstCandidate && p.node[0] == leaf) {
                    cleanHighLeaf = leaf;
                    cleanHi = hi;
                    cleanHighSize = size;
                }
                return true;
            }
            firstCandidate = false;
            more = seekDown(p, 0, i - 1, hi, size);
        }
        return false;
    }

    /**
     * Whether a placement of {@code r} may start at {@code first} as far as alignment, phase and
     * no-cross go (the caller checks the window and the size): with {@code r} null (one unit,
     * {@code first} a quantum boundary) always; with a no-cross boundary, never said here — the
     * general placement decides those. With the window test, true means {@link #lowestIn} would
     * return 0; false only sends the request to it.
     */
    private static boolean fitsAtFront(Request r, long first) {
        return r == null || r.noCross() == 0 && (first - r.phase() & r.alignment() - 1) == 0;
    }

    /**
     * {@link Placement#lowest} for {@code r}, or, when {@code r} is null, the unit search's
     * placement: {@code max(start, lo)} if {@code size} values from there lie in the entry and
     * the window (see {@link #lowestUnit}).
     */
    private static long lowestIn(long start, long end, Request r, long size, long lo, long hi) {
        if (r != null) {
            // A placement at lo itself, inside the entry, is the lowest when lo passes alignment and
            // phase (next-fit's rotor, one past its last allocation): tested directly, as the front
            // is. lo is at least r.min() and hi is r.max(), so this is Placement.lowest's answer.
            long top = lo + size - 1;
            if (Unsigned.lessThan(start, lo) && Unsigned.atLeast(top, lo) && Unsigned.atMost(top, Unsigned.min(end, hi))
                    && fitsAtFront(r, lo)) {
                return lo - start;
            }
            return Placement.lowest(start, end, r, lo);
        }
        long s = Unsigned.max(start, lo);
        long top = Unsigned.min(end, hi);
        return Unsigned.atMost(s, top) && Unsigned.atLeast(top - s, size - 1) ? s - start : Placement.NONE;
    }

    /** As {@link #lowestIn}, the highest: the block ending at {@code min(end, hi)} if it lies in the entry and the window. */
    private static long highestIn(long start, long end, Request r, long size, long lo, long hi) {
        if (r != null) {
            // The back of the entry (or of the window), when it passes alignment and phase, as
            // last-fit takes it from a free tail: tested directly. lo is r.min() and hi at most
            // r.max(), so this is Placement.highest's answer.
            long top = Unsigned.min(end, hi);
            long bottom = top - (size - 1);
            if (Unsigned.atMost(bottom, top) && Unsigned.atLeast(bottom, Unsigned.max(start, lo)) && fitsAtFront(r, bottom)) {
                return bottom - start;
            }
            return Placement.highest(start, end, r, hi);
        }
        long top = Unsigned.min(end, hi);
        long bottom = Unsigned.max(start, lo);
        return Unsigned.atMost(bottom, top) && Unsigned.atLeast(top - bottom, size - 1) ? top - (size - 1) - start : Placement.NONE;
    }

    /** Points the cursor's top level at the root; returns that level, where a walk from the root starts. */
    private int restartFromRoot() {
        int top = height - 1;
        cur.node[top] = root;
        cur.min[top] = 0;
        return top;
    }

    /**
     * Where an ascending walk for a free entry of at least {@code size} values ending at or above
     * {@code lo} can start, given the cursor: the highest level at which a child left of the
     * cursor's path might hold one (the walk restarts at that node's first child), or the leaf
     * when none might — then everything before the cursor's leaf is ruled out and the walk starts
     * at its first entry. Uses the gap masks, so a level costs O(1) when nothing left of the path
     * is free. Worth it because allocations cluster: first-fit keeps returning near the same place.
     */
    private int leftOfCursor(long lo, long size) {
        Path p = cur;
        long loKey = lo ^ Long.MIN_VALUE;
        long sizeKey = size ^ Long.MIN_VALUE;
        for (int level = height - 1; level > 0; level--) {
            int s = p.slot[level];
            if (s == 0) {
                continue;
            }
            int b = p.node[level] << SHIFT;
            int candidates = (int) nodes[b + MASK] & ((1 << s) - 1);
            while (candidates != 0) {
                int k = 31 - Integer.numberOfLeadingZeros(candidates);
                candidates &= ~(1 << k);
                int o = b + 1 + 3 * k;
                if ((nodes[o] ^ Long.MIN_VALUE) < loKey) {
                    break; // this child and all before it end below lo
                }
                if ((nodes[o + 1] ^ Long.MIN_VALUE) >= sizeKey) {
                    return level;
                }
            }
        }
        return 0;
    }

    /** As {@link #leftOfCursor}, mirrored: children right of the cursor's path starting at or below {@code hi}. */
    private int rightOfCursor(long hi, long size) {
        Path p = cur;
        long hiKey = hi ^ Long.MIN_VALUE;
        long sizeKey = size ^ Long.MIN_VALUE;
        for (int level = height - 1; level > 0; level--) {
            int s = p.slot[level];
            int b = p.node[level] << SHIFT;
            int candidates = (int) nodes[b + MASK] & (-2 << s);
            while (candidates != 0) {
                int k = Integer.numberOfTrailingZeros(candidates);
                candidates &= candidates - 1;
                int o = b + 1 + 3 * k;
                if ((nodes[o - 3] + 1 ^ Long.MIN_VALUE) > hiKey) {
                    break; // this child and all after it start above hi
                }
                if ((nodes[o + 1] ^ Long.MIN_VALUE) >= sizeKey) {
                    return level;
                }
            }
        }
        return 0;
    }

    /** The leaf step of {@link #seekUp}, small enough to inline where a search starts at the cursor's leaf. */
    private boolean firstInLeaf(Path p, int slot, long lo, long minSize) {
        int b = p.node[0] << SHIFT;
        int free = (int) nodes[b + KINDS] & (-1 << slot);
        while (free != 0) {
            int i = Integer.numberOfTrailingZeros(free);
            free &= free - 1;
            long end = nodes[b + PIVOTS + i];
            long before = i == 0 ? p.min[0] - 1 : nodes[b + PIVOTS + i - 1];
            if ((end ^ Long.MIN_VALUE) >= (lo ^ Long.MIN_VALUE) && (end - before ^ Long.MIN_VALUE) >= (minSize ^ Long.MIN_VALUE)) {
                p.slot[0] = i;
                return true;
            }
        }
        return false;
    }

    /**
     * Continues an ascending depth-first walk at {@code p}'s node on {@code level}, from
     * {@code slot} on, to the next free entry that ends at or above {@code lo} and holds at least
     * {@code minSize} values, entering only children whose gap is at least {@code minSize}.
     *
     * @return true with {@code p} at that entry; false when there is none
     */
    boolean seekUp(Path p, int level, int slot, long lo, long minSize) {
        long loKey = lo ^ Long.MIN_VALUE;
        long sizeKey = minSize ^ Long.MIN_VALUE;
        int top = height - 1;
        outer:
        while (true) {
            int b = p.node[level] << SHIFT;
            if (level == 0) {
                int free = (int) nodes[b + KINDS] & (-1 << slot);
                while (free != 0) {
                    int i = Integer.numberOfTrailingZeros(free);
                    free &= free - 1;
                    long end = nodes[b + PIVOTS + i];
                    long before = i == 0 ? p.min[0] - 1 : nodes[b + PIVOTS + i - 1];
                    if ((end ^ Long.MIN_VALUE) >= loKey && ((end - before) ^ Long.MIN_VALUE) >= sizeKey) {
                        p.slot[0] = i;
                        return true;
                    }
                }
            } else {
                int candidates = (int) nodes[b + MASK] & (-1 << slot);
                while (candidates != 0) {
                    int k = Integer.numberOfTrailingZeros(candidates);
                    candidates &= candidates - 1;
                    int o = b + 1 + 3 * k;
                    if ((nodes[o] ^ Long.MIN_VALUE) >= loKey && (nodes[o + 1] ^ Long.MIN_VALUE) >= sizeKey) {
                        p.slot[level] = k;
                        long childMin = k == 0 ? p.min[level] : nodes[o - 3] + 1;
                        level--;
                        p.node[level] = (int) nodes[o + 2];
                        p.min[level] = childMin;
                        slot = 0;
                        continue outer;
                    }
                }
            }
            if (level == top) {
                return false;
            }
            level++;
            slot = p.slot[level] + 1;
        }
    }

    /**
     * Continues a descending depth-first walk at {@code p}'s node on {@code level}, from
     * {@code slot} down, to the next free entry that starts at or below {@code hi} and holds at
     * least {@code minSize} values.
     */
    boolean seekDown(Path p, int level, int slot, long hi, long minSize) {
        long hiKey = hi ^ Long.MIN_VALUE;
        long sizeKey = minSize ^ Long.MIN_VALUE;
        int top = height - 1;
        outer:
        while (true) {
            int b = p.node[level] << SHIFT;
            if (level == 0) {
                int free = (int) nodes[b + KINDS] & (int) ((1L << (slot + 1)) - 1);
                while (free != 0) {
                    int i = 31 - Integer.numberOfLeadingZeros(free);
                    free &= ~(1 << i);
                    long before = i == 0 ? p.min[0] - 1 : nodes[b + PIVOTS + i - 1];
                    long end = nodes[b + PIVOTS + i];
                    if (((before + 1) ^ Long.MIN_VALUE) <= hiKey && ((end - before) ^ Long.MIN_VALUE) >= sizeKey) {
                        p.slot[0] = i;
                        return true;
                    }
                }
            } else {
                int candidates = (int) nodes[b + MASK] & (int) ((1L << (slot + 1)) - 1);
                while (candidates != 0) {
                    int k = 31 - Integer.numberOfLeadingZeros(candidates);
                    candidates &= ~(1 << k);
                    int o = b + 1 + 3 * k;
                    long childMin = k == 0 ? p.min[level] : nodes[o - 3] + 1;
                    if ((childMin ^ Long.MIN_VALUE) <= hiKey && (nodes[o + 1] ^ Long.MIN_VALUE) >= sizeKey) {
                        p.slot[level] = k;
                        level--;
                        int child = (int) nodes[o + 2];
                        p.node[level] = child;
                        p.min[level] = childMin;
                        slot = count(child) - 1;
                        continue outer;
                    }
                }
            }
            if (level == top) {
                return false;
            }
            level++;
            slot = p.slot[level] - 1;
        }
    }

    // ------------------------------------------------------------------ changing

    /**
     * Cuts {@code [start, end]} out of the cursor's entry (free or a hole, and holding it) as an
     * entry of {@code kind}; what is left on either side keeps the old kind. The cursor ends on the
     * new entry. Inside the leaf: at most two pivots inserted (a plain shift of the ones above),
     * both bit words rewritten once, and the gap change applied in O(1) per level.
     *
     * @param spanStart whether the new entry begins a span (it also inherits the old entry's mark
     *                  when it begins where the old one did)
     */
    void carve(long start, long end, int kind, boolean spanStart, boolean tagged) {
        // Small on purpose: it inlines into its callers, which then call the fast case directly.
        if (kind != ALLOCATED || spanStart || !carveEdge(start, end, tagged)) {
            carveGeneral(start, end, kind, spanStart, tagged);
        }
    }

    /**
     * Cuts {@code [start, end]} out of the cursor's entry when that is a run the core keeps (an
     * allocated entry standing for equal allocations back to back, see {@link IntervalCore}), as
     * an allocated entry of its own; what is left on either side stays allocated, and keeps the
     * side-data bit of a run when {@code lowRun} or {@code highRun} says it still is one (the core
     * records its unit). No free entry changes, so no gap does: {@link #carveGeneral}'s pivots and
     * bits, and a split when the leaf has no room for the pieces. The cursor ends on the new entry.
     */
    void carveFromRun(long start, long end, boolean lowRun, boolean highRun) {
        carveGeneral(start, end, ALLOCATED, false, false);
        int b = cur.node[0] << SHIFT;
        int m = cur.slot[0];
        long marks = nodes[b + MARKS];
        if (lowRun) {
            marks |= 1L << 32 << (m - 1);
        }
        if (highRun) {
            marks |= 1L << 32 << (m + 1);
        }
        nodes[b + MARKS] = marks;
    }

    /**
     * {@link #carve} in every case, {@link #carveEdge}'s included; and out of an allocated entry
     * as an allocated piece ({@link #carveFromRun}), where nothing free changes.
     */
    private void carveGeneral(long start, long end, int kind, boolean spanStart, boolean tagged) {
        Path p = cur;
        if (pendLeaf >= 0 && (pendLeaf != p.node[0] || kind == FREE)) {
            flush();
        }
        if (kind == FREE) {
            cleanLeaf = -1;
            cleanHighLeaf = -1;
        }
        int b = p.node[0] << SHIFT;
        int i = p.slot[0];
        long first = entryStart(b, i, p.min[0]);
        long last = nodes[b + PIVOTS + i];
        int before = start != first ? 1 : 0;
        int after = end != last ? 1 : 0;
        int k = before + after;
        if (k > 0 && countAt(b) + k > LEAF_CAP) {
            // No flush here: split flushes a deferred shrink of this leaf itself, unless an append
            // split hands it over to the half that holds the leaf's largest free entry.
            cleanLeaf = -1; // entries may move into a sibling on either side
            cleanHighLeaf = -1;
            split(0);
            b = p.node[0] << SHIFT;
            i = p.slot[0];
        }
        long kinds = nodes[b + KINDS];
        long marks = nodes[b + MARKS];
        long outerBits = kinds >>> i & HALVES; // the old entry's kind, at bit 0 of each half
        long outerMark = marks >>> i & 1;
        if (k > 0) {
            int c = countAt(b);
            // A plain loop: at most 28 longs, cheaper than an arraycopy stub call at this size.
            for (int o = b + PIVOTS + c - 1, stop = b + PIVOTS + i; o >= stop; o--) {
                nodes[o + k] = nodes[o];
            }
            setCount(b, c + k);
            if (before == 1) {
                nodes[b + PIVOTS + i] = start - 1;
            }
            if (after == 1) {
                nodes[b + PIVOTS + i + before] = end;
            }
            kinds = openBits(kinds, i, k);
            marks = openBits(marks, i, k);
        }
        // The pieces: [first, start - 1] at i, the new entry at i + before, [end + 1, last] at i + k.
        int middle = i + before;
        long pieces = ((2L << k) - 1) * HALVES << i;
        kinds &= ~pieces;
        marks &= ~pieces;
        kinds |= kindBits(kind) << middle;
        if (before == 1) {
            kinds |= outerBits << i;
            marks |= outerMark << i;
        }
        if (after == 1) {
            kinds |= outerBits << (i + k);
        }
        if (spanStart || before == 0 && outerMark != 0) {
            marks |= 1L << middle;
        }
        storeCarved(p, b, kinds, marks, tagged, middle);
        boolean outerFree = (outerBits & 1) != 0;
        if (outerFree || kind == FREE) {
            int n = p.node[0];
            long min = p.min[0];
            boolean pending = pendLeaf >= 0; // then on this leaf, and kind is not FREE
            long m0 = pending ? pendNow : gapAbove(p, 0);
            long m;
            if (outerFree) {
                // One free entry became up to two smaller ones: the bigger stands for it, the other is new.
                long low = start - first;
                long high = last - end;
                boolean highBigger = (high ^ SIGN) > (low ^ SIGN);
                m = changed(n, 0, min, m0, last - first + 1, highBigger ? high : low);
                m = changed(n, 0, min, m, 0, highBigger ? low : high);
                if (m != 0 && kind != FREE) { // the leaf's largest gap shrank (or stayed) and is not 0
                    deferShrink(n, min, pending, m0, m);
                    return;
                }
            } else {
                m = changed(n, 0, min, m0, 0, end - start + 1);
            }
            if (pending) {
                pendLeaf = -1;
                m0 = pendWas; // what the ancestors still record
            }
            propagate(p, 0, m0, m);
        }
    }

    /**
     * {@link #carve}'s commonest case as a small method of its own: allocating all of the cursor's
     * free entry, or a piece of it that shares its first or its last value, in a leaf with room for
     * the one entry this may add. Does what {@link #carve} does then — the same pivots, bits and
     * gap changes, a deferred shrink started or extended the same way — with fewer branches.
     *
     * @return false, changing nothing, when the case does not apply
     */
    private boolean carveEdge(long start, long end, boolean tagged) {
        Path p = cur;
        int n = p.node[0];
        int b = n << SHIFT;
        int i = p.slot[0];
        long[] a = nodes;
        int c = (int) a[b] & (int) COUNT;
        long kinds = a[b + KINDS];
        long min = p.min[0];
        long first = i == 0 ? min : a[b + PIVOTS + i - 1] + 1;
        long last = a[b + PIVOTS + i];
        if ((kinds >>> i & 1) == 0) {
            return false;
        }
        if (start == first && end == last) {
            takeWhole(n, b, i, kinds, min, end - start + 1, tagged); // best- and instant-fit's exact fits
            return true;
        }
        return carveIn(n, b, i, c, kinds, min, first, last, start, end, tagged);
    }

    /**
     * {@link #carveEdge} once the cursor's entry is known to be free: slot {@code i} of the
     * {@code c}-entry leaf {@code n} (block {@code b}, first value {@code min}, kind bits
     * {@code kinds}) holding {@code [first, last]}. Shared with {@link #allocateLowestInLeaf},
     * which found all of that on its way.
     *
     * @return false, changing nothing, when none of the short cases applies
     */
    private boolean carveIn(int n, int b, int i, int c, long kinds, long min, long first, long last,
                            long start, long end, boolean tagged) {
        boolean front = start == first;
        boolean back = end == last;
        if (!front && !back) {
            return c <= LEAF_CAP - 2 && carveMiddle(n, b, i, c, kinds, min, first, last, start, end, tagged);
        }
        if (front && back) {
            takeWhole(n, b, i, kinds, min, last - first + 1, tagged);
            return true;
        }
        if (c == LEAF_CAP) {
            return false;
        }
        if (pendLeaf >= 0 && pendLeaf != n) {
            flush();
        }
        long[] a = nodes;
        Path p = cur;
        for (int o = b + PIVOTS + c - 1, stop = b + PIVOTS + i; o >= stop; o--) {
            a[o + 1] = a[o];
        }
        a[b]++; // the count, in the low byte, is below LEAF_CAP
        kinds = openBits(kinds, i, 1); // entry i + 1 is the old entry's bits: free, its marks
        long marks = openBits(a[b + MARKS], i, 1);
        long spanMark = marks >>> (i + 1) & 1;
        marks = marks & ~(2L << i) | spanMark << i; // the span mark goes to the piece at i
        int at = i; // the new entry's slot
        if (front) {
            a[b + PIVOTS + i] = end; // allocated at i (a zero bit), the free rest at i + 1
        } else {
            a[b + PIVOTS + i] = start - 1; // the free rest at i, allocated at i + 1
            kinds = kinds & ~(2L << i) | 1L << i;
            at = i + 1;
        }
        storeCarved(p, b, kinds, marks, tagged, at);
        boolean pending = pendLeaf >= 0; // then on this leaf
        long m0 = pending ? pendNow : gapAbove(p, 0);
        long m = changed(n, 0, min, m0, last - first + 1, (last - first) - (end - start));
        if (m != 0) { // the leaf's largest gap shrank (or stayed) and is not 0
            deferShrink(n, min, pending, m0, m);
            return true;
        }
        if (pending) {
            pendLeaf = -1;
            m0 = pendWas; // what the ancestors still record
        }
        propagate(p, 0, m0, m);
        return true;
    }

    /**
     * The exact fit: allocates all of free entry {@code i} ({@code size} values) of the cursor's
     * leaf {@code n} (block {@code b}, kind bits {@code kinds}, first value {@code min}), as
     * best- and instant-fit pairs and one-unit claims of ids take it every time. Does what
     * {@link #carveIn} did for it, with what that path computed and did not need: no pivot moves
     * and the count stays, so only the kind bit (and a tag bit) changes, and the gaps change only
     * when the entry was the leaf's largest — {@code changed} from {@code size} to 0 otherwise
     * raises the bound to 0 (never) and returns the largest as it was, and the deferred-shrink
     * step after it then leaves everything as it is. An entry below the leaf's bound is not its
     * largest (the bound is at most the largest), which saves the load of the parent's gap. The
     * cursor goes to the entry.
     */
    private void takeWhole(int n, int b, int i, long kinds, long min, long size, boolean tagged) {
        if (pendLeaf >= 0 && pendLeaf != n) {
            flush();
        }
        long[] a = nodes;
        Path p = cur;
        a[b + KINDS] = kinds & ~(1L << i);
        if (tagged) {
            a[b + MARKS] |= 1L << 32 << i;
        }
        p.slot[0] = i;
        cursorValid = true;
        long bound = a[b] >>> BOUND_SHIFT;
        if ((size ^ SIGN) < (bound ^ SIGN) && bound != NO_BOUND) {
            return; // below the bound, so below the leaf's largest: no gap changes, and no load of the parent's gap
        }
        boolean pending = pendLeaf >= 0; // then on this leaf
        long m0 = pending ? pendNow : gapAbove(p, 0);
        if (size != m0) {
            return; // not the leaf's largest free entry (which is at least size): no gap changes
        }
        long m = changed(n, 0, min, m0, size, 0);
        if (m != 0) { // the leaf's largest shrank to another entry (or one of the same size stays)
            deferShrink(n, min, pending, m0, m);
            return;
        }
        if (pending) {
            pendLeaf = -1;
            m0 = pendWas; // what the ancestors still record
        }
        propagate(p, 0, m0, m);
    }

    /**
     * {@link #carveEdge}'s third case: a piece strictly inside the cursor's free entry at slot
     * {@code i} of the {@code c}-entry leaf {@code n} (block {@code b}), which has room for the two
     * entries this adds — as next-fit carves its way through a free tail. Does what {@link #carve}
     * does then: free {@code [first, start - 1]} at {@code i} keeping the old entry's span mark,
     * the allocation at {@code i + 1}, free {@code [end + 1, last]} at {@code i + 2}; the bigger
     * free piece stands for the old entry in the gaps, and the leaf's shrink is deferred.
     */
    private boolean carveMiddle(int n, int b, int i, int c, long kinds, long min, long first, long last,
                                long start, long end, boolean tagged) {
        if (pendLeaf >= 0 && pendLeaf != n) {
            flush();
        }
        long[] a = nodes;
        for (int o = b + PIVOTS + c - 1, stop = b + PIVOTS + i; o >= stop; o--) {
            a[o + 2] = a[o];
        }
        a[b] += 2; // the count, in the low byte, stays at most LEAF_CAP
        a[b + PIVOTS + i] = start - 1;
        a[b + PIVOTS + i + 1] = end;
        long marks = openBits(a[b + MARKS], i, 2); // entry i + 2 has the old entry's marks
        long spanMark = marks >>> (i + 2) & 1;
        marks = marks & ~(4L << i) | spanMark << i;
        storeCarved(cur, b, openBits(kinds, i, 2) | 1L << i, marks, tagged, i + 1);
        boolean pending = pendLeaf >= 0; // then on this leaf
        long m0 = pending ? pendNow : gapAbove(cur, 0);
        long low = start - first;
        long high = last - end;
        boolean highBigger = (high ^ SIGN) > (low ^ SIGN);
        long m = changed(n, 0, min, m0, last - first + 1, highBigger ? high : low);
        m = changed(n, 0, min, m, 0, highBigger ? low : high);
        deferShrink(n, min, pending, m0, m); // not 0: the bigger piece is free
        return true;
    }

    /**
     * Records that the largest gap of leaf {@code n} (first value {@code min}) shrank to
     * {@code m}, not 0, for the ancestors to learn later: {@code m0} is what it was, which the
     * ancestors still record unless a shrink of this leaf is already {@code pending}.
     */
    private void deferShrink(int n, long min, boolean pending, long m0, long m) {
        if (!pending && m != m0) {
            pendMin = min;
            pendLeaf = n;
            pendWas = m0;
        }
        pendNow = m;
    }

    /**
     * Tells the ancestors of the leaf with a deferred shrink its largest gap now; see "Deferred
     * shrink". The path up is the cursor's when the cursor is on that leaf — as when a carve there
     * needs a split, once per leaf's worth of an address-order fill — else one descent finds it.
     */
    private void flush() {
        if (pendLeaf >= 0) {
            Path p = cur;
            if (!cursorValid || p.node[0] != pendLeaf) {
                p = pend;
                locate(p, pendMin);
            }
            pendLeaf = -1;
            propagate(p, 0, pendWas, pendNow);
        }
    }

    /**
     * Turns the cursor's entry into {@code kind} (allocated to free, or free to a hole) and merges
     * it with neighbours of the same kind — never backwards across a span start. Leaves the merged
     * entry in {@link #mergedStart}/{@link #mergedEnd} and the swallowed neighbours in
     * {@link #previousStart} and so on; the cursor on the merged entry when it stayed in this
     * leaf. Merges inside the leaf take the short path: at most two pivots closed, one bit-word
     * rewrite, gap changes in O(1) per level; a merge that could cross into a neighbouring leaf,
     * or that leaves the leaf short, goes the general way.
     */
    void release(int kind) {
        // Small on purpose, as carve.
        if (kind != FREE || !freeInside()) {
            releaseGeneral(kind);
        }
    }

    /** {@link #release} in every case, {@link #freeInside}'s included. */
    private void releaseGeneral(int kind) {
        Path p = cur;
        // A deferred shrink on this very leaf — typically the allocation being freed made it —
        // is settled together with this change at the end: a free that restores the leaf's
        // largest gap then climbs nowhere, instead of telling the ancestors the shrink and then
        // its undoing. Any other deferred shrink, and the general paths, settle it first.
        boolean pending = pendLeaf >= 0 && pendLeaf == p.node[0];
        if (!pending) {
            flush();
        }
        if (p.node[0] != cleanLeaf) {
            cleanLeaf = -1; // the freed entry may lie before the clean leaf
        }
        if (p.node[0] != cleanHighLeaf) {
            cleanHighLeaf = -1;
        }
        int b = p.node[0] << SHIFT;
        int i = p.slot[0];
        int c = countAt(b);
        long min = p.min[0];
        long start = i == 0 ? min : nodes[b + PIVOTS + i - 1] + 1;
        long end = nodes[b + PIVOTS + i];
        long kinds = nodes[b + KINDS];
        long marks = nodes[b + MARKS];
        long spanStart = kind == HOLE ? 0 : marks >>> i & 1;
        if (i == 0 && spanStart == 0 && start != 0 || i == c - 1 && end != -1L) {
            cleanLeaf = -1; // may merge into the previous leaf, or move leaf boundaries
            cleanHighLeaf = -1;
            flush();
            releaseAcross(kind);
            return;
        }
        long kindBit = kindBits(kind);
        boolean previous = spanStart == 0 && i > 0 && (kinds & kindBit << (i - 1)) != 0;
        boolean next = i < c - 1 && (kinds & kindBit << (i + 1)) != 0 && (marks >>> (i + 1) & 1) == 0;
        int j = i;
        long mark = spanStart;
        long first = start;
        long last = end;
        int removed = 0;
        if (previous) {
            j = i - 1;
            mark = marks >>> j & 1;
            first = j == 0 ? min : nodes[b + PIVOTS + j - 1] + 1;
            removed = 1;
        }
        if (next) {
            last = nodes[b + PIVOTS + i + 1];
            removed++;
        }
        if (removed > 0) {
            closePivots(b, j, c, removed);
            kinds = closeBits(kinds, j, removed);
            marks = closeBits(marks, j, removed);
        }
        long bit = 1L << j;
        nodes[b + KINDS] = kinds & ~(bit * HALVES) | kindBit << j;
        nodes[b + MARKS] = marks & ~(bit * HALVES) | mark << j;
        p.slot[0] = j;
        cursorValid = true;
        recordMerge(first, last, start, end, previous, next);
        if (c - removed < LEAF_MIN && height > 1 && !lastLeaf(b)) {
            cleanLeaf = -1; // entries may move between leaves
            cleanHighLeaf = -1;
            flush(); // its ancestors' gaps only: repair recomputes this leaf's from its entries
            repair(p);
            return;
        }
        int n = p.node[0];
        long m0 = pending ? pendNow : gapAbove(p, 0);
        long m;
        if (kind == HOLE) {
            m = changed(n, 0, min, m0, end - start + 1, 0);
        } else {
            // The bigger merged neighbour stands for the merged entry; the other one goes.
            long low = start - first;
            long high = last - end;
            long merged = last - first + 1;
            if ((high ^ SIGN) > (low ^ SIGN)) {
                m = changed(n, 0, min, m0, high, merged);
                m = changed(n, 0, min, m, low, 0);
            } else {
                m = changed(n, 0, min, m0, low, merged);
                m = changed(n, 0, min, m, high, 0);
            }
        }
        if (pending) {
            pendLeaf = -1;
            m0 = pendWas; // what the ancestors still record
        }
        propagate(p, 0, m0, m);
    }

    /**
     * {@link #release}{@code (FREE)}'s commonest case as a small method of its own: the cursor's
     * allocated entry is neither first nor last in its leaf (so any merge stays inside it) and the
     * leaf keeps its minimum fill. Does what {@link #release} does then — the same pivots, bits,
     * merge results and gap changes, a deferred shrink on this leaf settled the same way.
     *
     * @return false, changing nothing, when the case does not apply
     */
    private boolean freeInside() {
        Path p = cur;
        int n = p.node[0];
        int b = n << SHIFT;
        int i = p.slot[0];
        long[] a = nodes;
        int c = (int) a[b] & (int) COUNT;
        if (i == 0 || i == c - 1) {
            return false;
        }
        return freeInsideAt(n, b, i, c, a[b + KINDS], a[b + MARKS]);
    }

    /**
     * {@link IntervalCore#free}'s commonest case in one pass: the cursor is valid and on exactly
     * {@code [start, end]}, an untagged allocation neither first nor last in its leaf, which keeps
     * its fill — as when the allocation just made is freed. Checks that from the leaf words it
     * then uses, and frees as {@link #freeInside} does: through {@link #freeAlone} when it merges
     * with neither neighbour, {@link #freeBoth} when it merges with both, else
     * {@link #freeOne}.
     *
     * @return false, changing nothing, when the case does not apply (the caller then frees the
     *         general way, which also tells a range that is no allocation)
     */
    boolean freeAtCursor(long start, long end) {
        Path p = cur;
        int n = p.node[0];
        int i = p.slot[0];
        int b = n << SHIFT;
        long[] a = nodes;
        int c = (int) a[b] & (int) COUNT;
        if (!cursorValid || i == 0 || i >= c - 1 || a[b + PIVOTS + i] != end || a[b + PIVOTS + i - 1] != start - 1) {
            return false;
        }
        long kinds = a[b + KINDS];
        long marks = a[b + MARKS];
        if ((kinds >>> i & HALVES) != 0 || (marks >>> 32 >>> i & 1) != 0) {
            return false; // free, a hole, or tagged
        }
        // Merges with the previous entry if that is free and this one starts no span, with the
        // next if that is free and starts none.
        long previous = kinds >>> (i - 1) & ~(marks >>> i) & 1;
        long next = (kinds & ~marks) >>> (i + 1) & 1;
        if ((previous | next) == 0) {
            freeAlone(n, b, i, kinds, start, end);
            return true;
        }
        if ((previous & next) != 0) {
            return freeBoth(n, b, i, c, kinds, marks, start, end);
        }
        return freeOne(n, b, i, c, kinds, marks, start, end, previous != 0);
    }

    /**
     * {@link #freeAtCursor}'s case that merges both neighbours, as next-fit's pair frees the page
     * it carved strictly inside the free tail: the allocated entry {@code [start, end]} at slot
     * {@code i} of the {@code c}-entry cursor's leaf {@code n} (block {@code b}), untagged, between
     * two free entries of its leaf that it merges with (neither it nor the next one starts a
     * span). Does what {@link #freeInsideAt} does then, with what that path computed and did not
     * need: two pivots closed, the merged entry keeps the previous one's bits (free, its span
     * mark, untagged), and the gap work of {@link #grewBy}.
     *
     * @return false, changing nothing, when the leaf would be short (repair's way)
     */
    private boolean freeBoth(int n, int b, int i, int c, long kinds, long marks, long start, long end) {
        long[] a = nodes;
        Path p = cur;
        if (c - 2 < LEAF_MIN && height > 1 && a[b + PIVOTS + c - 1] != -1L) {
            return false; // the leaf would be short: repair's way
        }
        int j = i - 1;
        long first = j == 0 ? p.min[0] : a[b + PIVOTS + j - 1] + 1;
        long last = a[b + PIVOTS + i + 1];
        long merged = last - first + 1;
        if (merged == 0) {
            return freeInsideAt(n, b, i, c, kinds, marks); // all 2^64 values: not a size
        }
        boolean pending = beforeFreeIn(n);
        closePivots(b, j, c, 2);
        // Entry j keeps its own bits (free, its span mark); entries i and i + 1 go.
        a[b + KINDS] = closeBits(kinds, i, 2);
        a[b + MARKS] = closeBits(marks, i, 2) & ~(1L << 32 << j);
        p.slot[0] = j;
        cursorValid = true;
        recordMerge(first, last, start, end, true, true);
        long low = start - first;
        long high = last - end;
        grewBy(b, pending, merged, (high ^ SIGN) > (low ^ SIGN) ? high : low);
        return true;
    }

    /**
     * {@link #freeAtCursor}'s case that merges one neighbour: the allocated entry
     * {@code [start, end]} at slot {@code i} of the {@code c}-entry cursor's leaf {@code n} (block
     * {@code b}), untagged, merging with the free entry before it ({@code previous}: it starts no
     * span), as last-match's pair frees the back it carved off the free tail, or with the free
     * entry after it (which starts none), as first-match's pair frees the front of a hole. Does
     * what {@link #freeInsideAt} does then, with what that path computed and did not need: one
     * pivot closed (the merged entry's first piece's), the merged entry in the first piece's slot
     * with its span mark, free and untagged, and the gap work of {@link #grewBy}. Two merged
     * entries of a leaf with a third are never all 2<sup>64</sup> values.
     *
     * @return false, changing nothing, when the leaf would be short (repair's way)
     */
    private boolean freeOne(int n, int b, int i, int c, long kinds, long marks, long start, long end, boolean previous) {
        long[] a = nodes;
        Path p = cur;
        if (c - 1 < LEAF_MIN && height > 1 && a[b + PIVOTS + c - 1] != -1L) {
            return false; // the leaf would be short: repair's way
        }
        int j = i;
        long first = start;
        long last = end;
        if (previous) {
            j = i - 1;
            first = j == 0 ? p.min[0] : a[b + PIVOTS + j - 1] + 1;
        } else {
            last = a[b + PIVOTS + i + 1];
        }
        boolean pending = beforeFreeIn(n);
        closePivots(b, j, c, 1);
        a[b + KINDS] = closeBits(kinds, j + 1, 1) | 1L << j;
        a[b + MARKS] = closeBits(marks, j + 1, 1) & ~(1L << 32 << j);
        p.slot[0] = j;
        cursorValid = true;
        recordMerge(first, last, start, end, previous, !previous);
        grewBy(b, pending, last - first + 1, previous ? start - first : last - end);
        return true;
    }

    /**
     * {@link #freeAtCursor}'s case that merges nothing, as best- and instant-fit pairs and one-unit
     * ids (W1) free every time: the allocated entry {@code [start, end]} at slot {@code i} of the
     * cursor's leaf {@code n} (block {@code b}, kind bits {@code kinds}), untagged, with no free
     * neighbour it would merge with. Does what {@link #freeInsideAt} does then, with what that
     * path computed and did not need: no pivot moves, the count stays (so the leaf keeps its
     * fill), the marks stay (the span mark is kept, there is no tag), and the gap change is
     * {@code changed} from 0 to the entry's size written out — nothing at all, not even the load
     * of the parent's gap, when the leaf's bound already covers the size (a leaf's bound is at
     * most its largest free entry), as it does for W1's one-unit ids.
     */
    private void freeAlone(int n, int b, int i, long kinds, long start, long end) {
        // As in release: a deferred shrink on this leaf is settled with this change (unless the
        // change leaves the gaps as they are, below), any other first.
        boolean pending = beforeFreeIn(n);
        nodes[b + KINDS] = kinds | 1L << i;
        recordMerge(start, end, start, end, false, false);
        grewBy(b, pending, end - start + 1, 0);
    }

    /**
     * What {@link #freeAlone}, {@link #freeOne} and {@link #freeBoth} do before changing the
     * cursor's leaf {@code n}: a deferred shrink of another leaf is settled first, and the clean
     * leaves other than {@code n} are forgotten (the freed entry may lie before them).
     *
     * @return whether the deferred shrink is on {@code n}, to be settled with this change
     */
    private boolean beforeFreeIn(int n) {
        boolean pending = pendLeaf == n;
        if (!pending && pendLeaf >= 0) {
            flush();
        }
        if (n != cleanLeaf) {
            cleanLeaf = -1;
        }
        if (n != cleanHighLeaf) {
            cleanHighLeaf = -1;
        }
        return pending;
    }

    /**
     * The gap work of a free in the cursor's leaf (block {@code b}) that left a free entry of
     * {@code size} values, bigger than every free part it absorbed (the biggest of them
     * {@code replaced}, 0 for none): nothing at all — not even the load of the parent's gap —
     * when the leaf's bound covers the size (a leaf's bound is at most its largest free entry,
     * which then stays, and so does a deferred shrink of the leaf), else {@link #grewAboveBound}.
     */
    private void grewBy(int b, boolean pending, long size, long replaced) {
        long bound = nodes[b] >>> BOUND_SHIFT;
        if ((size ^ SIGN) > (bound ^ SIGN) || bound == NO_BOUND) {
            grewAboveBound(b, pending, size, replaced);
        }
    }

    /**
     * The gap work of a free in the cursor's leaf (block {@code b}) that left a free entry of
     * {@code size} values above the leaf's bound: it either becomes the leaf's largest (the old
     * largest, unless it was {@code replaced}, the biggest free part the entry absorbed, 0 for
     * none, is then at most second: the bound rises to it) or stays under it (the bound rises to
     * {@code size}); the ancestors learn the leaf's new largest, settling a deferred shrink of
     * the leaf ({@code pending}).
     */
    private void grewAboveBound(int b, boolean pending, long size, long replaced) {
        long m0 = pending ? pendNow : gapAbove(cur, 0);
        long m;
        if ((size ^ SIGN) > (m0 ^ SIGN)) {
            if (replaced != m0) {
                raiseBound(b, m0); // the old largest is now at most second
            }
            m = size;
        } else {
            raiseBound(b, size); // bigger than every part it absorbed, so none was the largest
            m = m0;
        }
        if (pending) {
            pendLeaf = -1;
            m0 = pendWas; // what the ancestors still record
        }
        if (m != m0) {
            propagate(cur, 0, m0, m);
        }
    }

    /**
     * {@link #freeInside} from the leaf words it read: entry {@code i} of the {@code c}-entry leaf
     * {@code n} at block {@code b}.
     *
     * <p>At 596 bytecodes C2 never inlines it (over the 325 of {@code FreqInlineSize}). Splitting
     * it into a leaf part and a gap part under that limit, with {@link IntervalCore#free}'s other
     * paths behind {@code Outlined.HOPS} self-calls, made the whole free of a W3 pair inline; it
     * measured no faster, paired in one JVM (W3 next-fit 0.89&ndash;1.08, last-match
     * 0.96&ndash;1.17, best-fit 0.98&ndash;1.06 across runs, within the spread of the JIT's
     * outcomes from one JVM to the next), so it was not kept; nor was the same split of
     * {@link #carveIn} (best-fit 0.95&ndash;1.12, next-fit 0.94&ndash;1.16).
     */
    private boolean freeInsideAt(int n, int b, int i, int c, long kinds, long marks) {
        Path p = cur;
        long[] a = nodes;
        long spanStart = marks >>> i & 1;
        boolean previous = spanStart == 0 && (kinds >>> (i - 1) & 1) != 0;
        boolean next = (kinds >>> (i + 1) & 1) != 0 && (marks >>> (i + 1) & 1) == 0;
        int removed = (previous ? 1 : 0) + (next ? 1 : 0);
        if (c - removed < LEAF_MIN && height > 1 && a[b + PIVOTS + c - 1] != -1L) {
            return false; // the leaf would be short: repair's way
        }
        // As in release: a deferred shrink on this leaf is settled with this change, any other first.
        boolean pending = pendLeaf == n;
        if (!pending && pendLeaf >= 0) {
            flush();
        }
        if (n != cleanLeaf) {
            cleanLeaf = -1; // the freed entry may lie before the clean leaf
        }
        if (n != cleanHighLeaf) {
            cleanHighLeaf = -1;
        }
        long start = a[b + PIVOTS + i - 1] + 1;
        long end = a[b + PIVOTS + i];
        int j = i;
        long mark = spanStart;
        long first = start;
        long last = end;
        if (previous) {
            j = i - 1;
            mark = marks >>> j & 1;
            first = j == 0 ? p.min[0] : a[b + PIVOTS + j - 1] + 1;
        }
        if (next) {
            last = a[b + PIVOTS + i + 1];
        }
        if (removed > 0) {
            closePivots(b, j, c, removed);
            kinds = closeBits(kinds, j, removed);
            marks = closeBits(marks, j, removed);
        }
        long bit = 1L << j;
        a[b + KINDS] = kinds & ~(bit * HALVES) | bit;
        a[b + MARKS] = marks & ~(bit * HALVES) | mark << j;
        p.slot[0] = j;
        cursorValid = true;
        recordMerge(first, last, start, end, previous, next);
        // The bigger merged neighbour stands for the merged entry; the other one goes.
        long low = start - first;
        long high = last - end;
        long m0 = pending ? pendNow : gapAbove(p, 0);
        long min = p.min[0];
        long m;
        if ((high ^ SIGN) > (low ^ SIGN)) {
            m = changed(n, 0, min, m0, high, last - first + 1);
            m = changed(n, 0, min, m, low, 0);
        } else {
            m = changed(n, 0, min, m0, low, last - first + 1);
            m = changed(n, 0, min, m, high, 0);
        }
        if (pending) {
            pendLeaf = -1;
            m0 = pendWas; // what the ancestors still record
        }
        if (m != m0) {
            propagate(p, 0, m0, m);
        }
        return true;
    }

    /**
     * {@link #release} where the entry is first or last in its leaf, so that a merge may cross
     * into the neighbouring leaf: the general path, which recomputes the gaps of both leaves and
     * their ancestors from scratch where they changed. The cursor is invalid afterwards when the
     * merge crossed.
     */
    private void releaseAcross(int kind) {
        Path p = cur;
        int b = p.node[0] << SHIFT;
        int i = p.slot[0];
        long start = entryStart(b, i, p.min[0]);
        long end = nodes[b + PIVOTS + i];
        boolean spanStart = kind != HOLE && (nodes[b + MARKS] >>> i & 1) != 0;
        setBits(b, i, kind, spanStart, false);
        mergedPrevious = false;
        mergedNext = false;
        boolean inSide = false; // whether the merged entry now ends side's leaf
        if (!spanStart) {
            if (i > 0) {
                if (kindOf(nodes[b + KINDS], i - 1) == kind) {
                    previousStart = entryStart(b, i - 1, p.min[0]);
                    previousEnd = nodes[b + PIVOTS + i - 1];
                    boolean previousMark = (nodes[b + MARKS] >>> (i - 1) & 1) != 0;
                    closeEntries(b, i - 1, 1); // entry i keeps its pivot and absorbs i - 1
                    i--;
                    setBits(b, i, kind, previousMark, false);
                    start = previousStart;
                    mergedPrevious = true;
                }
            } else if (start != 0) {
                side.copyFrom(p, height);
                previousLeaf(side);
                int bs = side.node[0] << SHIFT;
                int j = countAt(bs) - 1;
                if (kindOf(nodes[bs + KINDS], j) == kind) {
                    previousStart = entryStart(bs, j, side.min[0]);
                    previousEnd = nodes[bs + PIVOTS + j];
                    // The previous leaf's last entry absorbs this one; the boundary moves up to end.
                    nodes[bs + PIVOTS + j] = end;
                    closeEntries(b, 0, 1);
                    int lca = setLeafMax(side, end);
                    for (int level = 0; level < lca; level++) {
                        p.min[level] = end + 1;
                    }
                    start = previousStart;
                    mergedPrevious = true;
                    inSide = true;
                }
            }
        }
        if (inSide) {
            // The merged entry ends side's leaf; its successor is now entry 0 here.
            if (kindOf(nodes[b + KINDS], 0) == kind && (nodes[b + MARKS] & 1) == 0) {
                nextStart = end + 1;
                nextEnd = nodes[b + PIVOTS];
                int bs = side.node[0] << SHIFT;
                nodes[bs + PIVOTS + countAt(bs) - 1] = nextEnd;
                closeEntries(b, 0, 1);
                int lca = setLeafMax(side, nextEnd);
                for (int level = 0; level < lca; level++) {
                    p.min[level] = nextEnd + 1;
                }
                end = nextEnd;
                mergedNext = true;
            }
        } else if (i < countAt(b) - 1) {
            if (kindOf(nodes[b + KINDS], i + 1) == kind && (nodes[b + MARKS] >>> (i + 1) & 1) == 0) {
                nextStart = end + 1;
                nextEnd = nodes[b + PIVOTS + i + 1];
                nodes[b + PIVOTS + i] = nextEnd; // entry i absorbs i + 1
                closeEntries(b, i + 1, 1);
                end = nextEnd;
                mergedNext = true;
            }
        } else if (end != -1L) {
            side.copyFrom(p, height);
            nextLeaf(side);
            int bs = side.node[0] << SHIFT;
            if (kindOf(nodes[bs + KINDS], 0) == kind && (nodes[bs + MARKS] & 1) == 0) {
                nextStart = end + 1;
                nextEnd = nodes[bs + PIVOTS];
                // The next leaf's first entry absorbs this one; the boundary moves down.
                boolean mark = (nodes[b + MARKS] >>> i & 1) != 0;
                setBits(bs, 0, kind, mark, false);
                closeEntries(b, i, 1);
                long newMax = nodes[b + PIVOTS + i - 1];
                int lca = setLeafMax(p, newMax);
                for (int level = 0; level < lca; level++) {
                    side.min[level] = newMax + 1;
                }
                end = nextEnd;
                mergedNext = true;
                inSide = true;
            }
        }
        mergedStart = start;
        mergedEnd = end;
        if (inSide) {
            // Rare (a merge across a leaf boundary): recompute both leaves' gaps from scratch.
            refresh(side, 0);
            repair(p);
            cursorValid = false;
            return;
        }
        p.slot[0] = i;
        repair(p); // keeps p on the merged entry
        cursorValid = true;
    }

    /**
     * Sets the last pivot above the leaf of {@code q} to {@code max} on every level where that
     * leaf's subtree is the last child, and at the first level where it is not (the separator).
     *
     * @return that level: below it, the next leaf's ancestors begin at {@code max + 1}
     */
    private int setLeafMax(Path q, long max) {
        for (int level = 1; level < height; level++) {
            int b = q.node[level] << SHIFT;
            int s = q.slot[level];
            nodes[b + 1 + 3 * s] = max;
            if (s != countAt(b) - 1) {
                return level;
            }
        }
        throw new IllegalStateException("the top of the space cannot move");
    }

    /**
     * Recomputes gaps and bounds from {@code level} upward along {@code p}, stopping where a
     * node's gap does not change.
     */
    private void refresh(Path p, int level) {
        for (; level < height - 1; level++) {
            long gap = refreshNode(p.node[level], level, p.min[level]);
            int bp = p.node[level + 1] << SHIFT;
            int k = p.slot[level + 1];
            if (nodes[bp + 2 + 3 * k] == gap) {
                return;
            }
            setSlotGap(bp, k, gap);
        }
        rootGap = refreshNode(root, height - 1, 0);
    }

    /**
     * After entries left the leaf of {@code p} (or its gaps changed in any way): restores the
     * fill bounds by merging with or borrowing from a sibling, level by level, and recomputes
     * gaps and bounds while they change.
     */
    private void repair(Path p) {
        for (int level = 0; level < height - 1; level++) {
            int n = p.node[level];
            if (level == 0 ? count(n) < LEAF_MIN && !lastLeaf(n << SHIFT) : count(n) < FANOUT_MIN) {
                rebalance(p, level); // the parent's children changed: it is refreshed on the next level
                continue;
            }
            long gap = refreshNode(n, level, p.min[level]);
            int bp = p.node[level + 1] << SHIFT;
            int k = p.slot[level + 1];
            if (nodes[bp + 2 + 3 * k] == gap) {
                return;
            }
            setSlotGap(bp, k, gap);
        }
        while (height > 1 && count(root) == 1) {
            int old = root;
            root = childOf(root << SHIFT, 0);
            releaseNode(old);
            height--;
        }
        rootGap = refreshNode(root, height - 1, 0);
    }


    /**
     * Merges the short node on {@code level} of {@code p} with a sibling when the two leave room
     * for two more entries (so that the next carve cannot split them again at once), else borrows
     * from the sibling so that both hold at least the minimum. Both nodes' gaps and bounds are
     * exact afterwards; the parent's bound is left for the caller to refresh.
     */
    private void rebalance(Path p, int level) {
        int parent = p.node[level + 1];
        int bp = parent << SHIFT;
        int s = p.slot[level + 1];
        int j = s > 0 ? s - 1 : s; // the pair is slots j and j + 1
        int left = childOf(bp, j);
        int right = childOf(bp, j + 1);
        long leftMin = j == 0 ? p.min[level + 1] : nodes[bp + 1 + 3 * (j - 1)] + 1;
        int cl = count(left);
        int cr = count(right);
        boolean shortIsLeft = j == s;
        if (cl + cr < 2 * (level == 0 ? LEAF_MIN : FANOUT_MIN)) {
            moveFront(level, right, left, cr);
            nodes[bp + 1 + 3 * j] = nodes[bp + 1 + 3 * (j + 1)];
            removeSlot(parent, j + 1);
            releaseNode(right);
            setSlotGap(bp, j, refreshNode(left, level, leftMin));
            if (!shortIsLeft) {
                p.slot[level] += cl;
            }
            p.node[level] = left;
            p.min[level] = leftMin;
            p.slot[level + 1] = j;
            return;
        }
        if (shortIsLeft) {
            moveFront(level, right, left, (cr - cl + 1) / 2);
        } else {
            int m = (cl - cr + 1) / 2;
            moveBack(level, left, right, m);
            p.slot[level] += m;
        }
        long leftMax = lastPivot(left, level);
        nodes[bp + 1 + 3 * j] = leftMax;
        setSlotGap(bp, j, refreshNode(left, level, leftMin));
        setSlotGap(bp, j + 1, refreshNode(right, level, leftMax + 1));
        if (!shortIsLeft) {
            p.min[level] = leftMax + 1;
        }
    }

    /**
     * Instead of splitting the cursor's full node on {@code level}, moves entries or children to a
     * sibling that has room for a few more (B*-tree style). Normally the two end up even; when the
     * cursor is at the node's far end from that sibling — the next insertion goes there, as when
     * filling in address order — the sibling is filled instead, so that appending leaves full
     * nodes behind and shares or splits once per node's worth of entries rather than every few.
     * Keeps the cursor on its entry or slot; the parent's bound is refreshed (its gap is
     * unchanged: the same entries lie below it).
     *
     * @return false if no sibling has room
     */
    private boolean share(int level) {
        Path p = cur;
        int parent = p.node[level + 1];
        int bp = parent << SHIFT;
        int s = p.slot[level + 1];
        int cap = level == 0 ? LEAF_CAP : FANOUT;
        int least = level == 0 ? LEAF_MIN : FANOUT_MIN;
        int roomLeft = s > 0 ? cap - count(childOf(bp, s - 1)) : -1;
        int roomRight = s < countAt(bp) - 1 ? cap - count(childOf(bp, s + 1)) : -1;
        if (Math.max(roomLeft, roomRight) < (level == 0 ? 4 : 2)) {
            return false;
        }
        int x = p.node[level];
        int c = count(x);
        int at = p.slot[level];
        if (roomLeft >= roomRight) {
            int left = childOf(bp, s - 1);
            int cl = count(left);
            int m = at >= c - 2 ? Math.min(roomLeft, c - least) : (c - cl + 1) / 2;
            long leftMin = s == 1 ? p.min[level + 1] : nodes[bp + 1 + 3 * (s - 2)] + 1;
            moveFront(level, x, left, m);
            long leftMax = lastPivot(left, level);
            nodes[bp + 1 + 3 * (s - 1)] = leftMax;
            setSlotGap(bp, s - 1, refreshNode(left, level, leftMin));
            setSlotGap(bp, s, refreshNode(x, level, leftMax + 1));
            if (at < m) {
                p.node[level] = left;
                p.slot[level] = at + cl;
                p.min[level] = leftMin;
                p.slot[level + 1] = s - 1;
            } else {
                p.slot[level] = at - m;
                p.min[level] = leftMax + 1;
            }
        } else {
            int right = childOf(bp, s + 1);
            int m = at <= 1 ? Math.min(roomRight, c - least) : (c - count(right) + 1) / 2;
            moveBack(level, x, right, m);
            long xMax = lastPivot(x, level);
            nodes[bp + 1 + 3 * s] = xMax;
            setSlotGap(bp, s, refreshNode(x, level, p.min[level]));
            setSlotGap(bp, s + 1, refreshNode(right, level, xMax + 1));
            if (at >= c - m) {
                p.node[level] = right;
                p.slot[level] = at - (c - m);
                p.min[level] = xMax + 1;
                p.slot[level + 1] = s + 1;
            }
        }
        refreshInternal(bp);
        return true;
    }

    /** Moves the first {@code m} entries or slots of {@code from} to the end of {@code to}, its left sibling. */
    private void moveFront(int level, int from, int to, int m) {
        int bf = from << SHIFT;
        int bt = to << SHIFT;
        int cf = countAt(bf);
        int ct = countAt(bt);
        if (level == 0) {
            System.arraycopy(nodes, bf + PIVOTS, nodes, bt + PIVOTS + ct, m);
            nodes[bt + KINDS] |= takeBits(nodes[bf + KINDS], 0, m) << ct;
            nodes[bt + MARKS] |= takeBits(nodes[bf + MARKS], 0, m) << ct;
            closeEntries(bf, 0, m);
        } else {
            System.arraycopy(nodes, bf + 1, nodes, bt + 1 + 3 * ct, 3 * m);
            System.arraycopy(nodes, bf + 1 + 3 * m, nodes, bf + 1, 3 * (cf - m));
            Arrays.fill(nodes, bf + 1 + 3 * (cf - m), bf + 1 + 3 * cf, 0L);
            setCount(bf, cf - m);
        }
        setCount(bt, ct + m);
    }

    /** Moves the last {@code m} entries or slots of {@code from} to the front of {@code to}, its right sibling. */
    private void moveBack(int level, int from, int to, int m) {
        int bf = from << SHIFT;
        int bt = to << SHIFT;
        int cf = countAt(bf);
        int ct = countAt(bt);
        if (level == 0) {
            long kinds = takeBits(nodes[bf + KINDS], cf - m, m);
            long marks = takeBits(nodes[bf + MARKS], cf - m, m);
            System.arraycopy(nodes, bt + PIVOTS, nodes, bt + PIVOTS + m, ct);
            System.arraycopy(nodes, bf + PIVOTS + cf - m, nodes, bt + PIVOTS, m);
            nodes[bt + KINDS] = openBits(nodes[bt + KINDS], 0, m) | kinds;
            nodes[bt + MARKS] = openBits(nodes[bt + MARKS], 0, m) | marks;
            Arrays.fill(nodes, bf + PIVOTS + cf - m, bf + PIVOTS + cf, 0L);
            nodes[bf + KINDS] &= lowBits(cf - m);
            nodes[bf + MARKS] &= lowBits(cf - m);
        } else {
            System.arraycopy(nodes, bt + 1, nodes, bt + 1 + 3 * m, 3 * ct);
            System.arraycopy(nodes, bf + 1 + 3 * (cf - m), nodes, bt + 1, 3 * m);
            Arrays.fill(nodes, bf + 1 + 3 * (cf - m), bf + 1 + 3 * cf, 0L);
        }
        setCount(bt, ct + m);
        setCount(bf, cf - m);
    }

    /**
     * Makes room in the cursor's full node on {@code level}: shares with a sibling if one has room,
     * else splits it in two, splitting a full parent first and growing a new root above the old one.
     * Keeps the cursor on the same entry or slot. The parent's gap is unchanged (the same entries
     * lie below it); its mask and bound are recomputed.
     *
     * <p>A deferred shrink of the leaf (which is the cursor's: its carve flushes any other first)
     * is flushed before a share or a half split, which move entries to a sibling that did not
     * have it. An append split keeps it deferred (see "Deferred shrink"): the half holding the
     * leaf's largest free entry records the gap the ancestors know, so no ancestor changes and
     * nothing climbs — in an address-order fill that is the new last leaf, with the free tail.
     * It saves the flush up to the root on each of a 10<sup>6</sup>-page fill's 37,037 splits.
     * When the largest stays in the old leaf the shrink is told before the carve goes on in the
     * new one, so that afterwards a deferred shrink is, as always, the cursor's leaf's.
     */
    private void split(int level) {
        Path p = cur;
        boolean append = level == 0 && appendsAtTheEnd(p);
        if (level == 0 && pendLeaf >= 0 && (!append || pendLeaf != p.node[0])) {
            flush(); // a share or half split moves the leaf's boundaries and entries to a sibling
        }
        if (!append && level < height - 1 && share(level)) {
            return;
        }
        if (level == height - 1) {
            growRoot();
        }
        if (count(p.node[level + 1]) == FANOUT) {
            split(level + 1);
        }
        int parent = p.node[level + 1];
        int ps = p.slot[level + 1];
        int x = p.node[level];
        int y = newNode();
        int bx = x << SHIFT;
        int by = y << SHIFT;
        int c = countAt(bx);
        int half = append ? p.slot[0] : c >>> 1;
        long xMin = p.min[level];
        long yMax = lastPivot(x, level);
        if (level == 0) {
            System.arraycopy(nodes, bx + PIVOTS + half, nodes, by + PIVOTS, c - half);
            Arrays.fill(nodes, bx + PIVOTS + half, bx + PIVOTS + c, 0L);
            nodes[by + KINDS] = takeBits(nodes[bx + KINDS], half, c - half);
            nodes[by + MARKS] = takeBits(nodes[bx + MARKS], half, c - half);
            nodes[bx + KINDS] &= lowBits(half);
            nodes[bx + MARKS] &= lowBits(half);
        } else {
            System.arraycopy(nodes, bx + 1 + 3 * half, nodes, by + 1, 3 * (c - half));
            Arrays.fill(nodes, bx + 1 + 3 * half, bx + 1 + 3 * c, 0L);
        }
        setCount(bx, half);
        setCount(by, c - half);
        long xMax = lastPivot(x, level);
        int bp = parent << SHIFT;
        nodes[bp + 1 + 3 * ps] = xMax;
        long xGap = refreshNode(x, level, xMin);
        long yGap = refreshNode(y, level, xMax + 1);
        if (level == 0 && pendLeaf == x) { // an append split of the leaf with the deferred shrink
            // The half holding the leaf's largest (pendNow) records what the ancestors know
            // (pendWas), the other its exact gap (at most pendNow): the parent's largest stays.
            if (yGap == pendNow) {
                pendLeaf = y;
                pendMin = xMax + 1;
                yGap = pendWas;
            } else {
                xGap = pendWas; // pendMin is still x's first value
            }
        }
        setSlotGap(bp, ps, xGap);
        insertSlot(parent, ps + 1, yMax, yGap, y);
        refreshInternal(bp);
        if (p.slot[level] >= half) {
            p.node[level] = y;
            p.slot[level] -= half;
            p.min[level] = xMax + 1;
            p.slot[level + 1] = ps + 1;
        }
        if (level == 0 && pendLeaf >= 0 && pendLeaf != p.node[0]) {
            flush(); // the largest stayed behind: the caller's carve assumes a deferred shrink is its leaf's
        }
    }

    /**
     * Whether a split of the cursor's full leaf should be an <em>append split</em>: the leaf is
     * the last one (it ends at 2<sup>64</sup>&minus;1) and the cursor is on one of its last two
     * entries, as when filling a space in address order (a free tail and the hole above the spans
     * follow the insertion point). Then the entries from the cursor on start a new last leaf and
     * the old one keeps everything before them: it stays full, and the next split comes only when
     * the new leaf has filled, moving two or three entries instead of half a leaf — B-tree bulk
     * loading's rule, and the maple tree's for appends. Only the last leaf may be left short by
     * it (see the invariants).
     */
    private boolean appendsAtTheEnd(Path p) {
        int b = p.node[0] << SHIFT;
        int c = countAt(b);
        return p.slot[0] > 0 && p.slot[0] >= c - 2 && nodes[b + PIVOTS + c - 1] == -1L;
    }

    /** Whether the leaf at block {@code b} is the last one, which may hold fewer than {@link #LEAF_MIN} entries. */
    private boolean lastLeaf(int b) {
        int c = countAt(b);
        return c > 0 && nodes[b + PIVOTS + c - 1] == -1L; // an emptied leaf is merged away, last or not
    }

    private void growRoot() {
        if (height == Path.MAX_HEIGHT) {
            throw new IllegalStateException("interval engine: tree deeper than " + Path.MAX_HEIGHT);
        }
        int r = newNode();
        int b = r << SHIFT;
        nodes[b] = 1;
        nodes[b + 1] = -1L;
        nodes[b + 2] = rootGap;
        nodes[b + 3] = root;
        nodes[b + MASK] = rootGap != 0 ? 1 : 0;
        root = r;
        cur.node[height] = r;
        cur.slot[height] = 0;
        cur.min[height] = 0;
        height++;
    }

    // ------------------------------------------------------------------ walking

    /** Moves {@code q} to the first entry of the next leaf; false, q unchanged, after the last. */
    private boolean nextLeaf(Path q) {
        int level = 1;
        while (level < height && q.slot[level] == count(q.node[level]) - 1) {
            level++;
        }
        if (level >= height) {
            return false;
        }
        int b = q.node[level] << SHIFT;
        int k = ++q.slot[level];
        long min = nodes[b + 1 + 3 * (k - 1)] + 1;
        int child = childOf(b, k);
        while (--level >= 0) {
            q.node[level] = child;
            q.min[level] = min;
            q.slot[level] = 0;
            if (level > 0) {
                child = childOf(child << SHIFT, 0);
            }
        }
        return true;
    }

    /** Moves {@code q} to the last entry of the previous leaf; false, q unchanged, before the first. */
    private boolean previousLeaf(Path q) {
        int level = 1;
        while (level < height && q.slot[level] == 0) {
            level++;
        }
        if (level >= height) {
            return false;
        }
        int b = q.node[level] << SHIFT;
        int k = --q.slot[level];
        long min = k == 0 ? q.min[level] : nodes[b + 1 + 3 * (k - 1)] + 1;
        int child = childOf(b, k);
        while (--level >= 0) {
            int bc = child << SHIFT;
            int c = countAt(bc);
            q.node[level] = child;
            q.min[level] = min;
            q.slot[level] = c - 1;
            if (level > 0) {
                if (c > 1) {
                    min = nodes[bc + 1 + 3 * (c - 2)] + 1;
                }
                child = childOf(bc, c - 1);
            }
        }
        return true;
    }

    /** Receives entries in address order. */
    interface EntryAction {
        void accept(long start, long end, int kind, boolean spanStart, boolean tagged);
    }

    /** Visits every entry, holes included, in address order. O(n). */
    void forEachEntry(EntryAction action) {
        Path q = new Path();
        locate(q, 0);
        do {
            int b = q.node[0] << SHIFT;
            int c = countAt(b);
            long kinds = nodes[b + KINDS];
            long marks = nodes[b + MARKS];
            for (int i = 0; i < c; i++) {
                action.accept(entryStart(b, i, q.min[0]), nodes[b + PIVOTS + i], kindOf(kinds, i),
                        (marks >>> i & 1) != 0, (marks >>> (32 + i) & 1) != 0);
            }
        } while (nextLeaf(q));
    }

    /** Receives free segments. */
    interface RangeAction {
        void accept(long start, long end);
    }

    /** Visits every free entry in address order, skipping subtrees with nothing free. */
    void forEachFree(RangeAction action) {
        Path q = new Path();
        int top = height - 1;
        q.node[top] = root;
        q.min[top] = 0;
        boolean more = seekUp(q, top, 0, 0, 1);
        while (more) {
            action.accept(start(q), end(q));
            more = seekUp(q, 0, q.slot[0] + 1, 0, 1);
        }
    }

    /** A path positioned at the first free entry ending at or after {@code from}, or null. */
    Path firstFreeFrom(long from) {
        Path q = new Path();
        int top = height - 1;
        q.node[top] = root;
        q.min[top] = 0;
        return seekUp(q, top, 0, from, 1) ? q : null;
    }

    /** A path positioned at the last free entry starting at or before {@code to}, or null. */
    Path lastFreeUpTo(long to) {
        Path q = new Path();
        int top = height - 1;
        q.node[top] = root;
        q.min[top] = 0;
        return seekDown(q, top, count(root) - 1, to, 1) ? q : null;
    }

    // ------------------------------------------------------------------ checking

    /**
     * Verifies every invariant in the class comment by a full walk, O(n), changing nothing: first
     * the deferred shrink (its path, and that its gap is its leaf's true largest), then every gap
     * exact, counting that leaf's largest as its ancestors still record it. For tests.
     *
     * @return the number of free entries
     * @throws IllegalStateException naming the first broken invariant
     */
    long checkInvariants() {
        if (pendLeaf >= 0) {
            checkPending();
        }
        int[] nodeCount = {0};
        long gap = checkNode(root, height - 1, 0, -1L, nodeCount);
        if (gap != rootGap) {
            throw new IllegalStateException("root gap " + Unsigned.hex(rootGap) + ", largest free entry " + Unsigned.hex(gap));
        }
        if (nodeCount[0] != liveNodes) {
            throw new IllegalStateException(liveNodes + " nodes in use but " + nodeCount[0] + " in the tree");
        }
        if (cursorValid) {
            Path fresh = new Path();
            locate(fresh, start(cur));
            for (int level = 0; level < height; level++) {
                if (fresh.node[level] != cur.node[level] || fresh.slot[level] != cur.slot[level]
                        || fresh.min[level] != cur.min[level]) {
                    throw new IllegalStateException("cursor off its entry on level " + level);
                }
            }
        }
        checkClean();
        SequenceCheck sequence = new SequenceCheck();
        forEachEntry(sequence);
        if (sequence.end != -1L) {
            throw new IllegalStateException("entries end at " + Unsigned.hex(sequence.end));
        }
        return sequence.free;
    }

    /**
     * The deferred shrink: its path leads to its leaf, its gap is that leaf's true largest free
     * entry, not 0, and below what the parent records (so every ancestor's gap is an upper bound).
     */
    private void checkPending() {
        Path fresh = new Path();
        int b = pendLeaf << SHIFT;
        locate(fresh, pendMin);
        if (fresh.node[0] != pendLeaf || fresh.min[0] != pendMin) {
            throw new IllegalStateException("deferred shrink's first value " + Unsigned.hex(pendMin)
                    + " does not lead to its leaf (a leaf boundary moved without a flush)");
        }
        long largest = largestTwo(b, 0, pendMin)[0];
        if (largest != pendNow || pendNow == 0 || !Unsigned.lessThan(pendNow, pendWas) || gapAbove(fresh, 0) != pendWas) {
            throw new IllegalStateException("deferred shrink " + Unsigned.hex(pendWas) + " -> " + Unsigned.hex(pendNow)
                    + " but the leaf's largest free entry is " + Unsigned.hex(largest) + " and its parent records "
                    + Unsigned.hex(gapAbove(fresh, 0)));
        }
    }

    /**
     * The clean bounds the one-pass searches trust: the clean leaf is a leaf of the tree and no
     * free entry of at least {@link #cleanSize} values ends at or above {@link #cleanLo} in a
     * leaf before it; mirrored, nothing of {@link #cleanHighSize} starts at or below
     * {@link #cleanHi} in a leaf after the high clean leaf.
     */
    private void checkClean() {
        if (cleanLeaf < 0 && cleanHighLeaf < 0) {
            return;
        }
        boolean lowSeen = cleanLeaf < 0;
        boolean highSeen = false;
        Path q = new Path();
        locate(q, 0);
        do {
            int n = q.node[0];
            lowSeen |= n == cleanLeaf;
            int b = n << SHIFT;
            for (int i = 0, c = countAt(b); i < c; i++) {
                if (kindOf(nodes[b + KINDS], i) != FREE) {
                    continue;
                }
                long first = entryStart(b, i, q.min[0]);
                long last = nodes[b + PIVOTS + i];
                long size = last - first + 1;
                if (!lowSeen && Unsigned.atLeast(size, cleanSize) && Unsigned.atLeast(last, cleanLo)) {
                    throw new IllegalStateException("free " + Unsigned.hex(first) + ".." + Unsigned.hex(last)
                            + " before the clean leaf holds " + Unsigned.hex(cleanSize) + " ending at or above " + Unsigned.hex(cleanLo));
                }
                if (highSeen && Unsigned.atLeast(size, cleanHighSize) && Unsigned.atMost(first, cleanHi)) {
                    throw new IllegalStateException("free " + Unsigned.hex(first) + ".." + Unsigned.hex(last)
                            + " after the high clean leaf holds " + Unsigned.hex(cleanHighSize) + " starting at or below " + Unsigned.hex(cleanHi));
                }
            }
            highSeen |= n == cleanHighLeaf;
        } while (nextLeaf(q));
        if (!lowSeen || cleanHighLeaf >= 0 && !highSeen) {
            throw new IllegalStateException("a clean leaf is not a leaf of the tree");
        }
    }

    /** The order and merge rules between neighbouring entries, checked in one pass. */
    private static final class SequenceCheck implements EntryAction {
        private boolean first = true;
        private int kind = HOLE;
        private long end;
        private long free;

        @Override
        public void accept(long start, long last, int entryKind, boolean spanStart, boolean tagged) {
            String at = " at " + Unsigned.hex(start);
            if (first ? start != 0 : start != end + 1) {
                throw new IllegalStateException("entries do not tile the space" + at);
            }
            if (spanStart && entryKind == HOLE) {
                throw new IllegalStateException("span start on a hole" + at);
            }
            if (tagged && entryKind != ALLOCATED) {
                throw new IllegalStateException("tag on a segment that is not allocated" + at);
            }
            if (!first && entryKind == HOLE && kind == HOLE) {
                throw new IllegalStateException("adjacent holes" + at);
            }
            if (entryKind != HOLE && kind == HOLE && !spanStart) {
                throw new IllegalStateException("segment after a hole does not start a span" + at);
            }
            if (!first && entryKind == FREE && kind == FREE && !spanStart) {
                throw new IllegalStateException("adjacent free segments in one span" + at);
            }
            if (entryKind == FREE) {
                free++;
            }
            first = false;
            kind = entryKind;
            end = last;
        }
    }

    private long checkNode(int n, int level, long min, long max, int[] nodeCount) {
        nodeCount[0]++;
        int b = n << SHIFT;
        int c = countAt(b);
        boolean isRoot = n == root;
        long[] two = largestTwo(b, level, min);
        long bound = nodes[b] >>> BOUND_SHIFT;
        if (bound != NO_BOUND && Unsigned.lessThan(bound, two[1])) {
            throw new IllegalStateException("bound " + Unsigned.hex(bound) + " on level " + level + " below the second-largest gap "
                    + Unsigned.hex(two[1]));
        }
        if (level == 0 && bound != NO_BOUND && Unsigned.greaterThan(bound, two[0])) {
            throw new IllegalStateException("bound " + Unsigned.hex(bound) + " of a leaf above its largest free entry "
                    + Unsigned.hex(two[0]));
        }
        if (level == 0) {
            if (c > LEAF_CAP || c < (isRoot || max == -1L ? 1 : LEAF_MIN)) {
                throw new IllegalStateException("leaf of " + c + " entries");
            }
            if ((nodes[b + KINDS] & ~lowBits(c)) != 0 || (nodes[b + MARKS] & ~lowBits(c)) != 0) {
                throw new IllegalStateException("bits beyond the entries of a leaf");
            }
            if ((nodes[b + KINDS] & (nodes[b + KINDS] >>> 32) & 0xFFFF_FFFFL) != 0) {
                throw new IllegalStateException("entry both free and a hole");
            }
            long previous = min - 1;
            for (int i = 0; i < c; i++) {
                long pivot = nodes[b + PIVOTS + i];
                if (i > 0 && !Unsigned.greaterThan(pivot, previous) || i == 0 && Unsigned.lessThan(pivot, min)) {
                    throw new IllegalStateException("leaf pivots out of order at " + Unsigned.hex(pivot));
                }
                previous = pivot;
            }
            for (int o = b + PIVOTS + c; o < b + (1 << SHIFT); o++) {
                if (nodes[o] != 0) {
                    throw new IllegalStateException("stale pivot beyond the entries of a leaf");
                }
            }
            if (previous != max) {
                throw new IllegalStateException("leaf ends at " + Unsigned.hex(previous) + ", parent says " + Unsigned.hex(max));
            }
            // The leaf with a deferred shrink counts as its ancestors still see it (checkPending
            // verified its true largest), so that the check observes and changes nothing.
            return n == pendLeaf ? pendWas : two[0];
        }
        if (c > FANOUT || c < (isRoot ? 2 : FANOUT_MIN)) {
            throw new IllegalStateException("internal node of " + c + " children on level " + level);
        }
        long mask = nodes[b + MASK];
        recomputeMask(b);
        if (mask != nodes[b + MASK]) {
            throw new IllegalStateException("gap mask " + Long.toBinaryString(mask) + " on level " + level + ", gaps say "
                    + Long.toBinaryString(nodes[b + MASK]));
        }
        for (int o = b + 1 + 3 * c; o < b + MASK; o++) {
            if (nodes[o] != 0) {
                throw new IllegalStateException("stale slot beyond the children of an internal node");
            }
        }
        long childMin = min;
        long best = 0;
        for (int k = 0; k < c; k++) {
            long pivot = nodes[b + 1 + 3 * k];
            long gap = checkNode(childOf(b, k), level - 1, childMin, pivot, nodeCount);
            if (gap != nodes[b + 2 + 3 * k]) {
                throw new IllegalStateException("gap " + Unsigned.hex(nodes[b + 2 + 3 * k]) + " under "
                        + Unsigned.hex(childMin) + ".." + Unsigned.hex(pivot) + ", largest free entry " + Unsigned.hex(gap));
            }
            best = Unsigned.max(best, gap);
            childMin = pivot + 1;
        }
        if (nodes[b + 1 + 3 * (c - 1)] != max) {
            throw new IllegalStateException("internal node ends at " + Unsigned.hex(nodes[b + 1 + 3 * (c - 1)])
                    + ", parent says " + Unsigned.hex(max));
        }
        return best;
    }

    /** The largest and second-largest gap among the entries or children of block {@code b}, without changing it. */
    private long[] largestTwo(int b, int level, long min) {
        long best = 0;
        long second = 0;
        int c = countAt(b);
        for (int i = 0; i < c; i++) {
            long g;
            if (level == 0) {
                g = kindOf(nodes[b + KINDS], i) == FREE ? nodes[b + PIVOTS + i] - entryStart(b, i, min) + 1 : 0;
            } else {
                g = nodes[b + 2 + 3 * i];
            }
            if (Unsigned.greaterThan(g, best)) {
                second = best;
                best = g;
            } else if (Unsigned.greaterThan(g, second)) {
                second = g;
            }
        }
        return new long[] {best, second};
    }

    /** Nodes in the tree, for memory and balance tests. */
    int liveNodes() {
        return liveNodes;
    }
}
