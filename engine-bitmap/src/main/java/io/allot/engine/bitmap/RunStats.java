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
 * usually one load per change). {@link #runs()} and {@link #longest()} first recompute the marked
 * nodes bottom-up — a level-1 node from its 64 words, a higher node from its 64 children — and
 * clear the marks. So a query costs O(64 d log<sub>64</sub> n) for d level-1 nodes changed since
 * the previous query: O(1) amortised over the changes, never a full scan.
 */
final class RunStats {

    /** Eight change marks read as one {@code long}, to skip unmarked children eight at a time. */
    private static final VarHandle MARKS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private static final int FIELD = 13;
    private static final long FIELD_MASK = (1L << FIELD) - 1;
    /** A level-1 node with all 4096 units free. */
    private static final long BLOCK_FREE = pack(4096, 4096, 4096, 1);

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
    /** {@code dirty[k][i] != 0}: node i of level k is out of date; the tree's change marks. */
    private final byte[][] dirty;
    /**
     * Every node has been computed from its children at least once. Until then a node's figures
     * may be the constructor's "wholly free" guess (the nodes over the end, where padding and
     * missing children make them partial), so {@link #clean} recombines every marked node.
     */
    private boolean settled;

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
            dirty[k][i] = 1;
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
        clean(levels, 0);
        settled = true;
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
        if (dirty[k][i] == 0) {
            return false;
        }
        dirty[k][i] = 0;
        if (k == 1) {
            long before = block[i];
            long classesBefore = sizes == null ? 0 : sizes[1][i];
            long now = sizes == null ? fold(bits.leaf, i) : foldWithSizes(bits.leaf, i);
            block[i] = now;
            return now != before || (sizes != null && sizes[1][i] != classesBefore);
        }
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
        boolean changed = combine(k, i, first, end);
        if (sizes != null) {
            changed |= combineSizesInto(k, i, first, end);
        }
        return changed;
    }

    /** Stores node {@code i}'s size classes; whether they changed. */
    private boolean combineSizesInto(int k, int i, int first, int end) {
        long before = sizes[k][i];
        long now = combineSizes(k, first, end);
        sizes[k][i] = now;
        return now != before;
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
                block[i] = foldWithSizes(bits.leaf, i); // the same stats, and now the classes
            }
            for (int k = 2; k <= levels; k++) {
                for (int i = 0; i < created[k].length; i++) {
                    int first = i << 6;
                    created[k][i] = combineSizes(k, first, Math.min(first + 64, bits.words(k - 1)));
                }
            }
        }
    }

    /**
     * As {@link #fold}, and stores the node's inner-run classes in {@code sizes[1][i]}: one pass
     * over the words that meets every run (the longest among them), instead of a longest-run
     * count per word, so a search's recomputation costs O(64 + runs in the node).
     */
    private long foldWithSizes(long[] leaf, int i) {
        int first = i << 6;
        int end = Math.min(first + 64, leaf.length);
        long prefix = 0;
        long suffix = 0; // the free run open at the current word's start
        long max = 0;
        long runs = 0;
        long size = 0;
        long classes = 0;
        boolean atStart = true; // that run began at the node's start
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
        max = Math.max(max, suffix);
        if (end - first < 64) {
            if (suffix > 0 && !atStart) {
                classes |= 1L << sizeClass(suffix); // missing words close the node
            }
            suffix = 0;
        }
        sizes[1][i] = classes;
        return pack(prefix, suffix, max, runs);
    }

    /**
     * The free bits of non-zero word {@code x} that touch neither of its ends; {@code p} and
     * {@code s} its trailing and leading zeros (the free runs at its ends).
     */
    static long innerRuns(long x, int p, int s) {
        long f = ~x & (-1L << p); // p < 64: x != 0
        return s == 0 ? f : f & (-1L >>> s);
    }

    /** The size classes of node {@code k}'s inner runs from its children {@code [first, end)}. */
    private long combineSizes(int k, int first, int end) {
        long childSize = nodeSize(k - 1);
        long[] below = sizes[k - 1];
        long classes = 0;
        long carry = 0;
        boolean atStart = true;
        for (int c = first; c < end; c++) {
            classes |= below[c];
            long p = field(k - 1, c, 0);
            if (p == childSize) {
                carry += childSize;
                continue;
            }
            long join = carry + p;
            if (join > 0 && !atStart) {
                classes |= 1L << sizeClass(join);
            }
            atStart = false;
            carry = field(k - 1, c, 1);
        }
        if (end - first < 64 && carry > 0 && !atStart) {
            classes |= 1L << sizeClass(carry);
        }
        return classes;
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
    private static long fold(long[] leaf, int i) {
        int first = i << 6;
        int end = Math.min(first + 64, leaf.length);
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
        if (end - first < 64) {
            suffix = 0; // missing words close the node
        }
        return pack(prefix, suffix, max, runs);
    }

    /** Node {@code i} of level {@code k} from its children {@code [first, end)} of level k-1; whether it changed. */
    private boolean combine(int k, int i, int first, int end) {
        long childSize = nodeSize(k - 1);
        long prefix = 0;
        long suffix = 0;
        long max = 0;
        long runs = 0;
        long size = 0;
        for (int c = first; c < end; c++) {
            long p = field(k - 1, c, 0);
            long s = field(k - 1, c, 1);
            runs += field(k - 1, c, 3) - (suffix > 0 && p > 0 ? 1 : 0);
            max = Math.max(Math.max(max, suffix + p), field(k - 1, c, 2));
            if (prefix == size) {
                prefix += p;
            }
            suffix = s == childSize ? suffix + childSize : s;
            size += childSize;
        }
        if (end - first < 64) {
            suffix = 0;
        }
        long[] u = upper[k];
        boolean changed = u[4 * i] != prefix || u[4 * i + 1] != suffix || u[4 * i + 2] != max || u[4 * i + 3] != runs;
        u[4 * i] = prefix;
        u[4 * i + 1] = suffix;
        u[4 * i + 2] = max;
        u[4 * i + 3] = runs;
        return changed;
    }

    /** Bytes of the arrays, without object headers. */
    long bytes() {
        long b = 8L * block.length;
        for (int k = 1; k <= levels; k++) {
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
