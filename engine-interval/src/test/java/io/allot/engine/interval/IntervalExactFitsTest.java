package io.allot.engine.interval;

import io.allot.Range;
import io.allot.Request;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;

import static io.allot.engine.interval.CoreFixtures.atBases;
import static io.allot.engine.interval.CoreFixtures.free;
import static io.allot.engine.interval.CoreFixtures.freeIds;
import static io.allot.engine.interval.CoreFixtures.ids;
import static io.allot.engine.interval.CoreFixtures.twoFullSpans;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * White-box tests of the two short paths of an allocate/free pair that moves no pivot: the exact
 * fit, which allocates all of a free entry ({@link SegmentTree#takeWhole}, from the one-pass
 * first-fit and one-unit claims, from best- and instant-fit's carve and from last-fit's), and the
 * lone free, which frees the allocation at the cursor when it merges with neither neighbour
 * ({@link SegmentTree#freeAlone}). Each gap case of both (the entry was or was not the leaf's
 * largest, another of its size stays or none does, a deferred shrink on the same leaf or on
 * another, a free that raises the leaf's largest above what its parent records) has a test that
 * checks every invariant after each step; a free neighbour across a span start is not merged;
 * and a seeded random run of exact-fit-heavy pairs over two adjacent spans checks placements
 * against a model and the invariants after every operation.
 */
class IntervalExactFitsTest {

    /**
     * One-unit claims take holes of one unit whole: first one of two holes of the leaf's largest
     * size (the other stays the largest), then the last (the leaf's largest falls to 0, which
     * climbs). Frees of them merge with nothing: the first raises the leaf's largest from 0, the
     * second only the bound. The claims then repeat, from the cursor the frees left.
     */
    @Test
    void exactFitsOfTheLeafsLargestAndLoneFreesKeepTheGapsExact() {
        IntervalCore core = ids(1000, 200);
        free(core, 3, 3);
        free(core, 7, 7);
        long segments = core.freeSegments();
        for (int round = 0; round < 3; round++) {
            assertEquals(3, core.claimLowest(0, -1L));
            core.checkInvariants();
            assertEquals(7, core.claimLowest(0, -1L));
            core.checkInvariants();
            assertEquals(segments - 2, core.freeSegments());
            assertEquals(800, core.largestFree()); // the free tail
            free(core, 7, 7); // the leaf's largest from 0 to 1
            assertTrue(core.isAllocated(3)); // the cursor on 3
            free(core, 3, 3); // not above the largest: the bound only
            assertEquals(segments, core.freeSegments());
        }
        assertEquals(3, core.claimHighest(0, 6));
        core.checkInvariants();
    }

    /**
     * An exact fit of an entry that is not the leaf's largest changes no gap; one of the leaf's
     * largest while a shrink of that leaf is deferred settles it: to the next largest (deferred
     * still) or, when nothing free is left there, up the path.
     */
    @Test
    void exactFitsSettleADeferredShrinkOfTheirLeaf() {
        IntervalCore core = ids(1000, 200);
        freeIds(core, 3, 4);
        freeIds(core, 10, 12); // [10, 12]: the leaf's largest, 3
        assertEquals(10, core.claimLowest(10, -1L)); // the front of [10, 12]: the leaf's largest 3 -> 2, deferred
        assertTrue(core.shrinkDeferred());
        core.checkInvariants();
        assertEquals(3, core.allocateFirstFit(Request.of(2), 0).start()); // all of [3, 4], a largest of 2
        assertTrue(core.shrinkDeferred());
        core.checkInvariants();
        assertEquals(11, core.allocateFirstFit(Request.of(2), 0).start()); // all of [11, 12]: nothing left free
        assertFalse(core.shrinkDeferred());
        core.checkInvariants();
        free(core, 11, 12);
        free(core, 3, 4);
        assertEquals(Range.of(3, 3), core.allocateFirstFit(Request.of(1), 0)); // the front of [3, 4]
        core.checkInvariants();
        assertEquals(Range.of(4, 4), core.allocateBestFit(Request.of(1))); // all of [4, 4], not the largest
        core.checkInvariants();
        assertEquals(Range.of(11, 12), core.allocateBestFit(Request.of(2).tagged("whole"))); // tagged
        core.checkInvariants();
        assertEquals("whole", core.allocationContaining(12).tag());
        free(core, 11, 12); // tagged: the general free, which drops the tag
        assertNull(core.allocationContaining(12));
        core.checkInvariants();
        assertEquals(Range.of(11, 12), core.allocateLastFit(Request.of(2), 100)); // all of it, from the top
        core.checkInvariants();
    }

    /** A deferred shrink of another leaf is told first, by both paths. */
    @Test
    void bothPathsFlushADeferredShrinkOfAnotherLeaf() {
        IntervalCore core = ids(1000, 200);
        assertTrue(core.leafCounts().length > 3);
        free(core, 5, 5);
        assertEquals(200, core.claimLowest(100, -1L)); // the front of the free tail, in the last leaf: deferred
        assertTrue(core.shrinkDeferred());
        assertEquals(Range.of(5, 5), core.allocateBestFit(Request.of(1))); // exact fit in the first leaf
        assertFalse(core.shrinkDeferred());
        core.checkInvariants();
        free(core, 5, 5);
        assertEquals(201, core.claimLowest(100, -1L)); // deferred again
        assertTrue(core.shrinkDeferred());
        assertTrue(core.isAllocated(60)); // the cursor on 60, in the first leaves
        free(core, 60, 60); // lone, at the cursor
        assertFalse(core.shrinkDeferred());
        core.checkInvariants();
    }

    /**
     * A lone free settles a deferred shrink of its own leaf, back below what the parent records
     * or above it; without one, a lone free bigger than the leaf's largest climbs.
     */
    @Test
    void loneFreesSettleADeferredShrinkOfTheirLeafOrClimb() {
        IntervalCore core = ids(1000, 200);
        freeIds(core, 20, 23);
        assertTrue(core.allocate(20, 23, null)); // one allocation of 4, its neighbours allocated
        freeIds(core, 10, 12);
        assertEquals(10, core.claimLowest(10, -1L)); // [11, 12] left: 3 -> 2, deferred
        assertTrue(core.shrinkDeferred());
        assertTrue(core.isAllocated(5)); // the cursor on 5, in the same leaf
        free(core, 5, 5); // lone: settles the shrink, the parent's 3 down to 2
        assertFalse(core.shrinkDeferred());
        assertEquals(Range.of(5, 5), core.allocateBestFit(Request.of(1)));
        core.checkInvariants();
        assertEquals(11, core.claimLowest(11, -1L)); // [12, 12] left: 2 -> 1, deferred
        assertTrue(core.shrinkDeferred());
        assertTrue(core.isAllocated(20));
        free(core, 20, 23); // lone: settles the shrink, the parent's 2 up to 4
        assertFalse(core.shrinkDeferred());
        assertEquals(Range.of(20, 23), core.allocateBestFit(Request.of(4))); // the leaf's largest: 4 -> 1, deferred
        assertTrue(core.shrinkDeferred());
        core.checkInvariants();
        free(core, 20, 23); // lone: back to what the parent records, no climb
        assertFalse(core.shrinkDeferred());
        assertEquals(Range.of(20, 23), core.allocateFirstFit(Request.of(4), 0));
        assertEquals(800, core.largestFree()); // tells the ancestors the shrink
        assertFalse(core.shrinkDeferred());
        assertTrue(core.isAllocated(20));
        free(core, 20, 23); // lone, no shrink deferred: the leaf's largest 1 -> 4 climbs
        assertEquals(Range.of(20, 23), core.allocateBestFit(Request.of(4)));
        core.checkInvariants();
    }

    /**
     * Free entries on both sides that start a span (or an entry that starts one after a free
     * one) are not merged with: the lone free takes them, and the entries stay apart.
     */
    @Test
    void loneFreesDoNotMergeAcrossASpanStart() {
        IntervalCore core = new IntervalCore();
        core.addSpan(0, 99);
        core.addSpan(100, 199);
        core.addSpan(200, 299);
        assertTrue(core.allocate(100, 199, null)); // all of the middle span
        core.checkInvariants();
        assertEquals(2, core.freeSegments());
        free(core, 100, 199); // free neighbours on both sides, each across a span start
        assertEquals(3, core.freeSegments());
        assertEquals(100, core.largestFree());
        assertEquals(Range.of(100, 199), core.allocateBestFit(Request.of(100).within(100, 299)));
        core.checkInvariants();
        free(core, 100, 199);
        assertEquals(3, core.freeSegments());
    }

    @Test
    void randomExactFitPairsMatchTheModel() {
        atBases((seed, base) -> randomRun(seed, base, 30_000), 0, -4096);
    }

    /**
     * Two adjacent spans of 1,000 units each, filled unit by unit and half freed at random (holes
     * of mostly one to four units); then allocations of the size of a random free segment (so
     * that most fit exactly) by one-unit claims, first-, last-, best- and instant-fit, some
     * tagged, each freed at once as often as not, with frees of random live allocations between.
     * Placements against a model of free segments split at the span start; invariants after
     * every operation. Counts that the exact fits and the lone frees happened.
     */
    private static void randomRun(long seed, long base, int operations) {
        SplittableRandom random = new SplittableRandom(seed ^ base);
        int half = 1000;
        int space = 2 * half;
        BitSet used = new BitSet(space);
        IntervalCore core = twoFullSpans(base, half, used);
        List<long[]> live = new ArrayList<>();
        for (int i = 0; i < space; i++) {
            live.add(new long[] {base + i, base + i});
        }
        for (int i = 0; i < space / 2; i++) {
            long[] victim = live.remove(random.nextInt(live.size()));
            assertTrue(core.free(victim[0], victim[1]));
            used.clear((int) (victim[0] - base));
        }
        core.checkInvariants();
        int exactFits = 0;
        int loneFrees = 0;
        int operation = 0;
        try {
            for (; operation < operations; operation++) {
                List<int[]> segments = segments(used, space, half);
                if (random.nextInt(10) < 7 && !segments.isEmpty() || live.isEmpty()) {
                    int kind = random.nextInt(6);
                    int size = kind <= 1 ? 1 : segments.get(random.nextInt(segments.size()))[1];
                    if (kind == 5) {
                        size = Math.max(1, Integer.highestOneBit(size)); // its class is the segment's size or below
                    }
                    String tag = kind >= 2 && random.nextInt(8) == 0 ? "t" + operation : null;
                    Request r = tag == null ? Request.of(size) : Request.of(size).tagged(tag);
                    int[] chosen = choose(segments, kind, size);
                    long got;
                    if (kind <= 1) {
                        long claimed = kind == 0 ? core.claimLowest(base, base + space - 1) : core.claimHighest(base, base + space - 1);
                        got = claimed == core.none() ? -1 : claimed - base;
                    } else {
                        Range placed = switch (kind) {
                            case 2 -> core.allocateFirstFit(r, base);
                            case 3 -> core.allocateLastFit(r, base + space - 1);
                            case 4 -> core.allocateBestFit(r);
                            default -> core.allocateInstantFit(r);
                        };
                        got = placed == null ? -1 : placed.start() - base;
                    }
                    long expected = chosen == null ? -1 : kind == 1 || kind == 3 ? chosen[0] + chosen[1] - size : chosen[0];
                    assertEquals(expected, got, "placement of " + size + " by kind " + kind + ", operation " + operation);
                    core.checkInvariants();
                    if (got < 0) {
                        continue;
                    }
                    if (chosen[1] == size) {
                        exactFits++;
                    }
                    used.set((int) got, (int) got + size);
                    long[] made = {base + got, base + got + size - 1};
                    if (tag != null) {
                        assertEquals(tag, core.allocationContaining(made[0]).tag());
                    }
                    if (random.nextBoolean()) {
                        loneFrees += lone(used, made[0] - base, made[1] - base, space, half) ? 1 : 0;
                        assertTrue(core.free(made[0], made[1]), "free just made, operation " + operation);
                        used.clear((int) got, (int) got + size);
                        core.checkInvariants();
                    } else {
                        live.add(made);
                    }
                } else {
                    long[] victim = live.remove(random.nextInt(live.size()));
                    loneFrees += lone(used, victim[0] - base, victim[1] - base, space, half) ? 1 : 0;
                    assertTrue(core.free(victim[0], victim[1]), "free, operation " + operation);
                    used.clear((int) (victim[0] - base), (int) (victim[1] - base) + 1);
                    core.checkInvariants();
                }
            }
        } catch (AssertionError | RuntimeException e) {
            fail("seed " + seed + " (replay with -Dallot.seed=" + seed + "), base " + Long.toHexString(base) + ", operation "
                    + operation + ": " + e, e);
        }
        assertTrue(exactFits > operations / 10, exactFits + " exact fits");
        assertTrue(loneFrees > operations / 10, loneFrees + " lone frees");
    }

    /** The free segments of the model, {start, size}, in address order, split at the span start {@code half}. */
    private static List<int[]> segments(BitSet used, int space, int half) {
        List<int[]> segments = new ArrayList<>();
        int s = used.nextClearBit(0);
        while (s < space) {
            int e = Math.min(used.nextSetBit(s) < 0 ? space : used.nextSetBit(s), s < half ? half : space);
            segments.add(new int[] {s, e - s});
            s = used.nextClearBit(e);
        }
        return segments;
    }

    /**
     * The segment the {@code kind} of allocation takes {@code size} from, or null: the lowest
     * (one-unit claims and first-fit), the highest (claims from the top and last-fit), the
     * smallest, lowest on ties (best-fit), or the smallest of at least the size's power of two
     * (instant-fit).
     */
    private static int[] choose(List<int[]> segments, int kind, int size) {
        int[] chosen = null;
        int least = kind == 5 ? Integer.highestOneBit(size) << (Integer.bitCount(size) == 1 ? 0 : 1) : size;
        for (int[] segment : segments) {
            if (segment[1] < least) {
                continue;
            }
            if (kind == 0 || kind == 2) {
                return segment;
            }
            if (kind == 1 || kind == 3 || chosen == null || segment[1] < chosen[1]) {
                chosen = segment;
            }
        }
        return chosen;
    }

    /** Whether freeing {@code [first, last]} merges with no free neighbour (free space never merges across the span start). */
    private static boolean lone(BitSet used, long first, long last, int space, int half) {
        boolean previous = first > 0 && first != half && !used.get((int) first - 1);
        boolean next = last < space - 1 && last + 1 != half && !used.get((int) last + 1);
        return !previous && !next;
    }
}
