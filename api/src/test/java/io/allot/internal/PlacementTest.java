package io.allot.internal;

import io.allot.Request;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@link Placement} proved against a brute-force oracle, and {@link Request#admits} against the
 * contract read literally.
 *
 * <p><b>The oracle.</b> {@link #satisfies} is the contract's sentence written out with no bit
 * tricks ({@code s mod alignment == phase}, window bounds, {@code s / noCross == end / noCross}),
 * and {@link #oracleLowest}/{@link #oracleHighest} scan every start whose placement lies inside
 * the segment, lowest first or highest first. Placements outside the segment cannot satisfy the
 * query, so nothing is skipped.
 *
 * <p><b>Exhaustive cases</b> cover the universe {@code [0, 64)}: for sizes 1..20, alignments
 * 1..32 with every phase, and noCross 0 or every power of two from the size up to 64 (5,733
 * requests), every segment with from/to unbounded and one value inside it; a grid of windows
 * over a grid of segments; and every from and every to value over a grid of segments. For speed the exhaustive loops scan the 64 starts
 * once per request ({@link Scan}) and answer each segment query from that scan. Each case runs
 * in four {@link Frame frames}:
 * <ul>
 *   <li>{@code plain}: as is, so the universe starts at 0 (the bottom of the space);</li>
 *   <li>{@code top}: translated by 2<sup>64</sup>&minus;64, so it ends at 2<sup>64</sup>&minus;1;
 *       the oracle scans the translated starts itself;</li>
 *   <li>{@code x2^58} and {@code x2^57+2^63}: every quantity multiplied by 2<sup>k</sup> (then
 *       translated by 2<sup>63</sup> in the second). This reaches alignment 2<sup>63</sup>, noCross
 *       2<sup>63</sup>, sizes up to 20 &times; 2<sup>58</sup> and segments spanning most of the space, which no
 *       scan could cover. The plain oracle answers them, by this lemma: when alignment &times; 2^k
 *       and noCross &times; 2^k stay below 2^64, the starts satisfying the scaled case are exactly
 *       {@code t * 2^k} for the starts {@code t} satisfying the small one, because the alignment
 *       condition forces a multiple of 2^k, {@code t*2^k >= x*2^k <=> t >= x},
 *       {@code (t+size)*2^k - 1 <= (y+1)*2^k - 1 <=> t+size-1 <= y}, and a multiple of
 *       {@code noCross*2^k} lies in {@code (t*2^k, (t+size)*2^k - 1]} iff a multiple of
 *       noCross lies in {@code (t, t+size-1]}. Translating by a multiple of 64 &times; 2^k
 *       changes nothing, since alignment and noCross divide it.</li>
 * </ul>
 *
 * <p><b>Random cases</b> (a fresh seed each run, printed in every failure message; rerun one with
 * {@code mvn -pl api verify -Dallot.seed=...}) place segments anywhere in the space, sizes up to
 * 2<sup>64</sup>&minus;1 and alignments up to 2<sup>63</sup>; the segment is at most ~100 values
 * longer than the request so the literal oracle stays cheap.
 */
class PlacementTest {

    private static final long MAX = -1L;
    private static final long NONE = Placement.NONE;
    private static final long TWO_63 = Long.MIN_VALUE;

    /** Size of the small universe {@code [0, U)}. */
    private static final int U = 64;
    /** Small-universe marker: no lower bound (from 0, min 0). */
    private static final int NO_LOW = -1;
    /** Small-universe marker: no upper bound (to 2^64-1, max 2^64-1). */
    private static final int NO_HIGH = U;

    /** The oracle refuses to scan more starts than this; random cases stay far below. */
    private static final long SCAN_LIMIT = 1 << 12;

    private static final Frame PLAIN = new Frame("plain", 0, 0);
    private static final Frame TOP = new Frame("top (+2^64-64)", 0, -64L);
    private static final Frame SCALED = new Frame("x2^58", 58, 0);
    private static final Frame SCALED_HIGH = new Frame("x2^57+2^63", 57, TWO_63);

    /** Points of the small universe whose pairs make the grid of segments for the from/to sweep. */
    private static final int[] GRID = {0, 1, 2, 7, 16, 31, 32, 33, 47, 62, 63};
    /** The coarser grid of segments for the window sweep. */
    private static final int[] WINDOW_GRID = {0, 2, 16, 31, 33, 62, 63};
    private static final int[] WINDOW_MINS = {NO_LOW, 0, 1, 5, 20, 33, 62};
    private static final int[] WINDOW_MAXES = {0, 19, 31, 40, 62, 63, NO_HIGH};

    private static final LongAdder CHECKED = new LongAdder();

    @AfterAll
    static void report() {
        System.out.println("PlacementTest: " + CHECKED.sum() + " placements checked against the oracle");
    }

    // ------------------------------------------------------------------------------------------
    // The oracle
    // ------------------------------------------------------------------------------------------

    /** The contract's definition of "the placement starting at {@code s} satisfies the request", literally. */
    static boolean satisfies(long s, long size, long alignment, long phase, long noCross, long min, long max) {
        long end = s + (size - 1);
        if (Long.compareUnsigned(end, s) < 0) {
            return false; // the placement would run past 2^64 - 1
        }
        return Long.remainderUnsigned(s, alignment) == phase
                && Long.compareUnsigned(min, s) <= 0
                && Long.compareUnsigned(end, max) <= 0
                && (noCross == 0 || Long.divideUnsigned(s, noCross) == Long.divideUnsigned(end, noCross));
    }

    static boolean satisfies(long s, Request r) {
        return satisfies(s, r.size(), r.alignment(), r.phase(), r.noCross(), r.min(), r.max());
    }

    /** Offset of the lowest start inside the segment, at or above {@code from}, that satisfies {@code r}. */
    static long oracleLowest(long segStart, long segEnd, Request r, long from) {
        long candidates = candidatesMinusOne(segStart, segEnd, r);
        for (long i = 0; i <= candidates; i++) {
            long s = segStart + i;
            if (Long.compareUnsigned(s, from) >= 0 && satisfies(s, r)) {
                return i;
            }
        }
        return NONE;
    }

    /** Offset of the highest start inside the segment, ending at or below {@code to}, that satisfies {@code r}. */
    static long oracleHighest(long segStart, long segEnd, Request r, long to) {
        long candidates = candidatesMinusOne(segStart, segEnd, r);
        for (long i = candidates; i >= 0; i--) {
            long s = segStart + i;
            if (Long.compareUnsigned(s + (r.size() - 1), to) <= 0 && satisfies(s, r)) {
                return i;
            }
        }
        return NONE;
    }

    /**
     * How many starts, minus one, put the whole placement inside the segment ({@code -1} for none):
     * {@code segStart .. segEnd - (size - 1)}.
     */
    private static long candidatesMinusOne(long segStart, long segEnd, Request r) {
        long length = segEnd - segStart; // values in the segment, minus one
        if (Long.compareUnsigned(length, r.size() - 1) < 0) {
            return -1;
        }
        long candidates = length - (r.size() - 1);
        if (Long.compareUnsigned(candidates, SCAN_LIMIT) > 0) {
            throw new IllegalStateException("test bug: the oracle cannot scan " + Long.toUnsignedString(candidates)
                    + " starts in [" + Unsigned.hex(segStart) + ", " + Unsigned.hex(segEnd) + "]");
        }
        return candidates;
    }

    /**
     * A way of laying the small universe into the 64-bit space: small value {@code v} becomes
     * {@code v * 2^shift + offset} when it is a start or a lower bound, and
     * {@code (v + 1) * 2^shift - 1 + offset} when it is an end or an upper bound.
     */
    private record Frame(String name, int shift, long offset) {

        long low(long v) {
            return v == NO_LOW ? 0 : (v << shift) + offset;
        }

        long high(long v) {
            return v == NO_HIGH ? MAX : ((v + 1) << shift) - 1 + offset;
        }

        /** Whether size, alignment and noCross (at most 64) still fit once scaled. */
        boolean holds(long noCross) {
            return shift == 0 || noCross == 0 || Long.numberOfLeadingZeros(noCross) >= shift;
        }

        /** Whether small segment [a, b] is a legal segment here: never all 2^64 values. */
        boolean holdsSegment(int a, int b) {
            return !(low(a) == 0 && high(b) == MAX);
        }

        Request request(int size, int alignment, int phase, int noCross, int min, int max) {
            return new Request((long) size << shift, (long) alignment << shift, (long) phase << shift,
                    (long) noCross << shift, low(min), high(max), null);
        }

        /** The small oracle's answer as an answer in this frame. */
        long offset(long smallOffset) {
            return smallOffset == NONE ? NONE : smallOffset << shift;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /**
     * One request's literal scan over the 64 starts {@code frame.low(0..63)} of an unscaled frame,
     * indexed so that each segment query is O(1).
     */
    private static final class Scan {
        private final int last;
        /** {@code next[i]}: least {@code j >= i} whose start satisfies the request, or {@code U}. */
        private final int[] next = new int[U + 1];
        /** {@code prev[e]}: greatest {@code j <= e - last} whose start satisfies the request, or -1. */
        private final int[] prev = new int[U];

        Scan(Frame frame, Request r) {
            assert frame.shift() == 0;
            last = (int) r.size() - 1;
            boolean[] ok = new boolean[U];
            for (int i = 0; i < U; i++) {
                ok[i] = satisfies(frame.low(i), r);
            }
            next[U] = U;
            for (int i = U - 1; i >= 0; i--) {
                next[i] = ok[i] ? i : next[i + 1];
            }
            for (int e = 0; e < U; e++) {
                int j = e - last;
                prev[e] = j < 0 ? -1 : ok[j] ? j : e == 0 ? -1 : prev[e - 1];
            }
        }

        /** Small offset of the lowest placement in small segment [a, b] starting at or above small {@code from}. */
        long lowest(int a, int b, int from) {
            if (from >= U) {
                return NONE;
            }
            int j = next[Math.max(a, from)];
            return j + last <= b ? j - a : NONE;
        }

        /** Small offset of the highest placement in small segment [a, b] ending at or below small {@code to}. */
        long highest(int a, int b, int to) {
            int e = Math.min(b, to);
            if (e < 0) {
                return NONE;
            }
            int j = prev[e];
            return j >= a ? j - a : NONE;
        }
    }

    // ------------------------------------------------------------------------------------------
    // Exhaustive: the small universe in four frames
    // ------------------------------------------------------------------------------------------

    static IntStream smallSizes() {
        return IntStream.rangeClosed(1, 20);
    }

    /** 0 and every power of two from {@code size} up to 64. */
    private static int[] noCrosses(int size) {
        List<Integer> list = new ArrayList<>();
        list.add(0);
        for (int b = 1; b <= U; b <<= 1) {
            if (b >= size) {
                list.add(b);
            }
        }
        return list.stream().mapToInt(Integer::intValue).toArray();
    }

    @ParameterizedTest(name = "size {0}")
    @MethodSource("smallSizes")
    void lowestAndHighestMatchTheOracleOnEverySmallCase(int size) {
        long checked = 0;
        for (int alignment = 1; alignment <= 32; alignment <<= 1) {
            for (int phase = 0; phase < alignment; phase++) {
                for (int noCross : noCrosses(size)) {
                    checked += everySegment(size, alignment, phase, noCross);
                    checked += windows(size, alignment, phase, noCross);
                    checked += everyFromAndTo(size, alignment, phase, noCross);
                }
            }
        }
        CHECKED.add(checked);
    }

    /**
     * Every segment of [0, 64), full window: from and to unbounded in all frames, and one value
     * inside the segment in the plain and top frames.
     */
    private static long everySegment(int size, int alignment, int phase, int noCross) {
        Request plainRequest = PLAIN.request(size, alignment, phase, noCross, NO_LOW, NO_HIGH);
        Scan plain = new Scan(PLAIN, plainRequest);
        Scan top = new Scan(TOP, plainRequest);
        Request scaled = SCALED.holds(noCross) ? SCALED.request(size, alignment, phase, noCross, NO_LOW, NO_HIGH) : null;
        Request scaledHigh = SCALED_HIGH.request(size, alignment, phase, noCross, NO_LOW, NO_HIGH);
        long checked = 0;
        for (int a = 0; a < U; a++) {
            for (int b = a; b < U; b++) {
                checked += segment(PLAIN, plainRequest, plain, a, b, true);
                checked += segment(TOP, plainRequest, top, a, b, true);
                if (scaled != null && SCALED.holdsSegment(a, b)) {
                    checked += segment(SCALED, scaled, plain, a, b, false);
                }
                checked += segment(SCALED_HIGH, scaledHigh, plain, a, b, false);
            }
        }
        return checked;
    }

    /** Unbounded from and to, and (if {@code inner}) bounds one value inside the segment. */
    private static int segment(Frame f, Request r, Scan scan, int a, int b, boolean inner) {
        expectLowest(f, r, a, b, NO_LOW, scan.lowest(a, b, 0));
        expectHighest(f, r, a, b, NO_HIGH, scan.highest(a, b, U));
        int checked = 2;
        if (inner && a < b) {
            expectLowest(f, r, a, b, a + 1, scan.lowest(a, b, a + 1));
            expectHighest(f, r, a, b, b - 1, scan.highest(a, b, b - 1));
            checked += 2;
        }
        return checked;
    }

    /** A grid of windows against a grid of segments, from and to unbounded. */
    private static long windows(int size, int alignment, int phase, int noCross) {
        List<int[]> windows = new ArrayList<>();
        for (int min : WINDOW_MINS) {
            for (int max : WINDOW_MAXES) {
                if (min <= max) {
                    windows.add(new int[] {min, max});
                }
            }
        }
        windows.add(new int[] {13, 13 + size - 1}); // room for exactly one unaligned placement
        if (size > 1) {
            windows.add(new int[] {13, 13 + size - 2}); // room for none
        }
        long checked = 0;
        for (int[] w : windows) {
            Request plainRequest = PLAIN.request(size, alignment, phase, noCross, w[0], w[1]);
            Request topRequest = TOP.request(size, alignment, phase, noCross, w[0], w[1]);
            Scan plain = new Scan(PLAIN, plainRequest);
            Scan top = new Scan(TOP, topRequest);
            Request scaled = SCALED.holds(noCross) ? SCALED.request(size, alignment, phase, noCross, w[0], w[1]) : null;
            Request scaledHigh = SCALED_HIGH.request(size, alignment, phase, noCross, w[0], w[1]);
            for (int i = 0; i < WINDOW_GRID.length; i++) {
                for (int j = i; j < WINDOW_GRID.length; j++) {
                    int a = WINDOW_GRID[i];
                    int b = WINDOW_GRID[j];
                    checked += windowed(PLAIN, plainRequest, plain, a, b);
                    checked += windowed(TOP, topRequest, top, a, b);
                    if (scaled != null && SCALED.holdsSegment(a, b)) {
                        checked += windowed(SCALED, scaled, plain, a, b);
                    }
                    checked += windowed(SCALED_HIGH, scaledHigh, plain, a, b);
                }
            }
        }
        return checked;
    }

    private static int windowed(Frame f, Request r, Scan scan, int a, int b) {
        expectLowest(f, r, a, b, NO_LOW, scan.lowest(a, b, 0));
        expectHighest(f, r, a, b, NO_HIGH, scan.highest(a, b, U));
        return 2;
    }

    /** Every from and every to value against a grid of segments, full window (scaled frames: every third). */
    private static long everyFromAndTo(int size, int alignment, int phase, int noCross) {
        Request plainRequest = PLAIN.request(size, alignment, phase, noCross, NO_LOW, NO_HIGH);
        Scan plain = new Scan(PLAIN, plainRequest);
        Scan top = new Scan(TOP, plainRequest);
        Request scaled = SCALED.holds(noCross) ? SCALED.request(size, alignment, phase, noCross, NO_LOW, NO_HIGH) : null;
        Request scaledHigh = SCALED_HIGH.request(size, alignment, phase, noCross, NO_LOW, NO_HIGH);
        long checked = 0;
        for (int i = 0; i < GRID.length; i++) {
            for (int j = i; j < GRID.length; j++) {
                int a = GRID[i];
                int b = GRID[j];
                for (int v = 0; v < U; v++) {
                    checked += fromAndTo(PLAIN, plainRequest, plain, a, b, v);
                    checked += fromAndTo(TOP, plainRequest, top, a, b, v);
                    if (v % 3 != 0) {
                        continue; // the scaled frames sample every third value
                    }
                    if (scaled != null && SCALED.holdsSegment(a, b)) {
                        checked += fromAndTo(SCALED, scaled, plain, a, b, v);
                    }
                    checked += fromAndTo(SCALED_HIGH, scaledHigh, plain, a, b, v);
                }
                // The extremes of the space: nothing starts above 2^64-1 or ends below 0.
                expectLowestAt(PLAIN, plainRequest, a, b, MAX, NONE);
                expectLowestAt(TOP, plainRequest, a, b, MAX, top.lowest(a, b, U - 1));
                expectHighestAt(PLAIN, plainRequest, a, b, 0, plain.highest(a, b, 0));
                expectHighestAt(TOP, plainRequest, a, b, 0, NONE);
                checked += 4;
            }
        }
        return checked;
    }

    private static int fromAndTo(Frame f, Request r, Scan scan, int a, int b, int v) {
        expectLowest(f, r, a, b, v, scan.lowest(a, b, v));
        expectHighest(f, r, a, b, v, scan.highest(a, b, v));
        return 2;
    }

    private static void expectLowest(Frame f, Request r, int a, int b, int from, long smallExpected) {
        expectLowestAt(f, r, a, b, f.low(from), f.offset(smallExpected));
    }

    private static void expectHighest(Frame f, Request r, int a, int b, int to, long smallExpected) {
        expectHighestAt(f, r, a, b, f.high(to), f.offset(smallExpected));
    }

    private static void expectLowestAt(Frame f, Request r, int a, int b, long from, long expected) {
        long segStart = f.low(a);
        long segEnd = f.high(b);
        long actual = Placement.lowest(segStart, segEnd, r, from);
        if (actual != expected) {
            fail(mismatch("lowest", f.name(), segStart, segEnd, r, "from", from, expected, actual));
        }
    }

    private static void expectHighestAt(Frame f, Request r, int a, int b, long to, long expected) {
        long segStart = f.low(a);
        long segEnd = f.high(b);
        long actual = Placement.highest(segStart, segEnd, r, to);
        if (actual != expected) {
            fail(mismatch("highest", f.name(), segStart, segEnd, r, "to", to, expected, actual));
        }
    }

    private static String mismatch(String method, String where, long segStart, long segEnd, Request r,
                                   String boundName, long bound, long expected, long actual) {
        return "Placement." + method + "(" + Unsigned.hex(segStart) + ", " + Unsigned.hex(segEnd) + ", " + r
                + ", " + boundName + " " + Unsigned.hex(bound) + ") [" + where + "]: expected "
                + describe(expected) + " but was " + describe(actual);
    }

    private static String describe(long offset) {
        return offset == NONE ? "NONE" : "offset " + Unsigned.hex(offset);
    }

    /** The table-driven oracle must agree with the scanning oracle it abbreviates. */
    @Test
    void scanTablesAgreeWithTheScanningOracle() {
        for (int size : new int[] {1, 3, 8, 17}) {
            for (int alignment : new int[] {1, 4, 32}) {
                for (int phase : new int[] {0, alignment - 1, alignment / 2}) {
                    for (int noCross : noCrosses(size)) {
                        for (Frame f : new Frame[] {PLAIN, TOP}) {
                            Request r = f.request(size, alignment, phase, noCross, NO_LOW, NO_HIGH);
                            Scan scan = new Scan(f, r);
                            for (int a = 0; a < U; a += 3) {
                                for (int b = a; b < U; b += 5) {
                                    for (int v = 0; v < U; v += 7) {
                                        assertEquals(oracleLowest(f.low(a), f.high(b), r, f.low(v)),
                                                scan.lowest(a, b, v));
                                        assertEquals(oracleHighest(f.low(a), f.high(b), r, f.high(v)),
                                                scan.highest(a, b, v));
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------
    // Random cases anywhere in the space
    // ------------------------------------------------------------------------------------------

    private static long seed() {
        Long fixed = Long.getLong("allot.seed");
        return fixed != null ? fixed : new SplittableRandom().nextLong();
    }

    private static String rerun(long seed) {
        return " (seed " + seed + ": rerun with -Dallot.seed=" + seed + ")";
    }

    /** Random segments, requests and bounds anywhere in the 64-bit space, against the scanning oracle. */
    @Test
    void lowestAndHighestMatchTheOracleOnRandomCasesAnywhere() {
        long seed = seed();
        SplittableRandom rnd = new SplittableRandom(seed);
        int cases = 150_000;
        int found = 0;
        for (int n = 0; n < cases; n++) {
            RandomCase c = RandomCase.next(rnd);
            long expectedLow = oracleLowest(c.segStart, c.segEnd, c.request, c.from);
            long actualLow = Placement.lowest(c.segStart, c.segEnd, c.request, c.from);
            if (actualLow != expectedLow) {
                fail(mismatch("lowest", "random #" + n, c.segStart, c.segEnd, c.request, "from", c.from,
                        expectedLow, actualLow) + rerun(seed));
            }
            long expectedHigh = oracleHighest(c.segStart, c.segEnd, c.request, c.to);
            long actualHigh = Placement.highest(c.segStart, c.segEnd, c.request, c.to);
            if (actualHigh != expectedHigh) {
                fail(mismatch("highest", "random #" + n, c.segStart, c.segEnd, c.request, "to", c.to,
                        expectedHigh, actualHigh) + rerun(seed));
            }
            found += (expectedLow != NONE ? 1 : 0) + (expectedHigh != NONE ? 1 : 0);
        }
        CHECKED.add(2L * cases);
        // Guards the generator: a test whose every answer is NONE proves little.
        assertTrue(found > cases / 4, "only " + found + " of " + 2 * cases + " random queries had a placement"
                + rerun(seed));
    }

    /** A segment whose length exceeds the request's size by at most ~100, so the oracle's scan is short. */
    private record RandomCase(long segStart, long segEnd, Request request, long from, long to) {

        static RandomCase next(SplittableRandom rnd) {
            long size = randomSize(rnd);
            long alignment = rnd.nextBoolean() ? 1L << rnd.nextInt(7) : 1L << rnd.nextInt(64);
            long noCross = randomNoCross(rnd, size);

            // Segment length minus one: size - 1 + slack, slack in [-4, 96); never all 2^64 values.
            long slack = rnd.nextInt(100) - 4;
            long lengthMinusOne;
            if (slack >= 0) {
                lengthMinusOne = size - 1 + slack;
                if (Long.compareUnsigned(lengthMinusOne, size - 1) < 0 || lengthMinusOne == MAX) {
                    lengthMinusOne = MAX - 1;
                }
            } else {
                lengthMinusOne = Long.compareUnsigned(size - 1, -slack) >= 0 ? size - 1 + slack : rnd.nextInt(4);
            }
            long room = MAX - lengthMinusOne; // highest legal segment start
            long segStart;
            switch (rnd.nextInt(6)) {
                case 0 -> segStart = 0;
                case 1 -> segStart = room;
                case 2 -> {
                    long back = rnd.nextInt(80);
                    segStart = Long.compareUnsigned(back, room) <= 0 ? room - back : 0;
                }
                case 3 -> {
                    // Just below a multiple of the alignment or the boundary, so both matter.
                    long unit = noCross != 0 && rnd.nextBoolean() ? noCross : alignment;
                    long near = (rnd.nextLong() & -unit) - rnd.nextInt(80);
                    segStart = Long.compareUnsigned(near, room) <= 0 ? near : room;
                }
                default -> segStart = room == MAX ? rnd.nextLong() : Long.remainderUnsigned(rnd.nextLong(), room + 1);
            }
            long segEnd = segStart + lengthMinusOne;

            long phase = switch (rnd.nextInt(5)) {
                case 0 -> 0;
                case 1 -> alignment - 1;
                case 2 -> rnd.nextLong() & (alignment - 1);
                default -> (segStart + rnd.nextInt(100)) & (alignment - 1); // lands inside the segment
            };

            long min = rnd.nextBoolean() ? 0 : near(rnd, segStart);
            long max = rnd.nextBoolean() ? MAX : near(rnd, segEnd);
            if (Long.compareUnsigned(min, max) > 0) {
                long t = min;
                min = max;
                max = t;
            }
            long from = switch (rnd.nextInt(10)) {
                case 0, 1, 2 -> 0;
                case 3 -> MAX;
                default -> near(rnd, segStart);
            };
            long to = switch (rnd.nextInt(10)) {
                case 0, 1, 2 -> MAX;
                case 3 -> 0;
                default -> near(rnd, segEnd);
            };
            return new RandomCase(segStart, segEnd, new Request(size, alignment, phase, noCross, min, max, null),
                    from, to);
        }

        private static long randomSize(SplittableRandom rnd) {
            return switch (rnd.nextInt(8)) {
                case 0, 1, 2 -> 1 + rnd.nextInt(70);
                case 3 -> 1L << rnd.nextInt(64);
                case 4 -> Math.max(1, (1L << (1 + rnd.nextInt(62))) + rnd.nextInt(5) - 2);
                case 5 -> MAX - rnd.nextInt(70); // 2^64 - 1 and just below
                case 6 -> rnd.nextLong() | TWO_63; // at least 2^63
                default -> Math.max(1, rnd.nextLong() >>> rnd.nextInt(64));
            };
        }

        /** 0, or a power of two at least {@code size}, often close to it so that boundaries matter. */
        private static long randomNoCross(SplittableRandom rnd, long size) {
            if (rnd.nextInt(5) < 2 || Long.compareUnsigned(size, TWO_63) > 0) {
                return 0;
            }
            int least = 64 - Long.numberOfLeadingZeros(size - 1); // ceil(log2(size))
            return 1L << (least + rnd.nextInt(Math.min(4, 64 - least)));
        }

        /** A value within a few dozen of {@code v}, clamped to the space. */
        private static long near(SplittableRandom rnd, long v) {
            long d = rnd.nextInt(80) - 20;
            long w = v + d;
            if (d < 0 && Long.compareUnsigned(w, v) > 0) {
                return 0;
            }
            if (d > 0 && Long.compareUnsigned(w, v) < 0) {
                return MAX;
            }
            return w;
        }
    }

    /**
     * Random small cases, scaled by a random 2^k and translated by a random multiple of 64 * 2^k,
     * against the small scanning oracle (see the lemma in the class comment).
     */
    @Test
    void lowestAndHighestAreScaleAndTranslationInvariant() {
        long seed = seed();
        SplittableRandom rnd = new SplittableRandom(seed);
        int cases = 100_000;
        for (int n = 0; n < cases; n++) {
            int shift = rnd.nextInt(59);
            long offset = shift + 6 >= 64 ? 0 : rnd.nextLong() & -(1L << (shift + 6));
            Frame f = new Frame("x2^" + shift + "+" + Unsigned.hex(offset) + " random #" + n, shift, offset);
            int size = 1 + rnd.nextInt(20);
            int alignment = 1 << rnd.nextInt(6);
            int phase = rnd.nextInt(alignment);
            int noCross = 0;
            if (rnd.nextBoolean()) {
                int least = 32 - Integer.numberOfLeadingZeros(size - 1);
                noCross = 1 << (least + rnd.nextInt(7 - least));
            }
            if (!f.holds(noCross)) {
                noCross = 0;
            }
            int a = rnd.nextInt(U);
            int b = a + rnd.nextInt(U - a);
            if (!f.holdsSegment(a, b)) {
                continue;
            }
            int min = rnd.nextInt(4) == 0 ? rnd.nextInt(U) : NO_LOW;
            int max = rnd.nextInt(4) == 0 ? min + 1 + rnd.nextInt(U - min) : NO_HIGH;
            int from = rnd.nextInt(3) == 0 ? rnd.nextInt(U) : NO_LOW;
            int to = rnd.nextInt(3) == 0 ? rnd.nextInt(U) : NO_HIGH;

            Request small = PLAIN.request(size, alignment, phase, noCross, min, max);
            Request big = f.request(size, alignment, phase, noCross, min, max);
            long expectedLow = f.offset(oracleLowest(a, b, small, PLAIN.low(from)));
            long actualLow = Placement.lowest(f.low(a), f.high(b), big, f.low(from));
            if (actualLow != expectedLow) {
                fail(mismatch("lowest", f.name(), f.low(a), f.high(b), big, "from", f.low(from), expectedLow,
                        actualLow) + rerun(seed));
            }
            long expectedHigh = f.offset(oracleHighest(a, b, small, PLAIN.high(to)));
            long actualHigh = Placement.highest(f.low(a), f.high(b), big, f.high(to));
            if (actualHigh != expectedHigh) {
                fail(mismatch("highest", f.name(), f.low(a), f.high(b), big, "to", f.high(to), expectedHigh,
                        actualHigh) + rerun(seed));
            }
            CHECKED.add(2);
        }
    }

    // ------------------------------------------------------------------------------------------
    // Named edge cases at the bottom and the top of the space
    // ------------------------------------------------------------------------------------------

    @Test
    void placementMayEndAtTheTopOfTheSpace() {
        Request r = Request.of(16);
        assertEquals(0, Placement.lowest(MAX - 15, MAX, r, 0));
        assertEquals(0, Placement.highest(MAX - 15, MAX, r, MAX));
        assertEquals(NONE, Placement.lowest(MAX - 14, MAX, r, 0));
        assertEquals(NONE, Placement.highest(MAX - 14, MAX, r, MAX));
        assertEquals(0, Placement.lowest(MAX, MAX, Request.of(1), MAX));
        assertEquals(0, Placement.highest(MAX, MAX, Request.of(1), MAX));
    }

    @Test
    void fromAtTheTopFindsOnlyTheLastValue() {
        assertEquals(3, Placement.lowest(MAX - 3, MAX, Request.of(1), MAX));
        assertEquals(NONE, Placement.lowest(MAX - 3, MAX, Request.of(2), MAX));
    }

    @Test
    void toAtTheBottomFindsOnlyTheFirstValue() {
        assertEquals(0, Placement.highest(0, 3, Request.of(1), 0));
        assertEquals(NONE, Placement.highest(0, 3, Request.of(2), 0));
        assertEquals(NONE, Placement.highest(1, 3, Request.of(1), 0));
    }

    @Test
    void alignmentOfTwoToThe63HasTwoStartsInTheWholeSpace() {
        Request phase0 = Request.of(1).aligned(TWO_63);
        assertEquals(TWO_63 - 1, Placement.lowest(1, MAX, phase0, 0), "2^63 is the only aligned start above 0");
        assertEquals(TWO_63 - 1, Placement.highest(1, MAX, phase0, MAX));
        assertEquals(0, Placement.lowest(0, MAX - 1, phase0, 0));
        assertEquals(TWO_63, Placement.highest(0, MAX - 1, phase0, MAX));
        assertEquals(0, Placement.highest(0, MAX - 1, phase0, TWO_63 - 1));

        Request phaseTop = Request.of(1).aligned(TWO_63).phase(TWO_63 - 1);
        assertEquals(MAX - 1, Placement.lowest(1, MAX, phaseTop, TWO_63), "2^64-1 is aligned at phase 2^63-1");
        assertEquals(MAX - 1, Placement.highest(1, MAX, phaseTop, MAX));
        assertEquals(TWO_63 - 2, Placement.lowest(1, MAX, phaseTop, 0));
        assertEquals(NONE, Placement.lowest(TWO_63, MAX - 1, phaseTop, 0));
    }

    @Test
    void sizeTwoToThe64MinusOneFitsOnlyTheTwoLargestSegments() {
        Request r = Request.of(MAX);
        assertEquals(0, Placement.lowest(0, MAX - 1, r, 0));
        assertEquals(0, Placement.highest(0, MAX - 1, r, MAX));
        assertEquals(0, Placement.lowest(1, MAX, r, 0));
        assertEquals(0, Placement.highest(1, MAX, r, MAX));
        assertEquals(NONE, Placement.lowest(1, MAX - 1, r, 0));
        assertEquals(NONE, Placement.highest(1, MAX - 1, r, MAX));
        assertEquals(NONE, Placement.lowest(1, MAX, r.aligned(2), 0));
        assertEquals(0, Placement.lowest(1, MAX, r.aligned(2).phase(1), 0));
        assertEquals(NONE, Placement.lowest(0, MAX - 1, r, 1));
        assertEquals(NONE, Placement.highest(1, MAX, r, MAX - 1));
        assertEquals(NONE, Placement.lowest(0, MAX - 1, r.within(0, MAX - 2), 0));
    }

    @Test
    void noCrossOfTwoToThe63SplitsTheSpaceInTwoBlocks() {
        Request half = Request.of(TWO_63).noCross(TWO_63);
        assertEquals(TWO_63 - 1, Placement.lowest(1, MAX, half, 0), "only [2^63, 2^64-1] stays in one block");
        assertEquals(TWO_63 - 1, Placement.highest(1, MAX, half, MAX));
        assertEquals(0, Placement.lowest(0, MAX - 1, half, 0));
        assertEquals(0, Placement.highest(0, MAX - 1, half, MAX));
        assertEquals(NONE, Placement.lowest(1, MAX - 1, half, 0));

        Request two = Request.of(2).noCross(TWO_63);
        assertEquals(NONE, Placement.lowest(TWO_63 - 1, TWO_63, two, 0), "[2^63-1, 2^63] straddles 2^63");
        assertEquals(NONE, Placement.highest(TWO_63 - 1, TWO_63, two, MAX));
        assertEquals(0, Placement.lowest(TWO_63 - 2, TWO_63 + 1, two, 0));
        assertEquals(2, Placement.highest(TWO_63 - 2, TWO_63 + 1, two, MAX));
        assertEquals(2, Placement.lowest(TWO_63 - 2, TWO_63 + 1, two, TWO_63 - 1));
        assertEquals(0, Placement.highest(TWO_63 - 2, TWO_63 + 1, two, TWO_63));
    }

    @Test
    void noneIsNeverARealOffset() {
        // The largest possible offset is 2^64 - 2 (segment [0, 2^64-2] or [1, 2^64-1], last value).
        assertEquals(MAX - 1, Placement.lowest(0, MAX - 1, Request.of(1), MAX - 1));
        assertEquals(MAX - 1, Placement.highest(1, MAX, Request.of(1), MAX));
        assertEquals(MAX, NONE);
    }

    // ------------------------------------------------------------------------------------------
    // Request.admits against the literal definition
    // ------------------------------------------------------------------------------------------

    @Test
    void admitsMatchesTheDefinitionOnEverySmallCaseAtTheBottomAndTheTop() {
        long checked = 0;
        for (int size = 1; size <= 20; size++) {
            for (int alignment = 1; alignment <= 32; alignment <<= 1) {
                for (int phase = 0; phase < alignment; phase++) {
                    for (int noCross : noCrosses(size)) {
                        for (Frame f : new Frame[] {PLAIN, TOP}) {
                            for (int[] w : new int[][] {{NO_LOW, NO_HIGH}, {5, NO_HIGH}, {NO_LOW, 40}, {9, 30}}) {
                                Request r = f.request(size, alignment, phase, noCross, w[0], w[1]);
                                for (int i = 0; i < U; i++) {
                                    long s = f.low(i);
                                    if (r.admits(s) != satisfies(s, r)) {
                                        fail(r + ".admits(" + Unsigned.hex(s) + ") should be " + satisfies(s, r));
                                    }
                                    checked++;
                                }
                            }
                        }
                    }
                }
            }
        }
        assertTrue(checked > 1_000_000);
    }

    @Test
    void admitsMatchesTheDefinitionOnRandomRequestsAnywhere() {
        long seed = seed();
        SplittableRandom rnd = new SplittableRandom(seed);
        int admitted = 0;
        int cases = 300_000;
        for (int n = 0; n < cases; n++) {
            RandomCase c = RandomCase.next(rnd);
            Request r = c.request;
            long s = switch (rnd.nextInt(4)) {
                case 0 -> rnd.nextLong();
                case 1 -> r.min() + rnd.nextInt(100); // may wrap: that start then fails the window
                case 2 -> c.segStart + rnd.nextInt(100);
                default -> ((c.segStart + rnd.nextInt(100)) & -r.alignment()) + r.phase();
            };
            boolean expected = satisfies(s, r);
            if (r.admits(s) != expected) {
                fail(r + ".admits(" + Unsigned.hex(s) + ") should be " + expected + rerun(seed));
            }
            admitted += expected ? 1 : 0;
        }
        assertTrue(admitted > cases / 20, "only " + admitted + " admitted" + rerun(seed));
    }

    @Test
    void admitsRefusesAPlacementThatWouldRunPastTheTop() {
        assertTrue(Request.of(1).admits(MAX));
        assertTrue(Request.of(2).admits(MAX - 1));
        assertEquals(false, Request.of(2).admits(MAX));
        assertTrue(Request.of(MAX).admits(0));
        assertTrue(Request.of(MAX).admits(1));
        assertEquals(false, Request.of(MAX).admits(2));
        assertEquals(false, Request.of(MAX).admits(MAX));
    }

    @Test
    void admitsReadsPhaseAndBoundsUnsigned() {
        Request top = Request.of(1).aligned(TWO_63).phase(TWO_63 - 1);
        assertTrue(top.admits(TWO_63 - 1));
        assertTrue(top.admits(MAX));
        assertEquals(false, top.admits(TWO_63));
        Request window = Request.of(4).within(TWO_63, MAX);
        assertEquals(false, window.admits(5));
        assertTrue(window.admits(TWO_63));
        assertTrue(window.admits(MAX - 3));
        Request noCross = Request.of(4).noCross(TWO_63);
        assertTrue(noCross.admits(TWO_63 - 4));
        assertEquals(false, noCross.admits(TWO_63 - 3));
        assertTrue(noCross.admits(TWO_63));
        assertTrue(noCross.admits(MAX - 3));
    }
}
