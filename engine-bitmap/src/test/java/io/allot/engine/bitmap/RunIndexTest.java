package io.allot.engine.bitmap;

import io.allot.Range;
import io.allot.Request;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * {@link RunIndex}, best-fit's index of wide runs, kept by the blocks {@link RunStats} reports:
 * after every best-fit search it holds exactly the span's maximal free runs of at least 33 units
 * ({@link RunIndex#checkInvariants}, a fresh scan of the bits), and every answer equals a
 * brute-force scan. Between searches the state changes by a few allocations and frees (the
 * incremental refresh of the blocks they touch), by runs freed whole and merged with both
 * neighbours across block boundaries, and now and then by more changed blocks than the index
 * queues (the rebuild); the changes go through the core's own paths, single units included, so
 * every path that changes bits is seen through the statistics' marks.
 */
class RunIndexTest {

    @ParameterizedTest(name = "{0} units")
    @ValueSource(longs = {4160, 266_240, 1L << 20})
    void afterEverySearchTheIndexHoldsExactlyTheWideRuns(long units) {
        for (int round = 0; round < 3; round++) {
            long seed = System.nanoTime() + round;
            try {
                runRound(units, seed);
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("seed " + seed + " (" + units + " units): " + e.getMessage(), e);
            }
        }
    }

    private static void runRound(long units, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        BitmapCore core = oneSpan(units, true);
        SpanBitmap span = FitSearchTest.spanAt(core, 0);
        BitSet used = new BitSet();
        List<long[]> live = new ArrayList<>();
        for (long u = rnd.nextInt(2) * gap(rnd); u < units; ) {
            long n = Math.min(units - u, 1 + rnd.nextInt(rnd.nextInt(4) == 0 ? 3000 : 60));
            take(core, used, live, u, u + n - 1);
            u += n + gap(rnd);
        }
        assertNull(span.fits.index(), "no index before a search of the wide classes");
        for (int step = 0; step < 300; step++) {
            long size = 33 + rnd.nextInt(rnd.nextBoolean() ? 200 : 9000);
            Request r = Request.of(size);
            Range expected = brute(used, units, size);
            boolean allocating = rnd.nextBoolean();
            Range got = allocating ? core.allocateBestFit(r) : core.bestFit(r);
            assertEquals(expected, got, "step " + step + ": best-fit of " + size);
            if (got != null && allocating) {
                used.set((int) got.start(), (int) got.end() + 1);
                live.add(new long[] {got.start(), got.end()});
            } else if (got != null && rnd.nextBoolean()) {
                take(core, used, live, got.start(), got.end());
            }
            if (span.fits.index() != null) {
                span.checkIndex();
            }
            int changes = rnd.nextInt(12) == 0 ? 200 : rnd.nextInt(4);
            for (int k = 0; k < changes; k++) {
                change(core, rnd, used, live, units);
            }
        }
        assertNotNull(span.fits.index(), "300 wide best-fits and no index");
        core.checkInvariants();
    }

    /**
     * One random change: a live allocation freed, or a free unit, stretch or run of whole blocks
     * allocated (which may split a long run far from the block where the split shows).
     */
    private static void change(BitmapCore core, SplittableRandom rnd, BitSet used, List<long[]> live, long units) {
        if (!live.isEmpty() && rnd.nextInt(5) < 2) {
            long[] a = live.remove(rnd.nextInt(live.size()));
            assertEquals(true, core.free(a[0], a[1]), "free of " + a[0] + ".." + a[1]);
            used.clear((int) a[0], (int) a[1] + 1);
            return;
        }
        int u = rnd.nextInt((int) units);
        int kind = rnd.nextInt(8);
        int n = kind < 3 ? 1 : kind < 6 ? 1 + rnd.nextInt(400) : 4096 + rnd.nextInt(9000); // whole blocks, too
        if (kind == 7) {
            n = (((u >>> 12) + 1 + rnd.nextInt(2)) << 12) - u; // ending on a block's last unit
        }
        if (u + n <= units && (used.nextSetBit(u) < 0 || used.nextSetBit(u) >= u + n)) {
            take(core, used, live, u, u + n - 1);
        }
    }

    private static void take(BitmapCore core, BitSet used, List<long[]> live, long a, long b) {
        assertEquals(true, core.allocate(a, b, null), "allocate " + a + ".." + b);
        used.set((int) a, (int) b + 1);
        live.add(new long[] {a, b});
    }

    private static long gap(SplittableRandom rnd) {
        int kind = rnd.nextInt(10);
        return kind < 5 ? 1 + rnd.nextInt(40) : kind < 9 ? 1 + rnd.nextInt(2000) : 1 + rnd.nextInt(20_000);
    }

    /** The smallest free run of at least {@code size} units, lowest first: its first {@code size} units. */
    private static Range brute(BitSet used, long units, long size) {
        long bestSize = Long.MAX_VALUE;
        long bestStart = -1;
        for (int a = used.nextClearBit(0); a < units; ) {
            int next = used.nextSetBit(a);
            int end = next < 0 || next > units ? (int) units : next;
            long run = end - a;
            if (run >= size && run < bestSize) {
                bestSize = run;
                bestStart = a;
            }
            a = used.nextClearBit(end);
        }
        return bestStart < 0 ? null : Range.ofSize(bestStart, size);
    }

    /**
     * Without the test switch, the walk's cost decides: runs of 100 to 127 units between single
     * allocated units, and best-fits of 64 units, which the walk of the class of 64 to 127 units
     * can only answer by meeting every run of it (none has exactly 64), turn to the index within a
     * few searches; once a run of exactly 64 units is the span's first free run (the walk's first
     * candidate; unit 0 is allocated, so no prefix run answers before the walk), the probes the
     * index lets through find the walk cheap, and the walk serves again. Every answer is the
     * brute-force one.
     */
    @Test
    void theWalksCostChoosesBetweenWalkAndIndex() {
        long units = 1L << 20;
        BitmapCore core = oneSpan(units, false);
        SpanBitmap span = FitSearchTest.spanAt(core, 0);
        BitSet used = new BitSet();
        List<long[]> live = new ArrayList<>();
        SplittableRandom rnd = new SplittableRandom(42);
        take(core, used, live, 0, 0);
        long firstRun = 0;
        long u = 1;
        while (u + 130 < units) {
            long run = 100 + rnd.nextInt(28);
            firstRun = firstRun == 0 ? run : firstRun;
            take(core, used, live, u + run, u + run);
            u += run + 1;
        }
        take(core, used, live, u, units - 1);
        Request r = Request.of(64); // the best run: the lowest of 100 units
        for (int i = 0; i < 8; i++) {
            assertEquals(brute(used, units, 64), core.bestFit(r), "search " + i);
        }
        assertEquals(true, span.fits.indexServes(), "walks of thousands of runs, and still walking");
        assertNotNull(span.fits.index());
        take(core, used, live, 65, firstRun); // [1, 64]: a run of exactly 64 units, the walk's first candidate
        for (int i = 0; i < 6000; i++) {
            assertEquals(Range.of(1, 64), core.bestFit(r), "search " + i);
        }
        assertEquals(false, span.fits.indexServes(), "walks of one run, and the index still serving");
    }

    /** A space whose wide walks find their run at once (many runs of exactly the sizes asked) never builds the index. */
    @Test
    void cheapWalksNeverBuildTheIndex() {
        long units = 1L << 18;
        BitmapCore core = oneSpan(units, false);
        BitSet used = new BitSet();
        List<long[]> live = new ArrayList<>();
        for (long u = 0; u + 200 < units; u += 101) {
            take(core, used, live, u + 100, u + 100); // runs of exactly 100 units
        }
        for (int i = 0; i < 2000; i++) {
            Range got = core.allocateBestFit(Request.of(100));
            assertEquals(true, core.free(got.start(), got.end()));
        }
        assertNull(FitSearchTest.spanAt(core, 0).fits.index());
    }

    /**
     * A run of exactly the wanted size at the span's end, which the search tries before any walk
     * (after a bigger first run), does not end it: a run of the same size lower down wins the tie,
     * with the walk and with the index. At the span's start, such a run does end it, and is the
     * answer.
     */
    @Test
    void anExactRunAtTheEndDoesNotHideALowerOne() {
        for (boolean index : new boolean[] {false, true}) {
            long units = 1L << 18; // exactly the top node's 64 x 4096 units: its suffix is the span's last run
            BitmapCore core = oneSpan(units, index);
            core.allocate(150, 999, null);
            core.allocate(1100, units - 101, null); // free: a prefix of 150, [1000, 1099], a suffix of 100
            assertEquals(Range.ofSize(1000, 100), core.bestFit(Request.of(100)), "index " + index);
            assertEquals(true, core.free(150, 999));
            core.allocate(100, 999, null); // the prefix is [0, 99] now
            assertEquals(Range.ofSize(0, 100), core.bestFit(Request.of(100)), "index " + index);
        }
    }

    /** A concurrent tree never builds the index: its lock-free writers run beside the searches. */
    @Test
    void aConcurrentTreeSearchesWithoutTheIndex() {
        BitmapCore core = new BitmapCore(1, true);
        core.walkBudget(0);
        core.indexAlways(); // on any other tree this would build it at the first wide search
        core.addSpan(0, (1 << 16) - 1);
        for (long u = 0; u < (1 << 16); u += 100 + u % 700) {
            core.allocate(u, u, null);
        }
        assertNotNull(core.bestFit(Request.of(50)));
        assertNull(FitSearchTest.spanAt(core, 0).fits.index());
    }

    /**
     * A core of quantum 1 over units {@code [0, units-1]} whose best-fits go to the size-class
     * search at once (no short walk first); with {@code index}, the wide classes always from the index.
     */
    private static BitmapCore oneSpan(long units, boolean index) {
        BitmapCore core = new BitmapCore(1, false);
        core.walkBudget(0);
        if (index) {
            core.indexAlways();
        }
        core.addSpan(0, units - 1);
        return core;
    }
}
