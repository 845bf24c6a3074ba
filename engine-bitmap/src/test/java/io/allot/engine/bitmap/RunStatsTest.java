package io.allot.engine.bitmap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.BitSet;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link RunStats} against a brute-force count of free runs after random updates, asked after
 * every few changes (so that some queries find one changed block and some many), over sizes with
 * one to three levels of nodes and partial last nodes.
 */
class RunStatsTest {

    @Test
    void longestRunOfAWordMatchesBruteForce() {
        SplittableRandom rnd = new SplittableRandom(7);
        long[] words = {0, -1L, 1, Long.MIN_VALUE, 0x7fff_ffff_ffff_ffffL, -2L, 0x00ff_00ff_00ff_00ffL,
                0x5555_5555_5555_5555L, 0x0fff_ffff_ffff_fff0L};
        for (long w : words) {
            assertEquals(bruteLongest(w), RunStats.longestRun(w), Long.toHexString(w));
        }
        for (int i = 0; i < 200_000; i++) {
            long w = rnd.nextLong() & rnd.nextLong() | (rnd.nextBoolean() ? rnd.nextLong() & rnd.nextLong() : 0);
            if (rnd.nextInt(4) == 0) {
                w = ~w;
            }
            assertEquals(bruteLongest(w), RunStats.longestRun(w), Long.toHexString(w));
        }
    }

    private static int bruteLongest(long w) {
        int best = 0;
        int run = 0;
        for (int i = 0; i < 64; i++) {
            run = ((w >>> i) & 1) != 0 ? run + 1 : 0;
            best = Math.max(best, run);
        }
        return best;
    }

    @ParameterizedTest(name = "{0} units")
    @ValueSource(longs = {1, 64, 100, 4096, 4097, 64 * 4096, 64 * 4096 + 100, 300_001})
    void runsAndLongestMatchBruteForce(long units) {
        long seed = System.nanoTime();
        SplittableRandom rnd = new SplittableRandom(seed);
        BitTree tree = new BitTree(units, false);
        RunStats stats = new RunStats(tree);
        BitSet model = new BitSet();
        assertFigures(stats, model, units, "fresh, seed " + seed);
        int ops = units > 100_000 ? 400 : 4_000;
        for (int op = 0; op < ops; op++) {
            long a = rnd.nextLong(units);
            long len = 1 + rnd.nextLong(Math.min(units, rnd.nextInt(4) == 0 ? 20_000 : 100));
            long b = Math.min(units - 1, a + len - 1);
            if (rnd.nextBoolean()) {
                for (long u = a; u <= b; u++) {
                    if (!model.get((int) u)) {
                        tree.set(u);
                        model.set((int) u);
                    }
                }
            } else {
                for (long u = a; u <= b; u++) {
                    if (model.get((int) u)) {
                        tree.clear(u);
                        model.clear((int) u);
                    }
                }
            }
            if (rnd.nextInt(3) == 0) {
                assertFigures(stats, model, units, "seed " + seed + ", op " + op);
            }
        }
        assertFigures(stats, model, units, "seed " + seed + ", end");
    }

    /**
     * The id path's claims and frees write no change mark in the hint's word (its block is kept
     * marked instead): the figures must stay exact when queries fall between such claims and
     * frees, including right after a query cleared the marks and when the hint moves to a new
     * block (a word fills, a free lands below it).
     */
    @ParameterizedTest(name = "{0} units")
    @ValueSource(longs = {1, 64, 100, 4096, 4097, 64 * 4096 + 100, 300_001})
    void idClaimsAndFreesKeepTheFiguresExact(long units) {
        long seed = System.nanoTime();
        SplittableRandom rnd = new SplittableRandom(seed);
        BitTree tree = new BitTree(units, false);
        RunStats stats = new RunStats(tree);
        BitSet model = new BitSet();
        for (int op = 0; op < 20_000; op++) {
            String context = units + " units, seed " + seed + ", op " + op;
            int kind = rnd.nextInt(8);
            if (kind < 4) {
                long u = tree.claimLowest();
                assertEquals(model.nextClearBit(0) < units ? model.nextClearBit(0) : -1, u, context);
                if (u >= 0) {
                    model.set((int) u);
                }
            } else if (kind < 7) {
                // Mostly near the bottom, where the hint is, sometimes anywhere.
                long u = rnd.nextBoolean() ? rnd.nextLong(Math.min(units, 200)) : rnd.nextLong(units);
                assertEquals(model.get((int) u), tree.clearIfSet(u), context);
                model.clear((int) u);
            } else {
                long u = rnd.nextLong(units);
                if (!model.get((int) u)) {
                    tree.set(u);
                    model.set((int) u);
                }
            }
            if (rnd.nextInt(5) == 0) {
                assertFigures(stats, model, units, context);
                tree.checkInvariants();
            }
        }
        assertFigures(stats, model, units, units + " units, seed " + seed + ", end");
    }

    /**
     * W2's steady state through the tree's id fast paths: a dense prefix, a hole freed at random
     * below the hint (the word becomes the hint's low word, its change unmarked) and refilled by
     * the next claim (the word fills, is marked, and the hint moves back up). Figures are asked
     * for between any two steps — a query clears the marks, so the next free and fill must mark
     * anew — and searches from above the hole set lazy full bits that later frees must clear.
     */
    @ParameterizedTest(name = "{0} units")
    @ValueSource(longs = {130, 4096 + 64, 64 * 4096 + 100})
    void aDensePrefixWithOneHoleKeepsTheFiguresExact(long units) {
        long seed = System.nanoTime();
        SplittableRandom rnd = new SplittableRandom(seed);
        BitTree tree = new BitTree(units, false);
        RunStats stats = new RunStats(tree);
        BitSet model = new BitSet();
        long prefix = units / 2 + rnd.nextLong(units / 4);
        for (long u = 0; u < prefix; u++) {
            assertEquals(u, tree.claimLowest());
            model.set((int) u);
        }
        for (int op = 0; op < 20_000; op++) {
            String context = units + " units, prefix " + prefix + ", seed " + seed + ", op " + op;
            long hole = rnd.nextLong(prefix);
            assertTrue(tree.clearIfSet(hole), context + ": free " + hole);
            assertFalse(tree.clearIfSet(hole), context + ": free " + hole + " again");
            model.clear((int) hole);
            if (rnd.nextInt(3) == 0) {
                assertFigures(stats, model, units, context + ", after the free of " + hole);
            }
            if (rnd.nextInt(4) == 0) { // from above the hole's word: sets the full bits on the way
                long p = Math.min(prefix, (hole | 63) + 1 + rnd.nextLong(prefix));
                long next = model.nextClearBit((int) Math.min(p, units - 1));
                assertEquals(next < units ? next : -1, tree.nextFree(Math.min(p, units - 1)), context + ": nextFree");
            }
            assertEquals(hole, tree.claimLowest(), context + ": the claim after the free of " + hole);
            model.set((int) hole);
            if (rnd.nextInt(3) == 0) {
                assertFigures(stats, model, units, context + ", after the claim of " + hole);
            }
            if (op % 200 == 0) {
                tree.checkInvariants();
            }
        }
        tree.checkInvariants();
        assertFigures(stats, model, units, units + " units, seed " + seed + ", end");
    }

    /**
     * A tree of one word (no summary level), full, then W2's pair: the free leaves its unit
     * pending with the bit still set in the word, which the figures read directly, so they must
     * count it free all the same (and the claim after them still hands it back).
     */
    @ParameterizedTest(name = "{0} units")
    @ValueSource(longs = {40, 64})
    void aPendingUnitCountsAsFreeInAOneWordTree(long units) {
        long seed = System.nanoTime();
        SplittableRandom rnd = new SplittableRandom(seed);
        BitTree tree = new BitTree(units, false);
        RunStats stats = new RunStats(tree);
        BitSet model = new BitSet();
        for (long u = 0; u < units; u++) {
            assertEquals(u, tree.claimLowest());
            model.set((int) u);
        }
        int pendingFrees = 0;
        for (int op = 0; op < 2_000; op++) {
            String context = units + " units, seed " + seed + ", op " + op;
            long hole = rnd.nextLong(units);
            assertTrue(tree.clearIfSet(hole), context + ": free " + hole);
            model.clear((int) hole);
            if (tree.pendingUnit() == hole) {
                pendingFrees++;
            }
            assertFigures(stats, model, units, context + ", after the free of " + hole);
            tree.checkInvariants();
            assertEquals(hole, tree.claimLowest(), context + ": the claim after the free of " + hole);
            model.set((int) hole);
            assertFigures(stats, model, units, context + ", after the claim of " + hole);
        }
        assertTrue(pendingFrees > 100, "seed " + seed + ": only " + pendingFrees + " frees left a unit pending");
    }

    private static void assertFigures(RunStats stats, BitSet model, long units, String context) {
        long runs = 0;
        long longest = 0;
        long run = 0;
        for (int u = 0; u < units; u++) {
            if (model.get(u)) {
                run = 0;
            } else {
                if (run == 0) {
                    runs++;
                }
                run++;
                longest = Math.max(longest, run);
            }
        }
        assertEquals(runs, stats.runs(), context + ": runs");
        assertEquals(longest, stats.longest(), context + ": longest");
        stats.checkInvariants();
    }

    /**
     * A query after every change, so that each finds one or two groups marked, over trees of one
     * to three summary levels with partial last nodes and groups (past padding, or wholly free:
     * 4160 and 266240 units fill their last word and block), single-threaded (the groups
     * exist after {@link RunStats#GROUPS_AFTER} queries) and concurrent (never grouped): single
     * units claimed and freed through the id paths, and runs set and cleared across group and
     * block boundaries; after a third of the changes, with the size classes of best-fit's search
     * as well. Every node's and group's figures (and classes) are checked against a fresh fold
     * after each query, the top figures against a brute-force count every few.
     */
    @ParameterizedTest(name = "{0} units, concurrent {1}")
    @CsvSource({"100, false", "4097, false", "4160, false", "262244, false", "266240, false", "2097159, false",
            "4097, true", "262244, true"})
    void aQueryAfterEveryChangeMatchesAFreshFold(long units, boolean concurrent) {
        long seed = System.nanoTime();
        SplittableRandom rnd = new SplittableRandom(seed);
        BitTree tree = new BitTree(units, concurrent);
        RunStats stats = new RunStats(tree);
        BitSet model = new BitSet();
        int ops = units > 1_000_000 ? 1_500 : 4_000;
        for (int op = 0; op < ops; op++) {
            String context = units + " units, concurrent " + concurrent + ", seed " + seed + ", op " + op;
            long a = rnd.nextInt(3) == 0 ? rnd.nextLong(units) : rnd.nextLong(Math.min(units, 3 * 4096));
            int kind = rnd.nextInt(4);
            if (kind == 0 && !model.get((int) a)) {
                long b = Math.min(Math.min(units, model.nextSetBit((int) a) < 0 ? units : model.nextSetBit((int) a)) - 1,
                        a + rnd.nextLong(1 + rnd.nextInt(3) * 700L));
                tree.setRange(a, b);
                model.set((int) a, (int) b + 1);
            } else if (kind == 1 && model.get((int) a)) {
                long b = Math.min(model.nextClearBit((int) a), units) - 1;
                b = Math.min(b, a + rnd.nextLong(1 + rnd.nextInt(3) * 700L));
                tree.clearRange(a, b);
                model.clear((int) a, (int) b + 1);
            } else if (kind == 2 && !concurrent) {
                long u = tree.claimLowest();
                if (u >= 0) {
                    model.set((int) u);
                }
            } else if (!concurrent) {
                assertEquals(model.get((int) a), tree.clearIfSet(a), context);
                model.clear((int) a);
            } else if (model.get((int) a)) {
                tree.clear(a);
                model.clear((int) a);
            } else {
                tree.set(a);
                model.set((int) a);
            }
            if (op == ops / 3) {
                stats.cleanAll(); // the size classes from now on, and the groups' with them
                stats.checkInvariants();
            }
            if (op % 25 == 0) {
                assertFigures(stats, model, units, context);
            } else {
                stats.runs();
                stats.checkInvariants();
            }
        }
        assertEquals(!concurrent, stats.grouped(), "seed " + seed + ": groups after " + ops + " queries");
        // Everything freed, then everything allocated, a run at a time: wholly free and wholly
        // allocated nodes and groups, partial ones at the end included.
        for (int a = model.nextSetBit(0); a >= 0 && a < units; a = model.nextSetBit(a)) {
            int b = (int) Math.min(model.nextClearBit(a), units) - 1;
            tree.clearRange(a, b);
            model.clear(a, b + 1);
            stats.runs();
            stats.checkInvariants();
        }
        assertFigures(stats, model, units, units + " units, seed " + seed + ", all free");
        for (int a = model.nextClearBit(0); a < units; a = model.nextClearBit(a)) {
            int b = (int) Math.min(Math.min(model.nextSetBit(a) < 0 ? units : model.nextSetBit(a), units), a + 5_000L) - 1;
            tree.setRange(a, b);
            model.set(a, b + 1);
            stats.runs();
            stats.checkInvariants();
        }
        assertFigures(stats, model, units, units + " units, seed " + seed + ", all allocated");
    }

    @Test
    void runsOfAtLeastNBitsAreFoundByDoubling() {
        SplittableRandom rnd = new SplittableRandom(7);
        for (int i = 0; i < 20_000; i++) {
            long f = rnd.nextLong() & rnd.nextLong() | (rnd.nextBoolean() ? rnd.nextLong() : 0);
            int n = 1 + rnd.nextInt(64);
            long expected = 0;
            for (int b = 0; b + n <= 64; b++) {
                long window = n == 64 ? -1L : ((1L << n) - 1) << b;
                if ((f & window) == window) {
                    expected |= 1L << b;
                }
            }
            assertEquals(expected, RunStats.atLeast(f, n), "f " + Long.toHexString(f) + ", n " + n);
        }
        assertEquals(1L, RunStats.atLeast(-1L, 64));
        assertEquals(0L, RunStats.atLeast(-1L >>> 1, 64));
    }
}
