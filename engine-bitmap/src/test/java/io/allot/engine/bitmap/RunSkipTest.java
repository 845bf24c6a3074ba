package io.allot.engine.bitmap;

import io.allot.Range;
import io.allot.Request;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * {@link RunSkip} against a brute-force scan of the bits, and first- and last-fit that skip against
 * the same searches walking every run. States mix runs of 1 to 70 units (inside words), hundreds
 * (across words) and thousands (across blocks of 4096 units and higher nodes), with free and
 * allocated stretches at both ends; trees of one to three summary levels, with and without
 * padding; the state changes between queries, so that the run statistics' lazy recomputation is
 * what the skips read. Seeds are printed on failure.
 */
class RunSkipTest {

    /** Units of the trees: one summary level exactly, one with padding, two, three with padding. */
    private static final long[] SIZES = {4096, 4096 - 37, 64 * 4096, 3L * 64 * 4096 + 1000, 64L * 64 * 4096 + 77};
    /** The first- and last-fit comparison's spans and quantum ({@link SearchSpans}). */
    private static final long Q = SearchSpans.Q;
    private static final List<Range> SPANS = SearchSpans.SPANS;

    @Test
    void firstAndLastRunsOfAtLeastNEqualABruteForceScan() {
        for (int round = 0; round < 20; round++) {
            long seed = System.nanoTime() + round;
            try {
                skipRound(seed, SIZES[round % SIZES.length]);
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("seed " + seed + ": " + e.getMessage(), e);
            }
        }
    }

    private static void skipRound(long seed, long units) {
        SplittableRandom rnd = new SplittableRandom(seed);
        SpanBitmap span = new SpanBitmap(0, units - 1, 0, false);
        BitSet used = new BitSet();
        List<long[]> live = new ArrayList<>();
        fill(rnd, span, used, live, units);
        for (int q = 0; q < 600; q++) {
            long n = rnd.nextInt(3) == 0 ? existingRun(rnd, used, units) : runLength(rnd);
            long p = point(rnd, used, units);
            String context = "units " + units + ", query " + q + ", n " + n + ", from " + p;
            assertEquals(firstBrute(used, units, p, n), span.skip.firstFrom(p, n), context + ": first");
            assertEquals(lastBrute(used, p, n), span.skip.lastFrom(p, n), context + ": last");
            change(rnd, span, used, live, units);
        }
    }

    /** The first unit at or after p where a free run of at least n begins, counted from p: by bits. */
    private static long firstBrute(BitSet used, long units, long p, long n) {
        for (int a = used.nextClearBit((int) p); a < units; ) {
            int end = (int) Math.min(units, used.nextSetBit(a) < 0 ? units : used.nextSetBit(a));
            if (end - a >= n) {
                return a;
            }
            if (end >= units) {
                break;
            }
            a = used.nextClearBit(end);
        }
        return -1;
    }

    /** The last unit at or before q where a free run of at least n ends, counted up to q: by bits. */
    private static long lastBrute(BitSet used, long q, long n) {
        for (int b = used.previousClearBit((int) q); b >= 0; ) {
            int start = used.previousSetBit(b) + 1;
            if (b - start + 1 >= n) {
                return b;
            }
            if (start == 0) {
                break;
            }
            b = used.previousClearBit(start - 1);
        }
        return -1;
    }

    @Test
    void firstLastAndNextFitThatSkipEqualTheWalkOfEveryRun() {
        for (int round = 0; round < 12; round++) {
            long seed = System.nanoTime() + round;
            try {
                fitRound(seed);
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("seed " + seed + ": " + e.getMessage(), e);
            }
        }
    }

    private static void fitRound(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        BitmapCore skipping = new BitmapCore(Q, false);
        BitmapCore walking = new BitmapCore(Q, false);
        skipping.skipAfter(rnd.nextBoolean() ? 0 : rnd.nextInt(4)); // skip at once, or after a short walk
        walking.skipAfter(Integer.MAX_VALUE);
        for (Range s : SPANS) {
            skipping.addSpan(s.start(), s.end());
            walking.addSpan(s.start(), s.end());
        }
        List<Range> live = new ArrayList<>();
        for (Range s : SPANS) {
            long units = s.size() / Q;
            long u = rnd.nextInt(3) == 0 ? 0 : runLength(rnd) % units;
            while (u < units) {
                long n = Math.min(units - u, 1 + rnd.nextInt(rnd.nextInt(4) == 0 ? 400 : 40));
                Range a = Range.ofSize(s.start() + u * Q, n * Q);
                assertEquals(true, skipping.allocate(a.start(), a.end(), null));
                assertEquals(true, walking.allocate(a.start(), a.end(), null));
                live.add(a);
                u += n + runLength(rnd);
            }
        }
        for (int q = 0; q < 500; q++) {
            Request r = randomRequest(rnd);
            Range s = SPANS.get(rnd.nextInt(SPANS.size()));
            long from = rnd.nextInt(4) == 0 ? 0 : s.start() + rnd.nextLong(s.size());
            long to = rnd.nextInt(4) == 0 ? -1L : s.start() + rnd.nextLong(s.size());
            String context = "query " + q + " " + r + " from " + Long.toHexString(from) + " to " + Long.toHexString(to);
            assertEquals(walking.firstFit(r, from), skipping.firstFit(r, from), context + ": first-fit");
            assertEquals(walking.lastFit(r, to), skipping.lastFit(r, to), context + ": last-fit");
            // Allocate what first-fit found now and then (in both), and free some: the state moves.
            Range got = walking.firstFit(r, from);
            if (got != null && rnd.nextInt(4) == 0) {
                assertEquals(true, skipping.allocate(got.start(), got.end(), null));
                assertEquals(true, walking.allocate(got.start(), got.end(), null));
                live.add(got);
            }
            if (!live.isEmpty() && rnd.nextInt(3) == 0) {
                Range a = live.remove(rnd.nextInt(live.size()));
                assertEquals(true, skipping.free(a.start(), a.end()));
                assertEquals(true, walking.free(a.start(), a.end()));
            }
        }
        skipping.checkInvariants();
    }

    /** The longest run a word holds inside it (62 units: bits 1 to 62), found where it lies. */
    @Test
    void aWordsLongestInnerRunIsFound() {
        SpanBitmap span = new SpanBitmap(0, 4095, 0, false);
        span.allocate(0, 64);
        span.allocate(127, 4095);
        assertEquals(65, span.skip.firstFrom(0, 62));
        assertEquals(126, span.skip.lastFrom(4095, 62));
        assertEquals(-1, span.skip.firstFrom(0, 63));
        assertEquals(-1, span.skip.lastFrom(4095, 63));
        assertEquals(66, span.skip.firstFrom(66, 61), "counted from the start unit");
        assertEquals(-1, span.skip.firstFrom(66, 62), "counted from the start unit");
        assertEquals(125, span.skip.lastFrom(125, 61), "counted up to the start unit");
    }

    @Test
    void aTreeOfOneWordHasNothingToSkipWith() {
        BitTree one = new BitTree(64, false);
        assertThrows(IllegalArgumentException.class, () -> new RunSkip(one, new RunStats(one)));
    }

    // ---------------------------------------------------------------- states

    private static void fill(SplittableRandom rnd, SpanBitmap span, BitSet used, List<long[]> live, long units) {
        long u = rnd.nextInt(3) == 0 ? 0 : runLength(rnd) % units; // sometimes a free prefix
        while (u < units) {
            long n = Math.min(units - u, 1 + rnd.nextInt(rnd.nextInt(4) == 0 ? 400 : 40));
            if (rnd.nextInt(20) == 0 && u + n == units) {
                break; // sometimes a free suffix
            }
            allocate(span, used, live, u, u + n - 1);
            u += n + runLength(rnd);
        }
    }

    /** Frees an allocation or allocates a free stretch, now and then. */
    private static void change(SplittableRandom rnd, SpanBitmap span, BitSet used, List<long[]> live, long units) {
        for (int k = rnd.nextInt(3); k > 0; k--) {
            if (!live.isEmpty() && rnd.nextBoolean()) {
                long[] a = live.remove(rnd.nextInt(live.size()));
                span.free(a[0], a[1]);
                used.clear((int) a[0], (int) a[1] + 1);
            } else {
                long u = rnd.nextLong(units);
                long n = 1 + rnd.nextInt(rnd.nextBoolean() ? 8 : 300);
                int next = used.nextSetBit((int) u);
                if (u + n <= units && (next < 0 || next >= u + n)) {
                    allocate(span, used, live, u, u + n - 1);
                }
            }
        }
    }

    private static void allocate(SpanBitmap span, BitSet used, List<long[]> live, long a, long b) {
        span.allocate(a, b);
        used.set((int) a, (int) b + 1);
        live.add(new long[] {a, b});
    }

    /** A free run's length, or a request's: inside a word, across words, across blocks and nodes. */
    private static long runLength(SplittableRandom rnd) {
        int kind = rnd.nextInt(20);
        return kind < 12 ? 1 + rnd.nextInt(70) : kind < 17 ? 1 + rnd.nextInt(600) : 1000 + rnd.nextInt(20_000);
    }

    /** The length of a free run of the state, so that a search for exactly that many is made. */
    private static long existingRun(SplittableRandom rnd, BitSet used, long units) {
        int a = used.nextClearBit((int) rnd.nextLong(units));
        if (a >= units) {
            return 1;
        }
        int start = used.previousSetBit(a) + 1;
        int end = used.nextSetBit(a) < 0 ? (int) units : Math.min((int) units, used.nextSetBit(a));
        return end - start;
    }

    /** A unit to search from: anywhere, at a word or block boundary, or inside a free run. */
    private static long point(SplittableRandom rnd, BitSet used, long units) {
        long p = rnd.nextLong(units);
        switch (rnd.nextInt(4)) {
            case 0:
                return p & -64L;
            case 1:
                return Math.min(units - 1, (p & -4096L) + (rnd.nextBoolean() ? 0 : 4095));
            case 2:
                int free = used.nextClearBit((int) p);
                return free < units ? free : p;
            default:
                return p;
        }
    }

    private static Request randomRequest(SplittableRandom rnd) {
        return SearchSpans.request(rnd, rnd.nextInt(4) == 0 ? 1 + rnd.nextInt(3) : runLength(rnd));
    }
}
