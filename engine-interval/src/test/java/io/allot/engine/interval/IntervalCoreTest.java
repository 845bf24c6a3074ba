package io.allot.engine.interval;

import io.allot.Allocation;
import io.allot.Range;
import io.allot.Request;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * White-box tests of the interval engine's store: after every operation of a long random run the
 * trees must satisfy every invariant of {@link IntervalCore} and agree, unit by unit, with a
 * bitset; the tree height must respect the AVL bound at scale.
 */
class IntervalCoreTest {

    private static final long BASE = 0x1000;

    @Test
    void randomOperationsKeepEveryInvariant() {
        long seed = Long.getLong("allot.seed", System.nanoTime());
        SplittableRandom random = new SplittableRandom(seed);
        IntervalCore core = new IntervalCore();
        // Three spans, the last two adjacent, so merging must stop at the span boundary.
        long[][] spans = {{BASE, BASE + 299}, {BASE + 400, BASE + 599}, {BASE + 600, BASE + 799}};
        for (long[] span : spans) {
            core.addSpan(span[0], span[1]);
        }
        BitSet allocated = new BitSet();
        List<Range> live = new ArrayList<>();
        for (int op = 0; op < 30_000; op++) {
            try {
                step(core, random, allocated, live);
                core.checkInvariants();
                assertAgrees(core, spans, allocated);
            } catch (AssertionError | IllegalStateException e) {
                fail("seed " + seed + ", operation " + op + ": " + e.getMessage(), e);
            }
        }
    }

    private static void step(IntervalCore core, SplittableRandom random, BitSet allocated, List<Range> live) {
        int kind = random.nextInt(10);
        if (kind < 4 || live.isEmpty()) {
            Request r = Request.of(1 + random.nextInt(40)).aligned(1L << random.nextInt(4));
            Range placed = switch (kind % 4) {
                case 0 -> core.firstFit(r, BASE + random.nextInt(800));
                case 1 -> core.lastFit(r, BASE + random.nextInt(800));
                case 2 -> core.bestFit(r);
                default -> core.instantFit(r);
            };
            if (placed != null) {
                assertTrue(r.admits(placed.start()), placed + " does not satisfy " + r);
                assertTrue(core.allocate(placed.start(), placed.end(), "t" + placed.start()));
                mark(allocated, placed, true);
                live.add(placed);
            }
        } else if (kind < 6) {
            long start = BASE + random.nextInt(800);
            Range wanted = Range.of(start, start + random.nextInt(8));
            boolean free = core.isFree(wanted.start(), wanted.end());
            assertEquals(free, core.allocate(wanted.start(), wanted.end(), null), "reserve " + wanted);
            if (free) {
                mark(allocated, wanted, true);
                live.add(wanted);
            }
        } else if (kind < 9) {
            Range victim = live.remove(random.nextInt(live.size()));
            if (random.nextBoolean()) {
                assertTrue(core.free(victim.start(), victim.end()), "free " + victim);
            } else {
                long inside = victim.start() + random.nextLong(victim.size());
                assertEquals(victim, core.freeContaining(inside), "freeContaining " + Long.toHexString(inside));
            }
            mark(allocated, victim, false);
        } else {
            Range victim = live.get(random.nextInt(live.size()));
            if (victim.size() > 1) {
                assertFalse(core.free(victim.start(), victim.end() - 1), "free of a part " + victim);
            }
            assertFalse(core.free(victim.start(), victim.end() + 1), "free of a superset " + victim);
        }
    }

    private static void mark(BitSet allocated, Range range, boolean value) {
        allocated.set((int) (range.start() - BASE), (int) (range.end() - BASE) + 1, value);
    }

    private static void assertAgrees(IntervalCore core, long[][] spans, BitSet allocated) {
        List<Range> expectedFree = new ArrayList<>();
        for (long[] span : spans) {
            int from = (int) (span[0] - BASE);
            int to = (int) (span[1] - BASE);
            int i = allocated.nextClearBit(from);
            while (i <= to) {
                int runEnd = Math.min(allocated.nextSetBit(i) < 0 ? to + 1 : allocated.nextSetBit(i), to + 1);
                expectedFree.add(Range.of(BASE + i, BASE + runEnd - 1));
                i = allocated.nextClearBit(runEnd);
            }
        }
        List<Range> actualFree = new ArrayList<>();
        core.forEachFree(actualFree::add);
        assertEquals(expectedFree, actualFree);
        long largest = expectedFree.stream().mapToLong(Range::size).max().orElse(0);
        assertEquals(largest, core.largestFree());
        List<Range> ascending = new ArrayList<>();
        core.ascending(0).forEachRemaining(ascending::add);
        assertEquals(expectedFree, ascending);
        long allocatedUnits = 0;
        List<Allocation> allocations = new ArrayList<>();
        core.forEachAllocated(allocations::add);
        for (Allocation a : allocations) {
            allocatedUnits += a.range().size();
        }
        assertEquals(allocated.cardinality(), allocatedUnits);
    }

    @Test
    void removeSpanTakesOnlyAWhollyFreeSpan() {
        IntervalCore core = new IntervalCore();
        core.addSpan(0, 99);
        core.addSpan(100, 199);  // adjacent: never merged with the first
        core.addSpan(300, 399);
        assertTrue(core.allocate(150, 150, null));
        assertFalse(core.removeSpan(100, 199), "a span holding an allocation stays");
        assertTrue(core.free(150, 150));
        assertTrue(core.removeSpan(100, 199));
        core.checkInvariants();
        List<Range> free = new ArrayList<>();
        core.forEachFree(free::add);
        assertEquals(List.of(Range.of(0, 99), Range.of(300, 399)), free);
        assertEquals(2, core.freeSegments());
        assertNull(core.firstFit(Request.of(1).within(100, 199), 0));
        core.addSpan(100, 199);
        core.checkInvariants();
        assertEquals(3, core.freeSegments());
        assertEquals(Range.of(100, 100), core.firstFit(Request.of(1).within(100, 199), 0));
    }

    @Test
    void heightStaysWithinTheAvlBound() {
        IntervalCore core = new IntervalCore();
        core.addSpan(0, (1L << 40) - 1);
        int n = 200_000;
        for (long i = 0; i < n; i++) {
            // Every other unit, so no frees merge: 2n segments.
            assertTrue(core.allocate(i * 2, i * 2, null));
        }
        core.checkInvariants();
        int segments = 2 * n + 1;
        double bound = 1.4405 * Math.log(segments + 2) / Math.log(2) - 0.3277;
        assertTrue(core.addressHeight() <= bound, "height " + core.addressHeight() + " above " + bound);
    }

    @Test
    void topOfTheSpaceFreesAndMergesWithoutLoss() {
        IntervalCore core = new IntervalCore();
        core.addSpan(1, -1L);
        assertTrue(core.allocate(-1L, -1L, "top"));
        assertTrue(core.allocate(1, 1, "bottom"));
        assertTrue(core.allocate(-2L, -2L, null));
        assertEquals("top", core.allocationContaining(-1L).tag());
        assertTrue(core.free(-1L, -1L));
        assertTrue(core.free(-2L, -2L));
        assertTrue(core.free(1, 1));
        core.checkInvariants();
        assertEquals(1, core.freeSegments());
        assertEquals(-1L, core.largestFree()); // 2^64 - 1 values, unsigned
        assertTrue(core.isFree(1, -1L));
        assertNull(core.allocationContaining(0));
    }

    @Test
    void descendingWalksFreeSegmentsFromTheTop() {
        IntervalCore core = new IntervalCore();
        core.addSpan(0, 99);
        core.allocate(10, 19, null);
        core.allocate(50, 59, null);
        List<Range> down = new ArrayList<>();
        core.descending(55).forEachRemaining(down::add);
        assertEquals(List.of(Range.of(20, 49), Range.of(0, 9)), down);
        List<Range> up = new ArrayList<>();
        core.ascending(25).forEachRemaining(up::add);
        assertEquals(List.of(Range.of(20, 49), Range.of(60, 99)), up);
    }
}
