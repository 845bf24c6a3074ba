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
        assertTrue(bounds.spares() <= 4, "at most four empty chunks kept");
        assertEquals(4L * ((units + 4095) / 4096) + 528L * bounds.spares(), bounds.bytes(),
                "every chunk dropped once empty (or kept empty for reuse), seed " + seed);
    }

    /**
     * A multi-unit allocation made and freed again and again (W4's and W5's pairs) takes the chunks
     * its last free emptied: the memory held stays the same, so no chunk is created per pair.
     */
    @Test
    void chunksEmptiedByAFreeAreReused() {
        long units = 64 * 4096;
        Boundaries bounds = new Boundaries(units);
        long table = 4L * 64;
        bounds.mark(101, 9_000); // ends in two chunks, one whole chunk between
        assertEquals(table + 2 * 528, bounds.bytes());
        bounds.unmark(101, 9_000);
        assertEquals(2, bounds.spares());
        for (int pair = 0; pair < 10; pair++) {
            bounds.mark(101, 9_000);
            assertEquals(0, bounds.spares(), "pair " + pair + " took the spares");
            assertEquals(table + 2 * 528, bounds.bytes(), "pair " + pair + " created no chunk");
            assertEquals(100, bounds.startOf(5_000));
            assertEquals(9_000, bounds.endOf(100));
            bounds.unmark(101, 9_000);
            assertEquals(2, bounds.spares());
            assertFalse(bounds.continues(5_000), "a reused chunk starts empty");
        }
        // A chunk of all-continuation taken apart (a free of part of a long allocation) is a spare
        // filled with ones, not the shared array written.
        bounds.mark(4_096, 3 * 4_096 - 1);
        bounds.unmark(5_000, 5_000);
        assertTrue(bounds.continues(4_097));
        assertFalse(bounds.continues(5_000));
        assertTrue(bounds.continues(4_096 * 2 + 7), "the other whole chunk is still all ones");
        bounds.unmark(4_096, 3 * 4_096 - 1);
        assertFalse(bounds.continues(4_096 * 2 + 7));
        assertTrue(bounds.spares() <= 4);
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
