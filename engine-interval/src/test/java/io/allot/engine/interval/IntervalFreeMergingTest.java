package io.allot.engine.interval;

import io.allot.Range;
import io.allot.Request;
import org.junit.jupiter.api.Test;

import java.util.BitSet;
import java.util.SplittableRandom;

import static io.allot.engine.interval.CoreFixtures.atBases;
import static io.allot.engine.interval.CoreFixtures.free;
import static io.allot.engine.interval.CoreFixtures.freeIds;
import static io.allot.engine.interval.CoreFixtures.ids;
import static io.allot.engine.interval.CoreFixtures.twoFullSpans;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * White-box tests of the free at the cursor that merges one or both free neighbours inside its
 * leaf ({@link SegmentTree#freeOne}, {@link SegmentTree#freeBoth}), as next-fit's pair frees the page it carved strictly
 * inside the free tail (both), last-match's the back it carved off the tail (the previous) and
 * first-match's the front of a hole (the next): the merged entry becomes the leaf's largest
 * (settling a deferred shrink of the leaf, or climbing), or stays below it (the bound only, or
 * nothing); a span start on either side keeps the entries apart; and a seeded random run of
 * carves freed at once checks the free segments against a model and every invariant after each
 * step.
 */
class IntervalFreeMergingTest {

    /** Next-fit's pair: a carve strictly inside the free tail (a deferred shrink), its free merges both back. */
    @Test
    void nextFitPairsInsideTheFreeTailMergeBack() {
        IntervalCore core = ids(1000, 200);
        long segments = core.freeSegments();
        for (long at = 300; at < 320; at++) {
            Range r = core.allocateFirstFit(Request.of(3), at);
            assertEquals(Range.of(at, at + 2), r);
            assertTrue(core.shrinkDeferred());
            core.checkInvariants();
            assertEquals(segments + 1, core.freeSegments());
            free(core, at, at + 2); // both neighbours: the tail is whole and the leaf's largest again
            assertFalse(core.shrinkDeferred());
            assertEquals(segments, core.freeSegments());
            assertEquals(800, core.largestFree());
        }
    }

    /** Last-match's pair: the back carved off the free tail, its free merges the previous back. */
    @Test
    void lastMatchPairsMergeThePreviousBack() {
        IntervalCore core = ids(1000, 200);
        long segments = core.freeSegments();
        for (int k = 0; k < 20; k++) {
            Range r = core.allocateLastFit(Request.of(3), -1L);
            assertEquals(Range.of(997, 999), r);
            core.checkInvariants();
            assertEquals(segments, core.freeSegments());
            free(core, 997, 999); // the previous only: the tail is whole and the leaf's largest again
            assertEquals(segments, core.freeSegments());
            assertEquals(800, core.largestFree());
        }
    }

    /**
     * First-match's pair: the front of a hole carved, its free merges the next back — below the
     * leaf's largest (the bound covers it, then it raises the bound), and as the leaf's largest.
     */
    @Test
    void firstMatchPairsMergeTheNextBack() {
        IntervalCore core = ids(1000, 200);
        freeIds(core, 10, 12); // [10, 12]
        freeIds(core, 30, 31); // [30, 31]
        long segments = core.freeSegments();
        for (int k = 0; k < 5; k++) {
            assertEquals(Range.of(10, 11), core.allocateFirstFit(Request.of(2), 0));
            core.checkInvariants();
            free(core, 10, 11); // the next only
            assertEquals(segments, core.freeSegments());
            assertEquals(Range.of(30, 30), core.allocateFirstFit(Request.of(1), 30));
            core.checkInvariants();
            free(core, 30, 30);
            assertEquals(segments, core.freeSegments());
        }
        assertEquals(Range.of(10, 12), core.allocateBestFit(Request.of(3)));
        core.checkInvariants();
        free(core, 10, 12);
        IntervalCore tail = ids(1000, 1000);
        freeIds(tail, 500, 999); // one free entry [500, 999], the leaf's largest
        for (int k = 0; k < 5; k++) {
            assertEquals(Range.of(500, 503), tail.allocateFirstFit(Request.of(4), 0));
            tail.checkInvariants();
            free(tail, 500, 503); // the next only, becoming the leaf's largest again
            assertEquals(500, tail.largestFree());
        }
    }

    /**
     * A merge below the leaf's largest: first one the bound already covers (nothing changes), then
     * one that raises the bound, then with a shrink of another leaf deferred, then one that
     * becomes the leaf's largest and climbs.
     */
    @Test
    void mergesBelowOrAboveTheLeafsLargest() {
        IntervalCore core = ids(1000, 200);
        freeIds(core, 20, 24); // [20, 24]
        freeIds(core, 40, 42); // [40, 42]
        assertTrue(core.allocate(41, 41, null));
        core.checkInvariants();
        free(core, 41, 41); // merges to 3, under the leaf's largest 5
        assertTrue(core.allocate(22, 22, null));
        core.checkInvariants();
        free(core, 22, 22); // merges to 5 again
        assertEquals(200, core.claimLowest(100, -1L)); // a deferred shrink in the last leaf
        assertTrue(core.shrinkDeferred());
        assertTrue(core.allocate(41, 41, null)); // not the last leaf: flushed
        core.checkInvariants();
        free(core, 41, 41);
        core.checkInvariants();
        assertTrue(core.allocate(21, 23, null));
        core.checkInvariants();
        free(core, 21, 23);
        assertEquals(Range.of(20, 24), core.allocateBestFit(Request.of(5)));
        core.checkInvariants();
        free(core, 20, 24); // lone
        // Make [40, 42] bigger than the leaf's largest by a middle carve of a bigger entry.
        freeIds(core, 43, 49); // [40, 49], 10: the leaf's largest, climbing
        assertTrue(core.allocate(44, 45, null));
        core.checkInvariants();
        free(core, 44, 45); // merges to 10, above what the parent records after the carve
        assertEquals(Range.of(40, 49), core.allocateBestFit(Request.of(10)));
        core.checkInvariants();
    }

    /**
     * Merges of free entries of 2^56 values or more, past what a leaf's bound can hold (it
     * saturates): a merge that grows the leaf's largest climbs — with the previous only, the next
     * only, and both.
     */
    @Test
    void mergesOfHugeEntriesClimb() {
        long x = 0xC000_0000_0000_0000L; // 2^63 + 2^62
        IntervalCore previous = new IntervalCore();
        previous.addSpan(0, -2L); // spans never hold all 2^64 values
        assertTrue(previous.allocate(0, 0, null));
        assertTrue(previous.allocate(x, x + 1, null));
        assertTrue(previous.allocate(x + 2, x + 2, null)); // free [1, x - 1] and [x + 3, 2^64 - 2]
        previous.checkInvariants();
        assertEquals(x - 1, previous.largestFree());
        free(previous, x, x + 1); // the previous only, now the largest
        assertEquals(x + 1, previous.largestFree());

        long y = 1L << 62;
        IntervalCore next = new IntervalCore();
        next.addSpan(0, -2L);
        assertTrue(next.allocate(0, 0, null));
        assertTrue(next.allocate(y, y, null));
        assertTrue(next.allocate(y + 1, y + 2, null)); // free [1, y - 1] and [y + 3, 2^64 - 2]
        next.checkInvariants();
        assertEquals(-y - 4, next.largestFree());
        free(next, y + 1, y + 2); // the next only, the largest grown
        assertEquals(-y - 2, next.largestFree());

        free(next, y, y); // both
        assertEquals(-2L, next.largestFree()); // [1, 2^64 - 2]
    }

    /** Free neighbours across a span start on either side are not merged with. */
    @Test
    void noMergeAcrossASpanStart() {
        IntervalCore core = new IntervalCore();
        core.addSpan(0, 99);
        core.addSpan(100, 199);
        core.addSpan(200, 299);
        assertTrue(core.allocate(100, 149, null));
        core.checkInvariants();
        free(core, 100, 149); // the previous across a span start, the next inside
        assertEquals(3, core.freeSegments());
        assertTrue(core.allocate(150, 199, null));
        core.checkInvariants();
        free(core, 150, 199); // the next across a span start
        assertEquals(3, core.freeSegments());
        assertTrue(core.allocate(120, 129, null));
        core.checkInvariants();
        free(core, 120, 129); // both inside the middle span
        assertEquals(3, core.freeSegments());
        assertEquals(100, core.largestFree());
    }

    @Test
    void randomMiddleCarvesMatchTheModel() {
        atBases((seed, base) -> randomRun(seed, base, 20_000), 0, -4096);
    }

    /**
     * Two adjacent spans of 1,000 units each, filled unit by unit and a random half freed; then
     * allocations of random pieces of random free segments, often strictly inside, by fixed range
     * and by first-fit from inside a segment, freed at once as often as not, with frees of random
     * allocated units between (some kept tagged). The free segments against a model split at the
     * span start; invariants after every operation. Counts the frees that merged both sides.
     */
    private static void randomRun(long seed, long base, int operations) {
        SplittableRandom random = new SplittableRandom(seed ^ base);
        int half = 1000;
        int space = 2 * half;
        BitSet used = new BitSet(space);
        IntervalCore core = twoFullSpans(base, half, used);
        for (int i = 0; i < space / 2; i++) {
            int u = random.nextInt(space);
            if (used.get(u)) {
                assertTrue(core.free(base + u, base + u));
                used.clear(u);
            }
        }
        core.checkInvariants();
        int both = 0;
        int one = 0;
        int operation = 0;
        try {
            for (; operation < operations; operation++) {
                int s = used.nextClearBit(random.nextInt(space));
                if (s >= space) {
                    continue;
                }
                int e = Math.min(used.nextSetBit(s) < 0 ? space : used.nextSetBit(s), s < half ? half : space) - 1;
                if (random.nextInt(4) == 0 || e == s) {
                    int u = random.nextInt(space);
                    if (used.get(u)) {
                        assertTrue(core.free(base + u, base + u));
                        used.clear(u);
                        core.checkInvariants();
                    }
                    continue;
                }
                int from = s + random.nextInt(e - s + 1);
                int to = from + random.nextInt(Math.min(4, e - from + 1));
                if (random.nextBoolean()) {
                    assertTrue(core.allocate(base + from, base + to, null), "allocate, operation " + operation);
                } else {
                    Range r = core.allocateFirstFit(Request.of(to - from + 1), base + from);
                    assertEquals(Range.of(base + from, base + to), r, "next-fit, operation " + operation);
                }
                core.checkInvariants();
                if (random.nextInt(3) > 0) {
                    boolean previous = from > s;
                    boolean next = to < e;
                    both += previous && next ? 1 : 0;
                    one += previous != next ? 1 : 0;
                    assertTrue(core.free(base + from, base + to), "free just made, operation " + operation);
                    core.checkInvariants();
                    assertEquals(countSegments(used, space, half), core.freeSegments(), "segments, operation " + operation);
                } else if (to > from) {
                    // Kept allocations are one unit, so that the random frees find them whole.
                    assertTrue(core.free(base + from, base + to), "free, operation " + operation);
                    core.checkInvariants();
                } else {
                    used.set(from);
                }
            }
        } catch (AssertionError | RuntimeException x) {
            fail("seed " + seed + " (replay with -Dallot.seed=" + seed + "), base " + Long.toHexString(base) + ", operation "
                    + operation + ": " + x, x);
        }
        assertTrue(both > operations / 10, both + " frees merging both sides");
        assertTrue(one > operations / 20, one + " frees merging one side");
    }

    /** The free segments of the model, split at the span start {@code half}. */
    private static long countSegments(BitSet used, int space, int half) {
        long n = 0;
        int s = used.nextClearBit(0);
        while (s < space) {
            int e = Math.min(used.nextSetBit(s) < 0 ? space : used.nextSetBit(s), s < half ? half : space);
            n++;
            s = used.nextClearBit(e);
        }
        return n;
    }
}
