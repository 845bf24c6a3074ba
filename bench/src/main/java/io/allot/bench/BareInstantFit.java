package io.allot.bench;

import io.allot.Range;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * V1's allocate/free pair with nothing but the free-list work that vmem's instant fit itself
 * needs, written as plainly and as fast as Java allows: the floor under V1's instant-fit rows
 * ({@link V1#bareCarve}), measured in the same run. What an Allot engine does beyond it is the
 * contract's work: the checks of the caller's input, the look-up of an allocation by its start,
 * the O(1) statistics, the room reserved before the first change so that no failed call changes
 * anything, and the layer every engine shares.
 *
 * <p><b>Structure.</b> The free segments of V1's state ({@link Plan#blocks}: the freed blocks,
 * merged where they touch, and the span's unused tail) in parallel arrays, each on the
 * power-of-two free list of its size (list k holds sizes in [2<sup>k</sup>, 2<sup>k+1</sup>)),
 * singly linked, with a bitmap of the non-empty lists. An allocation is vmem's instant fit: the
 * head of the lowest non-empty list from ceil(log<sub>2</sub> size) up, carved at its front. A
 * head that fits exactly leaves its list. A free must be of the latest allocation, and a new
 * allocation waits for it, so it undoes the carve: the segment gets its front back, or goes back
 * onto its list.
 *
 * <p><b>What it leaves out</b>, on purpose: a record per allocation and any look-up by start
 * (so a free of any other allocation is refused), statistics, tags, the address-ordered list of
 * segments, coalescing with neighbours (the undone carve never needs it), checks of the request,
 * growth (the arrays hold V1's set-up and never change size), and refiling: a head whose
 * remainder falls into a lower class stays on its list, since nothing can search the lists before
 * the free gives it its size back (vmem does the same while its carve is held, and files the head
 * before anything else reads its list). Costs: O(1) per allocation and free; the set-up is
 * O(blocks log blocks).
 */
public final class BareInstantFit {

    private static final int NIL = -1;
    private static final int LISTS = 64;

    /** Segment {@code p} is {@code [start[p], end[p]]}. */
    private final long[] start;
    private final long[] end;
    /** Free-list links: only heads ever leave a list, so one link does. */
    private final int[] next;
    private final int[] heads = new int[LISTS];
    /** Bit k: list k is non-empty. */
    private long map;

    /** The segment the latest allocation came from, until it is freed; {@link #NIL} when none is held. */
    private int held = NIL;
    private boolean heldWhole;
    private int heldList;
    private long heldStart;
    private long heldEnd;

    private final XorShift64Star rng;
    private long exactFits;

    /**
     * V1's state at {@code blocks} blocks, with every list in the order the {@code vmem} engine's
     * set-up leaves it, so that each pair takes the segment {@code vmem}'s would.
     */
    public BareInstantFit(int blocks) {
        Plan plan = Plan.blocks(blocks);
        SetUp setUp = new SetUp(plan);
        int n = setUp.byStart.size();
        start = new long[n];
        end = new long[n];
        next = new int[n];
        Arrays.fill(heads, NIL);
        // Compact the surviving segments in each list, newest first as vmem pushes them.
        int p = 0;
        for (int k = LISTS - 1; k >= 0; k--) {
            for (int id : setUp.lists.get(k)) { // oldest first: each push goes on top of the ones before
                start[p] = setUp.starts.get(id);
                end[p] = setUp.ends.get(id);
                push(p++, k);
            }
        }
        rng = plan.rng();
    }

    /**
     * Replays V1's set-up (every block reserved in address order, then the plan's half freed in
     * its order) with the {@code vmem} engine's free-list discipline, the set-up's cost not
     * mattering: a freed block with no free neighbour is pushed onto its list; one that merges
     * into a neighbour leaves that neighbour where it is if its class stays, else moves it to the
     * head of its new list; one between two free neighbours takes the one after off its list and
     * merges both into the one before, which stays or moves the same way. The reservations only
     * shrink the span's unused tail, the one segment of its class (vmem files it there at the
     * first search).
     */
    private static final class SetUp {
        final List<Long> starts = new ArrayList<>();
        final List<Long> ends = new ArrayList<>();
        /** The free segments' ids by start. */
        final TreeMap<Long, Integer> byStart = new TreeMap<>();
        /** The ids on each list, oldest push first. */
        final List<LinkedHashSet<Integer>> lists = new ArrayList<>();

        SetUp(Plan plan) {
            for (int k = 0; k < LISTS; k++) {
                lists.add(new LinkedHashSet<>());
            }
            int last = plan.count() - 1;
            long tail = plan.start(last) + plan.size(last);
            add(tail, Plan.SPAN_LAST);
            for (int j = 0; j < plan.freedCount(); j++) {
                int block = plan.freed(j);
                free(plan.start(block), plan.start(block) + plan.size(block) - 1);
            }
        }

        private void free(long first, long last) {
            Map.Entry<Long, Integer> below = byStart.lowerEntry(first);
            Integer before = below != null && ends.get(below.getValue()) == first - 1 ? below.getValue() : null;
            Integer after = byStart.get(last + 1);
            if (before == null && after == null) {
                add(first, last);
            } else if (before == null) {
                long oldSize = ends.get(after) - (last + 1) + 1;
                byStart.remove(last + 1);
                starts.set(after, first);
                byStart.put(first, after);
                grew(after, oldSize);
            } else {
                long oldSize = ends.get(before) - starts.get(before) + 1;
                long newEnd = last;
                if (after != null) {
                    lists.get(listOf(size(after))).remove(after);
                    byStart.remove(starts.get(after));
                    newEnd = ends.get(after);
                }
                ends.set(before, newEnd);
                grew(before, oldSize);
            }
        }

        private void add(long first, long last) {
            int id = starts.size();
            starts.add(first);
            ends.add(last);
            byStart.put(first, id);
            lists.get(listOf(last - first + 1)).add(id);
        }

        private void grew(int id, long oldSize) {
            int from = listOf(oldSize);
            int to = listOf(size(id));
            if (to != from) {
                lists.get(from).remove(id);
                lists.get(to).add(id);
            }
        }

        private long size(int id) {
            return ends.get(id) - starts.get(id) + 1;
        }
    }

    /** V1's loop: draw a size as V1 does, allocate it, free it, and return the range. */
    public Range allocateFree() {
        long size = AllotBlocks.REQUESTS[rng.index(AllotBlocks.SMALL_PAGES)].size();
        long first = allocate(size);
        Range placed = new Range(first, first + size - 1);
        free(placed.start(), placed.end());
        return placed;
    }

    /**
     * Allocates {@code size} (at least 1) by instant fit.
     *
     * @return the first value
     * @throws IllegalStateException if the latest allocation has not been freed, or no list holds the size
     */
    long allocate(long size) {
        if (held != NIL) {
            throw new IllegalStateException("the bare carve frees only its latest allocation, "
                    + Range.of(heldStart, heldEnd) + ", and it is still allocated");
        }
        int k = LISTS - Long.numberOfLeadingZeros(size - 1);
        long candidates = k == LISTS ? 0 : map & (-1L << k);
        if (candidates == 0) {
            throw new IllegalStateException("no free list holds " + size);
        }
        int list = Long.numberOfTrailingZeros(candidates);
        int p = heads[list];
        long first = start[p];
        long last = first + size - 1;
        if (last == end[p]) {
            pop(p, list);
            heldWhole = true;
            exactFits++;
        } else {
            start[p] = last + 1; // it stays on its list, whatever its class now: see the class comment
            heldWhole = false;
        }
        held = p;
        heldList = list;
        heldStart = first;
        heldEnd = last;
        return first;
    }

    /**
     * Frees {@code [first, last]}, which must be the latest allocation.
     *
     * @throws IllegalArgumentException naming the range if it is not
     */
    void free(long first, long last) {
        if (held == NIL || first != heldStart || last != heldEnd) {
            throw new IllegalArgumentException(Range.of(first, last) + " is not the bare carve's latest allocation");
        }
        int p = held;
        held = NIL;
        if (heldWhole) {
            push(p, heldList);
        } else {
            start[p] = first;
        }
    }

    /** How many allocations took a whole segment (the rest carved a front). */
    long exactFits() {
        return exactFits;
    }

    /** The free segments in address order; a held allocation's part is not free. For tests. */
    List<Range> freeSegments() {
        List<Range> segments = new ArrayList<>();
        for (int list = 0; list < LISTS; list++) {
            for (int p = heads[list]; p != NIL; p = next[p]) {
                segments.add(Range.of(start[p], end[p]));
            }
        }
        segments.sort(Comparator.comparingLong(Range::start));
        return segments;
    }

    private static int listOf(long size) {
        return 63 - Long.numberOfLeadingZeros(size);
    }

    /** Pushes {@code p}, on no list, onto list {@code k}. */
    private void push(int p, int k) {
        next[p] = heads[k];
        heads[k] = p;
        map |= 1L << k;
    }

    /** Takes {@code p}, the head of list {@code k}, off it. */
    private void pop(int p, int k) {
        int after = next[p];
        heads[k] = after;
        if (after == NIL) {
            map &= ~(1L << k);
        }
    }
}
