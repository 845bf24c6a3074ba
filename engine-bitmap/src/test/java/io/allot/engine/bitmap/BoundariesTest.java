package io.allot.engine.bitmap;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Boundaries} against a map of allocations: random disjoint allocations of 1 to 10,000
 * units, across word and chunk boundaries, then lookups of every start and end and of random units
 * inside them, and frees that must drop emptied chunks.
 */
class BoundariesTest {

    @Test
    void startsEndsAndSinglesMatchAMapOfAllocations() {
        long seed = System.nanoTime();
        SplittableRandom rnd = new SplittableRandom(seed);
        long units = 200_000;
        Boundaries bounds = new Boundaries(units);
        TreeMap<Long, Long> allocations = new TreeMap<>();
        for (int round = 0; round < 3_000; round++) {
            long a = rnd.nextLong(units);
            long b = Math.min(units - 1, a + (rnd.nextInt(5) == 0 ? rnd.nextLong(10_000) : rnd.nextLong(3)));
            var before = allocations.floorEntry(b);
            if (before != null && before.getValue() >= a) {
                // overlaps: free the one found instead
                long s = before.getKey();
                long e = before.getValue();
                if (e > s) {
                    bounds.unmark(s + 1, e);
                }
                allocations.remove(s);
                continue;
            }
            if (b > a) {
                bounds.mark(a + 1, b);
            }
            allocations.put(a, b);
            if (round % 100 == 0) {
                check(bounds, allocations, units, rnd, "seed " + seed + ", round " + round);
            }
        }
        check(bounds, allocations, units, rnd, "seed " + seed);
        List<Long> starts = new ArrayList<>(allocations.keySet());
        for (long s : starts) {
            long e = allocations.remove(s);
            if (e > s) {
                bounds.unmark(s + 1, e);
            }
        }
        assertEquals(4L * ((units + 4095) / 4096), bounds.bytes(), "every chunk dropped once empty, seed " + seed);
    }

    private static void check(Boundaries bounds, TreeMap<Long, Long> allocations, long units, SplittableRandom rnd,
                              String context) {
        for (var entry : allocations.entrySet()) {
            long s = entry.getKey();
            long e = entry.getValue();
            assertFalse(bounds.continues(s), context);
            assertEquals(e, bounds.endOf(s), context + ": end of " + s);
            assertEquals(s, bounds.startOf(e), context + ": start of " + e);
            long inside = s + rnd.nextLong(e - s + 1);
            assertEquals(s, bounds.startOf(inside), context + ": start of " + inside);
            assertEquals(s == e, bounds.isSingle(s), context + ": single " + s);
            if (e > s) {
                assertTrue(bounds.allContinue(s + 1, e), context);
                assertTrue(bounds.continues(e), context);
            }
            if (e + 1 < units) {
                assertFalse(bounds.continues(e + 1), context);
            }
        }
    }

    @Test
    void anAllocationEndingTheSpaceEndsThere() {
        Boundaries bounds = new Boundaries(4097);
        bounds.mark(4000, 4096);
        assertEquals(4096, bounds.endOf(3999));
        assertEquals(3999, bounds.startOf(4096));
        assertTrue(bounds.isSingle(3998));
        assertFalse(bounds.isSingle(3999));
        assertFalse(bounds.isSingle(4095), "4095 ends a chunk; its successor in the next chunk continues it");
        bounds.unmark(4000, 4096);
        assertTrue(bounds.isSingle(4095));
    }
}
