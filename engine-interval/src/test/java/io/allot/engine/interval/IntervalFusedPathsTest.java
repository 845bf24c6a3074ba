package io.allot.engine.interval;

import io.allot.Range;
import io.allot.Request;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;

import static io.allot.engine.interval.CoreFixtures.atBases;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * White-box tests of the interval engine's one-pass paths: first- and last-fit search fused with
 * the carve when the search would not leave the cursor's leaf
 * ({@link SegmentTree#allocateLowestInLeaf}, {@link SegmentTree#allocateHighestInLeaf}), and the
 * free of the allocation at the cursor ({@link SegmentTree#freeAtCursor}). Each case where a
 * fused path must step aside (a fit before the clean leaf for a lower limit or a smaller size than
 * the clean bounds cover, an entry without an aligned placement, a range that is not exactly the
 * cursor's allocation, a tag) has a test whose answer would be wrong if it did not; a random run
 * of allocate/free pairs and single operations checks every invariant after each operation and
 * every placement against a bit-set model. The fills that test leaf splits are stored page by page
 * ({@link #pageOfFill}): an untagged fill of equal pages is one run and splits nothing.
 */
class IntervalFusedPathsTest {

    private static final long PAGE = 4096;
    private static final Request ALIGNED_PAGE = Request.of(PAGE).aligned(PAGE);
    private static final Request TAGGED_PAGE = ALIGNED_PAGE.tagged("odd");

    /**
     * Page {@code i} of a fill that the core stores page by page: every other page tagged, so that
     * no two untagged equal allocations follow each other and none joins a run
     * ({@link IntervalRunsTest} has the fills that do), and the fill splits leaves as it goes.
     */
    private static Request pageOfFill(int i) {
        return i % 2 == 1 ? TAGGED_PAGE : ALIGNED_PAGE;
    }

    /** A core over {@code [0, 2^40 - 1]} with {@code pages} pages allocated from 0 in address order, page by page. */
    private static IntervalCore filled(int pages) {
        IntervalCore core = new IntervalCore();
        core.addSpan(0, (1L << 40) - 1);
        for (int i = 0; i < pages; i++) {
            assertEquals(PAGE * i, core.allocateFirstFit(pageOfFill(i), 0).start(), "page " + i);
        }
        core.checkInvariants();
        return core;
    }

    /**
     * An address-order fill goes the fused way, splits included (the split keeps the new leaf
     * clean): every placement and every invariant, tags included, holds after each allocation,
     * and after each free of the allocation just made or of the last one.
     */
    @Test
    void addressOrderFillAndLastInFirstOutFreesKeepEveryInvariant() {
        for (long base : new long[] {0, -(PAGE * 4000)}) {
            IntervalCore core = new IntervalCore();
            core.addSpan(base, base + PAGE * 4000 - 1);
            int pages = 3_000;
            for (int i = 0; i < pages; i++) {
                Request r = i % 7 == 3 ? ALIGNED_PAGE.tagged("t" + i) : ALIGNED_PAGE;
                Range placed = core.allocateFirstFit(r, base);
                assertEquals(Range.of(base + PAGE * i, base + PAGE * i + PAGE - 1), placed, "page " + i);
                core.checkInvariants();
                if (i % 5 == 4) { // free the allocation just made, and make it again
                    assertTrue(core.free(placed.start(), placed.end()));
                    core.checkInvariants();
                    assertEquals(placed, core.allocateFirstFit(r, base));
                    core.checkInvariants();
                }
            }
            assertEquals("t3", core.allocationContaining(base + 3 * PAGE).tag());
            for (int i = pages - 1; i >= 0; i--) {
                long start = base + PAGE * i;
                assertTrue(core.free(start, start + PAGE - 1), "page " + i);
                core.checkInvariants();
            }
            assertEquals(1, core.freeSegments());
            assertEquals(PAGE * 4000, core.largestFree());
        }
    }

    /**
     * After every allocation of an address-order fill — the first-fit carving the front of the
     * free tail in place, and the one every leaf's worth that needs a split — the next first-fit
     * of that size from that limit starts on the one-pass path: the split keeps the clean bounds
     * instead of sending the next search the general way. Mirrored for a last-fit fill from the
     * top (its splits are shares and half splits, not append splits). Each allocation is checked
     * against its address and the invariants (the clean bounds among them) after each.
     */
    @Test
    void fusedFillsStayOnTheOnePassPathAcrossSplits() {
        int pages = 2_000;
        IntervalCore low = new IntervalCore();
        low.addSpan(0, (1L << 40) - 1);
        IntervalCore high = new IntervalCore();
        long top = (1L << 40) - 1;
        high.addSpan(0, top);
        for (int i = 0; i < pages; i++) {
            assertEquals(PAGE * i, low.allocateFirstFit(pageOfFill(i), 0).start(), "page " + i);
            assertTrue(low.cleanForLowest(0, PAGE), "first-fit off the one-pass path after page " + i);
            assertEquals(top + 1 - PAGE * (i + 1), high.allocateLastFit(ALIGNED_PAGE, top).start(), "page " + i);
            assertTrue(high.cleanForHighest(top, PAGE), "last-fit off the one-pass path after page " + i);
            if (i % 97 == 0 || i == pages - 1) {
                low.checkInvariants();
                high.checkInvariants();
            }
        }
        assertTrue(low.leafCounts().length > 60, low.leafCounts().length + " leaves");
        assertTrue(high.leafCounts().length > 60, high.leafCounts().length + " leaves");
    }

    /**
     * The short path's carve ({@link SegmentTree#allocateFrontAfterCursor}) moves every entry after
     * the free entry it takes the front of, not only the one a fill of the last span has there
     * (the hole above the span): a fill of the lowest of three spans, whose leaf then also holds
     * the holes and free entries of the two above it, and the fill of the next span, with one
     * span still above. Every placement is checked, and every invariant and the free segment
     * count after each allocation.
     */
    @Test
    void theShortPathsCarveMovesEveryEntryAfterTheFreeOne() {
        int[][] spans = {{0, 40}, {100, 3}, {200, 2}}; // first page, pages
        IntervalCore core = new IntervalCore();
        for (int[] span : spans) {
            core.addSpan(PAGE * span[0], PAGE * (span[0] + span[1]) - 1);
        }
        for (int s = 0; s < spans.length; s++) {
            for (int page = spans[s][0]; page < spans[s][0] + spans[s][1]; page++) {
                assertEquals(PAGE * page, core.allocateFirstFit(ALIGNED_PAGE, 0).start(), "page " + page);
                core.checkInvariants();
                boolean spanFull = page == spans[s][0] + spans[s][1] - 1;
                assertEquals(spans.length - s - (spanFull ? 1 : 0), core.freeSegments(), "free segments after page " + page);
            }
        }
        assertNull(core.allocateFirstFit(ALIGNED_PAGE, 0));
    }

    /**
     * An address-order fill, which takes the front of the free entry after the cursor's on every
     * allocation but one per leaf ({@link SegmentTree#allocateFrontAfterCursor}), leaves full nodes
     * behind on every level (append splits at the leaves, shares into the left sibling above), and
     * the tree it builds stays valid under what follows: random frees, first-fits and frees of the
     * top pages (which merge the right edge with its neighbours, rebalance and shrink the tree),
     * with every invariant checked after each operation and every placement as a bit-set model says.
     */
    @Test
    void anAddressOrderFillLeavesFullNodesThatStayValidUnderRandomOperations() {
        int pages = 4_000;
        IntervalCore core = new IntervalCore();
        core.addSpan(0, (1L << 40) - 1);
        for (int i = 0; i < pages; i++) {
            assertEquals(PAGE * i, core.allocateFirstFit(pageOfFill(i), 0).start(), "page " + i);
            if (i % 50 == 0) {
                core.checkInvariants();
            }
        }
        core.checkInvariants();
        assertTrue(core.height() >= 4, "height " + core.height());
        int leaves = core.leafCounts().length;
        int bound = 0; // internal nodes if every one but the last on its level had nine children or more
        for (int level = leaves; level > 1; level = (level + 8) / 9) {
            bound += (level + 8) / 9;
        }
        assertTrue(core.segmentNodes() - leaves <= bound, (core.segmentNodes() - leaves) + " internal nodes for " + leaves
                + " leaves, at most " + bound + " if full");
        long seed = Long.getLong("allot.seed", System.nanoTime());
        SplittableRandom random = new SplittableRandom(seed);
        BitSet used = new BitSet();
        used.set(0, pages);
        int operation = 0;
        try {
            for (; operation < 30_000; operation++) {
                int what = random.nextInt(20);
                int top = used.length(); // one past the highest allocated page
                if (what < 9 && top > 0) {
                    int page = used.nextSetBit(random.nextInt(top));
                    assertTrue(core.free(PAGE * page, PAGE * page + PAGE - 1), "free page " + page);
                    used.clear(page);
                } else if (what == 9 && top > 0) {
                    // Free the top few pages, last first: the right edge shrinks and merges.
                    for (int k = random.nextInt(1, 60); k > 0 && used.length() > 0; k--) {
                        int page = used.length() - 1;
                        assertTrue(core.free(PAGE * page, PAGE * page + PAGE - 1), "free top page " + page);
                        used.clear(page);
                        core.checkInvariants();
                    }
                } else {
                    int expected = used.nextClearBit(0);
                    assertEquals(PAGE * expected, core.allocateFirstFit(ALIGNED_PAGE, 0).start(), "first-fit");
                    used.set(expected);
                }
                core.checkInvariants();
            }
        } catch (AssertionError | RuntimeException e) {
            failReplayable(seed, 0, operation, e);
        }
    }

    /**
     * The append split of the leaf with the deferred shrink hands the shrink over to the new last
     * leaf, which holds the leaf's largest free entry (the rest of the tail), instead of telling
     * every ancestor: an address-order fill then never climbs to the root, so the root still
     * records the whole span after 3,000 pages (about 110 splits, internal splits and new roots
     * among them), while every invariant — the deferred shrink's first value, its true largest
     * and the gap its new parent records — holds after each allocation, and asking for the
     * largest free entry tells the ancestors the truth.
     */
    @Test
    void anAppendSplitHandsTheDeferredShrinkToTheNewLastLeaf() {
        IntervalCore core = new IntervalCore();
        long span = 1L << 40;
        core.addSpan(0, span - 1);
        int leaves = 1;
        int splits = 0;
        for (int i = 0; i < 3_000; i++) {
            assertEquals(PAGE * i, core.allocateFirstFit(pageOfFill(i), 0).start(), "page " + i);
            assertTrue(core.shrinkDeferred(), "page " + i);
            assertEquals(span, core.recordedLargest(), "the fill climbed to the root at page " + i);
            core.checkInvariants();
            if (core.leafCounts().length != leaves) {
                leaves = core.leafCounts().length;
                splits++;
            }
        }
        assertTrue(splits > 100, splits + " splits");
        assertTrue(core.height() >= 3, "height " + core.height());
        assertEquals(span - PAGE * 3_000, core.largestFree());
        assertFalse(core.shrinkDeferred());
        core.checkInvariants();
    }

    /**
     * An append split where the leaf's largest free entry stays behind: a freed run low in the last
     * leaf outgrows what is left of the tail as the tail is carved, so when the carve needs a
     * split the shrink cannot go to the new leaf the cursor moves to; it stays with the old leaf
     * (its gap still recorded as before the shrink) and is told to the ancestors before the carve
     * goes on. Tails of every length around the split point are tried, each allocation checked
     * against its address and every invariant, and the freed run found afterwards.
     */
    @Test
    void anAppendSplitWhoseLargestStaysBehindKeepsEveryInvariant() {
        for (int tail = 6; tail < 40; tail++) {
            for (int filled = 24; filled < 34; filled++) {
                IntervalCore core = new IntervalCore();
                core.addSpan(0, PAGE * (filled + tail) - 1);
                for (int i = 0; i < filled; i++) {
                    assertEquals(PAGE * i, core.allocateFirstFit(ALIGNED_PAGE, 0).start());
                }
                for (int i = filled - 8; i < filled - 3; i++) { // a run of five free pages
                    assertTrue(core.free(PAGE * i, PAGE * i + PAGE - 1));
                }
                core.checkInvariants();
                long from = PAGE * filled;
                for (int i = 0; i < tail; i++) {
                    String at = "tail " + tail + ", filled " + filled + ", page " + i;
                    assertEquals(from + PAGE * i, core.allocateFirstFit(ALIGNED_PAGE, from).start(), at);
                    core.checkInvariants();
                }
                assertNull(core.allocateFirstFit(ALIGNED_PAGE, from));
                assertEquals(PAGE * 5, core.largestFree());
                assertEquals(PAGE * (filled - 8), core.allocateFirstFit(ALIGNED_PAGE, 0).start());
                core.checkInvariants();
            }
        }
    }

    /**
     * The append split that {@link SegmentTree#allocateFrontAfterCursor} makes itself moves the
     * free tail after the old leaf, so a high clean leaf there must be forgotten: a last-fit of a
     * page aligned to two, below a limit inside the tail's third page, takes the tail's first
     * page and makes the full last leaf clean from the limit down; the first-fit after it takes
     * the short path through the split and the tail's second page, and the free tail, which
     * still starts below the limit, now lies after that leaf. Every invariant (the clean bounds
     * among them) and the placements after it.
     */
    @Test
    void theShortPathsAppendSplitForgetsAHighCleanLeafBehindIt() {
        IntervalCore core = filled(26); // 26 pages, the free tail and the hole above the span: 28 entries
        long to = PAGE * 28 + 100;
        assertEquals(PAGE * 26, core.allocateLastFit(Request.of(PAGE).aligned(2 * PAGE), to).start());
        assertTrue(core.cleanForHighest(to, PAGE));
        core.checkInvariants();
        assertEquals(1, core.leafCounts().length);
        assertEquals(PAGE * 27, core.allocateFirstFit(ALIGNED_PAGE, 0).start()); // the split
        assertEquals(2, core.leafCounts().length);
        core.checkInvariants();
        assertNull(core.allocateLastFit(ALIGNED_PAGE, to)); // the pages at or below the limit are taken
        assertEquals(PAGE * 28, core.allocateLastFit(ALIGNED_PAGE, PAGE * 29 - 1).start());
        assertEquals(PAGE * 29, core.allocateFirstFit(ALIGNED_PAGE, 0).start());
        core.checkInvariants();
    }

    /**
     * The clean bounds a split keeps are the search's own limit and size, not wider: with free
     * pages left low in the space, a fill from a limit above them crosses several splits on the
     * one-pass path, and a first-fit from the bottom afterwards must still find the low pages
     * (it would take the cursor's leaf if the split had claimed the leaf clean from 0).
     */
    @Test
    void aSplitKeepsTheCleanBoundsOfTheSearchThatMadeIt() {
        IntervalCore core = filled(100);
        for (long page : new long[] {3, 50}) {
            assertTrue(core.free(PAGE * page, PAGE * page + PAGE - 1));
        }
        long from = PAGE * 100;
        for (int i = 0; i < 200; i++) {
            assertEquals(from + PAGE * i, core.allocateFirstFit(pageOfFill(i), from).start(), "page " + i);
            // The first search from the new limit goes the general way; every one after it not.
            assertTrue(i == 0 || core.cleanForLowest(from, PAGE), "off the one-pass path after page " + i);
            assertFalse(core.cleanForLowest(0, PAGE), "clean below the limit after page " + i);
            core.checkInvariants();
        }
        assertEquals(PAGE * 3, core.allocateFirstFit(ALIGNED_PAGE, 0).start());
        assertEquals(PAGE * 50, core.allocateFirstFit(ALIGNED_PAGE, 0).start());
        assertEquals(PAGE * 300, core.allocateFirstFit(ALIGNED_PAGE, 0).start());
        core.checkInvariants();
    }

    /**
     * Random fills across many leaves, each checked against a bit-set model and every invariant
     * after every operation: first-fits from the bottom or from a random limit (sizes 1..6,
     * alignments 1..8, some tagged, so that the inline front carve, the carve that needs a split
     * and the clean bounds a split keeps all meet placements they must not take), last-fits, and
     * frees of random allocations (which send a later search back the general way).
     */
    @Test
    void randomFillsAcrossSplitsMatchTheModel() {
        atBases((seed, base) -> fillRun(seed, base, 30_000), 0, -(1L << 12));
    }

    private static void fillRun(long seed, long base, int operations) {
        SplittableRandom random = new SplittableRandom(seed ^ base);
        int space = 1 << 12;
        IntervalCore core = new IntervalCore();
        core.addSpan(base, base + space - 1);
        BitSet used = new BitSet(space);
        List<long[]> live = new ArrayList<>();
        int operation = 0;
        try {
            for (; operation < operations; operation++) {
                int what = random.nextInt(20);
                if (what < 16 || live.isEmpty()) {
                    int size = 1 + random.nextInt(6);
                    int align = 1 << random.nextInt(4);
                    int from = random.nextInt(10) == 0 ? random.nextInt(space) : 0;
                    boolean last = what == 15;
                    Request r = Request.of(size).aligned(align);
                    if (random.nextInt(9) == 0) {
                        r = r.tagged("t" + operation);
                    }
                    long expected = last ? highest(used, size, align, 0, space - 1) : lowestFast(used, size, align, from, space - 1);
                    Range placed = last ? core.allocateLastFit(r, base + space - 1) : core.allocateFirstFit(r, base + from);
                    assertEquals(expected, placed == null ? -1 : placed.start() - base, "placement, operation " + operation);
                    if (placed != null) {
                        used.set((int) expected, (int) expected + size);
                        live.add(new long[] {placed.start(), placed.end()});
                        assertEquals(r.tag(), core.allocationContaining(placed.start()).tag());
                    }
                } else {
                    long[] victim = live.remove(random.nextInt(live.size()));
                    assertTrue(core.free(victim[0], victim[1]), "free, operation " + operation);
                    clearIn(used, base, victim);
                }
                core.checkInvariants();
                if (used.cardinality() > space * 7 / 8) { // keep room, and make the fills start over
                    freeHalf(core, live, used, base, random);
                }
            }
        } catch (AssertionError | RuntimeException e) {
            failReplayable(seed, base, operation, e);
        }
    }

    /** Frees a random half of {@code live} (and clears it in the model), then checks every invariant. */
    private static void freeHalf(IntervalCore core, List<long[]> live, BitSet used, long base, SplittableRandom random) {
        for (int k = live.size() / 2; k > 0; k--) {
            long[] victim = live.remove(random.nextInt(live.size()));
            assertTrue(core.free(victim[0], victim[1]));
            clearIn(used, base, victim);
        }
        core.checkInvariants();
    }

    /** As {@link #lowest}, skipping used runs a word at a time (the fill run's space is larger). */
    private static long lowestFast(BitSet used, int size, int align, int lo, int hi) {
        long s = lo;
        while (true) {
            s = used.nextClearBit((int) s);
            s = (s + align - 1) / align * align;
            if (s + size - 1 > hi) {
                return -1;
            }
            int next = used.nextSetBit((int) s);
            if (next < 0 || next >= s + size) {
                return s;
            }
            s = next + 1;
        }
    }

    /**
     * The clean bounds of the cursor's leaf rule out a fit before it only at or above the lower
     * limit they were proved for: a search from below must find the free page in the first leaf.
     */
    @Test
    void fusedFirstFitStepsAsideForALowerLimitThanTheCleanLeafCovers() {
        IntervalCore core = filled(300);
        assertTrue(core.free(3 * PAGE, 4 * PAGE - 1));
        assertEquals(300 * PAGE, core.allocateFirstFit(ALIGNED_PAGE, 200 * PAGE).start());
        assertEquals(301 * PAGE, core.allocateFirstFit(ALIGNED_PAGE, 200 * PAGE).start()); // the last leaf clean from 200P
        assertEquals(302 * PAGE, core.allocateFirstFit(ALIGNED_PAGE, 250 * PAGE).start()); // in one pass
        assertEquals(3 * PAGE, core.allocateFirstFit(ALIGNED_PAGE, 0).start());
        core.checkInvariants();
    }

    /** Likewise for a smaller size than the clean bounds were proved for. */
    @Test
    void fusedFirstFitStepsAsideForASmallerSizeThanTheCleanLeafCovers() {
        IntervalCore core = filled(300);
        assertTrue(core.free(3 * PAGE, 4 * PAGE - 1));
        assertTrue(core.allocate(3 * PAGE, 3 * PAGE + 99, null)); // a hole of PAGE - 100 in the first leaf
        assertEquals(300 * PAGE, core.allocateFirstFit(ALIGNED_PAGE, 0).start());
        assertEquals(301 * PAGE, core.allocateFirstFit(ALIGNED_PAGE, 0).start()); // the last leaf clean for a page
        assertEquals(302 * PAGE, core.allocateFirstFit(ALIGNED_PAGE, 0).start()); // in one pass
        assertEquals(3 * PAGE + 100, core.allocateFirstFit(Request.of(8), 0).start());
        assertEquals(3 * PAGE + 108, core.claimLowest(0, -1L));
        core.checkInvariants();
    }

    /** The mirror image: last-fit from the top, with a free page in the last leaf above a limit. */
    @Test
    void fusedLastFitStepsAsideForAHigherLimitOrSmallerSizeThanTheCleanLeafCovers() {
        IntervalCore core = new IntervalCore();
        long top = PAGE * 400 - 1;
        core.addSpan(0, top);
        for (int i = 0; i < 300; i++) {
            assertEquals(top - PAGE * (i + 1) + 1, core.allocateLastFit(ALIGNED_PAGE, -1L).start(), "page " + i);
        }
        core.checkInvariants();
        long high = top - 3 * PAGE - PAGE + 1; // the fourth page from the top
        assertTrue(core.free(high, high + PAGE - 1));
        long lowest = top - 300 * PAGE + 1;
        assertEquals(lowest - PAGE, core.allocateLastFit(ALIGNED_PAGE, top - 200 * PAGE).start());
        assertEquals(lowest - 2 * PAGE, core.allocateLastFit(ALIGNED_PAGE, top - 200 * PAGE).start()); // clean up to there
        assertEquals(lowest - 3 * PAGE, core.allocateLastFit(ALIGNED_PAGE, top - 250 * PAGE).start()); // in one pass
        assertEquals(high, core.allocateLastFit(ALIGNED_PAGE, -1L).start());
        core.checkInvariants();
        assertTrue(core.free(high, high + PAGE - 1));
        assertTrue(core.allocate(high + 100, high + PAGE - 1, null)); // a hole of 100 in the last leaf
        assertEquals(lowest - 4 * PAGE, core.allocateLastFit(ALIGNED_PAGE, -1L).start());
        assertEquals(lowest - 5 * PAGE, core.allocateLastFit(ALIGNED_PAGE, -1L).start()); // clean for a page
        assertEquals(lowest - 6 * PAGE, core.allocateLastFit(ALIGNED_PAGE, -1L).start()); // in one pass
        assertEquals(high + 92, core.allocateLastFit(Request.of(8), -1L).start());
        assertEquals(high + 91, core.claimHighest(0, -1L));
        core.checkInvariants();
    }

    /**
     * In the clean cursor's leaf, a free entry big enough but without an aligned placement is
     * passed, as the general search passes it; so is one outside the request's window.
     */
    @Test
    void fusedFirstFitPassesAnEntryWithoutAnAlignedPlacement() {
        IntervalCore core = filled(20); // one leaf: 20 pages, the free tail, the hole above the span
        assertEquals(1, core.leafCounts().length);
        assertTrue(core.free(5 * PAGE, 6 * PAGE - 1));
        assertTrue(core.free(6 * PAGE, 7 * PAGE - 1));
        assertTrue(core.allocate(5 * PAGE, 5 * PAGE + 99, null)); // free [5P + 100, 7P - 1]: less than 2P
        assertTrue(core.free(9 * PAGE, 10 * PAGE - 1));
        assertTrue(core.free(10 * PAGE, 11 * PAGE - 1)); // 2P, but 9P is not 2P-aligned
        Request twoPages = Request.of(2 * PAGE).aligned(2 * PAGE);
        assertEquals(20 * PAGE, core.allocateFirstFit(twoPages, 0).start());
        core.checkInvariants();
        assertTrue(core.free(20 * PAGE, 22 * PAGE - 1));
        assertEquals(Range.of(5 * PAGE + 100, 6 * PAGE + 99), core.allocateFirstFit(Request.of(PAGE), 0));
        assertTrue(core.free(5 * PAGE + 100, 6 * PAGE + 99));
        assertNull(core.allocateFirstFit(twoPages.within(0, 12 * PAGE - 1), 0));
        assertNull(core.allocateFirstFit(Request.of(PAGE).within(0, 5 * PAGE + 99), 0));
        assertEquals(Range.of(9 * PAGE, 11 * PAGE - 1), core.allocateFirstFit(Request.of(2 * PAGE).aligned(PAGE), 0));
        core.checkInvariants();
    }

    /**
     * The one-pass last-fit's back carve (written out in {@link SegmentTree#allocateHighestInLeaf})
     * with a shrink of another leaf deferred: it must tell that one first, as the general carve
     * does, not take it for its own leaf's. A lookup moves the cursor back to the clean leaf
     * without telling it.
     */
    @Test
    void theOnePassBackCarveTellsAnotherLeafsDeferredShrinkFirst() {
        IntervalCore core = new IntervalCore();
        core.addSpan(0, 999);
        for (int i = 0; i < 200; i++) {
            assertEquals(999 - i, core.claimHighest(0, 999));
        }
        assertTrue(core.free(950, 950));
        assertTrue(core.free(951, 951));
        for (int id = 799; id >= 797; id--) {
            assertEquals(id, core.claimHighest(0, 799)); // a split on the way, then in one pass
        }
        assertTrue(core.cleanForHighest(799, 1));
        assertEquals(950, core.claimLowest(900, -1L)); // the front of [950, 951], in another leaf: deferred
        assertTrue(core.shrinkDeferred());
        assertEquals(797, core.allocationContaining(797).range().start()); // the cursor back, nothing told
        assertTrue(core.cleanForHighest(799, 1));
        assertEquals(796, core.claimHighest(0, 799)); // the back of [0, 796]
        core.checkInvariants();
        assertEquals(Range.of(794, 795), core.allocateLastFit(Request.of(2), 799));
        core.checkInvariants();
    }

    /**
     * Next-fit's steady state in a free tail: each placement at the rotor, strictly inside the
     * cursor's free entry, is carved with no search ({@link SegmentTree#allocateInsideCursor}) and
     * its free merges both pieces back; the cases that short path leaves to the search — the
     * rotor at the entry's front, a block ending at the entry's last value, a misaligned rotor, a
     * window or a no-cross boundary that the block at the rotor passes — each place where the
     * literal rule says, every invariant checked after each step.
     */
    @Test
    void nextFitCarvesAtTheRotorInsideTheCursorsEntry() {
        IntervalCore core = filled(20); // the free tail [20P, 2^40 - 1]
        long top = (1L << 40) - 1;
        for (long rotor = 21 * PAGE; rotor < 121 * PAGE; rotor += PAGE) {
            Range placed = core.allocateFirstFit(ALIGNED_PAGE, rotor);
            assertEquals(Range.of(rotor, rotor + PAGE - 1), placed);
            assertEquals(2, core.freeSegments()); // a free piece on either side
            core.checkInvariants();
            assertTrue(core.free(placed.start(), placed.end()));
            assertEquals(1, core.freeSegments());
            core.checkInvariants();
        }
        long rotor = 200 * PAGE;
        assertEquals(Range.of(201 * PAGE, 202 * PAGE - 1), pair(core, ALIGNED_PAGE, rotor + 1)); // misaligned: the next page
        assertEquals(Range.of(20 * PAGE, 21 * PAGE - 1), pair(core, ALIGNED_PAGE, 20 * PAGE)); // the front
        assertEquals(Range.of(top - PAGE + 1, top), pair(core, ALIGNED_PAGE, top - PAGE + 1)); // the back
        assertNull(core.allocateFirstFit(ALIGNED_PAGE.within(0, rotor + PAGE - 2), rotor)); // the window ends inside it
        core.checkInvariants();
        Request noCross = Request.of(PAGE).noCross(2 * PAGE);
        assertEquals(Range.of(202 * PAGE, 203 * PAGE - 1), pair(core, noCross, rotor + PAGE + 1)); // crosses 202P: the next boundary
        assertEquals(Range.of(rotor + 1, rotor + PAGE), pair(core, Request.of(PAGE), rotor + 1)); // unaligned is fine unconstrained
        assertEquals(1, core.freeSegments());
    }

    /** {@code allocateFirstFit(r, from)} and the free of what it placed, with every invariant checked after each. */
    private static Range pair(IntervalCore core, Request r, long from) {
        Range placed = core.allocateFirstFit(r, from);
        core.checkInvariants();
        assertTrue(core.free(placed.start(), placed.end()));
        core.checkInvariants();
        return placed;
    }

    /** The one-pass free takes exactly the cursor's allocation; anything else goes the general way, which refuses it. */
    @Test
    void freeAtTheCursorTakesOnlyExactlyTheAllocationThere() {
        IntervalCore core = filled(60);
        assertTrue(core.free(20 * PAGE, 21 * PAGE - 1));
        Range placed = core.allocateFirstFit(Request.of(100), 0); // [20P, 20P + 99], cursor on it
        assertEquals(20 * PAGE, placed.start());
        assertFalse(core.free(placed.start() + 1, placed.end()));
        assertFalse(core.free(placed.start(), placed.end() - 1));
        assertFalse(core.free(placed.start(), placed.end() + 1));
        core.checkInvariants();
        placed = core.allocateFirstFit(Request.of(100), 0);
        assertEquals(20 * PAGE + 100, placed.start());
        assertTrue(core.free(placed.start(), placed.end()));
        assertFalse(core.free(placed.start(), placed.end()), "a second free of the same range");
        core.checkInvariants();
        Range tagged = core.allocateFirstFit(Request.of(100).tagged("kept"), 0);
        assertEquals("kept", core.allocationContaining(tagged.start()).tag());
        assertTrue(core.free(tagged.start(), tagged.end()));
        assertNull(core.allocationContaining(tagged.start()));
        core.checkInvariants(); // the tag went with it
        assertEquals(2, core.freeSegments()); // [20P + 100, 21P - 1] and the free tail
    }

    @Test
    void randomPairsAndSingleOperationsKeepEveryInvariantAndMatchTheModel() {
        atBases((seed, base) -> randomRun(seed, base, 30_000), 0, -4096);
    }

    /**
     * Random allocations (first-, last-fit and one-unit claims, with sizes, alignments, windows
     * and tags), each followed as often as not by the free of the allocation just made, with
     * frees of random live allocations between: invariants after each, placements and refusals
     * against a bit set over the span {@code [base, base + 4095]}.
     */
    private static void randomRun(long seed, long base, int operations) {
        SplittableRandom random = new SplittableRandom(seed ^ base);
        int space = 4096;
        IntervalCore core = new IntervalCore();
        core.addSpan(base, base + space - 1);
        BitSet used = new BitSet(space);
        List<long[]> live = new ArrayList<>();
        int operation = 0;
        try {
            for (; operation < operations; operation++) {
                int what = random.nextInt(10);
                if (what < 7 || live.isEmpty()) {
                    int size = 1 + random.nextInt(random.nextBoolean() ? 4 : 48);
                    int align = 1 << random.nextInt(5);
                    int from = random.nextInt(8) == 0 ? random.nextInt(space) : 0;
                    int to = random.nextInt(8) == 0 ? random.nextInt(space) : space - 1;
                    String tag = random.nextInt(6) == 0 ? "tag" + operation : null;
                    Request r = Request.of(size).aligned(align);
                    if (tag != null) {
                        r = r.tagged(tag);
                    }
                    int kind = random.nextInt(4);
                    long expected;
                    long got;
                    if (kind == 0 || kind == 1) {
                        expected = kind == 0 ? lowest(used, size, align, from, space - 1) : highest(used, size, align, 0, to);
                        Range placed = kind == 0 ? core.allocateFirstFit(r, base + from) : core.allocateLastFit(r, base + to);
                        got = placed == null ? -1 : placed.start() - base;
                        if (placed != null) {
                            assertEquals(size, placed.size());
                        }
                    } else {
                        size = 1;
                        tag = null;
                        int lo = random.nextInt(4) == 0 ? random.nextInt(space) : 0;
                        int hi = random.nextInt(4) == 0 ? lo + random.nextInt(space - lo) : space - 1;
                        expected = kind == 2 ? lowest(used, 1, 1, lo, hi) : highest(used, 1, 1, lo, hi);
                        long claimed = kind == 2 ? core.claimLowest(base + lo, base + hi) : core.claimHighest(base + lo, base + hi);
                        got = claimed == core.none() ? -1 : claimed - base;
                    }
                    assertEquals(expected, got, "placement, operation " + operation);
                    core.checkInvariants();
                    if (got >= 0) {
                        used.set((int) got, (int) got + size);
                        long[] made = {base + got, base + got + size - 1};
                        if (tag != null) {
                            assertEquals(tag, core.allocationContaining(made[0]).tag());
                        }
                        if (random.nextBoolean()) {
                            assertTrue(core.free(made[0], made[1]), "free just made, operation " + operation);
                            used.clear((int) got, (int) got + size);
                            core.checkInvariants();
                        } else {
                            live.add(made);
                        }
                    }
                } else {
                    long[] victim = live.remove(random.nextInt(live.size()));
                    if (random.nextInt(8) == 0) {
                        assertFalse(core.free(victim[0], victim[1] + 1)); // not exactly an allocation
                    }
                    assertTrue(core.free(victim[0], victim[1]), "free, operation " + operation);
                    clearIn(used, base, victim);
                    core.checkInvariants();
                }
            }
        } catch (AssertionError | RuntimeException e) {
            failReplayable(seed, base, operation, e);
        }
    }

    /**
     * Next-fit as the allocator runs it: first-fit from a rotor that moves past each placement,
     * wrapping to the bottom when nothing fits above it, over a space of scattered holes. The
     * one-pass search then meets every carve it has (all of an entry, its front, a piece strictly
     * inside it, a split) with lower limits inside the cursor's leaf, and steps aside at each
     * wrap. Invariants after every operation, placements against the model.
     */
    @Test
    void randomRotorSweepsKeepEveryInvariantAndMatchTheModel() {
        atBases((seed, base) -> rotorRun(seed, base, 30_000), 0, -8192);
    }

    private static void rotorRun(long seed, long base, int operations) {
        SplittableRandom random = new SplittableRandom(seed ^ base ^ 0x5EED);
        int space = 8192;
        IntervalCore core = new IntervalCore();
        core.addSpan(base, base + space - 1);
        BitSet used = new BitSet(space);
        List<long[]> live = new ArrayList<>();
        // Scattered holes: every unit allocated in runs, then about half the runs freed.
        for (int at = 0; at < space; ) {
            int run = 1 + random.nextInt(random.nextBoolean() ? 3 : 40);
            int end = Math.min(space, at + run) - 1;
            assertTrue(core.allocate(base + at, base + end, null));
            if (random.nextBoolean()) {
                assertTrue(core.free(base + at, base + end));
            } else {
                used.set(at, end + 1);
                live.add(new long[] {base + at, base + end});
            }
            at = end + 1;
        }
        core.checkInvariants();
        int rotor = 0;
        int operation = 0;
        try {
            for (; operation < operations; operation++) {
                if (random.nextInt(10) < 8 || live.isEmpty()) {
                    int size = random.nextInt(4) == 0 ? 1 + random.nextInt(64) : 1 + random.nextInt(3);
                    int align = 1 << random.nextInt(random.nextBoolean() ? 1 : 5);
                    String tag = random.nextInt(8) == 0 ? "tag" + operation : null;
                    Request r = Request.of(size).aligned(align);
                    if (tag != null) {
                        r = r.tagged(tag);
                    }
                    long expected = rotor < space ? lowest(used, size, align, rotor, space - 1) : -1;
                    Range placed = rotor < space ? core.allocateFirstFit(r, base + rotor) : null;
                    if (expected < 0) { // wrap once, as next-fit does
                        expected = lowest(used, size, align, 0, space - 1);
                        placed = core.allocateFirstFit(r, base);
                    }
                    long got = placed == null ? -1 : placed.start() - base;
                    assertEquals(expected, got, "placement from " + rotor + ", operation " + operation);
                    core.checkInvariants();
                    if (got >= 0) {
                        rotor = (int) got + size;
                        used.set((int) got, (int) got + size);
                        if (random.nextInt(4) != 0) { // mostly pairs, as W3 next-fit runs them
                            assertTrue(core.free(placed.start(), placed.end()), "free just made, operation " + operation);
                            used.clear((int) got, (int) got + size);
                            core.checkInvariants();
                        } else {
                            live.add(new long[] {placed.start(), placed.end()});
                        }
                    }
                } else {
                    long[] victim = live.remove(random.nextInt(live.size()));
                    assertTrue(core.free(victim[0], victim[1]), "free, operation " + operation);
                    clearIn(used, base, victim);
                    core.checkInvariants();
                }
            }
        } catch (AssertionError | RuntimeException e) {
            failReplayable(seed, base, operation, e);
        }
    }

    /**
     * The one-pass first-fit decides "the front of the entry" by itself (window, alignment and
     * phase, nothing else) and carves a piece strictly inside an entry without the general carve:
     * random fills, sweeps from a moving lower limit and frees, with requests that carry every
     * constraint at once — alignment with a phase, a no-cross boundary, a window — must place
     * exactly where the literal rule says, with every invariant checked after each operation.
     */
    @Test
    void randomConstrainedFirstFitsMatchTheLiteralRule() {
        atBases((seed, base) -> constrainedRun(seed, base, 30_000, false), 0, -4096);
    }

    /**
     * As {@link #randomConstrainedFirstFitsMatchTheLiteralRule}, for last-fit: the one-pass
     * search's direct test of the back of an entry (or of the window) must give the general
     * placement's answer under every alignment, phase, boundary and window, from any upper limit.
     */
    @Test
    void randomConstrainedLastFitsMatchTheLiteralRule() {
        atBases((seed, base) -> constrainedRun(seed, base, 30_000, true), 0, -4096);
    }

    /**
     * Seeded constrained first-fits from a lower limit that mostly follows the last placement up
     * (a rotor), or with {@code downwards}, last-fits from an upper limit that mostly follows it
     * down, each against the literal rule, with frees in between and every invariant checked.
     */
    private static void constrainedRun(long seed, long base, int operations, boolean downwards) {
        SplittableRandom random = new SplittableRandom(seed ^ base ^ (downwards ? 0x1A57L : 0xC0575L));
        int space = 4096;
        IntervalCore core = new IntervalCore();
        core.addSpan(base, base + space - 1);
        BitSet used = new BitSet(space);
        List<long[]> live = new ArrayList<>();
        int limit = downwards ? space - 1 : 0; // where the search starts: its upper or lower limit
        int operation = 0;
        try {
            for (; operation < operations; operation++) {
                if (random.nextInt(10) < 7 || live.isEmpty()) {
                    int size = 1 + random.nextInt(random.nextInt(4) == 0 ? 40 : 4);
                    int align = 1 << random.nextInt(5);
                    int phase = random.nextInt(3) == 0 ? random.nextInt(align) : 0;
                    // A boundary on one request in four (a power of two no smaller than the size).
                    int noCross = random.nextInt(4) == 0 ? (size == 1 ? 1 : Integer.highestOneBit(size - 1) << 1) << random.nextInt(3) : 0;
                    int min = random.nextInt(5) == 0 ? random.nextInt(space) : 0;
                    int max = random.nextInt(5) == 0 ? min + random.nextInt(space - min) : space - 1;
                    Request r = Request.of(size).aligned(align).phase(phase).within(base + min, base + max);
                    if (noCross != 0) {
                        r = r.noCross(noCross);
                    }
                    long expected = downwards
                            ? literalHighest(used, r, base, min, Math.min(limit, max))
                            : literalLowest(used, r, base, Math.max(limit, min), max);
                    Range placed = downwards ? core.allocateLastFit(r, base + limit) : core.allocateFirstFit(r, base + limit);
                    long got = placed == null ? -1 : placed.start() - base;
                    assertEquals(expected, got, r + (downwards ? " to " : " from ") + limit + ", operation " + operation);
                    if (got >= 0) {
                        assertEquals(size, placed.end() - placed.start() + 1);
                        used.set((int) got, (int) got + size);
                        boolean follow = random.nextInt(3) != 0; // mostly
                        if (downwards) {
                            limit = follow ? (int) Math.max(0, got - 1) : space - 1;
                        } else {
                            limit = follow ? (int) Math.min(space - 1, got + size) : 0;
                        }
                        if (random.nextBoolean()) {
                            core.checkInvariants();
                            assertTrue(core.free(placed.start(), placed.end()), "free just made, operation " + operation);
                            used.clear((int) got, (int) got + size);
                        } else {
                            live.add(new long[] {placed.start(), placed.end()});
                        }
                    } else {
                        limit = downwards ? space - 1 : 0;
                    }
                } else {
                    long[] victim = live.remove(random.nextInt(live.size()));
                    assertTrue(core.free(victim[0], victim[1]), "free, operation " + operation);
                    clearIn(used, base, victim);
                }
                core.checkInvariants();
                if (used.cardinality() > space * 3 / 4) {
                    freeHalf(core, live, used, base, random);
                }
            }
        } catch (AssertionError | RuntimeException e) {
            failReplayable(seed, base, operation, e);
        }
    }

    /**
     * The lowest start {@code s} (relative to {@code base}) in {@code [lo, hi - size + 1]} whose
     * {@code size} units are free and that satisfies {@code r} as the contract words it, tested
     * start by start; -1 if none. {@code base} is a multiple of every alignment and boundary used.
     */
    private static long literalLowest(BitSet used, Request r, long base, int lo, int hi) {
        for (long s = lo; s + r.size() - 1 <= hi; s++) {
            if (fitsLiterally(used, r, base, s)) {
                return s;
            }
        }
        return -1;
    }

    /** The highest start in {@code [lo, hi - size + 1]} that {@link #literalLowest} would accept, or -1. */
    private static long literalHighest(BitSet used, Request r, long base, int lo, int hi) {
        for (long s = hi - r.size() + 1; s >= lo; s--) {
            if (fitsLiterally(used, r, base, s)) {
                return s;
            }
        }
        return -1;
    }

    /** Whether {@code r} may be placed at {@code s} (relative to {@code base}): the contract's words, tested literally. */
    private static boolean fitsLiterally(BitSet used, Request r, long base, long s) {
        long size = r.size();
        long abs = base + s;
        if (((abs - r.phase()) & (r.alignment() - 1)) != 0) {
            return false;
        }
        if (r.noCross() != 0 && (abs & -r.noCross()) != ((abs + size - 1) & -r.noCross())) {
            return false;
        }
        int next = used.nextSetBit((int) s);
        return next < 0 || next >= s + size;
    }

    /** The lowest aligned start of {@code size} free units inside {@code [lo, hi]}, or -1. */
    private static long lowest(BitSet used, int size, int align, int lo, int hi) {
        for (long s = (lo + align - 1) / align * align; s + size - 1 <= hi; s += align) {
            int next = used.nextSetBit((int) s);
            if (next < 0 || next >= s + size) {
                return s;
            }
        }
        return -1;
    }

    /** The highest aligned start of {@code size} free units inside {@code [lo, hi]}, or -1. */
    private static long highest(BitSet used, int size, int align, int lo, int hi) {
        for (long s = (long) (hi - size + 1) / align * align; s >= lo && hi - size + 1 >= 0; s -= align) {
            int previous = used.previousSetBit((int) (s + size - 1));
            if (previous < s) {
                return s;
            }
        }
        return -1;
    }

    /** Marks the allocation {@code victim} ({first, last}) free again in the model of a space from {@code base}. */
    private static void clearIn(BitSet used, long base, long[] victim) {
        used.clear((int) (victim[0] - base), (int) (victim[1] - base) + 1);
    }

    /** Fails a seeded random run with everything needed to replay it. */
    private static void failReplayable(long seed, long base, int operation, Throwable e) {
        fail("seed " + seed + " (replay with -Dallot.seed=" + seed + "), base " + Long.toHexString(base) + ", operation "
                + operation + ": " + e, e);
    }
}
