package io.allot.engine.interval;

import io.allot.Allocation;
import io.allot.Range;
import io.allot.Request;
import io.allot.internal.EngineCore;
import io.allot.internal.Unsigned;

import java.util.Iterator;
import java.util.function.Consumer;

import static io.allot.engine.interval.IntrusiveAvl.NIL;

/**
 * The interval engine's store: {@link Segments} tiling every span, indexed twice — by address
 * ({@link AddressTree}, for first/last/next-fit, lookups and merging) and, for free segments
 * only, by size ({@link SizeTree}, for best- and instant-fit).
 *
 * <p>Invariants, checked by {@link #checkInvariants()} in tests:
 * <ol>
 *   <li>the segments of a span tile it exactly, in address order;</li>
 *   <li>no two free segments of one span are adjacent (free merges both neighbours);</li>
 *   <li>a segment is in the size tree if and only if it is free;</li>
 *   <li>both trees are AVL-balanced and every {@code maxFree} is exact.</li>
 * </ol>
 *
 * <p>Costs, n = segments: allocate, free, isFree, lookups O(log n) — each a small constant number
 * of descents; stats O(1). Not thread-safe.
 */
final class IntervalCore implements EngineCore {

    private static final int INITIAL_CAPACITY = 16;

    private final Segments segs = new Segments(INITIAL_CAPACITY);
    private final AddressTree byAddress = new AddressTree(segs);
    private final SizeTree bySize = new SizeTree(segs);
    private long freeSegments;
    /**
     * The segment the last search placed into, or NIL. A policy's answer is allocated right after
     * the search that found it, with nothing changed in between, so {@link #allocate} can start
     * from this segment instead of looking it up again. Every change resets it; it is only a hint,
     * checked against the segment's current bounds before use.
     */
    private int lastFit = NIL;

    @Override
    public void addSpan(long start, long end) {
        lastFit = NIL;
        int n = newFree(start, end, true);
        byAddress.insert(n);
        bySize.insert(n);
        freeSegments++;
    }

    @Override
    public boolean removeSpan(long start, long end) {
        int n = byAddress.locate(start);
        if (n == NIL || !segs.isFree(n) || segs.start[n] != start || segs.end[n] != end) {
            return false;
        }
        lastFit = NIL;
        bySize.remove(n);
        byAddress.remove(n);
        segs.release(n);
        freeSegments--;
        return true;
    }

    @Override
    public boolean allocate(long start, long end, String tag) {
        int n = lastFit;
        lastFit = NIL;
        if (n == NIL || Unsigned.lessThan(start, segs.start[n]) || Unsigned.greaterThan(end, segs.end[n])) {
            n = byAddress.containing(start);
        }
        if (n == NIL || !segs.isFree(n) || Unsigned.greaterThan(end, segs.end[n])) {
            return false;
        }
        long segEnd = segs.end[n];
        bySize.remove(n);
        if (segs.start[n] == start) {
            // The allocation takes the front of the segment: n becomes it, keeping its span flag.
            segs.end[n] = end;
            segs.markAllocated(n, tag);
            byAddress.refresh(n);
            freeSegments--;
        } else {
            segs.end[n] = start - 1;
            byAddress.refresh(n);
            bySize.insert(n);
            int a = newFree(start, end, false);
            segs.markAllocated(a, tag);
            byAddress.insert(a);
        }
        if (end != segEnd) {
            int rest = newFree(end + 1, segEnd, false);
            byAddress.insert(rest);
            bySize.insert(rest);
            freeSegments++;
        }
        return true;
    }

    @Override
    public boolean free(long start, long end) {
        int n = byAddress.locate(start);
        if (n == NIL || segs.isFree(n) || segs.start[n] != start || segs.end[n] != end) {
            return false;
        }
        release(n);
        return true;
    }

    @Override
    public Range freeContaining(long value) {
        int n = byAddress.locate(value);
        if (n == NIL || segs.isFree(n)) {
            return null;
        }
        Range freed = new Range(segs.start[n], segs.end[n]);
        release(n);
        return freed;
    }

    /**
     * Frees allocated segment {@code n}, found by the {@link AddressTree#locate} just before (its
     * neighbours are still in the tree's out-parameters), merging free neighbours of its span.
     */
    private void release(int n) {
        lastFit = NIL;
        long end = segs.end[n];
        int before = byAddress.foundPredecessor;
        int after = byAddress.foundSuccessor;
        boolean mergeBefore = before != NIL && segs.isFree(before) && !segs.startsSpan(n);
        boolean mergeAfter = after != NIL && segs.isFree(after) && !segs.startsSpan(after);
        if (mergeAfter) {
            end = segs.end[after];
            bySize.remove(after);
            byAddress.remove(after);
            segs.release(after);
            freeSegments--;
        }
        if (mergeBefore) {
            bySize.remove(before);
            byAddress.remove(n);
            segs.release(n);
            segs.end[before] = end;
            byAddress.refresh(before);
            bySize.insert(before);
        } else {
            segs.markFree(n);
            segs.end[n] = end;
            byAddress.refresh(n);
            bySize.insert(n);
            freeSegments++;
        }
    }

    @Override
    public boolean isFree(long start, long end) {
        int n = byAddress.containing(start);
        return n != NIL && segs.isFree(n) && Unsigned.atMost(end, segs.end[n]);
    }

    @Override
    public Allocation allocationContaining(long value) {
        int n = byAddress.containing(value);
        return n == NIL || segs.isFree(n) ? null : allocation(n);
    }

    @Override
    public Allocation firstAllocationIn(long start, long end) {
        int n = byAddress.firstAllocatedIn(start, end);
        return n == NIL ? null : allocation(n);
    }

    private Allocation allocation(int n) {
        return new Allocation(new Range(segs.start[n], segs.end[n]), segs.tag(n));
    }

    @Override
    public long freeSegments() {
        return freeSegments;
    }

    @Override
    public long largestFree() {
        return byAddress.largestFree();
    }

    @Override
    public Range firstFit(Request r, long from) {
        return remember(byAddress.lowest(r, from), byAddress.foundSegment);
    }

    @Override
    public Range lastFit(Request r, long to) {
        return remember(byAddress.highest(r, to), byAddress.foundSegment);
    }

    @Override
    public Range bestFit(Request r) {
        return remember(bySize.smallestFit(r, r.size()), bySize.foundSegment);
    }

    private Range remember(Range placement, int segment) {
        lastFit = placement == null ? NIL : segment;
        return placement;
    }

    /**
     * The smallest segment of the lowest power-of-two size class all of whose members hold the
     * request: size at least the request's size rounded up to a power of two. vmem takes the
     * head of that free list in O(1); a tree finds the smallest member in O(log n).
     */
    @Override
    public Range instantFit(Request r) {
        long size = r.size();
        long sizeClass = Long.highestOneBit(size) == size ? size : Long.highestOneBit(size) << 1;
        return sizeClass == 0 ? null : remember(bySize.smallestFit(r, sizeClass), bySize.foundSegment);
    }

    @Override
    public Iterator<Range> ascending(long from) {
        return FreeSegmentIterator.ascending(byAddress, segs, from);
    }

    @Override
    public Iterator<Range> descending(long to) {
        return FreeSegmentIterator.descending(byAddress, segs, to);
    }

    @Override
    public void forEachAllocated(Consumer<? super Allocation> action) {
        byAddress.forEachAllocated(action);
    }

    @Override
    public void forEachFree(Consumer<? super Range> action) {
        byAddress.forEachFree(action);
    }

    private int newFree(long start, long end, boolean spanStart) {
        if (segs.isFull()) {
            int capacity = segs.grow();
            byAddress.grow(capacity);
            bySize.grow(capacity);
        }
        return segs.createFree(start, end, spanStart);
    }

    /**
     * Verifies every invariant in the class comment by a full walk, O(n). For tests.
     *
     * @throws IllegalStateException naming the first broken invariant
     */
    void checkInvariants() {
        int[] counts = new int[2];
        checkAddressNode(byAddress.root, counts);
        if (counts[0] != freeSegments) {
            throw new IllegalStateException("freeSegments " + freeSegments + " but " + counts[0] + " free segments");
        }
        int sized = checkSizeNode(bySize.root);
        if (sized != freeSegments) {
            throw new IllegalStateException("size tree holds " + sized + " segments, " + freeSegments + " are free");
        }
        long[] previous = {NIL};
        byAddress.forEachInOrder(n -> {
            int p = (int) previous[0];
            if (p != NIL && !segs.startsSpan(n)) {
                if (segs.end[p] + 1 != segs.start[n]) {
                    throw new IllegalStateException("gap inside a span before segment " + describe(n));
                }
                if (segs.isFree(p) && segs.isFree(n)) {
                    throw new IllegalStateException("adjacent free segments " + describe(p) + " and " + describe(n));
                }
            }
            if (p != NIL && !Unsigned.lessThan(segs.end[p], segs.start[n])) {
                throw new IllegalStateException("segments out of order: " + describe(p) + " then " + describe(n));
            }
            previous[0] = n;
        });
    }

    private long checkAddressNode(int t, int[] counts) {
        if (t == NIL) {
            return 0;
        }
        long l = checkAddressNode(byAddress.left[t], counts);
        long r = checkAddressNode(byAddress.right[t], counts);
        int hl = byAddress.heightOf(byAddress.left[t]);
        int hr = byAddress.heightOf(byAddress.right[t]);
        if (Math.abs(hl - hr) > 1 || byAddress.heightOf(t) != 1 + Math.max(hl, hr)) {
            throw new IllegalStateException("address tree unbalanced at " + describe(t));
        }
        long own = segs.isFree(t) ? segs.size(t) : 0;
        long expected = Unsigned.max(own, Unsigned.max(l, r));
        if (byAddress.maxFree(t) != expected) {
            throw new IllegalStateException("maxFree " + Unsigned.hex(byAddress.maxFree(t)) + " at "
                    + describe(t) + ", expected " + Unsigned.hex(expected));
        }
        if (segs.isFree(t)) {
            counts[0]++;
        }
        return expected;
    }

    private int checkSizeNode(int t) {
        if (t == NIL) {
            return 0;
        }
        if (!segs.isFree(t)) {
            throw new IllegalStateException("allocated segment " + describe(t) + " in the size tree");
        }
        int l = bySize.left[t];
        int r = bySize.right[t];
        if (l != NIL && bySize.compare(l, t) >= 0 || r != NIL && bySize.compare(r, t) <= 0) {
            throw new IllegalStateException("size tree out of order at " + describe(t));
        }
        int hl = bySize.heightOf(l);
        int hr = bySize.heightOf(r);
        if (Math.abs(hl - hr) > 1 || bySize.heightOf(t) != 1 + Math.max(hl, hr)) {
            throw new IllegalStateException("size tree unbalanced at " + describe(t));
        }
        return 1 + checkSizeNode(l) + checkSizeNode(r);
    }

    private String describe(int n) {
        return new Range(segs.start[n], segs.end[n]) + (segs.isFree(n) ? " free" : " allocated");
    }

    /** Tree heights, for tests that check the balance bound. */
    int addressHeight() {
        return byAddress.height();
    }
}
