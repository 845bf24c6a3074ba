package io.allot.engine.bitmap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.BitSet;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
    }
}
