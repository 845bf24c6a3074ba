package io.allot.engine.bitmap;

import io.allot.Allocation;
import io.allot.Range;
import io.allot.Request;
import io.allot.internal.EngineCore;
import io.allot.internal.Placement;
import io.allot.internal.RangeWalk;
import io.allot.internal.SingleUnits;
import io.allot.internal.TagMap;
import io.allot.internal.UnitPath;
import io.allot.internal.Unsigned;

import java.util.Arrays;
import java.util.Iterator;
import java.util.function.Consumer;

/**
 * The bitmap engine's store: one {@link SpanBitmap} per span, sorted by start, and the tags of
 * the allocations that have one ({@link TagMap}, keyed by first value).
 *
 * <p>First-, last- and next-fit walk free runs in address order, each found in
 * O(log<sub>64</sub> n) word reads (the next free unit, then the next allocated one), and ask
 * {@link Placement} — the alignment, phase, window and no-cross math every engine shares — whether
 * the run holds a placement. A one-unit request needs no run end: the first free unit in the
 * window is the answer. A multi-unit one that has walked {@link #SKIP_AFTER} runs in vain goes
 * straight to the next run at least as long as its size ({@link RunSkip}, through the run
 * statistics), where a space of many small holes had made it walk them all. Best- and instant-fit do not walk every run: {@link FitSearch} tries runs
 * by size class, smallest first, through the run statistics' per-node sets of classes (an
 * unconstrained instant-fit first tries its power-of-two class's roving hint). Spans are
 * few; finding the one holding a value is a binary search, or one comparison when there is one
 * span (an id allocator).
 *
 * <p>With one span and one thread (an id allocator), {@link #claimLowest} over the whole space and
 * {@link #release} go straight to that span's tree through {@link IdPath}: no span search, no
 * span object on the way, and, while the span holds no multi-quantum and no tagged allocation, no
 * boundary or tag read. The same object is {@link io.allot.IdAllocator#of}'s whole hot path
 * ({@link #lowestPath}); the core keeps it in step after every change of its spans, tags or
 * multi-quantum allocations.
 *
 * <p>Not thread-safe, except {@link SingleUnits}'s methods in a core built {@code concurrent},
 * which run lock-free while the rest runs only on {@link io.allot.internal.ConcurrentAllocator}'s
 * exclusive path.
 */
final class BitmapCore implements EngineCore, SingleUnits {

    /** The most quanta all spans may hold together. */
    static final long MAX_UNITS = 1L << 32;

    private final long quantum;
    private final int shift;
    private final boolean concurrent;
    /** Sorted by start, exactly as long as the number of spans. */
    private SpanBitmap[] spans = new SpanBitmap[0];
    /** The one-span hot path of a single-threaded core ({@link IdPath}); null when concurrent. */
    private final IdPath ids;
    /** {@link #none()}: a value starting no quantum, kept in step with the spans. */
    private long none;
    private long units;
    private final TagMap tags = new TagMap();

    BitmapCore(long quantum, boolean concurrent) {
        this.quantum = quantum;
        this.shift = Long.numberOfTrailingZeros(quantum);
        this.concurrent = concurrent;
        this.ids = concurrent ? null : IdPath.of(shift);
    }

    // ---------------------------------------------------------------- spans

    /**
     * @throws IllegalArgumentException if the spans would hold more than 2<sup>32</sup> quanta,
     *                                  naming the limit; nothing changes
     */
    @Override
    public void addSpan(long start, long end) {
        long added = ((end - start) >>> shift) + 1;
        if (Long.compareUnsigned(added, MAX_UNITS - units) > 0) {
            throw new IllegalArgumentException("the bitmap engine manages at most 2^32 quanta in all spans together;"
                    + " span " + Range.of(start, end) + " holds " + Unsigned.hex(added) + " quanta of "
                    + Unsigned.hex(quantum) + " and the spans already hold " + Unsigned.hex(units)
                    + " (use a coarser quantum or another engine)");
        }
        SpanBitmap span = new SpanBitmap(start, end, shift, concurrent);
        if (indexAlways && span.fits != null) {
            span.fits.indexAlways();
        }
        int at = firstEndingAtOrAfter(start);
        SpanBitmap[] grown = new SpanBitmap[spans.length + 1];
        System.arraycopy(spans, 0, grown, 0, at);
        grown[at] = span;
        System.arraycopy(spans, at, grown, at + 1, spans.length - at);
        spans = grown;
        units += added;
        spansChanged();
    }

    @Override
    public boolean removeSpan(long start, long end) {
        int i = indexOf(start);
        if (i < 0 || spans[i].start != start || spans[i].end != end || !spans[i].isEmpty()) {
            return false;
        }
        units -= spans[i].units;
        SpanBitmap[] shrunk = new SpanBitmap[spans.length - 1];
        System.arraycopy(spans, 0, shrunk, 0, i);
        System.arraycopy(spans, i + 1, shrunk, i, spans.length - i - 1);
        spans = shrunk;
        spansChanged();
        return true;
    }

    private void spansChanged() {
        none = valueStartingNoQuantum();
        trackIds();
    }

    /**
     * Brings {@link #ids} in line after the spans, the tags or the multi-quantum allocations may
     * have changed: every change outside the one-quantum paths ends here.
     */
    private void trackIds() {
        if (ids != null) {
            ids.track(spans.length == 1 ? spans[0] : null, tags.size() == 0);
        }
    }

    /**
     * With a quantum above 1, the value 1 (quanta start on multiples of the quantum); with
     * quantum 1, the first value outside every span, which exists because spans never hold all
     * 2<sup>64</sup> values. O(spans).
     */
    private long valueStartingNoQuantum() {
        if (quantum != 1) {
            return 1;
        }
        long candidate = 0;
        for (SpanBitmap s : spans) { // ascending
            if (s.start != candidate) {
                return candidate;
            }
            candidate = s.end + 1;
        }
        return candidate;
    }

    /** Index of the span holding {@code value}, or -1. */
    private int indexOf(long value) {
        SpanBitmap[] s = spans;
        if (s.length == 1) {
            return s[0].contains(value) ? 0 : -1;
        }
        int i = lastStartingAtOrBefore(value);
        return i >= 0 && s[i].contains(value) ? i : -1;
    }

    /** The span holding {@code value}, or null. */
    private SpanBitmap spanOf(long value) {
        int i = indexOf(value);
        return i < 0 ? null : spans[i];
    }

    /** Index of the first span whose end is at or above {@code value}; the span count if none. */
    private int firstEndingAtOrAfter(long value) {
        int lo = 0;
        int hi = spans.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (Unsigned.lessThan(spans[mid].end, value)) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** Index of the last span whose start is at or below {@code value}; -1 if none. */
    private int lastStartingAtOrBefore(long value) {
        int lo = 0;
        int hi = spans.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (Unsigned.atMost(spans[mid].start, value)) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo - 1;
    }

    // ---------------------------------------------------------------- allocations

    @Override
    public boolean allocate(long start, long end, String tag) {
        SpanBitmap s = spanOf(start);
        if (s == null || !s.contains(end)) {
            return false;
        }
        long a = s.unit(start);
        long b = s.unit(end);
        if (!s.isFree(a, b)) {
            return false;
        }
        s.allocate(a, b);
        if (tag != null) {
            tags.put(start, tag);
        }
        trackIds();
        return true;
    }

    @Override
    public boolean free(long start, long end) {
        SpanBitmap s = spanOf(start);
        if (s == null || !s.contains(end)) {
            return false;
        }
        long a = s.unit(start);
        long b = s.unit(end);
        if (s.first(a) != start || s.last(b) != end || !s.isAllocation(a, b)) {
            return false;
        }
        tags.remove(start);
        s.free(a, b);
        trackIds();
        return true;
    }

    @Override
    public Range freeContaining(long value) {
        SpanBitmap s = spanOf(value);
        if (s == null) {
            return null;
        }
        long u = s.unit(value);
        if (!s.bits.isSet(u)) {
            return null;
        }
        long a = s.allocationStart(u);
        long b = s.allocationEnd(a);
        Range range = new Range(s.first(a), s.last(b));
        tags.remove(range.start());
        s.free(a, b);
        trackIds();
        return range;
    }

    @Override
    public boolean isFree(long start, long end) {
        SpanBitmap s = spanOf(start);
        return s != null && s.contains(end) && s.isFree(s.unit(start), s.unit(end));
    }

    @Override
    public Allocation allocationContaining(long value) {
        SpanBitmap s = spanOf(value);
        if (s == null) {
            return null;
        }
        long u = s.unit(value);
        return s.bits.isSet(u) ? allocationAt(s, s.allocationStart(u)) : null;
    }

    @Override
    public Allocation firstAllocationIn(long start, long end) {
        for (int i = firstEndingAtOrAfter(start); i < spans.length; i++) {
            SpanBitmap s = spans[i];
            if (Unsigned.greaterThan(s.start, end)) {
                break;
            }
            long a = s.contains(start) ? s.unit(start) : 0;
            long b = s.contains(end) ? s.unit(end) : s.units - 1;
            long u = s.bits.nextAllocated(a);
            if (u >= 0 && u <= b) {
                return allocationAt(s, s.allocationStart(u));
            }
        }
        return null;
    }

    /** The allocation starting at unit {@code a} of span {@code s}, with its tag. */
    private Allocation allocationAt(SpanBitmap s, long a) {
        long first = s.first(a);
        return new Allocation(new Range(first, s.last(s.allocationEnd(a))), tags.get(first));
    }

    @Override
    public long freeSegments() {
        long runs = 0;
        for (SpanBitmap s : spans) {
            runs += s.freeRuns();
        }
        return runs;
    }

    @Override
    public long largestFree() {
        long longest = 0;
        for (SpanBitmap s : spans) {
            longest = Math.max(longest, s.longestRun());
        }
        return longest << shift; // below 2^64: the spans never hold every value
    }

    // ---------------------------------------------------------------- searches

    /** Whether {@code r} (normalised) asks for one quantum at any quantum boundary. */
    private boolean isOneUnit(Request r) {
        return r.size() == quantum && r.alignment() == quantum;
    }

    /**
     * Quanta from which a request is "large": every free run that can hold it holds a wholly free
     * block of 4096 quanta, so searches jump between those ({@link BitTree#nextFreeBlock}).
     */
    private static final long LARGE = 2 * 4096 - 1;

    /** Whether searches for {@code r} in {@code s} may jump between wholly free blocks. */
    private boolean jumpsBlocks(SpanBitmap s, Request r) {
        return Long.compareUnsigned(r.size() >>> shift, LARGE) >= 0 && s.bits.levels >= 2;
    }

    /**
     * Runs first-, last- and next-fit walk one by one before asking {@link RunSkip} where the next
     * run long enough for the size is, and again after as many more: a fit near the start is found
     * by the walk alone, without bringing the run statistics up to date (64 word reads or more per
     * block changed since they last were), and a long stretch of short runs costs one skip.
     */
    private static final int SKIP_AFTER = 8;
    /** {@link #SKIP_AFTER}, or another number in tests (0: skip before every run). */
    private int skipAfter = SKIP_AFTER;

    /** For tests: runs walked before each skip (0: skip before every run). */
    void skipAfter(int runs) {
        skipAfter = runs;
    }

    /** The units a (normalised) request's size takes: its size in quanta, rounded up. */
    private long unitsOf(Request r) {
        return (r.size() - 1 >>> shift) + 1;
    }

    @Override
    public Range firstFit(Request r, long from) {
        long lo = Unsigned.max(from, r.min());
        long hi = r.max();
        boolean one = isOneUnit(r);
        for (int i = firstEndingAtOrAfter(lo); i < spans.length; i++) {
            SpanBitmap s = spans[i];
            if (Unsigned.greaterThan(s.start, hi)) {
                break;
            }
            long p = s.contains(lo) ? s.unit(lo) : 0;
            long last = s.contains(hi) ? s.unit(hi) : s.units - 1;
            boolean jump = jumpsBlocks(s, r);
            long n = one || jump || s.skip == null ? 1 : unitsOf(r);
            int budget = skipAfter;
            while (p <= last) {
                long a;
                long b;
                if (jump) {
                    long block = s.bits.nextFreeBlock(p);
                    if (block < 0 || block > last) {
                        break;
                    }
                    a = Math.max(p, s.runStart(block));
                    b = s.runEnd(block);
                } else {
                    if (n > 1 && budget-- == 0) {
                        // Too many runs walked: go straight to the next one long enough to hold the size.
                        budget = skipAfter;
                        p = s.skip.firstFrom(p, n);
                        if (p < 0 || p > last) {
                            break;
                        }
                    }
                    a = s.bits.nextFree(p);
                    if (a < 0 || a > last) {
                        break;
                    }
                    b = one ? a : s.runEnd(a);
                }
                long offset = Placement.lowest(s.first(a), s.last(b), r, from);
                if (offset != Placement.NONE) {
                    long start = s.first(a) + offset;
                    return new Range(start, start + r.size() - 1);
                }
                p = b + 1;
            }
        }
        return null;
    }

    @Override
    public Range lastFit(Request r, long to) {
        long hi = Unsigned.min(to, r.max());
        long lo = r.min();
        boolean one = isOneUnit(r);
        for (int i = lastStartingAtOrBefore(hi); i >= 0; i--) {
            SpanBitmap s = spans[i];
            if (Unsigned.lessThan(s.end, lo)) {
                break;
            }
            long q = s.contains(hi) ? s.unit(hi) : s.units - 1;
            long first = s.contains(lo) ? s.unit(lo) : 0;
            boolean jump = jumpsBlocks(s, r);
            long n = one || jump || s.skip == null ? 1 : unitsOf(r);
            int budget = skipAfter;
            while (q >= first) {
                long a;
                long b;
                if (jump) {
                    long block = s.bits.prevFreeBlock(q);
                    if (block < first) {
                        break;
                    }
                    a = s.runStart(block);
                    b = Math.min(q, s.runEnd(block));
                } else {
                    if (n > 1 && budget-- == 0) {
                        budget = skipAfter;
                        q = s.skip.lastFrom(q, n);
                        if (q < first) {
                            break;
                        }
                    }
                    b = s.bits.prevFree(q);
                    if (b < first) {
                        break;
                    }
                    a = one ? b : s.runStart(b);
                }
                long offset = Placement.highest(s.first(a), s.last(b), r, to);
                if (offset != Placement.NONE) {
                    long start = s.first(a) + offset;
                    return new Range(start, start + r.size() - 1);
                }
                q = a - 1;
            }
        }
        return null;
    }

    /**
     * Best-fit: the lowest placement in the smallest free run (whole size, not clipped to the
     * window) that holds one, ties to the lower address. {@link FitSearch} tries the runs by size
     * class, smallest first, descending only into nodes that hold the class: O(64 log<sub>64</sub> n)
     * per class tried when the first fitting run of a one-size class (up to 32 quanta) or of
     * exactly the request's size answers; worst case O(runs) as before.
     */
    @Override
    public Range bestFit(Request r) {
        return smallestFit(r, r.size(), false);
    }

    /**
     * vmem's instant fit. For a request constrained by more than its size: the smallest run of at
     * least its size rounded up to a power of two that holds a placement (ties to the lower
     * address), found as {@link #bestFit} finds its run. Unconstrained: any run of the lowest
     * power-of-two class holding one of that size, at its start — what vmem's list head gives —
     * first from the class's roving hint ({@link FitSearch#hinted}: a few run reads, no size-class
     * search), else the first such run the size-class search meets, which leaves the hint.
     */
    @Override
    public Range instantFit(Request r) {
        long sizeClass = Unsigned.powerOfTwoAtLeast(r.size());
        return sizeClass == 0 ? null : smallestFit(r, sizeClass, Placement.onlySized(r, quantum));
    }

    /**
     * Best-fit, allocated where the search ended: the span it found is claimed directly, without
     * looking the span up again and re-reading the run's bits.
     */
    @Override
    public Range allocateBestFit(Request r) {
        return claimFound(bestFit(r), r);
    }

    /** As {@link #allocateBestFit}, for {@link #instantFit}. */
    @Override
    public Range allocateInstantFit(Request r) {
        return claimFound(instantFit(r), r);
    }

    /** Allocates {@code placed}, which {@link #smallestFit} just found free in {@link #foundIn}; null stays null. */
    private Range claimFound(Range placed, Request r) {
        if (placed == null) {
            return null;
        }
        SpanBitmap s = foundIn;
        s.allocate(s.unit(placed.start()), s.unit(placed.end()));
        if (r.tag() != null) {
            tags.put(placed.start(), r.tag());
        }
        trackIds();
        return placed;
    }

    /** The span in which {@link #smallestFit} found its last answer. */
    private SpanBitmap foundIn;

    /**
     * Runs a best- or instant-fit search walks in address order before turning to
     * {@link FitSearch}: when a run of the wanted size is near the window's start (a dense state
     * of small holes), the walk answers without bringing the size classes up to date, which costs
     * 8 word reads or more per changed group of 512 units (64 per block before the groups exist).
     */
    private static final int WALK_BUDGET = 16;
    /** {@link #WALK_BUDGET}, or 0 in tests that want {@link FitSearch} on every search. */
    private int walkBudget = WALK_BUDGET;

    /** For tests: whether every span's wide best-fit searches use the index ({@link FitSearch#indexAlways}). */
    private boolean indexAlways;

    /** For tests: from now on, every span's eligible wide best-fit searches use the index, whatever the walk would cost. */
    void indexAlways() {
        indexAlways = true;
        for (SpanBitmap s : spans) {
            if (s.fits != null) {
                s.fits.indexAlways();
            }
        }
    }

    /** For tests: runs walked before {@link FitSearch} takes over (0: at once). */
    void walkBudget(int runs) {
        walkBudget = runs;
    }

    /**
     * The lowest placement in the smallest run of size at least {@code minSize} that holds one,
     * ties to the lower address: in each span, a walk of at most {@link #WALK_BUDGET} runs, then
     * (the span having summary levels) {@link FitSearch} for the rest, starting from what the walk
     * holds.
     */
    private Range smallestFit(Request r, long minSize, boolean instant) {
        long lo = r.min();
        long hi = r.max();
        // Sizes in units: a run of u units is at least minSize iff u >= ceil(minSize / quantum).
        long minUnits = (minSize >>> shift) + ((minSize & (quantum - 1)) != 0 ? 1 : 0);
        if (instant) {
            Range hinted = fromHints(r, minUnits);
            if (hinted != null) {
                return hinted;
            }
        }
        boolean found = false;
        long bestUnits = 0;
        long bestStart = 0;
        SpanBitmap bestSpan = null;
        for (int i = firstEndingAtOrAfter(lo); i < spans.length; i++) {
            SpanBitmap s = spans[i];
            if (Unsigned.greaterThan(s.start, hi)) {
                break;
            }
            long p = s.contains(lo) ? s.unit(lo) : 0;
            long last = s.contains(hi) ? s.unit(hi) : s.units - 1;
            FitSearch fits = s.fits;
            boolean walk = fits == null || fits.walkFirst();
            int budget = fits == null ? Integer.MAX_VALUE : walk ? walkBudget : 0;
            long a = s.bits.nextFree(p);
            while (a >= 0 && a <= last && !(found && bestUnits == minUnits)) {
                if (budget-- == 0) {
                    if (walk) {
                        fits.walked(false);
                        walk = false;
                    }
                    fits.search(r, minUnits, p, last, found, bestUnits, bestStart, instant);
                    if (fits.found && (!found || fits.bestStart != bestStart)) {
                        bestSpan = s;
                    }
                    found = fits.found;
                    bestUnits = fits.bestUnits;
                    bestStart = fits.bestStart;
                    break;
                }
                long first = a == p ? s.runStart(a) : a; // only the first run may begin before p
                long b = s.runEnd(a);
                long units = b - first + 1;
                if (units >= minUnits && (!found || units < bestUnits)) {
                    long offset = Placement.lowest(s.first(first), s.last(b), r, 0);
                    if (offset != Placement.NONE) {
                        found = true;
                        bestUnits = units;
                        bestStart = s.first(first) + offset;
                        bestSpan = s;
                    }
                }
                a = b + 1 >= s.units ? -1 : s.bits.nextFree(b + 1);
            }
            if (walk && fits != null) {
                fits.walked(true);
            }
            if (found && bestUnits == minUnits) {
                break; // no run in a later span can beat it
            }
        }
        if (!found) {
            return null;
        }
        foundIn = bestSpan;
        if (instant && bestSpan.fits != null) {
            bestSpan.fits.hint(bestSpan.unit(bestStart), bestUnits); // unconstrained: the placement starts the run
        }
        return new Range(bestStart, bestStart + r.size() - 1);
    }

    /**
     * Instant-fit of an unconstrained request from the spans' run hints ({@link FitSearch#hinted}):
     * a free run of exactly the power-of-two class of {@code minUnits} (a power of two) is in the
     * lowest class that can hold the request, so it is an answer whatever else is free. Null when
     * no span's hint leads to one; then the full search answers and leaves a hint.
     */
    private Range fromHints(Request r, long minUnits) {
        int k = FitSearch.log2(minUnits);
        if (k > FitSearch.MAX_CLASS) {
            return null; // more quanta than any span holds
        }
        for (SpanBitmap s : spans) {
            if (s.fits != null) {
                long a = s.fits.hinted(k);
                if (a >= 0) {
                    foundIn = s;
                    long start = s.first(a);
                    return new Range(start, start + r.size() - 1);
                }
            }
        }
        return null;
    }

    @Override
    public Iterator<Range> ascending(long from) {
        return new Ascending(from);
    }

    @Override
    public Iterator<Range> descending(long to) {
        return new Descending(to);
    }

    @Override
    public void forEachAllocated(Consumer<? super Allocation> action) {
        for (SpanBitmap s : spans) {
            long u = s.bits.nextAllocated(0);
            while (u >= 0) {
                long end = s.allocationEnd(u);
                long first = s.first(u);
                action.accept(new Allocation(new Range(first, s.last(end)), tags.get(first)));
                u = end + 1 < s.units ? s.bits.nextAllocated(end + 1) : -1;
            }
        }
    }

    @Override
    public void forEachFree(Consumer<? super Range> action) {
        for (SpanBitmap s : spans) {
            long a = s.bits.nextFree(0);
            while (a >= 0) {
                long b = s.runEnd(a);
                action.accept(new Range(s.first(a), s.last(b)));
                a = b + 1 < s.units ? s.bits.nextFree(b + 1) : -1;
            }
        }
    }

    // ---------------------------------------------------------------- single units

    @Override
    public long none() {
        return none;
    }

    @Override
    public long claimLowest(long lo, long hi) {
        if (lo == 0 && hi == -1L && ids != null && ids.hasOneSpan()) {
            return ids.claim(none); // first-match's one quantum over the whole space: from the hint
        }
        return claimLowest(spans, lo, hi);
    }

    private long claimLowest(SpanBitmap[] ss, long lo, long hi) {
        for (int i = ss.length == 1 ? 0 : firstEndingAtOrAfter(lo); i < ss.length; i++) {
            SpanBitmap s = ss[i];
            if (Unsigned.greaterThan(s.start, hi)) {
                break;
            }
            long p = s.unitAtOrAbove(lo);
            long last = s.unitAtOrBelow(hi);
            if (p <= last) {
                long u = concurrent ? s.claimFirstConcurrently(p, last) : s.claimFirst(p, last);
                if (u >= 0) {
                    return s.first(u);
                }
            }
        }
        return none;
    }

    @Override
    public long claimHighest(long lo, long hi) {
        SpanBitmap[] ss = spans;
        for (int i = ss.length == 1 ? 0 : lastStartingAtOrBefore(hi); i >= 0; i--) {
            SpanBitmap s = ss[i];
            if (Unsigned.lessThan(s.end, lo)) {
                break;
            }
            long p = s.unitAtOrAbove(lo);
            long last = s.unitAtOrBelow(hi);
            if (p <= last) {
                long u = concurrent ? s.claimLastConcurrently(p, last) : s.claimLast(p, last);
                if (u >= 0) {
                    return s.first(u);
                }
            }
        }
        return none;
    }

    @Override
    public int release(long start) {
        if (ids != null && ids.isPlain()) { // one span, no boundaries or tags to read
            return ids.release(start) ? RELEASED : NOT_AN_ALLOCATION;
        }
        SpanBitmap s = spanOf(start);
        if (s == null || !s.contains(start) || ((start - s.start) & (quantum - 1)) != 0) {
            return NOT_AN_ALLOCATION;
        }
        long u = s.unit(start);
        if (concurrent) {
            // Tags change only on the exclusive path, so reading them here races with no writer.
            if (tags.get(start) != null) {
                return NEEDS_EXCLUSIVE;
            }
            return s.releaseSingleConcurrently(u) ? RELEASED : NOT_AN_ALLOCATION;
        }
        if (!s.releaseSingle(u)) {
            return NOT_AN_ALLOCATION;
        }
        if (tags.size() != 0) {
            tags.remove(start);
            trackIds();
        }
        return RELEASED;
    }

    @Override
    public boolean isAllocated(long value) {
        SpanBitmap s = spanOf(value);
        return s != null && s.bits.isSet(s.unit(value));
    }

    /**
     * {@link #ids}, attached to {@code general}: the id allocator's whole hot path; null for a
     * concurrent core.
     *
     * @throws IllegalStateException if asked twice
     */
    @Override
    public IdPath lowestPath(UnitPath general) {
        if (ids != null) {
            ids.attach(general);
        }
        return ids;
    }

    /** True when built {@code concurrent}: the claims and releases are CAS loops then. */
    @Override
    public boolean lockFree() {
        return concurrent;
    }

    // ---------------------------------------------------------------- for tests and figures

    /** Verifies every span's invariants and that tags sit on allocation starts, O(n). */
    void checkInvariants() {
        for (SpanBitmap s : spans) {
            s.checkInvariants();
        }
        long[] tagged = {0};
        forEachAllocated(a -> {
            if (a.tag() != null) {
                tagged[0]++;
            }
        });
        if (tagged[0] != tags.size()) {
            throw new IllegalStateException(tags.size() + " tags but " + tagged[0] + " tagged allocations");
        }
    }

    /** Bytes of arrays held by all spans and the tag map (object headers of the spans aside). */
    long bytes() {
        long b = tags.arrayBytes();
        for (SpanBitmap s : spans) {
            b += s.bytes();
        }
        return b;
    }

    /** Quanta in all spans. */
    long units() {
        return units;
    }

    @Override
    public String toString() {
        return "bitmap core over " + Arrays.toString(Arrays.stream(spans).map(s -> Range.of(s.start, s.end)).toArray())
                + ", " + units + " quanta";
    }

    // ---------------------------------------------------------------- iterators

    /** Free runs ending at or after a value, ascending; valid while the core does not change. */
    private final class Ascending extends RangeWalk {
        private int span;
        /** The unit the next run is looked for from, in {@code spans[span]}. */
        private long position;

        Ascending(long from) {
            span = firstEndingAtOrAfter(from);
            if (span < spans.length && spans[span].contains(from)) {
                SpanBitmap s = spans[span];
                long u = s.unit(from);
                position = s.bits.isSet(u) ? u : s.runStart(u);
            }
        }

        @Override
        protected Range step() {
            for (; span < spans.length; span++, position = 0) {
                SpanBitmap s = spans[span];
                long a = position < s.units ? s.bits.nextFree(position) : -1;
                if (a >= 0) {
                    long b = s.runEnd(a);
                    position = b + 1;
                    return new Range(s.first(a), s.last(b));
                }
            }
            return null;
        }
    }

    /** Free runs starting at or before a value, descending; valid while the core does not change. */
    private final class Descending extends RangeWalk {
        private int span;
        /** The unit the next run is looked for from, downwards, in {@code spans[span]}. */
        private long position;

        Descending(long to) {
            span = lastStartingAtOrBefore(to);
            if (span >= 0) {
                SpanBitmap s = spans[span];
                if (s.contains(to)) {
                    long u = s.unit(to);
                    position = s.bits.isSet(u) ? u : s.runEnd(u);
                } else {
                    position = s.units - 1;
                }
            }
        }

        @Override
        protected Range step() {
            while (span >= 0) {
                SpanBitmap s = spans[span];
                long b = position >= 0 ? s.bits.prevFree(position) : -1;
                if (b >= 0) {
                    long a = s.runStart(b);
                    position = a - 1;
                    return new Range(s.first(a), s.last(b));
                }
                if (--span >= 0) {
                    position = spans[span].units - 1;
                }
            }
            return null;
        }
    }
}
