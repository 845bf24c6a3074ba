package io.allot.engine.interval;

import io.allot.Allocation;
import io.allot.Range;
import io.allot.Request;
import io.allot.internal.EngineCore;
import io.allot.internal.SingleUnits;
import io.allot.internal.TagMap;
import io.allot.internal.Unsigned;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;

import static io.allot.engine.interval.SegmentTree.ALLOCATED;
import static io.allot.engine.interval.SegmentTree.FREE;
import static io.allot.engine.interval.SegmentTree.HOLE;

/**
 * The interval engine's store: a {@link SegmentTree} of every segment and hole (first-, last- and
 * next-fit, lookups, merging), a {@link SizeIndex} of free segments by size (best- and
 * instant-fit; built on first use), and a {@link TagMap} for the few allocations that carry a
 * tag and for the units of runs. See {@link IntervalEngine} for the design and its costs.
 *
 * <p><b>Runs.</b> An address-order fill of equal allocations — first-fit (or next-fit) placing
 * each one right after the one before, as a VMM laying out pages, slots or ids does — is stored
 * as one allocated entry of the tree, a <em>run</em>, with its side-data bit set and its unit (the
 * size of each allocation in it) in the tag map under its first value. Each allocation of the
 * fill after the second moves the run's pivot ({@link SegmentTree#extendRunAtCursor}): no entry
 * added, no leaf split, no node array growth; straight after a join, with no other call on the
 * core between, the next join makes only the checks that the request or the shrinking free entry
 * can fail ({@link SegmentTree#extendRunAgain}, see {@link #joined}). A run is a storage form
 * only, never visible: every lookup, walk and snapshot answers with its allocations one by one,
 * and freeing one of them carves it out of the run first ({@link SegmentTree#carveFromRun}; what
 * is left on either side stays a run while it holds two allocations or more), then frees it as
 * any other. A run is never tagged, never spans two spans, and only the fill's own path extends
 * one: the latest allocation of such a fill is remembered ({@link #streakStart}), and the next
 * joins it when it is untagged, of the same size and placed right after it, the join checked
 * against the tree itself.
 *
 * <p>{@link SingleUnits}: one-quantum claims go to the tree's unit searches, which are the
 * first- and last-fit searches without a {@link Request} or a {@link Range}; releases and lookups
 * start from the cursor. They use plain accesses ({@link SingleUnits#lockFree()} is false), so a
 * thread-safe allocator over this core takes a lock.
 *
 * <p>Invariants beyond the trees' own, checked by {@link #checkInvariants()} in tests: the free
 * segment count equals the free entries; the size index (once built) holds exactly the free
 * segments; the tag table holds exactly the tagged allocations; the span list holds exactly the
 * spans, and {@link #none()} starts no quantum. Not thread-safe.
 */
final class IntervalCore implements EngineCore, SingleUnits {

    private final SegmentTree tree = new SegmentTree();
    private final SizeIndex bySize = new SizeIndex();
    /** Tags of tagged allocations and units of runs, by first value. */
    private final TagMap tags = new TagMap();
    private long freeSegments;
    /**
     * The latest allocation of an address-order fill ({@code [streakStart, streakEnd]}, each of
     * its allocations {@code streakUnit} values, a run already when {@code streakRun}), which the
     * next one of the same size may join; {@code streakUnit} 0 when there is none. Only a hint:
     * {@link SegmentTree#extendRunAtCursor} checks it against the cursor's entry, and every free
     * (the one path that can end a run) forgets it.
     */
    private long streakStart;
    private long streakEnd;
    private long streakUnit;
    private boolean streakRun;
    /**
     * Whether the latest call on this core was an allocation that joined a run, so that the tree
     * is exactly as that join left it and the next join may skip the checks its state still
     * passes ({@link SegmentTree#extendRunAgain}). Every other entry point of this class clears it
     * first, since any of them may move the tree's cursor, its deferred shrink or its clean bounds;
     * only {@link #checkInvariants}, which changes nothing, leaves it (so that tests check the
     * tree between joins). {@code IntervalRunsTest} calls each entry point to hold this.
     */
    private boolean joined;
    /** The quantum, a power of two: every value the core is given lies on its boundaries. */
    private final long quantum;
    /**
     * The spans, ascending (unsigned), {@code spanCount} of them: only to find {@link #none} with
     * quantum 1, where it must lie outside every span. Changed only by addSpan and removeSpan.
     */
    private long[] spanStarts = new long[4];
    private long[] spanEnds = new long[4];
    private int spanCount;
    /** {@link #none()}, kept in step with the spans. */
    private long none;

    /** A core with quantum 1, as the white-box tests build it. */
    IntervalCore() {
        this(1);
    }

    /** @param quantum the allocator's quantum, a power of two (checked by the caller) */
    IntervalCore(long quantum) {
        this.quantum = quantum;
        this.none = valueStartingNoQuantum();
    }

    @Override
    public void addSpan(long start, long end) {
        joined = false;
        tree.locate(start);
        tree.carve(start, end, FREE, true, false);
        bySize.add(end - start + 1, start);
        freeSegments++;
        int i = 0;
        while (i < spanCount && Long.compareUnsigned(spanStarts[i], start) < 0) {
            i++;
        }
        if (spanCount == spanStarts.length) {
            spanStarts = Arrays.copyOf(spanStarts, 2 * spanCount);
            spanEnds = Arrays.copyOf(spanEnds, 2 * spanCount);
        }
        System.arraycopy(spanStarts, i, spanStarts, i + 1, spanCount - i);
        System.arraycopy(spanEnds, i, spanEnds, i + 1, spanCount - i);
        spanStarts[i] = start;
        spanEnds[i] = end;
        spanCount++;
        none = valueStartingNoQuantum();
    }

    /**
     * With a quantum above 1, the value 1, which no quantum starts at (quanta start on multiples
     * of the quantum); with quantum 1, the first value outside every span, which exists because
     * the spans never hold all 2<sup>64</sup> values. O(spans).
     */
    private long valueStartingNoQuantum() {
        if (quantum != 1) {
            return 1;
        }
        long candidate = 0;
        for (int i = 0; i < spanCount; i++) {
            if (spanStarts[i] != candidate) {
                return candidate;
            }
            candidate = spanEnds[i] + 1;
        }
        return candidate;
    }

    @Override
    public boolean removeSpan(long start, long end) {
        joined = false;
        tree.locate(start);
        Path at = tree.cur;
        if (tree.kind(at) != FREE || tree.start(at) != start || tree.end(at) != end) {
            return false;
        }
        bySize.remove(end - start + 1, start);
        freeSegments--;
        tree.release(HOLE);
        int i = 0;
        while (spanStarts[i] != start) {
            i++;
        }
        System.arraycopy(spanStarts, i + 1, spanStarts, i, spanCount - i - 1);
        System.arraycopy(spanEnds, i + 1, spanEnds, i, spanCount - i - 1);
        spanCount--;
        none = valueStartingNoQuantum();
        return true;
    }

    @Override
    public boolean allocate(long start, long end, String tag) {
        joined = false;
        if (!tree.cursorHolds(start, end)) {
            tree.locate(start);
        }
        Path at = tree.cur;
        long first = tree.start(at);
        long last = tree.end(at);
        if (tree.kind(at) != FREE || Long.compareUnsigned(end, last) > 0) {
            return false;
        }
        take(start, end, first, last, tag);
        return true;
    }

    /** Allocates {@code [start, end]} out of the cursor's free entry {@code [first, last]}. */
    private void take(long start, long end, long first, long last, String tag) {
        account(start, end, first, last, tag);
        tree.carve(start, end, ALLOCATED, false, tag != null);
    }

    /**
     * The bookkeeping of {@link #take} beside the tree's carve: the size index, the free segment
     * count and the tag of {@code [start, end]}, allocated out of the free {@code [first, last]}.
     */
    private void account(long start, long end, long first, long last, String tag) {
        bySize.remove(last - first + 1, first);
        freeSegments--;
        if (start != first) {
            bySize.add(start - first, first);
            freeSegments++;
        }
        if (end != last) {
            bySize.add(last - end, end + 1);
            freeSegments++;
        }
        if (tag != null) {
            tags.put(start, tag);
        }
    }

    @Override
    public boolean free(long start, long end) {
        joined = false;
        streakUnit = 0;
        if (tree.freeAtCursor(start, end)) { // never a run: it refuses an entry with side data
            accountRelease();
            return true;
        }
        Path at = tree.cur;
        if (!tree.cursorValid || tree.end(at) != end || tree.start(at) != start) {
            tree.locate(start);
            if (tree.start(at) != start || tree.end(at) != end) {
                return freeFromRun(start, end);
            }
        }
        if (tree.kind(at) != ALLOCATED || tree.tagged(at) && tags.unit(start) != 0) {
            return false; // free, a hole, or a whole run of several allocations
        }
        releaseAt(start);
        return true;
    }

    /**
     * Frees {@code [start, end]} when it is one allocation of the run holding {@code start} (the
     * cursor's entry); false, changing nothing, when that entry is no run or {@code [start, end]}
     * is not exactly one of its allocations.
     */
    private boolean freeFromRun(long start, long end) {
        Path at = tree.cur;
        if (tree.kind(at) != ALLOCATED || !tree.tagged(at)) {
            return false;
        }
        long first = tree.start(at);
        long unit = tags.unit(first);
        if (unit == 0 || end - start + 1 != unit || Long.remainderUnsigned(start - first, unit) != 0) {
            return false;
        }
        carveFromRun(first, tree.end(at), unit, start);
        releaseAt(start);
        return true;
    }

    /**
     * Makes the allocation at {@code start} of the run {@code [first, last]} of {@code unit}-value
     * allocations (the cursor's entry) an entry of its own, the cursor on it; each side left over
     * stays a run if it holds two allocations or more, else it is a plain allocation.
     */
    private void carveFromRun(long first, long last, long unit, long start) {
        long end = start + unit - 1;
        boolean lowRun = start != first && Long.compareUnsigned(start - first - unit, unit) >= 0;
        boolean highRun = end != last && Long.compareUnsigned(last - end - unit, unit) >= 0;
        tree.carveFromRun(start, end, lowRun, highRun);
        if (!lowRun) {
            tags.remove(first);
        }
        if (highRun) {
            tags.putUnit(end + 1, unit);
        }
    }

    @Override
    public Range freeContaining(long value) {
        joined = false;
        streakUnit = 0;
        tree.locate(value);
        Path at = tree.cur;
        if (tree.kind(at) != ALLOCATED) {
            return null;
        }
        long start = tree.start(at);
        long end = tree.end(at);
        long unit = tree.tagged(at) ? tags.unit(start) : 0;
        if (unit != 0) {
            long first = start;
            start = unitHolding(first, unit, value);
            carveFromRun(first, end, unit, start);
            end = start + unit - 1;
        }
        Range freed = new Range(start, end);
        releaseAt(start);
        return freed;
    }

    /** The first value of the allocation holding {@code value} in a run of {@code unit}-value allocations from {@code first}. */
    private static long unitHolding(long first, long unit, long value) {
        return value - Long.remainderUnsigned(value - first, unit);
    }

    /** Frees the allocated entry at the cursor, which starts at {@code start}. */
    private void releaseAt(long start) {
        if (tree.tagged(tree.cur)) {
            tags.remove(start);
        }
        tree.release(FREE);
        accountRelease();
    }

    /** The bookkeeping of a release the tree just made: the size index and the free segment count, from its merge results. */
    private void accountRelease() {
        if (tree.mergedPrevious) {
            bySize.remove(tree.previousEnd - tree.previousStart + 1, tree.previousStart);
            freeSegments--;
        }
        if (tree.mergedNext) {
            bySize.remove(tree.nextEnd - tree.nextStart + 1, tree.nextStart);
            freeSegments--;
        }
        bySize.add(tree.mergedEnd - tree.mergedStart + 1, tree.mergedStart);
        freeSegments++;
    }

    // ------------------------------------------------------------------ single units

    @Override
    public long none() {
        joined = false;
        return none;
    }

    @Override
    public long claimLowest(long lo, long hi) {
        joined = false;
        long mask = quantum - 1;
        long first = (lo + mask) & -quantum; // lo rounded up to a quantum boundary
        if (first == 0 && lo != 0 || Unsigned.lessThan(hi - first, mask) || Unsigned.lessThan(hi, first)) {
            return none; // no whole quantum in [lo, hi]
        }
        if (tree.allocateLowestInLeaf(null, quantum, first, hi, false)) {
            long start = tree.found;
            account(start, start + quantum - 1, tree.carvedFirst, tree.carvedLast, null);
            return start;
        }
        return tree.lowestUnit(quantum, first, hi) ? claim(tree.found) : none;
    }

    @Override
    public long claimHighest(long lo, long hi) {
        joined = false;
        long last = ((hi + 1) & -quantum) - 1; // the end of the last quantum ending at or below hi
        if (last == -1L && hi != -1L || Unsigned.lessThan(last, lo) || Unsigned.lessThan(last - lo, quantum - 1)) {
            return none;
        }
        if (tree.allocateHighestInLeaf(null, quantum, lo, last, false)) {
            long start = tree.found;
            account(start, start + quantum - 1, tree.carvedFirst, tree.carvedLast, null);
            return start;
        }
        return tree.highestUnit(quantum, lo, last) ? claim(tree.found) : none;
    }

    /** Allocates the quantum at {@code start}, which the last unit search found at the cursor. */
    private long claim(long start) {
        Path at = tree.cur;
        take(start, start + quantum - 1, tree.start(at), tree.end(at), null);
        return start;
    }

    @Override
    public int release(long start) {
        joined = false;
        long end = start + quantum - 1;
        return Unsigned.atLeast(end, start) && free(start, end) ? RELEASED : NOT_AN_ALLOCATION;
    }

    @Override
    public boolean isAllocated(long value) {
        joined = false;
        tree.locate(value);
        return tree.kind(tree.cur) == ALLOCATED;
    }

    @Override
    public boolean isFree(long start, long end) {
        joined = false;
        tree.locate(start);
        Path at = tree.cur;
        return tree.kind(at) == FREE && Long.compareUnsigned(end, tree.end(at)) <= 0;
    }

    @Override
    public Allocation allocationContaining(long value) {
        joined = false;
        tree.locate(value);
        return tree.kind(tree.cur) == ALLOCATED ? allocationAt(tree.cur, value) : null;
    }

    @Override
    public Allocation firstAllocationIn(long start, long end) {
        joined = false;
        tree.locate(start);
        Path at = tree.cur;
        while (Long.compareUnsigned(tree.start(at), end) <= 0) {
            if (tree.kind(at) == ALLOCATED) {
                return allocationAt(at, Unsigned.max(start, tree.start(at)));
            }
            if (!tree.nextEntry(at)) {
                break;
            }
        }
        tree.cursorValid = false;
        return null;
    }

    /** The allocation holding {@code value} in the allocated entry at {@code at}: the entry, or one allocation of a run. */
    private Allocation allocationAt(Path at, long value) {
        long start = tree.start(at);
        if (!tree.tagged(at)) {
            return new Allocation(new Range(start, tree.end(at)), null);
        }
        long unit = tags.unit(start);
        if (unit == 0) {
            return new Allocation(new Range(start, tree.end(at)), tags.get(start));
        }
        long first = unitHolding(start, unit, value);
        return new Allocation(new Range(first, first + unit - 1), null);
    }

    @Override
    public long freeSegments() {
        joined = false;
        return freeSegments;
    }

    @Override
    public long largestFree() {
        joined = false;
        return tree.largestFree();
    }

    @Override
    public Range firstFit(Request r, long from) {
        joined = false;
        return tree.lowest(r, from) ? placement(tree.found, r) : null;
    }

    @Override
    public Range lastFit(Request r, long to) {
        joined = false;
        return tree.highest(r, to) ? placement(tree.found, r) : null;
    }

    /**
     * The first-fit search, then a carve of the entry it ended on: no second look-up, no check.
     * When the search would not leave the cursor's leaf, the two are one pass
     * ({@link SegmentTree#allocateLowestInLeaf}).
     */
    @Override
    public Range allocateFirstFit(Request r, long from) {
        String tag = r.tag();
        long size = r.size();
        long lo = Unsigned.max(from, r.min());
        long hi = r.max();
        boolean tagged = tag != null;
        long was = 0;
        if (size == streakUnit && !tagged) {
            // Straight after a join the tree is as it left it: only the checks a request or the
            // shrinking free entry can fail are made again (a fill's every allocation after its third).
            was = joined ? tree.extendRunAgain(r, size, lo, hi)
                    : tree.extendRunAtCursor(r, size, lo, hi, streakStart, streakEnd, streakRun);
        }
        joined = was != 0;
        if (was != 0) {
            if (!streakRun) {
                tags.putUnit(streakStart, size); // the tree has just marked the entry a run
                streakRun = true;
            }
            long start = streakEnd + 1;
            long end = streakEnd + size;
            streakEnd = end;
            // account's work for this case: the free entry [start, start + was - 1] keeps its place
            // and count, shrunk to its part after end.
            if (bySize.built()) {
                bySize.remove(was, start);
                bySize.add(was - size, end + 1);
            }
            return new Range(start, end);
        }
        if (tree.allocateFrontAfterCursor(r, size, lo, hi, tagged)) {
            long start = tree.found;
            long end = start + size - 1;
            account(start, end, tree.carvedFirst, tree.carvedLast, tag);
            // An address-order fill's step: the next allocation may join this one (untagged only).
            streakStart = start;
            streakEnd = end;
            streakUnit = tagged ? 0 : size;
            streakRun = false;
            return new Range(start, end);
        }
        streakUnit = 0;
        if (tree.allocateInsideCursor(r, size, lo, hi, tagged) || tree.allocateLowestInLeaf(r, size, lo, hi, tagged)) {
            long start = tree.found;
            long end = start + size - 1;
            account(start, end, tree.carvedFirst, tree.carvedLast, tag);
            return new Range(start, end);
        }
        return tree.lowest(r, from) ? takeFound(r) : null;
    }

    /** As {@link #allocateFirstFit}, with the last-fit search ({@link SegmentTree#allocateHighestInLeaf}). */
    @Override
    public Range allocateLastFit(Request r, long to) {
        joined = false;
        String tag = r.tag();
        long size = r.size();
        if (tree.allocateHighestInLeaf(r, size, r.min(), Unsigned.min(to, r.max()), tag != null)) {
            long start = tree.found;
            long end = start + size - 1;
            account(start, end, tree.carvedFirst, tree.carvedLast, tag);
            return new Range(start, end);
        }
        return tree.highest(r, to) ? takeFound(r) : null;
    }

    /** Allocates the placement of {@code r} the last search found, inside the free entry at the cursor. */
    private Range takeFound(Request r) {
        long start = tree.found;
        long end = start + r.size() - 1;
        Path at = tree.cur;
        take(start, end, tree.start(at), tree.end(at), r.tag());
        return new Range(start, end);
    }

    @Override
    public Range bestFit(Request r) {
        joined = false;
        return smallestFit(r, r.size());
    }

    /**
     * The smallest segment of the lowest power-of-two size class all of whose members hold the
     * request: size at least the request's size rounded up to a power of two. vmem takes the head
     * of that free list in O(1); the size index finds the smallest member in O(log n).
     */
    @Override
    public Range instantFit(Request r) {
        joined = false;
        long sizeClass = Unsigned.powerOfTwoAtLeast(r.size());
        return sizeClass == 0 ? null : smallestFit(r, sizeClass);
    }

    private Range smallestFit(Request r, long minSize) {
        return sizeIndex().smallestFit(r, minSize) ? placement(bySize.found, r) : null;
    }

    /** The size index, built from the segment tree the first time a best- or instant-fit asks. */
    private SizeIndex sizeIndex() {
        if (!bySize.built()) {
            bySize.build(tree);
        }
        return bySize;
    }

    /**
     * The best-fit search, then a carve of the segment the size index named: the index gives the
     * segment's first value and size, so the segment tree is entered by address (within the
     * cursor's leaf when it holds it, as it does when the last pair freed there), with no policy
     * call and no second check of the placement.
     */
    @Override
    public Range allocateBestFit(Request r) {
        joined = false;
        return takeSmallest(r, r.size());
    }

    /** As {@link #allocateBestFit}, from the instant-fit size class ({@link #instantFit}). */
    @Override
    public Range allocateInstantFit(Request r) {
        joined = false;
        long sizeClass = Unsigned.powerOfTwoAtLeast(r.size());
        return sizeClass == 0 ? null : takeSmallest(r, sizeClass);
    }

    private Range takeSmallest(Request r, long minSize) {
        if (!sizeIndex().smallestFit(r, minSize)) {
            return null;
        }
        long first = bySize.foundSegment;
        long last = first + bySize.foundSize - 1;
        if (!tree.cursorHolds(first, first)) {
            tree.locate(first);
        }
        Path at = tree.cur;
        if (tree.kind(at) != FREE || tree.start(at) != first || tree.end(at) != last) {
            throw new IllegalStateException("size index names free segment " + Unsigned.hex(first) + ".." + Unsigned.hex(last)
                    + ", which the segment tree does not hold");
        }
        long start = bySize.found;
        long end = start + r.size() - 1;
        take(start, end, first, last, r.tag());
        return new Range(start, end);
    }

    private static Range placement(long start, Request r) {
        return new Range(start, start + r.size() - 1);
    }

    @Override
    public Iterator<Range> ascending(long from) {
        joined = false;
        return new FreeSegmentIterator(tree, tree.firstFreeFrom(from), true);
    }

    @Override
    public Iterator<Range> descending(long to) {
        joined = false;
        return new FreeSegmentIterator(tree, tree.lastFreeUpTo(to), false);
    }

    @Override
    public void forEachAllocated(Consumer<? super Allocation> action) {
        joined = false;
        tree.forEachEntry((start, end, kind, spanStart, tagged) -> {
            if (kind != ALLOCATED) {
                return;
            }
            long unit = tagged ? tags.unit(start) : 0;
            if (unit == 0) {
                action.accept(new Allocation(new Range(start, end), tagged ? tags.get(start) : null));
                return;
            }
            for (long first = start; ; first += unit) { // a run, one allocation at a time
                action.accept(new Allocation(new Range(first, first + unit - 1), null));
                if (first + unit - 1 == end) {
                    break;
                }
            }
        });
    }

    @Override
    public void forEachFree(Consumer<? super Range> action) {
        joined = false;
        tree.forEachFree((start, end) -> action.accept(new Range(start, end)));
    }

    /**
     * Verifies every invariant of the tree, the size index and the tag table, and their agreement,
     * by full walks, O(n log n). For tests.
     *
     * @throws IllegalStateException naming the first broken invariant
     */
    void checkInvariants() {
        long free = tree.checkInvariants();
        if (free != freeSegments) {
            throw new IllegalStateException("freeSegments " + freeSegments + " but " + free + " free segments");
        }
        List<long[]> bySizeOrder = new ArrayList<>();
        tree.forEachFree((start, end) -> bySizeOrder.add(new long[] {end - start + 1, start}));
        bySizeOrder.sort((a, b) -> a[0] != b[0] ? Long.compareUnsigned(a[0], b[0]) : Long.compareUnsigned(a[1], b[1]));
        long[] expected = new long[2 * bySizeOrder.size()];
        for (int i = 0; i < bySizeOrder.size(); i++) {
            expected[2 * i] = bySizeOrder.get(i)[0];
            expected[2 * i + 1] = bySizeOrder.get(i)[1];
        }
        bySize.checkAgainst(expected, bySizeOrder.size());
        long[] tagged = {0};
        tree.forEachEntry((start, end, kind, spanStart, isTagged) -> {
            if (isTagged) {
                tagged[0]++;
                long unit = tags.unit(start);
                if (unit != 0) {
                    checkRun(start, end, kind, unit);
                } else if (tags.get(start) == null) {
                    throw new IllegalStateException("tagged allocation at " + Long.toHexString(start) + " has no tag");
                }
            }
        });
        if (tagged[0] != tags.size()) {
            throw new IllegalStateException(tags.size() + " tags and run units for " + tagged[0] + " entries with side data");
        }
        checkSpans();
    }

    /** A run: an allocated entry {@code [start, end]} of two or more whole {@code unit}-value allocations. */
    private static void checkRun(long start, long end, int kind, long unit) {
        long length = end - start + 1;
        if (kind != ALLOCATED || length == 0 || Long.remainderUnsigned(length, unit) != 0
                || Long.compareUnsigned(length - unit, unit) < 0) {
            throw new IllegalStateException("run " + Unsigned.hex(start) + ".." + Unsigned.hex(end) + " of kind " + kind
                    + " is not two or more allocations of " + Unsigned.hex(unit));
        }
    }

    /** The span list against the tree's span starts and holes, and {@link #none} against both. */
    private void checkSpans() {
        List<long[]> spans = new ArrayList<>();
        tree.forEachEntry((start, end, kind, spanStart, isTagged) -> {
            if (spanStart) {
                spans.add(new long[] {start, end});
            } else if (kind != HOLE && !spans.isEmpty()) {
                spans.get(spans.size() - 1)[1] = end;
            }
        });
        if (spans.size() != spanCount) {
            throw new IllegalStateException(spanCount + " spans listed, " + spans.size() + " in the tree");
        }
        for (int i = 0; i < spanCount; i++) {
            if (spans.get(i)[0] != spanStarts[i] || spans.get(i)[1] != spanEnds[i]) {
                throw new IllegalStateException("span " + i + " listed as " + Unsigned.hex(spanStarts[i]) + ".."
                        + Unsigned.hex(spanEnds[i]) + ", in the tree " + Unsigned.hex(spans.get(i)[0]) + ".." + Unsigned.hex(spans.get(i)[1]));
            }
        }
        boolean startsQuantum = quantum == 1 ? inSpan(none) : (none & (quantum - 1)) == 0;
        if (startsQuantum) {
            throw new IllegalStateException("none() " + Unsigned.hex(none) + " starts a quantum");
        }
    }

    private boolean inSpan(long value) {
        for (int i = 0; i < spanCount; i++) {
            if (Unsigned.atMost(spanStarts[i], value) && Unsigned.atMost(value, spanEnds[i])) {
                return true;
            }
        }
        return false;
    }

    /** Whether the latest call on this core joined a run ({@link #joined}); clears nothing. For tests. */
    boolean joined() {
        return joined;
    }

    /** Whether the segment tree holds a deferred shrink, for tests that checking changes nothing. */
    boolean shrinkDeferred() {
        joined = false;
        return tree.shrinkDeferred();
    }

    /** {@link SegmentTree#recordedLargest}. For tests. */
    long recordedLargest() {
        joined = false;
        return tree.recordedLargest();
    }

    /** Entries of each leaf of the segment tree in address order, for fill tests. */
    int[] leafCounts() {
        joined = false;
        return tree.leafCounts();
    }

    /** {@link SegmentTree#cleanForLowest}. For tests. */
    boolean cleanForLowest(long lo, long size) {
        joined = false;
        return tree.cleanForLowest(lo, size);
    }

    /** {@link SegmentTree#cleanForHighest}. For tests. */
    boolean cleanForHighest(long hi, long size) {
        joined = false;
        return tree.cleanForHighest(hi, size);
    }

    /** Height of the segment tree, for balance tests. */
    int height() {
        joined = false;
        return tree.height();
    }

    /** Nodes of the segment tree, for memory tests. */
    int segmentNodes() {
        joined = false;
        return tree.liveNodes();
    }

    /** Nodes of the size index (0 until it is built), for memory tests. */
    int sizeNodes() {
        joined = false;
        return bySize.liveNodes();
    }

    /** Builds the size index now, so tests can check it from the start. */
    void buildSizeIndex() {
        joined = false;
        bySize.build(tree);
    }
}
