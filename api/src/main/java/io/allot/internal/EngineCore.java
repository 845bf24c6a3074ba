package io.allot.internal;

import io.allot.Allocation;
import io.allot.Range;
import io.allot.Request;

import java.util.Iterator;
import java.util.function.Consumer;

/**
 * The data structure behind an engine: segments, free lists, bitmaps. It stores and finds;
 * {@link GuardedAllocator} wraps it with everything the contract adds (argument checks, quantum
 * rounding, policy calls and their verification, statistics, exception messages), so that no
 * engine repeats that logic.
 *
 * <p>Callers guarantee what each method's comment assumes; a core need not check it again.
 * Methods that change state either succeed completely or return {@code false}/{@code null} and
 * change nothing. All values are unsigned and on quantum boundaries. Free segments never cross
 * from one span into the next, even when spans are adjacent. Not thread-safe.
 */
public interface EngineCore {

    /** Adds a span that overlaps no other span; all of it is free. */
    void addSpan(long start, long end);

    /**
     * Removes the span {@code [start, end]} (the caller guarantees it is exactly one span) if it
     * is wholly free, as an arena does when it hands an imported span back to its source.
     *
     * @return false, changing nothing, if any part of the span is allocated
     */
    boolean removeSpan(long start, long end);

    /**
     * Allocates {@code [start, end]} with {@code tag} if it lies inside one free segment.
     *
     * @return false, changing nothing, if any part of it is allocated or outside the spans
     */
    boolean allocate(long start, long end, String tag);

    /**
     * Frees the allocation that is exactly {@code [start, end]}, merging it with free neighbours
     * in the same span.
     *
     * @return false, changing nothing, if {@code [start, end]} is not exactly one live allocation
     */
    boolean free(long start, long end);

    /**
     * Frees the allocation holding {@code value}, as {@link #free} would.
     *
     * @return the range freed, or null, changing nothing, if no allocation holds {@code value}
     */
    Range freeContaining(long value);

    /** Whether {@code [start, end]} lies inside one free segment. */
    boolean isFree(long start, long end);

    /** The live allocation holding {@code value}, or {@code null}. */
    Allocation allocationContaining(long value);

    /** The lowest live allocation that overlaps {@code [start, end]}, or {@code null}. */
    Allocation firstAllocationIn(long start, long end);

    /** Number of maximal free segments, counted per span. */
    long freeSegments();

    /** Size of the largest free segment, unsigned; 0 if none. */
    long largestFree();

    /** The lowest placement satisfying {@code r} whose start is at or above {@code from}, or null. */
    Range firstFit(Request r, long from);

    /** The highest placement satisfying {@code r} whose end is at or below {@code to}, or null. */
    Range lastFit(Request r, long to);

    /**
     * Allocates, with {@code r}'s tag, the placement {@link #firstFit firstFit(r, from)} returns.
     * A core that can carve the segment its search ends on without finding it again overrides
     * this; the default searches, then allocates.
     *
     * @return the placement, or null, changing nothing, if there is none
     */
    default Range allocateFirstFit(Request r, long from) {
        return allocateFound(firstFit(r, from), r);
    }

    /** As {@link #allocateFirstFit}, for the placement {@link #lastFit lastFit(r, to)} returns. */
    default Range allocateLastFit(Request r, long to) {
        return allocateFound(lastFit(r, to), r);
    }

    /** As {@link #allocateFirstFit}, for the placement {@link #bestFit bestFit(r)} returns. */
    default Range allocateBestFit(Request r) {
        return allocateFound(bestFit(r), r);
    }

    /** As {@link #allocateFirstFit}, for the placement {@link #instantFit instantFit(r)} returns. */
    default Range allocateInstantFit(Request r) {
        return allocateFound(instantFit(r), r);
    }

    /**
     * As {@link #allocateInstantFit}, for a request the caller has checked is limited by nothing but
     * its size ({@link Placement#onlySized}: alignment at most the quantum, no phase, no boundary,
     * the whole window), so that a core may skip those checks: its placement is then simply the
     * front of the segment its search finds. The size is whole quanta, but the request may be the
     * caller's own, not normalised: its alignment may be below the quantum, which every segment's
     * front meets anyway.
     */
    default Range allocateInstantFitSized(Request r) {
        return allocateInstantFit(r);
    }

    /**
     * Allocates {@code placed}, which this core's own search returned for {@code r}, and returns
     * it; null stays null.
     *
     * @throws IllegalStateException if it is not free: the search and the allocation disagree
     */
    private Range allocateFound(Range placed, Request r) {
        if (placed != null && !allocate(placed.start(), placed.end(), r.tag())) {
            throw new IllegalStateException("the search placed " + r + " at " + placed + ", which is not free");
        }
        return placed;
    }

    /** See {@link io.allot.spi.FreeSpace#bestFit}; null if none. */
    Range bestFit(Request r);

    /** See {@link io.allot.spi.FreeSpace#instantFit}; null if none. */
    Range instantFit(Request r);

    /** Maximal free segments ending at or after {@code from}, ascending. */
    Iterator<Range> ascending(long from);

    /** Maximal free segments starting at or before {@code to}, descending. */
    Iterator<Range> descending(long to);

    /** Visits live allocations in ascending order. */
    void forEachAllocated(Consumer<? super Allocation> action);

    /** Visits maximal free segments in ascending order. */
    void forEachFree(Consumer<? super Range> action);
}
