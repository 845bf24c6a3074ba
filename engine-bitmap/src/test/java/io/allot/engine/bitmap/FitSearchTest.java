package io.allot.engine.bitmap;

import io.allot.Range;
import io.allot.Request;
import io.allot.internal.Placement;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link FitSearch} (best-fit and instant-fit through {@link RunStats}' size classes) against a
 * brute-force scan of every span's bits: seeded random states mixing runs of 1 to 70 units (the
 * one-size classes and the first wide ones), runs of hundreds, and runs of thousands that cross
 * blocks of 4096 units and higher nodes; spans of one, two and three summary levels, one ending
 * exactly on a node boundary, one with padding, one at the top of the 64-bit space; requests with
 * windows, alignment, phase and no-cross; the state changed between searches so that the lazy
 * recomputation of changed nodes is exercised.
 */
class FitSearchTest {

    private static final long Q = 0x100;
    /** Spans: three levels with padding, exactly 4096 (one level), 4096·64 (two), one below the top. */
    private static final List<Range> SPANS = List.of(
            Range.ofSize(0x1000_0000L, (3L * 64 * 64 * 64 + 77) * Q),
            Range.ofSize(0x4000_0000L, 4096 * Q),
            Range.ofSize(0x8000_0000L, 4096L * 64 * Q),
            Range.of(-(3 * 4096 + 5) * Q, -1L));

    @Test
    void bestAndInstantFitEqualABruteForceScanOfTheBits() {
        for (int round = 0; round < 12; round++) {
            long seed = System.nanoTime() + round;
            try {
                runRound(seed);
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("seed " + seed + ": " + e.getMessage(), e);
            }
        }
    }

    private static void runRound(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        BitmapCore core = new BitmapCore(Q, false);
        if (rnd.nextInt(3) != 0) {
            core.walkBudget(0); // the size-class search alone; else the short walk first, as shipped
        }
        List<BitSet> used = new ArrayList<>();
        for (Range s : SPANS) {
            core.addSpan(s.start(), s.end());
            used.add(new BitSet());
        }
        List<long[]> live = new ArrayList<>(); // {span, first unit, last unit}
        for (int i = 0; i < SPANS.size(); i++) {
            fill(core, rnd, i, used.get(i), live);
        }
        for (int q = 0; q < 400; q++) {
            Request r = randomRequest(rnd);
            long c = Long.highestOneBit(r.size()) == r.size() ? r.size() : Long.highestOneBit(r.size()) << 1;
            String context = "query " + q + " " + r;
            assertEquals(brute(used, r, r.size()), core.bestFit(r), context + ": best-fit");
            assertEquals(c == 0 ? null : brute(used, r, c), core.instantFit(r), context + ": instant-fit");
            // Change a little between searches: the next one must see it through the lazy marks.
            for (int k = rnd.nextInt(3); k > 0; k--) {
                if (!live.isEmpty() && rnd.nextBoolean()) {
                    long[] a = live.remove(rnd.nextInt(live.size()));
                    SpanBitmap s = spanAt(core, a[0]);
                    core.free(s.first(a[1]), s.last(a[2]));
                    used.get((int) a[0]).clear((int) a[1], (int) a[2] + 1);
                } else {
                    int i = rnd.nextInt(SPANS.size());
                    int units = (int) (SPANS.get(i).size() / Q);
                    int u = rnd.nextInt(units);
                    int n = 1 + rnd.nextInt(rnd.nextBoolean() ? 8 : 300);
                    BitSet bits = used.get(i);
                    if (u + n <= units && bits.nextSetBit(u) < 0 || u + n <= units && bits.nextSetBit(u) >= u + n) {
                        Range span = SPANS.get(i);
                        core.allocate(span.start() + u * Q, span.start() + (u + n) * Q - 1, null);
                        bits.set(u, u + n);
                        live.add(new long[] {i, u, u + n - 1});
                    }
                }
            }
        }
        core.checkInvariants();
        // The run statistics, recomputed through the searches' one-pass fold, equal a count of the bits.
        long runs = 0;
        long longest = 0;
        for (int i = 0; i < SPANS.size(); i++) {
            int units = (int) (SPANS.get(i).size() / Q);
            BitSet bits = used.get(i);
            for (int a = bits.nextClearBit(0); a < units; ) {
                int end = bits.nextSetBit(a) < 0 ? units : bits.nextSetBit(a);
                runs++;
                longest = Math.max(longest, end - a);
                a = bits.nextClearBit(end);
            }
        }
        assertEquals(runs, core.freeSegments(), "free runs");
        assertEquals(longest * Q, core.largestFree(), "longest free run");
    }

    /** Allocates runs of random lengths over span {@code i}, leaving free runs of random lengths. */
    private static void fill(BitmapCore core, SplittableRandom rnd, int i, BitSet bits, List<long[]> live) {
        Range span = SPANS.get(i);
        long units = span.size() / Q;
        long u = rnd.nextInt(3) == 0 ? 0 : length(rnd); // sometimes a free prefix
        while (u < units) {
            long n = Math.min(units - u, 1 + rnd.nextInt(rnd.nextInt(4) == 0 ? 400 : 40));
            if (rnd.nextInt(20) == 0 && u + n == units) {
                break; // sometimes a free suffix
            }
            core.allocate(span.start() + u * Q, span.start() + (u + n) * Q - 1, null);
            bits.set((int) u, (int) (u + n));
            live.add(new long[] {i, u, u + n - 1});
            u += n + length(rnd);
        }
    }

    /** A free run's length: mostly one-size classes, some wide ones, some crossing blocks. */
    private static long length(SplittableRandom rnd) {
        int kind = rnd.nextInt(20);
        return kind < 14 ? 1 + rnd.nextInt(70) : kind < 18 ? 1 + rnd.nextInt(600) : 1000 + rnd.nextInt(12_000);
    }

    private static SpanBitmap spanAt(BitmapCore core, long i) {
        try {
            java.lang.reflect.Field f = BitmapCore.class.getDeclaredField("spans");
            f.setAccessible(true);
            return ((SpanBitmap[]) f.get(core))[(int) i];
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    private static Request randomRequest(SplittableRandom rnd) {
        int kind = rnd.nextInt(10);
        long units = kind < 5 ? 1 + rnd.nextInt(34) : kind < 8 ? 1 + rnd.nextInt(700) : 1 + rnd.nextInt(14_000);
        Request r = Request.of(units * Q);
        if (rnd.nextInt(3) == 0) {
            long alignment = Q << rnd.nextInt(10);
            r = r.aligned(alignment);
            if (rnd.nextBoolean()) {
                r = r.phase(rnd.nextLong(alignment / Q) * Q);
            }
        } else {
            r = r.aligned(Q);
        }
        if (rnd.nextInt(5) == 0) {
            r = r.noCross(Long.highestOneBit(r.size()) << (1 + rnd.nextInt(4)));
        }
        if (rnd.nextInt(3) == 0) {
            Range s = SPANS.get(rnd.nextInt(SPANS.size()));
            long a = s.start() + rnd.nextLong(s.size());
            long b = rnd.nextInt(4) == 0 ? -1L : a + rnd.nextLong(s.size());
            r = Long.compareUnsigned(a, b) <= 0 ? r.within(a, b) : r.within(a, -1L);
        }
        return r;
    }

    /** The lowest placement in the smallest free run (of all spans, ascending) of at least {@code minSize}. */
    private static Range brute(List<BitSet> used, Request r, long minSize) {
        Range best = null;
        long bestSize = 0;
        for (int i = 0; i < SPANS.size(); i++) {
            Range span = SPANS.get(i);
            int units = (int) (span.size() / Q);
            BitSet bits = used.get(i);
            for (int a = bits.nextClearBit(0); a < units; ) {
                int end = Math.min(units, bits.nextSetBit(a) < 0 ? units : bits.nextSetBit(a));
                long size = (long) (end - a) * Q;
                long first = span.start() + a * Q;
                if (Long.compareUnsigned(size, minSize) >= 0 && (best == null || size < bestSize)) {
                    long offset = Placement.lowest(first, first + size - 1, r, 0);
                    if (offset != Placement.NONE) {
                        best = Range.ofSize(first + offset, r.size());
                        bestSize = size;
                    }
                }
                a = bits.nextClearBit(end);
            }
        }
        return best;
    }
}
