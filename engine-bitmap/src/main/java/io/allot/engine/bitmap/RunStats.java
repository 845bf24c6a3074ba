package io.allot.engine.bitmap;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The number of maximal free runs and the longest one in a {@link BitTree}, for
 * {@code stats().freeSegments()} and {@code largestFree()}, kept lazily so that allocate and free
 * pay one byte store for them.
 *
 * <h2>Structure</h2>
 * A node for every summary word of the tree: node i of level k covers the units under word i of
 * summary level k (level 1: 64 leaf words, 4096 units; level k: 64<sup>k+1</sup> units). Each node
 * records, for its units alone, the free run at its start ({@code prefix}), the free run at its end
 * ({@code suffix}), its longest free run ({@code max}) and its number of maximal free runs
 * ({@code runs}). Two neighbours combine in O(1): runs add, less one if the left's suffix meets the
 * right's prefix; the longest is the larger of theirs and of that join. Level-1 nodes pack the four
 * numbers (each &le; 4096) into one long: 0.016 bits per unit.
 *
 * <h2>Laziness</h2>
 * The tree marks every node over a changed leaf word ({@link BitTree#changed}: one byte per node,
 * a bit per eighth of it, usually one load per change). {@link #runs()} and {@link #longest()}
 * first recompute the marked nodes bottom-up and clear the marks.
 *
 * <h2>Groups</h2>
 * Once the figures have been asked for {@link #GROUPS_AFTER} times, each node also keeps the
 * figures of its eight groups of eight children (eight leaf words at level 1: 512 units, packed
 * in one long, 0.125 bits per unit; four longs per group above). A marked node then recomputes
 * only its marked groups — eight words, or eight children — and joins its eight groups
 * ({@link RunJoin}), instead of its 64 words or children: a query after one change, as a caller
 * reading {@code stats()} after every operation makes, folds 8 words and joins 8 + 16 figures
 * per level, where it folded 64 words and joined 64 children per level. Once the size classes
 * exist, each group keeps its inner runs' classes too (one more long per group), so best- and
 * instant-fit's refresh is grouped as well. An allocator that asks rarely pays no memory for
 * them; a concurrent tree, whose lock-free writers may lose one another's group bits (never a
 * mark), never creates them. A node whose groups were never computed is recomputed whole, all
 * eight groups. So a query costs
 * O(8 d log<sub>64</sub> n) for d groups changed since the previous query (O(64 d log n) before
 * the groups exist): O(1) amortised over the changes, never a full scan.
 */
final class RunStats {

    /** Eight change marks read as one {@code long}, to skip unmarked children eight at a time. */
    private static final VarHandle MARKS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private static final int FIELD = 13;
    private static final long FIELD_MASK = (1L << FIELD) - 1;
    /** A level-1 node with all 4096 units free. */
    private static final long BLOCK_FREE = pack(4096, 4096, 4096, 1);
    /** Queries after which the groups are created (see "Groups"). */
    static final int GROUPS_AFTER = 16;
    /** A group's first long before its node's groups were first computed: no figure packs to it. */
    private static final long UNSET = -1L;

    private final BitTree bits;
    private final int levels;
    /** Level-1 nodes, packed {@code prefix | suffix << 13 | max << 26 | runs << 39}. */
    private final long[] block;
    /** Levels 2 and up, four longs per node: prefix, suffix, max, runs. */
    private final long[][] upper;
    /**
     * Per node of every level ({@code sizes[k][i]}), the {@link #sizeClass size classes} of its
     * inner free runs: the maximal runs, within the node, that touch neither of its ends (a run
     * touching an end is part of the prefix or suffix and is classed by the ancestor where it
     * stops touching one). Every maximal run of the tree is thus an inner run of exactly one node,
     * or the top node's prefix or suffix; {@link FitSearch} descends only into nodes holding the
     * class it wants. Created by the first search that needs them ({@link #cleanAll}), so an
     * allocator that never searches by size pays no memory for them.
     */
    private long[][] sizes;
    /**
     * The packed figures of every group of eight leaf words, eight per level-1 node (node i's at
     * {@code 8i} to {@code 8i + 7}), as {@link #block} packs a node's; null until the groups are
     * created, {@link #UNSET} at a node's first group until that node's groups are computed.
     */
    private long[] blockGroups;
    /**
     * Levels 2 and up: the figures of every group of eight children, four longs each (prefix,
     * suffix, max, runs), eight groups per node (node i's from {@code 32i}); null until the groups
     * are created, {@link #UNSET} at a node's first long until its groups are computed.
     */
    private long[][] upperGroups;
    /**
     * The inner-run size classes of every group, one long per group, laid out as
     * {@link #blockGroups} (level 1) and one per group above ({@code 8i + g}); they exist exactly
     * when both the groups and {@link #sizes} do, and a group's are computed with its figures.
     */
    private long[] blockGroupClasses;
    private long[][] upperGroupClasses;
    /** The inner-run classes of the latest {@link #foldWithSizes}. */
    private long foldedClasses;
    /** Queries so far, up to {@link #GROUPS_AFTER}. */
    private int queries;
    /** The join every recomputation reuses. */
    private final RunJoin join = new RunJoin();
    /**
     * {@code dirty[k][i]}: which groups of node i of level k are out of date, 0 if none; the
     * tree's change marks.
     */
    private final byte[][] dirty;
    /**
     * Every node has been computed from its children at least once. Until then a node's figures
     * may be the constructor's "wholly free" guess (the nodes over the end, where padding and
     * missing children make them partial), so {@link #clean} recombines every marked node.
     */
    private boolean settled;
    /** Best-fit's index of wide runs, told of every group refolded here; null until it first serves a search. */
    private RunIndex index;

    RunStats(BitTree bits) {
        this.bits = bits;
        this.levels = bits.levels;
        this.block = levels >= 1 ? new long[bits.words(1)] : new long[0];
        Arrays.fill(block, BLOCK_FREE);
        this.upper = new long[levels + 1][];
        this.dirty = bits.changed;
        for (int k = 1; k <= levels; k++) {
            if (k >= 2) {
                long size = nodeSize(k);
                upper[k] = new long[4 * bits.words(k)];
                for (int i = 0; i < bits.words(k); i++) {
                    upper[k][4 * i] = size;
                    upper[k][4 * i + 1] = size;
                    upper[k][4 * i + 2] = size;
                    upper[k][4 * i + 3] = 1;
                }
            }
        }
        // Every node is a wholly free one except those over the end, where padding and missing
        // children make it partial: they all lie on the path of the last leaf word.
        for (int k = 1, i = (bits.words() - 1) >>> 6; k <= levels; k++, i >>>= 6) {
            dirty[k][i] = (byte) 0xff;
        }
    }

    /** Units under one node of level {@code k}. */
    static long nodeSize(int k) {
        return 1L << (6 * (k + 1));
    }

    /** Maximal free runs in the tree. */
    long runs() {
        if (levels == 0) {
            bits.settle(); // a pending unit's bit is still set
            long f = ~bits.leaf[0];
            return Long.bitCount(f & ~(f << 1));
        }
        cleanRoot();
        return field(levels, 0, 3);
    }

    /** Units in the longest free run. */
    long longest() {
        if (levels == 0) {
            bits.settle(); // a pending unit's bit is still set
            return longestRun(~bits.leaf[0]);
        }
        cleanRoot();
        return field(levels, 0, 2);
    }

    /**
     * Brings every node's figures (prefix, suffix, longest run) up to date for a search over them
     * ({@link RunSkip}); the tree has at least one summary level.
     */
    void refresh() {
        cleanRoot();
    }

    /** Brings every node's figures up to date, the change the tree's hint holds unmarked included. */
    private void cleanRoot() {
        bits.flushHint();
        if (blockGroups == null && ++queries >= GROUPS_AFTER && !bits.concurrent()) {
            createGroups();
        }
        clean(levels, 0);
        settled = true;
    }

    /**
     * From now on, tells {@code index} of every group of 512 units whose bits changed since the
     * previous query, as its block is refolded; once, straight after a query.
     */
    void watch(RunIndex index) {
        if (this.index != null) {
            throw new IllegalStateException("the run statistics already report to an index");
        }
        this.index = index;
    }

    /** Creates the groups, every node's unset: each is computed whole when it is next marked. */
    private void createGroups() {
        long[] created = new long[8 * block.length];
        Arrays.fill(created, UNSET);
        long[][] above = new long[levels + 1][];
        for (int k = 2; k <= levels; k++) {
            above[k] = new long[32 * bits.words(k)];
            Arrays.fill(above[k], UNSET);
        }
        upperGroups = above;
        blockGroups = created;
        if (sizes != null) {
            createGroupClasses();
        }
    }

    /** Creates the groups' size classes, the groups and sizes existing, every group unset. */
    private void createGroupClasses() {
        Arrays.fill(blockGroups, UNSET); // each node's groups, classes included, are computed whole when next marked
        blockGroupClasses = new long[blockGroups.length];
        long[][] above = new long[levels + 1][];
        for (int k = 2; k <= levels; k++) {
            Arrays.fill(upperGroups[k], UNSET);
            above[k] = new long[8 * bits.words(k)];
        }
        upperGroupClasses = above;
    }

    /**
     * Recomputes node {@code i} of level {@code k} if it is marked, its marked descendants first.
     *
     * @return whether its figures (or size classes) changed; once every node has been computed
     *         ({@link #settled}), a node none of whose children changed keeps its figures and is
     *         not recombined — an allocation freed again before the next query, as in a best- or
     *         instant-fit allocate and free pair, costs one level-1 fold, not 64 children a level
     */
    private boolean clean(int k, int i) {
        int marked = dirty[k][i] & 0xff;
        if (marked == 0) {
            return false;
        }
        dirty[k][i] = 0;
        if (k == 1) {
            if (index != null) {
                index.dirty(i, marked); // a non-concurrent tree's marks: a bit per group of eight words
            }
            return cleanBlock(i, marked);
        }
        return upperGroups == null ? cleanWhole(k, i) : cleanGroups(k, i, marked);
    }

    /** {@link #clean} of level-1 node {@code i}, whose groups {@code marked} changed. */
    private boolean cleanBlock(int i, int marked) {
        long[] leaf = bits.leaf;
        long before = block[i];
        long classesBefore = sizes == null ? 0 : sizes[1][i];
        long now;
        if (blockGroups == null) {
            if (sizes == null) {
                now = foldNode(leaf, i);
            } else {
                now = foldNodeWithSizes(leaf, i);
                sizes[1][i] = foldedClasses;
            }
        } else {
            int first = i << 6;
            int words = Math.min(64, leaf.length - first);
            long[] classes = blockGroupClasses; // null unless the classes exist
            boolean fresh = blockGroups[8 * i] == UNSET;
            boolean changed = fresh;
            for (int m = fresh ? 0xff : marked; m != 0; m &= m - 1) {
                int g = Integer.numberOfTrailingZeros(m);
                int from = first + 8 * g;
                int to = Math.min(from + 8, first + words);
                long figures = 0;
                long inner = 0;
                if (from < to) {
                    figures = classes == null ? fold(leaf, from, to) : foldWithSizes(leaf, from, to);
                    inner = classes == null ? 0 : foldedClasses;
                }
                changed |= figures != blockGroups[8 * i + g];
                blockGroups[8 * i + g] = figures;
                if (classes != null) {
                    changed |= inner != classes[8 * i + g];
                    classes[8 * i + g] = inner;
                }
            }
            if (!changed && settled) {
                return false;
            }
            now = joinBlockGroups(i, words);
            if (classes != null) {
                sizes[1][i] = join.classes;
            }
        }
        block[i] = now;
        return now != before || (sizes != null && sizes[1][i] != classesBefore);
    }

    /**
     * Level-1 node {@code i}'s packed figures from its groups, their size classes joined too when
     * they exist; it has {@code words} leaf words.
     */
    private long joinBlockGroups(int i, int words) {
        RunJoin j = join.reset();
        long[] classes = blockGroupClasses;
        for (int g = 0; 8 * g < words; g++) {
            long x = blockGroups[8 * i + g];
            long p = x & FIELD_MASK;
            long s = x >>> FIELD & FIELD_MASK;
            long m = x >>> 2 * FIELD & FIELD_MASK;
            long r = x >>> 3 * FIELD & FIELD_MASK;
            long units = 64L * Math.min(8, words - 8 * g);
            if (classes == null) {
                j.add(p, s, m, r, units);
            } else {
                j.addClassed(p, s, m, r, units, classes[8 * i + g]);
            }
        }
        if (words < 64) {
            j.closeEnd();
        }
        return pack(j.prefix, j.suffix, j.max, j.runs);
    }

    /** {@link #clean} of node {@code i} of level {@code k} &ge; 2 from all its children (no groups). */
    private boolean cleanWhole(int k, int i) {
        int first = i << 6;
        int end = Math.min(first + 64, bits.words(k - 1));
        boolean below = false;
        byte[] marks = dirty[k - 1];
        for (int c = first; c < end; c++) {
            if (c + 8 <= end && (long) MARKS.get(marks, c) == 0) {
                c += 7; // eight unmarked children at once: a node's 64 marks are eight loads
                continue;
            }
            below |= clean(k - 1, c);
        }
        if (!below && settled) {
            return false;
        }
        return storeNode(k, i, joinChildren(k, first, end));
    }

    /** {@link #clean} of node {@code i} of level {@code k} &ge; 2, whose groups {@code marked} changed. */
    private boolean cleanGroups(int k, int i, int marked) {
        int first = i << 6;
        int end = Math.min(first + 64, bits.words(k - 1));
        long[] groups = upperGroups[k];
        long[] classes = upperGroupClasses == null ? null : upperGroupClasses[k];
        boolean fresh = groups[32 * i] == UNSET;
        boolean changed = fresh;
        for (int m = fresh ? 0xff : marked; m != 0; m &= m - 1) {
            int g = Integer.numberOfTrailingZeros(m);
            int from = first + 8 * g;
            if (from >= end) {
                continue; // a group past the last child, never read
            }
            int to = Math.min(from + 8, end);
            boolean inGroup = false;
            for (int c = from; c < to; c++) {
                inGroup |= clean(k - 1, c);
            }
            if (inGroup || fresh || !settled) {
                RunJoin j = joinChildren(k, from, to);
                changed |= storeFigures(j, groups, 32 * i + 4 * g);
                if (classes != null) {
                    changed |= classes[8 * i + g] != j.classes;
                    classes[8 * i + g] = j.classes;
                }
            }
        }
        if (!changed && settled) {
            return false;
        }
        RunJoin j = join.reset();
        long childSize = nodeSize(k - 1);
        for (int g = 0, c = first; c < end; g++, c += 8) {
            int o = 32 * i + 4 * g;
            long units = childSize * Math.min(8, end - c);
            if (classes == null) {
                j.add(groups[o], groups[o + 1], groups[o + 2], groups[o + 3], units);
            } else {
                j.addClassed(groups[o], groups[o + 1], groups[o + 2], groups[o + 3], units, classes[8 * i + g]);
            }
        }
        return storeNode(k, i, j);
    }

    /**
     * The join of children {@code [from, to)} of level {@code k} - 1, their size classes joined
     * too when they exist.
     */
    private RunJoin joinChildren(int k, int from, int to) {
        RunJoin j = join.reset();
        long childSize = nodeSize(k - 1);
        long[] classes = sizes == null ? null : sizes[k - 1];
        for (int c = from; c < to; c++) {
            long p = field(k - 1, c, 0);
            long s = field(k - 1, c, 1);
            long m = field(k - 1, c, 2);
            long r = field(k - 1, c, 3);
            if (classes == null) {
                j.add(p, s, m, r, childSize);
            } else {
                j.addClassed(p, s, m, r, childSize, classes[c]);
            }
        }
        return j;
    }

    /**
     * Stores {@code j}'s figures in the four longs of {@code out} at {@code at} (a group's, or a
     * node's in {@link #upper}); whether they changed.
     */
    private static boolean storeFigures(RunJoin j, long[] out, int at) {
        boolean changed = out[at] != j.prefix || out[at + 1] != j.suffix || out[at + 2] != j.max || out[at + 3] != j.runs;
        out[at] = j.prefix;
        out[at + 1] = j.suffix;
        out[at + 2] = j.max;
        out[at + 3] = j.runs;
        return changed;
    }

    /**
     * Stores the join of node {@code i}'s children (or groups) as its figures and, when they
     * exist, its size classes, closing its end first if children are missing; whether either
     * changed.
     */
    private boolean storeNode(int k, int i, RunJoin j) {
        if ((i << 6) + 64 > bits.words(k - 1)) {
            j.closeEnd();
        }
        boolean changed = storeFigures(j, upper[k], 4 * i);
        if (sizes != null) {
            changed |= sizes[k][i] != j.classes;
            sizes[k][i] = j.classes;
        }
        return changed;
    }

    /**
     * Brings every node up to date, size classes included, for a search over them; the first call
     * creates the classes, computing every node's once (O(n / 64)).
     */
    void cleanAll() {
        if (levels == 0) {
            return;
        }
        cleanRoot();
        if (sizes == null) {
            long[][] created = new long[levels + 1][];
            for (int k = 1; k <= levels; k++) {
                created[k] = new long[bits.words(k)];
            }
            sizes = created;
            for (int i = 0; i < created[1].length; i++) {
                block[i] = foldNodeWithSizes(bits.leaf, i); // the same stats, and now the classes
                created[1][i] = foldedClasses;
            }
            for (int k = 2; k <= levels; k++) {
                for (int i = 0; i < created[k].length; i++) {
                    int first = i << 6;
                    storeNode(k, i, joinChildren(k, first, Math.min(first + 64, bits.words(k - 1))));
                }
            }
            if (blockGroups != null) {
                createGroupClasses();
            }
        }
    }

    /**
     * As {@link #foldNode}, and leaves the node's inner-run classes in {@link #foldedClasses}, a
     * run that the missing words past the tree's end close counting as inner.
     */
    private long foldNodeWithSizes(long[] leaf, int i) {
        int first = i << 6;
        int end = Math.min(first + 64, leaf.length);
        long figures = foldWithSizes(leaf, first, end);
        if (end - first < 64) {
            long suffix = figures >>> FIELD & FIELD_MASK;
            if (suffix > 0 && (figures & FIELD_MASK) != 64L * (end - first)) {
                foldedClasses |= 1L << sizeClass(suffix); // a run that began after the node's start
            }
            figures &= ~(FIELD_MASK << FIELD);
        }
        return figures;
    }

    /**
     * As {@link #fold}, and leaves in {@link #foldedClasses} the classes of the inner runs of leaf
     * words {@code [first, end)} (those touching neither end): one pass over the words that meets
     * every run (the longest among them), instead of a longest-run count per word, so a search's
     * recomputation costs O(words + runs).
     */
    private long foldWithSizes(long[] leaf, int first, int end) {
        long prefix = 0;
        long suffix = 0; // the free run open at the current word's start
        long max = 0;
        long runs = 0;
        long size = 0;
        long classes = 0;
        boolean atStart = true; // that run began at the range's start
        for (int w = first; w < end; w++, size += 64) {
            long x = leaf[w];
            long f = ~x;
            int p = Long.numberOfTrailingZeros(x);
            runs += Long.bitCount(f & ~(f << 1)) - (suffix > 0 && p > 0 ? 1 : 0);
            if (prefix == size) {
                prefix += p;
            }
            if (x == 0) {
                suffix += 64;
                continue;
            }
            long join = suffix + p;
            max = Math.max(max, join);
            if (join > 0 && !atStart) {
                classes |= 1L << sizeClass(join);
            }
            atStart = false;
            int s = Long.numberOfLeadingZeros(x);
            long inner = innerRuns(x, p, s);
            while (inner != 0) {
                int t = Long.numberOfTrailingZeros(inner);
                int len = Long.numberOfTrailingZeros(~(inner >>> t));
                max = Math.max(max, len);
                classes |= 1L << sizeClass(len);
                inner &= ~(((1L << len) - 1) << t);
            }
            suffix = s;
        }
        foldedClasses = classes;
        return pack(prefix, suffix, Math.max(max, suffix), runs);
    }

    /**
     * The free bits of non-zero word {@code x} that touch neither of its ends; {@code p} and
     * {@code s} its trailing and leading zeros (the free runs at its ends).
     */
    static long innerRuns(long x, int p, int s) {
        long f = ~x & (-1L << p); // p < 64: x != 0
        return s == 0 ? f : f & (-1L >>> s);
    }

    /**
     * The class of a run of {@code units} (&ge; 1) units: 0 to 31 for exactly 1 to 32 units, then
     * one class per power of two, {@code 27 + floor(log2 units)} (33 to 63 units share class 32),
     * up to 59 for 2<sup>32</sup>.
     */
    static int sizeClass(long units) {
        return units <= 32 ? (int) units - 1 : 90 - Long.numberOfLeadingZeros(units);
    }

    /** The fewest units of a run of class {@code c}. */
    static long classLow(int c) {
        return c < 32 ? c + 1 : c == 32 ? 33 : 1L << (c - 27);
    }

    /** Whether class {@code c} holds runs of one size only. */
    static boolean exactClass(int c) {
        return c < 32;
    }

    /** The inner-run classes of node {@code i} of level {@code k}; clean after {@link #cleanAll}. */
    long sizes(int k, int i) {
        return sizes[k][i];
    }

    /** Nodes at level {@code k}, 1 &le; k &le; levels. */
    int nodes(int k) {
        return bits.words(k);
    }

    /** The prefix (free units at its start) of node {@code i} of level {@code k}. */
    long prefix(int k, int i) {
        return field(k, i, 0);
    }

    /** The suffix (free units at its end) of node {@code i} of level {@code k}. */
    long suffix(int k, int i) {
        return field(k, i, 1);
    }

    /** The longest free run inside node {@code i} of level {@code k}. */
    long max(int k, int i) {
        return field(k, i, 2);
    }

    /** The packed stats of level-1 node {@code i}: its (up to) 64 leaf words folded in order. */
    private static long foldNode(long[] leaf, int i) {
        int first = i << 6;
        int end = Math.min(first + 64, leaf.length);
        long figures = fold(leaf, first, end);
        return end - first < 64 ? figures & ~(FIELD_MASK << FIELD) : figures; // missing words close the node
    }

    /**
     * The packed stats of leaf words {@code [first, end)} (at most 64) folded in order, the free run
     * open at {@code end} as the suffix.
     */
    private static long fold(long[] leaf, int first, int end) {
        long prefix = 0;
        long suffix = 0;
        long max = 0;
        long runs = 0;
        long size = 0;
        for (int w = first; w < end; w++, size += 64) {
            long x = leaf[w];
            if (x == -1L) {
                // Nothing free: the run open before it ends (max has counted it already, as the
                // word before's own run or the join into a wholly free word). The commonest word of
                // a dense space (ids, PIDs near exhaustion), whose block stats() refolds each call.
                suffix = 0;
                continue;
            }
            long f = ~x;
            long p = Long.numberOfTrailingZeros(x);
            long s = Long.numberOfLeadingZeros(x);
            runs += Long.bitCount(f & ~(f << 1)) - (suffix > 0 && p > 0 ? 1 : 0);
            max = Math.max(max, suffix + p);
            if (Long.bitCount(f) > max && atLeast(f, (int) max + 1) != 0) {
                // Only then is a run inside the word the longest so far: counting its length is
                // the fold's dearest step, and the test (max < 64 here) is cheaper while max is small.
                max = longestRun(f);
            }
            if (prefix == size) {
                prefix += p;
            }
            suffix = s == 64 ? suffix + 64 : s;
        }
        return pack(prefix, suffix, max, runs);
    }

    /**
     * For tests, straight after a query (every node clean): every node's figures and size classes,
     * and every computed group's, are those a fresh fold of the leaf words gives.
     *
     * @throws IllegalStateException naming the first node or group that differs
     */
    void checkInvariants() {
        if (levels == 0) {
            return;
        }
        long[] leaf = bits.leaf;
        for (int i = 0; i < block.length; i++) {
            expect(block[i] == foldNodeWithSizes(leaf, i), "level-1 node " + i);
            expect(sizes == null || sizes[1][i] == foldedClasses, "the classes of level-1 node " + i);
            if (blockGroups != null && blockGroups[8 * i] != UNSET) {
                int first = i << 6;
                int words = Math.min(64, leaf.length - first);
                for (int g = 0; g < 8; g++) {
                    int from = first + 8 * g;
                    boolean exists = 8 * g < words;
                    long fresh = exists ? foldWithSizes(leaf, from, Math.min(from + 8, first + words)) : 0;
                    expect(blockGroups[8 * i + g] == fresh, "group " + g + " of level-1 node " + i);
                    expect(blockGroupClasses == null || blockGroupClasses[8 * i + g] == (exists ? foldedClasses : 0),
                            "the classes of group " + g + " of level-1 node " + i);
                }
            }
        }
        long[] scratch = new long[4];
        for (int k = 2; k <= levels; k++) {
            for (int i = 0; i < bits.words(k); i++) {
                int first = i << 6;
                int end = Math.min(first + 64, bits.words(k - 1));
                RunJoin j = joinChildren(k, first, end);
                if (end - first < 64) {
                    j.closeEnd();
                }
                storeFigures(j, scratch, 0);
                for (int f = 0; f < 4; f++) {
                    expect(upper[k][4 * i + f] == scratch[f], "field " + f + " of level-" + k + " node " + i);
                }
                expect(sizes == null || sizes[k][i] == j.classes, "the classes of level-" + k + " node " + i);
                if (upperGroups != null && upperGroups[k][32 * i] != UNSET) {
                    for (int g = 0; first + 8 * g < end; g++) {
                        j = joinChildren(k, first + 8 * g, Math.min(first + 8 * g + 8, end));
                        storeFigures(j, scratch, 0);
                        for (int f = 0; f < 4; f++) {
                            expect(upperGroups[k][32 * i + 4 * g + f] == scratch[f], "field " + f + " of group " + g
                                    + " of level-" + k + " node " + i);
                        }
                        expect(upperGroupClasses == null || upperGroupClasses[k][8 * i + g] == j.classes,
                                "the classes of group " + g + " of level-" + k + " node " + i);
                    }
                }
            }
        }
    }

    private static void expect(boolean holds, String what) {
        if (!holds) {
            throw new IllegalStateException("run statistics: " + what + " differs from a fresh fold");
        }
    }

    /** Whether the groups exist (see "Groups"). For tests. */
    boolean grouped() {
        return blockGroups != null;
    }

    /** Bytes of the arrays, without object headers. */
    long bytes() {
        long b = 8L * block.length + (blockGroups == null ? 0 : 8L * blockGroups.length)
                + (blockGroupClasses == null ? 0 : 8L * blockGroupClasses.length);
        for (int k = 1; k <= levels; k++) {
            b += upperGroups == null || upperGroups[k] == null ? 0 : 8L * upperGroups[k].length;
            b += upperGroupClasses == null || upperGroupClasses[k] == null ? 0 : 8L * upperGroupClasses[k].length;
            b += dirty[k].length + (sizes == null ? 0 : 8L * sizes[k].length) + (upper[k] == null ? 0 : 8L * upper[k].length); // marks are the tree's
        }
        return b;
    }

    /** Field {@code f} (0 prefix, 1 suffix, 2 max, 3 runs) of node {@code i} of level {@code k}. */
    private long field(int k, int i, int f) {
        if (k == 1) {
            return (block[i] >>> (FIELD * f)) & FIELD_MASK;
        }
        return upper[k][4 * i + f];
    }

    private static long pack(long prefix, long suffix, long max, long runs) {
        return prefix | suffix << FIELD | max << (2 * FIELD) | runs << (3 * FIELD);
    }

    /**
     * The bits at which {@code f} has at least {@code n} (1 &le; n &le; 64) set bits in a row
     * upwards: doubling shifts, then one for the remainder.
     */
    static long atLeast(long f, int n) {
        long x = f;
        int have = 1; // x has bit i iff f has `have` ones from bit i up
        while (x != 0 && have * 2 <= n) {
            x &= x >>> have;
            have *= 2;
        }
        int rest = n - have; // 0 <= rest < have
        return rest == 0 ? x : x & x >>> rest;
    }

    /** The longest run of set bits in {@code f}: doubling, then halving, O(log 64) steps. */
    static int longestRun(long f) {
        if (f == 0) {
            return 0;
        }
        if (f == -1L) {
            return 64;
        }
        // x has bit i set iff f has n ones from bit i up.
        long x = f;
        int n = 1;
        while (true) {
            long y = x & (x >>> n);
            if (y == 0) {
                break;
            }
            x = y;
            n <<= 1;
        }
        for (int s = n >>> 1; s > 0; s >>>= 1) {
            long y = x & (x >>> s);
            if (y != 0) {
                x = y;
                n += s;
            }
        }
        return n;
    }
}
