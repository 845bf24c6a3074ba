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
 * recomputation of changed nodes is exercised. Instant-fit of an unconstrained request may answer
 * with any run of the lowest power-of-two class (the contract's, and vmem's, list head; the bitmap
 * finds one from a per-class hint or the first in address order), so it is checked against the set
 * the brute-force scan allows; a constrained one is best-fit of the rounded size, exactly.
 */
class FitSearchTest {

    private static final long Q = SearchSpans.Q;
    private static final List<Range> SPANS = SearchSpans.SPANS;

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
        if (rnd.nextBoolean()) {
            core.indexAlways(); // wide classes from the index of wide runs; else as the walks' cost decides
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
            if (unconstrained(r)) {
                // Any run of the lowest power-of-two class that holds it (vmem's list head), at its start.
                assertInstantChoice(used, r, core.instantFit(r), context);
            } else {
                assertEquals(c == 0 ? null : brute(used, r, c), core.instantFit(r), context + ": instant-fit");
            }
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

    /** Span {@code i} of {@code core}, which the core keeps to itself. */
    static SpanBitmap spanAt(BitmapCore core, long i) {
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
        return SearchSpans.request(rnd, units);
    }

    /** A request of more quanta than a run can hold (2^32) finds nothing, hinted or not. */
    @Test
    void instantFitBeyondTheLargestClassFindsNothing() {
        BitmapCore core = new BitmapCore(1, false);
        core.addSpan(0x1000, 0x1fff);
        Request one = Request.of(1);
        assertEquals(Range.of(0x1000, 0x1000), core.allocateInstantFit(one)); // leaves a hint
        for (long size : new long[] {0x1000, 1L << 32, (1L << 32) + 1, 1L << 40, 1L << 62, (1L << 62) + 1}) {
            Request r = Request.of(size);
            assertEquals(null, core.instantFit(r), r.toString());
            assertEquals(null, core.allocateInstantFit(r), r.toString());
        }
    }

    /**
     * Instant-fit and best-fit allocated by the core itself ({@code allocateInstantFit},
     * {@code allocateBestFit}: the run the search or an instant-fit hint found, claimed without a
     * second look-up) over a seeded run of allocations and frees that consume and restore the
     * hinted runs: every instant answer lies at the start of a run of the lowest power-of-two class
     * that holds the request, every best-fit answer is the brute-force one, and the bits claimed
     * are exactly the answer's.
     */
    @Test
    void allocatedInstantAndBestFitsClaimWhatTheBruteForceScanAllows() {
        for (int round = 0; round < 8; round++) {
            long seed = System.nanoTime() + round;
            try {
                runClaims(seed);
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("seed " + seed + ": " + e.getMessage(), e);
            }
        }
    }

    private static void runClaims(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        BitmapCore core = new BitmapCore(Q, false);
        if (rnd.nextBoolean()) {
            core.walkBudget(0);
        }
        if (rnd.nextBoolean()) {
            core.indexAlways();
        }
        List<BitSet> used = new ArrayList<>();
        for (Range s : SPANS) {
            core.addSpan(s.start(), s.end());
            used.add(new BitSet());
        }
        List<long[]> live = new ArrayList<>();
        for (int i = 0; i < SPANS.size(); i++) {
            fill(core, rnd, i, used.get(i), live);
        }
        List<Range> placed = new ArrayList<>();
        for (int q = 0; q < 3000; q++) {
            String context = "step " + q;
            int kind = rnd.nextInt(10);
            if (kind < 4 || placed.isEmpty() && kind < 8) {
                Request r = Request.of((1 + rnd.nextInt(rnd.nextInt(4) == 0 ? 300 : 20)) * Q).aligned(Q);
                Range got = core.allocateInstantFit(r);
                assertInstantChoice(used, r, got, context);
                claimed(used, got, placed);
            } else if (kind < 6) {
                Request r = randomRequest(rnd);
                Range expected = brute(used, r, r.size());
                Range got = core.allocateBestFit(r);
                assertEquals(expected, got, context + " " + r + ": best-fit");
                claimed(used, got, placed);
            } else if (!placed.isEmpty()) {
                // Free one of ours, most often the newest: the hinted run comes back whole.
                Range g = placed.remove(rnd.nextInt(4) != 0 ? placed.size() - 1 : rnd.nextInt(placed.size()));
                assertEquals(true, core.free(g.start(), g.end()), context + ": free " + g);
                int i = spanIndex(g.start());
                long first = (g.start() - SPANS.get(i).start()) / Q;
                used.get(i).clear((int) first, (int) (first + g.size() / Q));
            } else if (!live.isEmpty()) {
                long[] a = live.remove(rnd.nextInt(live.size()));
                SpanBitmap s = spanAt(core, a[0]);
                core.free(s.first(a[1]), s.last(a[2]));
                used.get((int) a[0]).clear((int) a[1], (int) a[2] + 1);
            }
        }
        core.checkInvariants();
        for (int i = 0; i < SPANS.size(); i++) {
            SpanBitmap s = spanAt(core, i);
            for (int u = 0; u < s.units; u++) {
                if (s.bits.isSet(u) != used.get(i).get(u)) {
                    throw new AssertionError("span " + i + " unit " + u + ": bits " + s.bits.isSet(u) + ", model " + used.get(i).get(u));
                }
            }
        }
    }

    /** Records the claim of {@code got} (if any) in the model. */
    private static void claimed(List<BitSet> used, Range got, List<Range> placed) {
        if (got == null) {
            return;
        }
        int i = spanIndex(got.start());
        long first = (got.start() - SPANS.get(i).start()) / Q;
        BitSet bits = used.get(i);
        if (bits.get((int) first, (int) (first + got.size() / Q)).cardinality() != 0) {
            throw new AssertionError(got + " was not free");
        }
        bits.set((int) first, (int) (first + got.size() / Q));
        placed.add(got);
    }

    private static int spanIndex(long value) {
        for (int i = 0; i < SPANS.size(); i++) {
            if (SPANS.get(i).contains(value)) {
                return i;
            }
        }
        throw new AssertionError(Long.toHexString(value) + " lies in no span");
    }

    private static boolean unconstrained(Request r) {
        return r.alignment() <= Q && r.phase() == 0 && r.noCross() == 0 && r.min() == 0 && r.max() == -1L;
    }

    /**
     * An unconstrained instant-fit answer: null exactly when no free run holds the request rounded
     * up to a power of two; else the request's size at the start of a maximal free run whose
     * power-of-two class ({@code floor(log2 size)}) is the lowest among the runs that do.
     */
    private static void assertInstantChoice(List<BitSet> used, Request r, Range got, String context) {
        long c = Long.highestOneBit(r.size()) == r.size() ? r.size() : Long.highestOneBit(r.size()) << 1;
        int lowest = Integer.MAX_VALUE;
        List<Range> runs = new ArrayList<>();
        for (int i = 0; i < SPANS.size(); i++) {
            Range span = SPANS.get(i);
            int units = (int) (span.size() / Q);
            BitSet bits = used.get(i);
            for (int a = bits.nextClearBit(0); a < units; ) {
                int end = bits.nextSetBit(a) < 0 ? units : bits.nextSetBit(a);
                long size = (long) (end - a) * Q;
                if (size >= c) {
                    int k = 63 - Long.numberOfLeadingZeros(size);
                    if (k < lowest) {
                        lowest = k;
                        runs.clear();
                    }
                    if (k == lowest) {
                        runs.add(Range.ofSize(span.start() + a * Q, size));
                    }
                }
                a = bits.nextClearBit(end);
            }
        }
        if (lowest == Integer.MAX_VALUE) {
            assertEquals(null, got, context + " " + r + ": instant-fit with no run big enough");
            return;
        }
        for (Range run : runs) {
            if (got != null && got.equals(Range.ofSize(run.start(), r.size()))) {
                return;
            }
        }
        throw new AssertionError(context + " " + r + ": instant-fit answered " + got + ", not the start of a run of class 2^"
                + lowest + ": " + (runs.size() > 8 ? runs.subList(0, 8) + "..." : runs));
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
