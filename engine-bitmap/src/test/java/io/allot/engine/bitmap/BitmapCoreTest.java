package io.allot.engine.bitmap;

import io.allot.Allocation;
import io.allot.Range;
import io.allot.Request;
import io.allot.internal.Placement;
import io.allot.internal.SingleUnits;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link BitmapCore} at a scale the contract suites do not reach — spans of 300,000 quanta with
 * three summary levels, beside one-quantum and adjacent spans — against a model that is just a
 * sorted map of allocations: every search (first-, last-, best-, instant-fit under random size,
 * alignment, phase, no-cross and window) equals the brute-force answer over the model's free runs
 * (an unconstrained instant-fit: one of the answers the contract allows, a run of the lowest
 * power-of-two class, which the brute force lists),
 * and lists, statistics and every structural invariant are compared as the run goes. Also the
 * capacity limit and the memory per quantum.
 */
class BitmapCoreTest {

    private static final long Q = 0x10;
    /** [0x100000, +300000 quanta), [its end + 1, +1 quantum) adjacent, [0x8000_0000, +70 quanta), and one at the top. */
    private static final List<Range> SPANS = List.of(
            Range.ofSize(0x10_0000, 300_000 * Q),
            Range.ofSize(0x10_0000 + 300_000 * Q, Q),
            Range.ofSize(0x8000_0000L, 70 * Q),
            Range.of(-4096 * Q, -1L));

    @Test
    void randomOperationsMatchAMapOfAllocations() {
        long seed = System.nanoTime();
        SplittableRandom rnd = new SplittableRandom(seed);
        BitmapCore core = new BitmapCore(Q, false);
        for (Range span : SPANS) {
            core.addSpan(span.start(), span.end());
        }
        TreeMap<Long, Allocation> model = new TreeMap<>(Long::compareUnsigned);
        for (int op = 0; op < 6_000; op++) {
            String context = "seed " + seed + ", op " + op;
            int kind = rnd.nextInt(model.size() > 1_500 ? 5 : 10);
            if (kind < 4) {
                Request r = randomRequest(rnd);
                Range got;
                Range expected;
                switch (kind) {
                    case 0: {
                        long from = rnd.nextBoolean() ? 0 : randomValue(rnd);
                        got = core.firstFit(r, from);
                        expected = bruteFirst(model, r, from);
                        break;
                    }
                    case 1: {
                        long to = rnd.nextBoolean() ? -1L : randomValue(rnd);
                        got = core.lastFit(r, to);
                        expected = bruteLast(model, r, to);
                        break;
                    }
                    case 2:
                        got = core.bestFit(r);
                        expected = bruteSmallest(model, r, r.size());
                        break;
                    default: {
                        long c = Long.highestOneBit(r.size()) == r.size() ? r.size() : Long.highestOneBit(r.size()) << 1;
                        got = core.instantFit(r);
                        if (unconstrained(r)) {
                            // Any run of the lowest power-of-two class holding it, at its start (the list head).
                            List<Range> allowed = instantAllowed(model, r, c);
                            expected = allowed.contains(got) ? got : allowed.isEmpty() ? null : allowed.get(0);
                        } else {
                            expected = bruteSmallest(model, r, c);
                        }
                    }
                }
                assertEquals(expected, got, context + ": search " + kind + " for " + r);
                if (got != null) {
                    String tag = rnd.nextBoolean() ? null : "a" + op;
                    assertTrue(core.allocate(got.start(), got.end(), tag), context);
                    model.put(got.start(), new Allocation(got, tag));
                }
            } else if (kind < 6 && !model.isEmpty()) {
                Allocation victim = randomLive(model, rnd);
                if (rnd.nextBoolean()) {
                    assertTrue(core.free(victim.range().start(), victim.range().end()), context);
                } else {
                    long inside = victim.range().start() + rnd.nextLong(victim.range().size());
                    assertEquals(victim.range(), core.freeContaining(inside), context);
                }
                model.remove(victim.range().start());
            } else if (kind == 6 && !model.isEmpty()) {
                Allocation live = randomLive(model, rnd);
                Range r = live.range();
                assertEquals(live, core.allocationContaining(r.end()), context);
                if (r.size() > Q) {
                    assertFalse(core.free(r.start(), r.end() - Q), context + ": a part is no allocation");
                    assertEquals(SingleUnits.NOT_AN_ALLOCATION, core.release(r.start()), context);
                }
                assertFalse(core.isFree(r.start(), r.start()), context);
            } else if (kind == 7) {
                long none = core.none();
                assertEquals(1, none, "with a quantum above 1, 1 starts no quantum");
                boolean lowest = rnd.nextBoolean();
                long lo = rnd.nextBoolean() ? 0 : randomValue(rnd);
                long hi = rnd.nextBoolean() ? -1L : randomValue(rnd);
                Request one = Request.of(Q).aligned(Q);
                Range expected = null;
                if (Long.compareUnsigned(lo, hi) <= 0) {
                    one = one.within(lo, hi);
                    expected = lowest ? bruteFirst(model, one, 0) : bruteLast(model, one, -1L);
                }
                long start = lowest ? core.claimLowest(lo, hi) : core.claimHighest(lo, hi);
                assertEquals(expected == null ? none : expected.start(), start, context + ": claim in " + one);
                if (start != none) {
                    model.put(start, new Allocation(Range.ofSize(start, Q), null));
                }
            } else if (kind == 8 && !model.isEmpty()) {
                Allocation live = randomLive(model, rnd);
                int released = core.release(live.range().start());
                assertEquals(live.range().size() == Q ? SingleUnits.RELEASED : SingleUnits.NOT_AN_ALLOCATION, released,
                        context);
                if (released == SingleUnits.RELEASED) {
                    model.remove(live.range().start());
                }
            } else {
                Range r = randomRange(rnd);
                boolean free = isFree(model, r);
                assertEquals(free, core.isFree(r.start(), r.end()), context + ": isFree " + r);
                if (free && core.allocate(r.start(), r.end(), "reserved")) {
                    model.put(r.start(), new Allocation(r, "reserved"));
                }
            }
            if (op % 100 == 0) {
                assertSameState(core, model, context);
            }
        }
        assertSameState(core, model, "seed " + seed + ", end");
    }

    // ---------------------------------------------------------------- capacity and memory

    @Test
    void moreThanTwoToThe32QuantaAreRefusedNamingTheLimit() {
        BitmapCore core = new BitmapCore(1, false);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> core.addSpan(0, 1L << 32));
        assertTrue(e.getMessage().contains("2^32"), e.getMessage());
        assertTrue(e.getMessage().contains("0x100000001"), e.getMessage());
        core.addSpan(0, (1L << 20) - 1);
        e = assertThrows(IllegalArgumentException.class, () -> core.addSpan(1L << 40, (1L << 40) + (1L << 32) - (1L << 20)));
        assertTrue(e.getMessage().contains("0x100000"), "names what the spans already hold: " + e.getMessage());
        assertEquals(1L << 20, core.units(), "a refused span changes nothing");
        assertEquals(1, core.freeSegments());
    }

    @Test
    void exactlyTwoToThe32QuantaAreAccepted() {
        // 2^32 quanta of 2^12: 512 MiB of bits, so this one test builds the largest bitmap there is.
        BitmapCore core = new BitmapCore(1L << 12, false);
        core.addSpan(0, (1L << 44) - 1);
        assertEquals(1L << 32, core.units());
        assertEquals((1L << 44) - (1L << 12), core.claimHighest(0, -1L));
        assertEquals(0, core.claimLowest(0, -1L));
        assertEquals(((1L << 32) - 2) << 12, core.largestFree());
        assertEquals(1, core.freeSegments());
        assertThrows(IllegalArgumentException.class, () -> core.addSpan(1L << 50, (1L << 50) + 0xfff));
    }

    @Test
    void memoryIsAboutOnePointZeroSixBitsPerQuantum() {
        long units = 1L << 26;
        BitmapCore core = new BitmapCore(1, false);
        core.addSpan(0, units - 1);
        double bits = 8.0 * core.bytes() / units;
        System.out.printf("[memory] bitmap core over 2^26 quanta: %d array bytes, %.4f bits per quantum%n",
                core.bytes(), bits);
        assertTrue(bits > 1.05 && bits < 1.06, "bits per quantum " + bits);
        // The run statistics' groups, created once they have been read RunStats.GROUPS_AFTER
        // times: one long per 512 quanta, four per group of eight level-1 nodes.
        for (int i = 0; i < RunStats.GROUPS_AFTER; i++) {
            assertEquals(1, core.freeSegments());
        }
        double grouped = 8.0 * core.bytes() / units;
        System.out.printf("[memory] the same with the run statistics' groups: %d array bytes, %.4f bits per quantum%n",
                core.bytes(), grouped);
        assertTrue(grouped - bits > 0.132 && grouped - bits < 0.134, "the groups' bits per quantum " + (grouped - bits));
        // A best-fit search by size class creates the size classes: one long per node, and one
        // per group. Twenty one-unit holes in front make its walk of runs give up first.
        for (long u = 1; u <= 40; u += 2) {
            assertTrue(core.allocate(u, u, null));
        }
        Range r = core.allocateBestFit(Request.of(3));
        assertEquals(40, r.start());
        assertTrue(core.free(r.start(), r.end()));
        double classed = 8.0 * core.bytes() / units;
        System.out.printf("[memory] the same with the size classes: %d array bytes, %.4f bits per quantum%n",
                core.bytes(), classed);
        assertTrue(classed - grouped > 0.142 && classed - grouped < 0.144, "the classes' bits per quantum " + (classed - grouped));
        core = null;

        // The same as retained heap, headers and all. G1 gives an array larger than half a region
        // whole regions, so an 8 MiB leaf may hold up to a region more than its bytes: loose bound.
        long before = usedAfterGc();
        BitmapCore measured = new BitmapCore(1, false);
        measured.addSpan(0, units - 1);
        long after = usedAfterGc();
        double heapBits = 8.0 * (after - before) / units;
        System.out.printf("[memory] retained heap over 2^26 quanta: %d bytes, %.4f bits per quantum%n",
                after - before, heapBits);
        assertTrue(heapBits < 2, "retained bits per quantum " + heapBits);
        assertEquals(units, measured.units());
    }

    private static long usedAfterGc() {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            Runtime runtime = Runtime.getRuntime();
            used = Math.min(used, runtime.totalMemory() - runtime.freeMemory());
        }
        return used;
    }

    @Test
    void noneIsAValueThatStartsNoQuantumWhateverTheSpans() {
        BitmapCore core = new BitmapCore(1, false);
        assertEquals(0, core.none());
        core.addSpan(0, 99);
        assertEquals(100, core.none());
        core.addSpan(100, 199);
        assertEquals(200, core.none());
        core.addSpan(-100L, -1L);
        assertEquals(200, core.none());
        for (int i = 0; i < 300; i++) {
            assertTrue(core.claimLowest(0, -1L) != core.none(), "quantum " + i);
        }
        assertEquals(core.none(), core.claimLowest(0, -1L));
        assertEquals(core.none(), core.claimHighest(0, -1L));
        assertEquals(SingleUnits.NOT_AN_ALLOCATION, core.release(core.none()));
    }

    /**
     * An id allocator's core — one span, single-threaded — takes its one-quantum claims and releases
     * straight to the tree. Here at the top of the 64-bit space, with multi-quantum and tagged
     * allocations mixed in, against a map of allocations by quantum: every claim is the lowest free
     * quantum, and a release succeeds exactly on the first value of a live one-quantum allocation
     * (not inside or at the start of a longer one, not off the quantum, not outside the span).
     */
    @Test
    void oneSpanClaimsAndReleasesMatchAMapAtTheTopOfTheSpace() {
        long seed = System.nanoTime();
        SplittableRandom rnd = new SplittableRandom(seed);
        long units = 3 * 64 + 5; // four leaf words, the last one padded
        long start = -units * Q;
        BitmapCore core = new BitmapCore(Q, false);
        core.addSpan(start, -1L);
        TreeMap<Long, Long> model = new TreeMap<>(); // first quantum -> quanta
        for (int op = 0; op < 20_000; op++) {
            String context = "seed " + seed + ", op " + op;
            int kind = rnd.nextInt(4);
            if (kind == 0) {
                long lowest = lowestFree(model, units);
                long got = core.claimLowest(0, -1L);
                assertEquals(lowest < 0 ? core.none() : start + lowest * Q, got, context + ": claim");
                if (lowest >= 0) {
                    model.put(lowest, 1L);
                }
            } else if (kind == 1) {
                long u = rnd.nextLong(units + 2) - 1; // one quantum below the span (wrapping) and above it
                long value = start + u * Q + (rnd.nextInt(8) == 0 ? 1 + rnd.nextLong(Q - 1) : 0);
                Long held = model.get(u);
                boolean single = value == start + u * Q && u >= 0 && u < units && held != null && held == 1;
                assertEquals(single ? SingleUnits.RELEASED : SingleUnits.NOT_AN_ALLOCATION, core.release(value),
                        context + ": release of " + Long.toHexString(value));
                if (single) {
                    model.remove(u);
                }
            } else if (kind == 2) {
                long u = rnd.nextLong(units);
                long n = 1 + rnd.nextLong(rnd.nextBoolean() ? 3 : 130);
                if (u + n <= units && isFree(model, u, n)) {
                    assertTrue(core.allocate(start + u * Q, start + (u + n) * Q - 1, rnd.nextBoolean() ? "t" : null), context);
                    model.put(u, n);
                }
            } else {
                Map.Entry<Long, Long> e = model.ceilingEntry(rnd.nextLong(units));
                if (e != null) {
                    assertTrue(core.free(start + e.getKey() * Q, start + (e.getKey() + e.getValue()) * Q - 1), context);
                    model.remove(e.getKey());
                }
            }
            core.checkInvariants();
        }
    }

    private static long lowestFree(TreeMap<Long, Long> model, long units) {
        long u = 0;
        for (Map.Entry<Long, Long> e : model.entrySet()) {
            if (e.getKey() > u) {
                return u;
            }
            u = e.getKey() + e.getValue();
        }
        return u < units ? u : -1;
    }

    private static boolean isFree(TreeMap<Long, Long> model, long u, long n) {
        Map.Entry<Long, Long> before = model.floorEntry(u + n - 1);
        return before == null || before.getKey() + before.getValue() <= u;
    }

    @Test
    void removeSpanTakesOnlyAWhollyFreeSpan() {
        BitmapCore core = new BitmapCore(1, false);
        core.addSpan(0x1000, 0x1fff);
        core.addSpan(0x2000, 0x2fff);
        assertTrue(core.allocate(0x2000, 0x2000, "x"));
        assertFalse(core.removeSpan(0x2000, 0x2fff));
        assertFalse(core.removeSpan(0x1000, 0x1ffe));
        assertTrue(core.removeSpan(0x1000, 0x1fff));
        assertEquals(0x1000, core.units());
        assertNull(core.allocationContaining(0x1000));
        assertFalse(core.isFree(0x1000, 0x1000));
        assertEquals(Range.of(0x2001, 0x2010), core.firstFit(Request.of(0x10), 0));
        assertEquals(1, core.freeSegments());
    }

    // ---------------------------------------------------------------- the model

    private static Request randomRequest(SplittableRandom rnd) {
        int kind = rnd.nextInt(8);
        long size = 1 + (kind == 0 ? 8_190 * Q + rnd.nextLong(12_000 * Q) // large: searches jump between free blocks
                : kind < 3 ? rnd.nextLong(5_000 * Q) : rnd.nextLong(8 * Q));
        size = (size + Q - 1) & -Q;
        Request r = Request.of(size);
        if (rnd.nextInt(3) == 0) {
            long alignment = Q << rnd.nextInt(12);
            r = r.aligned(alignment);
            if (rnd.nextBoolean()) {
                r = r.phase(rnd.nextLong(alignment / Q) * Q);
            }
        } else {
            r = r.aligned(Q);
        }
        if (rnd.nextInt(4) == 0) {
            long boundary = Long.highestOneBit(size) << (1 + rnd.nextInt(6));
            r = r.noCross(boundary);
        }
        if (rnd.nextInt(3) == 0) {
            long a = randomValue(rnd);
            long b = randomValue(rnd);
            r = Long.compareUnsigned(a, b) <= 0 ? r.within(a, b) : r.within(b, a);
        }
        return r;
    }

    private static long randomValue(SplittableRandom rnd) {
        Range span = SPANS.get(rnd.nextInt(SPANS.size()));
        return span.start() + rnd.nextLong(span.size());
    }

    private static Range randomRange(SplittableRandom rnd) {
        Range span = SPANS.get(rnd.nextInt(SPANS.size()));
        long units = span.size() / Q;
        long first = rnd.nextLong(units);
        long count = 1 + rnd.nextLong(Math.min(units - first, 300));
        return Range.ofSize(span.start() + first * Q, count * Q);
    }

    private static Allocation randomLive(TreeMap<Long, Allocation> model, SplittableRandom rnd) {
        long key = rnd.nextLong();
        Map.Entry<Long, Allocation> e = model.ceilingEntry(key);
        return e != null ? e.getValue() : model.firstEntry().getValue();
    }

    private static boolean isFree(TreeMap<Long, Allocation> model, Range r) {
        Map.Entry<Long, Allocation> before = model.floorEntry(r.end());
        return before == null || Long.compareUnsigned(before.getValue().range().end(), r.start()) < 0;
    }

    /** The model's free runs, ascending, span by span. */
    private static List<Range> freeRuns(TreeMap<Long, Allocation> model) {
        List<Range> runs = new ArrayList<>();
        for (Range span : SPANS.stream().sorted().toList()) {
            long next = span.start();
            boolean done = false;
            for (Allocation a : model.subMap(span.start(), true, span.end(), true).values()) {
                if (a.range().start() != next) {
                    runs.add(Range.of(next, a.range().start() - 1));
                }
                if (a.range().end() == span.end()) {
                    done = true;
                    break;
                }
                next = a.range().end() + 1;
            }
            if (!done) {
                runs.add(Range.of(next, span.end()));
            }
        }
        return runs;
    }

    private static Range bruteFirst(TreeMap<Long, Allocation> model, Request r, long from) {
        for (Range run : freeRuns(model)) {
            long offset = Placement.lowest(run.start(), run.end(), r, from);
            if (offset != Placement.NONE) {
                return Range.ofSize(run.start() + offset, r.size());
            }
        }
        return null;
    }

    private static Range bruteLast(TreeMap<Long, Allocation> model, Request r, long to) {
        List<Range> runs = freeRuns(model);
        for (int i = runs.size() - 1; i >= 0; i--) {
            long offset = Placement.highest(runs.get(i).start(), runs.get(i).end(), r, to);
            if (offset != Placement.NONE) {
                return Range.ofSize(runs.get(i).start() + offset, r.size());
            }
        }
        return null;
    }

    private static Range bruteSmallest(TreeMap<Long, Allocation> model, Request r, long minSize) {
        Range best = null;
        long bestSize = 0;
        for (Range run : freeRuns(model)) {
            if (Long.compareUnsigned(run.size(), minSize) < 0 || best != null && Long.compareUnsigned(run.size(), bestSize) >= 0) {
                continue;
            }
            long offset = Placement.lowest(run.start(), run.end(), r, 0);
            if (offset != Placement.NONE) {
                best = Range.ofSize(run.start() + offset, r.size());
                bestSize = run.size();
            }
        }
        return best;
    }

    private static boolean unconstrained(Request r) {
        return Long.compareUnsigned(r.alignment(), Q) <= 0 && r.phase() == 0 && r.noCross() == 0 && r.min() == 0
                && r.max() == -1L;
    }

    /**
     * Unconstrained instant-fit's permitted answers: the request at the start of each free run of
     * the lowest power-of-two class ({@code floor(log2 size)}) among the runs of at least {@code minSize}.
     */
    private static List<Range> instantAllowed(TreeMap<Long, Allocation> model, Request r, long minSize) {
        List<Range> allowed = new ArrayList<>();
        int lowest = Integer.MAX_VALUE;
        for (Range run : freeRuns(model)) {
            if (Long.compareUnsigned(run.size(), minSize) < 0) {
                continue;
            }
            int k = 63 - Long.numberOfLeadingZeros(run.size());
            if (k < lowest) {
                lowest = k;
                allowed.clear();
            }
            if (k == lowest) {
                allowed.add(Range.ofSize(run.start(), r.size()));
            }
        }
        return allowed;
    }

    private static void assertSameState(BitmapCore core, TreeMap<Long, Allocation> model, String context) {
        core.checkInvariants();
        List<Allocation> allocations = new ArrayList<>();
        core.forEachAllocated(allocations::add);
        assertEquals(new ArrayList<>(model.values()), allocations, context + ": allocations");
        List<Range> free = new ArrayList<>();
        core.forEachFree(free::add);
        List<Range> runs = freeRuns(model);
        assertEquals(runs, free, context + ": free runs");
        assertEquals(runs.size(), core.freeSegments(), context + ": freeSegments");
        assertEquals(runs.stream().mapToLong(Range::size).max().orElse(0), core.largestFree(), context + ": largestFree");
        List<Range> ascending = new ArrayList<>();
        core.ascending(0).forEachRemaining(ascending::add);
        assertEquals(runs, ascending, context + ": ascending(0)");
        if (!runs.isEmpty()) {
            Range middle = runs.get(runs.size() / 2);
            long probe = middle.start() + middle.size() / 2;
            List<Range> fromMiddle = new ArrayList<>();
            core.ascending(probe).forEachRemaining(fromMiddle::add);
            assertEquals(runs.subList(runs.size() / 2, runs.size()), fromMiddle, context + ": ascending from inside a run");
            List<Range> down = new ArrayList<>();
            Iterator<Range> it = core.descending(probe);
            it.forEachRemaining(down::add);
            List<Range> expected = new ArrayList<>(runs.subList(0, runs.size() / 2 + 1));
            java.util.Collections.reverse(expected);
            assertEquals(expected, down, context + ": descending from inside a run");
        }
    }
}
