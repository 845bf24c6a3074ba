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
        BitmapCore core = new BitmapCore(1, false);
        core.walkBudget(0);
        core.addSpan(0, units - 1);
        SpanBitmap span = onlySpan(core);
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

    /** A concurrent tree never builds the index: its lock-free writers run beside the searches. */
    @Test
    void aConcurrentTreeSearchesWithoutTheIndex() {
        BitmapCore core = new BitmapCore(1, true);
        core.walkBudget(0);
        core.addSpan(0, (1 << 16) - 1);
        for (long u = 0; u < (1 << 16); u += 100 + u % 700) {
            core.allocate(u, u, null);
        }
        assertNotNull(core.bestFit(Request.of(50)));
        assertNull(onlySpan(core).fits.index());
    }

    static SpanBitmap onlySpan(BitmapCore core) {
        try {
            java.lang.reflect.Field f = BitmapCore.class.getDeclaredField("spans");
            f.setAccessible(true);
            return ((SpanBitmap[]) f.get(core))[0];
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }
}
