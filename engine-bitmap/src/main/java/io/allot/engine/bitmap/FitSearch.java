package io.allot.engine.bitmap;

import io.allot.Request;
import io.allot.internal.Placement;
import io.allot.internal.Unsigned;

import java.util.Arrays;

/**
 * Best-fit's and instant-fit's search in one span: the lowest placement in the smallest maximal
 * free run of at least a given size (its whole size, not clipped to the window) that meets the
 * window and holds a placement; ties to the lower address.
 *
 * <p>It reads {@link RunStats}' size classes instead of walking every free run: for each class
 * from the wanted size's up, it descends only into nodes whose inner runs include that class, in
 * address order, and stops as soon as no later class can beat what it holds — at once on the
 * first placement in a class of one size (sizes 1 to 32 units), or on a run of exactly the wanted
 * size. A node's inner runs are classed by the node (those touching none of its ends), so each
 * maximal run is met at exactly one node; the top node's prefix and suffix are tried first.
 *
 * <p>The classes above 32 units span a power of two each, so the walk of one meets all its runs
 * unless one has exactly the wanted size. When such walks meet more than {@link #INDEX_ABOVE}
 * runs on average, the wide classes come from {@link RunIndex} instead, smallest run first; see
 * {@link #byIndex} for the choice, which never changes an answer.
 *
 * <p>Cost: O(64 c log<sub>64</sub> n) to reach the first candidate of a class, c the classes
 * tried, plus 64 word or child reads per node holding the class on the way to each further run of
 * that class met before the answer; worst case (runs of the wanted class that all fail the window
 * or alignment, or a wide class above 32 units with no run of exactly the wanted size) still
 * O(runs), and for the wide classes O(log w) plus the index's refresh while the index serves.
 * Before it, {@link RunStats#cleanAll} recomputes the nodes changed since the last search or
 * statistics query: O(8 log<sub>64</sub> n) per changed group of 512 units (O(64
 * log<sub>64</sub> n) per changed block of 4096 before the statistics' groups exist).
 *
 * <p>Holds the search's state in fields, so a search allocates nothing; one per span, used only
 * on the exclusive path (not thread-safe).
 */
final class FitSearch {

    private final SpanBitmap span;
    private final RunStats stats;
    private final long[] leaf;
    private final int levels;
    private final boolean concurrent;
    /** Best-fit's index of wide runs ({@link #searchIndex}); null until it first serves a search. */
    private RunIndex index;

    // The search in hand.
    private Request request;
    private long minUnits;
    private long p;
    private long last;
    private int wanted;
    /** The search is instant-fit's for an unconstrained request: any run of the lowest power-of-two class will do. */
    private boolean instant;
    /** Whether a placement is held, its run's size in units and its first value. */
    boolean found;
    /** Whether the last {@link #consider} took its run. */
    private boolean took;
    long bestUnits;
    long bestStart;

    FitSearch(SpanBitmap span, RunStats stats, BitTree bits) {
        this.span = span;
        this.stats = stats;
        this.leaf = bits.leaf;
        this.levels = bits.levels;
        this.concurrent = bits.concurrent();
    }

    /**
     * Looks for a better placement than the one held ({@code found}, {@code bestUnits},
     * {@code bestStart}: from a lower span, or none) in runs of at least {@code minUnits} units
     * meeting units {@code [p, last]}, and holds it instead. The tree has at least one summary
     * level.
     */
    void search(Request r, long minUnits, long p, long last, boolean found, long bestUnits, long bestStart) {
        search(r, minUnits, p, last, found, bestUnits, bestStart, false);
    }

    /**
     * As {@link #search(Request, long, long, long, boolean, long, long)}; with {@code instant}
     * (an unconstrained instant-fit request, which any run of the lowest power-of-two class
     * holding one of at least {@code minUnits} units satisfies), the first run found in address
     * order within the lowest size class that has one ends the search, as does a held run of
     * that power-of-two class: a wide class is not walked to its end for the smallest member.
     */
    void search(Request r, long minUnits, long p, long last, boolean found, long bestUnits, long bestStart,
                boolean instant) {
        this.instant = instant;
        this.request = r;
        this.minUnits = minUnits;
        this.p = p;
        this.last = last;
        this.found = found;
        this.bestUnits = bestUnits;
        this.bestStart = bestStart;
        stats.cleanAll();
        int top = levels;
        long size = RunStats.nodeSize(top);
        long prefix = stats.prefix(top, 0);
        long suffix = stats.suffix(top, 0);
        // Whether the run held lies below every run still to try (it came from a lower span, or
        // is this span's first run): then one of exactly the wanted size ends the search.
        boolean lowest = found;
        if (prefix > 0) {
            took = false;
            consider(0, prefix - 1);
            lowest |= took;
        }
        if (suffix > 0 && prefix < size) {
            took = false;
            consider(size - suffix, size - 1);
            lowest &= !took;
        }
        if (this.found && lowest && !instant && this.bestUnits == minUnits) {
            return;
        }
        if (minUnits > BitmapCore.MAX_UNITS) {
            return;
        }
        long classes = stats.sizes(top, 0) & (-1L << RunStats.sizeClass(minUnits));
        // A smallest-run search (not an unconstrained instant-fit's, which wants the first run of a
        // class in address order) on a tree only this thread changes, over a window of at least
        // half the span, may take the wide classes from the index: it orders runs by size alone, so
        // a narrow window would refuse most of those it tries, where the walk descends only into
        // the window.
        boolean indexable = !instant && !concurrent && last - p >= span.units / 2;
        long walkedFrom = -1;
        while (classes != 0) {
            int c = Long.numberOfTrailingZeros(classes);
            classes &= classes - 1;
            if (this.found && (instant ? log2(this.bestUnits) <= log2(RunStats.classLow(c))
                    : this.bestUnits < RunStats.classLow(c))) {
                break; // every run of this class and above is bigger (instant: of no lower power of two)
            }
            if (c >= WIDE_CLASS && walkedFrom < 0) {
                if (indexable && byIndex()) {
                    searchIndex(Math.max(minUnits, RunIndex.WIDE)); // every class from here on, smallest run first
                    return;
                }
                walkedFrom = considered;
            }
            wanted = c;
            walk(top, 0, 0);
        }
        if (indexable && walkedFrom >= 0) {
            learn(considered - walkedFrom);
        }
    }

    /** The first class of more than one size: its runs and every larger one are in {@link #index}. */
    private static final int WIDE_CLASS = RunStats.sizeClass(RunIndex.WIDE);

    // The choice between walk and index. The walk's cost is the runs it meets, and in a space
    // where a run of the wanted size is usually near the start (the dma workload: 14 on average)
    // it beats the index, whose refresh of the groups changed since the last search is paid on
    // every search; where a wide class holds thousands of runs and few of exactly the size (the
    // fragmenter workload: 285 on average, up to 4,000) the index is about 7 times faster. So the
    // search walks, keeping a moving mean of the runs its wide walks met, and turns to the index
    // once that mean passes INDEX_ABOVE; it then walks one search in PROBE_EVERY to keep the mean
    // current, and turns back below WALK_BELOW. Either way the answer is the same.

    /** Runs met by a wide walk, on average, above which the index serves the wide classes. */
    private static final int INDEX_ABOVE = 64;
    /** Runs met by a wide walk, on average, below which the walk serves them again. */
    private static final int WALK_BELOW = 16;
    /** A walk counts as at most this many runs, so that one of a huge class does not hold the mean up for long. */
    private static final long WALK_CAP = 1024;
    /** While the index serves, one eligible search in this many walks instead, to measure the walk. */
    private static final int PROBE_EVERY = 64;
    /** Runs {@link #consider}ed, ever: the walk's cost. */
    private long considered;
    /**
     * 16 times the moving mean (weight 1/16: a few long walks in a space of short ones, as
     * {@code dma} has, do not tip it) of the runs met by wide walks.
     */
    private long walkMean16;
    private boolean indexServes;
    private int untilProbe;
    /** For tests: the index serves every eligible search, and the mean decides nothing. */
    private boolean pinned;

    /** For tests: the index serves every eligible search from now on. */
    void indexAlways() {
        pinned = true;
        indexServes = true;
    }

    /** Whether the index serves wide classes now: it has served, or is about to serve, a search. */
    boolean indexServes() {
        return indexServes;
    }

    /** Whether this eligible search should take the wide classes from the index (see above). */
    private boolean byIndex() {
        if (pinned) {
            return true;
        }
        if (!indexServes) {
            return false;
        }
        if (--untilProbe > 0) {
            return true;
        }
        untilProbe = PROBE_EVERY;
        return false;
    }

    /** A wide walk met {@code runs} runs: updates the mean, and which of walk and index serves. */
    private void learn(long runs) {
        if (pinned) {
            return;
        }
        walkMean16 += (Math.min(runs, WALK_CAP) * 16 - walkMean16) >> 4;
        if (!indexServes && walkMean16 > INDEX_ABOVE * 16) {
            indexServes = true;
            untilProbe = PROBE_EVERY;
        } else if (indexServes && walkMean16 < WALK_BELOW * 16) {
            indexServes = false;
        }
    }

    /**
     * The wide classes, from {@link #index} (created here the first time: a scan of the span's
     * runs): runs of at least {@code from} units in (size, start) order, until one holds a
     * placement or every later one is bigger than the one held.
     */
    private void searchIndex(long from) {
        RunIndex runs = index;
        if (runs == null) {
            runs = new RunIndex(span); // from the bits as they are; the statistics are clean (search's cleanAll)
            stats.watch(runs);
            index = runs;
        } else {
            runs.sync();
        }
        for (int n = runs.smallestAtLeast(from); n != RunIndex.NIL; n = runs.nextBySize(n)) {
            long units = runs.size(n);
            if (found && units > bestUnits) {
                return;
            }
            long a = runs.start(n);
            took = false;
            consider(a, a + units - 1);
            if (took) {
                return; // every later run is bigger, or as big and higher
            }
        }
    }

    /** The index of wide runs, or null until a search needs it. */
    RunIndex index() {
        return index;
    }

    /**
     * Tries, in address order, the runs of class {@link #wanted} that are inner runs of node
     * {@code i} of level {@code k} (first unit {@code base}) or of its descendants; true to stop the
     * class.
     */
    private boolean walk(int k, int i, long base) {
        if (k == 1) {
            return walkWords(i, base);
        }
        long childSize = RunStats.nodeSize(k - 1);
        long bit = 1L << wanted;
        int first = i << 6;
        int end = first + 64;
        int children = childCount(k - 1);
        if (end > children) {
            end = children;
        }
        long carry = 0;
        long carryStart = 0;
        boolean atStart = true;
        long cBase = base;
        for (int c = first; c < end; c++, cBase += childSize) {
            if (cBase > last && (carry == 0 || carryStart > last)) {
                return false; // nothing further meets the window
            }
            long prefix = stats.prefix(k - 1, c);
            if (prefix == childSize) {
                if (carry == 0) {
                    carryStart = cBase;
                }
                carry += childSize;
                continue;
            }
            long join = carry + prefix;
            if (join > 0 && !atStart && RunStats.sizeClass(join) == wanted) {
                long a = carry > 0 ? carryStart : cBase;
                if (consider(a, a + join - 1)) {
                    return true;
                }
            }
            atStart = false;
            if ((stats.sizes(k - 1, c) & bit) != 0 && cBase + childSize - 1 >= p && cBase <= last
                    && walk(k - 1, c, cBase)) {
                return true;
            }
            carry = stats.suffix(k - 1, c);
            carryStart = cBase + childSize - carry;
        }
        return end - first < 64 && carry > 0 && !atStart && RunStats.sizeClass(carry) == wanted
                && consider(carryStart, carryStart + carry - 1);
    }

    /** As {@link #walk} for a level-1 node: its runs from the leaf words. */
    private boolean walkWords(int i, long base) {
        int first = i << 6;
        int end = Math.min(first + 64, leaf.length);
        long carry = 0;
        long carryStart = 0;
        boolean atStart = true;
        long wBase = base;
        for (int w = first; w < end; w++, wBase += 64) {
            if (wBase > last && (carry == 0 || carryStart > last)) {
                return false;
            }
            long x = leaf[w];
            if (x == 0) {
                if (carry == 0) {
                    carryStart = wBase;
                }
                carry += 64;
                continue;
            }
            int pre = Long.numberOfTrailingZeros(x);
            long join = carry + pre;
            if (join > 0 && !atStart && RunStats.sizeClass(join) == wanted) {
                long a = carry > 0 ? carryStart : wBase;
                if (consider(a, a + join - 1)) {
                    return true;
                }
            }
            atStart = false;
            int suf = Long.numberOfLeadingZeros(x);
            if (wanted <= 32 && wBase + 63 >= p && wBase <= last) { // a word's inner runs are below 63 units
                long inner = RunStats.innerRuns(x, pre, suf);
                while (inner != 0) {
                    int t = Long.numberOfTrailingZeros(inner);
                    int len = Long.numberOfTrailingZeros(~(inner >>> t));
                    if (RunStats.sizeClass(len) == wanted && consider(wBase + t, wBase + t + len - 1)) {
                        return true;
                    }
                    inner &= ~(((1L << len) - 1) << t);
                }
            }
            carry = suf;
            carryStart = wBase + 64 - suf;
        }
        return end - first < 64 && carry > 0 && !atStart && RunStats.sizeClass(carry) == wanted
                && consider(carryStart, carryStart + carry - 1);
    }

    /** Nodes at level {@code k}: leaf words at 0. */
    private int childCount(int k) {
        return k == 0 ? leaf.length : stats.nodes(k);
    }

    /**
     * Tries the maximal run of units {@code [a, b]} and holds its placement if it beats the one
     * held; true when nothing later in the class can beat it (a one-size class, or exactly the
     * wanted size: runs come in address order).
     */
    private boolean consider(long a, long b) {
        considered++;
        long units = b - a + 1;
        if (units < minUnits || b < p || a > last) {
            return false;
        }
        long firstValue = span.first(a);
        if (found && (units > bestUnits || units == bestUnits && Unsigned.atLeast(firstValue, bestStart))) {
            return false;
        }
        long offset = Placement.lowest(firstValue, span.last(b), request, 0);
        if (offset == Placement.NONE) {
            return false;
        }
        found = true;
        took = true;
        bestUnits = units;
        bestStart = firstValue + offset;
        return instant || units == minUnits || RunStats.exactClass(RunStats.sizeClass(units));
    }

    /** {@code floor(log2 units)}, units &ge; 1: a run's power-of-two class, as instant-fit's lists class it. */
    static int log2(long units) {
        return 63 - Long.numberOfLeadingZeros(units);
    }

    // ---------------------------------------------------------------- the walk before the search

    /** Walks in a row that ended by handing over to {@link #search} (at most {@link #SKIP_AFTER}). */
    private int walkMisses;
    /** Searches since the walk was last tried while skipped. */
    private int skipped;
    private static final int SKIP_AFTER = 8;
    private static final int RETRY_EVERY = 32;

    /**
     * Whether a best- or instant-fit search should walk the first runs of its window before this
     * search ({@link BitmapCore}'s short walk): not after {@link #SKIP_AFTER} walks in a row found
     * no answer (many runs, none of the wanted size near the window's start, as in a space of
     * mixed sizes: each such walk only added its reads to the search's), except every
     * {@link #RETRY_EVERY}th search, in case the space has changed. Either way the answer is the
     * same; only its cost differs.
     */
    boolean walkFirst() {
        if (walkMisses < SKIP_AFTER) {
            return true;
        }
        if (++skipped >= RETRY_EVERY) {
            skipped = 0;
            return true;
        }
        return false;
    }

    /** Records how a walk ended: with the answer, or handing over to {@link #search}. */
    void walked(boolean answered) {
        walkMisses = answered ? 0 : Math.min(walkMisses + 1, SKIP_AFTER);
    }

    // ---------------------------------------------------------------- instant-fit's run hints

    /** Runs an instant-fit hint may walk past before the full search takes over. */
    static final int HINT_WALK = 8;
    /**
     * Per power-of-two class k (units in [2<sup>k</sup>, 2<sup>k+1</sup>)), the first unit of a run
     * of that class that an instant-fit search last answered with or walked to, or -1; created by
     * the first such search. A hint is only a place to look: it is checked against the bits
     * before use, so no change elsewhere needs to keep it right.
     */
    private long[] hints;
    /** The highest power-of-two class a run can have: a span holds at most 2<sup>32</sup> units. */
    static final int MAX_CLASS = 32;

    /**
     * A free run of class exactly {@code k} found from the class's hint: the run at or after the
     * hint, then up to {@link #HINT_WALK} runs further in address order (a roving hint, so that a
     * run consumed by the last allocation is replaced by the next of its class). As k is the
     * lowest class any answer may have, such a run is instant-fit's answer for an unconstrained
     * request of at most 2<sup>k</sup> units, whatever the rest of the space holds.
     *
     * @return the run's first unit (the hint moves there), or -1 (the hint is dropped)
     */
    long hinted(int k) {
        if (hints == null || hints[k] < 0) {
            return -1;
        }
        long h = hints[k];
        BitTree bits = span.bits;
        long a = bits.isSet(h) ? (h + 1 < span.units ? bits.nextFree(h + 1) : -1) : span.runStart(h);
        for (int n = 0; n <= HINT_WALK && a >= 0; n++) {
            long b = span.runEnd(a);
            if (log2(b - a + 1) == k) {
                hints[k] = a;
                return a;
            }
            a = b + 1 < span.units ? bits.nextFree(b + 1) : -1;
        }
        hints[k] = -1;
        return -1;
    }

    /** Records that the free run starting at unit {@code a} has {@code units} units. */
    void hint(long a, long units) {
        if (hints == null) {
            hints = new long[MAX_CLASS + 1];
            Arrays.fill(hints, -1);
        }
        hints[log2(units)] = a;
    }
}
