package io.allot.engine.interval;

import io.allot.Allocation;
import io.allot.Range;
import io.allot.Request;
import org.junit.jupiter.api.Test;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Consumer;

import static io.allot.engine.interval.CoreFixtures.atBases;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * White-box tests of runs: an address-order fill of equal untagged allocations stored as one
 * allocated entry ({@link SegmentTree#extendRunAtCursor}), and the allocations carved out of it
 * one by one when freed ({@link SegmentTree#carveFromRun}). A run must never show: every lookup,
 * walk and free answers allocation by allocation, a free of anything but exactly one allocation
 * of a run (the whole run, two of them, a piece, a misaligned range) is refused with nothing
 * changed, and a seeded random run of fills, frees and lookups matches a model of the allocations
 * after every operation, every invariant checked (runs among them: two allocations or more, whole,
 * untagged, their unit recorded).
 */
class IntervalRunsTest {

    private static final long PAGE = 4096;
    private static final Request ALIGNED_PAGE = Request.of(PAGE).aligned(PAGE);

    /** A core over {@code [base, base + 2^30 - 1]} with {@code pages} pages allocated from its start in address order. */
    private static IntervalCore filled(long base, int pages) {
        IntervalCore core = new IntervalCore();
        core.addSpan(base, base + (1L << 30) - 1);
        for (int i = 0; i < pages; i++) {
            assertEquals(base + PAGE * i, core.allocateFirstFit(ALIGNED_PAGE, base).start(), "page " + i);
        }
        core.checkInvariants();
        return core;
    }

    /**
     * The short join ({@link SegmentTree#extendRunAgain}) trusts that nothing but the fill has
     * been called on the core since the last join, so every other entry point of
     * {@link IntervalCore} must forget the join before it does anything: each declared method
     * (but the fill, the read-only invariant check and the flag's reader) is called on a core
     * whose last call joined a run, and the flag must be down after it, whether the call succeeded
     * or refused its arguments. A method added without the reset fails here.
     */
    @Test
    void everyOtherEntryPointForgetsTheJoin() throws IllegalAccessException {
        Set<String> keep = Set.of("allocateFirstFit", "checkInvariants", "joined");
        int called = 0;
        for (Method m : IntervalCore.class.getDeclaredMethods()) {
            int modifiers = m.getModifiers();
            if (Modifier.isPrivate(modifiers) || Modifier.isStatic(modifiers) || m.isSynthetic() || keep.contains(m.getName())) {
                continue;
            }
            IntervalCore core = filled(0, 4);
            assertTrue(core.joined(), "the fill's last allocation joined its run");
            Class<?>[] types = m.getParameterTypes();
            Object[] args = new Object[types.length];
            for (int i = 0; i < types.length; i++) {
                args[i] = types[i] == long.class ? (Object) PAGE
                        : types[i] == int.class ? (Object) 0
                        : types[i] == boolean.class ? (Object) false
                        : types[i] == Request.class ? ALIGNED_PAGE
                        : types[i] == Consumer.class ? (Consumer<Object>) x -> { }
                        : null;
            }
            try {
                m.invoke(core, args);
            } catch (InvocationTargetException refused) {
                // arguments it refuses: the join must be forgotten all the same
            }
            assertFalse(core.joined(), m + " leaves the join in place");
            called++;
        }
        assertTrue(called >= 30, "only " + called + " entry points found");
        IntervalCore core = filled(0, 4);
        core.checkInvariants();
        assertTrue(core.joined(), "checking changes nothing, the join included");
        assertEquals(4 * PAGE, core.allocateFirstFit(ALIGNED_PAGE, 0).start());
        assertTrue(core.joined());
        assertEquals(5 * PAGE, core.allocateFirstFit(ALIGNED_PAGE, 5 * PAGE).start()); // another window, joined still
        assertTrue(core.joined());
        assertEquals(7 * PAGE, core.allocateFirstFit(ALIGNED_PAGE, 7 * PAGE).start()); // past the run's end: no join
        assertFalse(core.joined());
        core.checkInvariants();
    }

    /**
     * Ten thousand equal pages in address order are one run in one leaf — no split, no second node
     * — and still ten thousand allocations to every lookup and walk.
     */
    @Test
    void anEqualFillIsOneRunThatShowsEveryAllocation() {
        for (long base : new long[] {0, -(1L << 30)}) {
            int pages = 10_000;
            IntervalCore core = filled(base, pages);
            assertEquals(1, core.segmentNodes());
            assertEquals(1, core.leafCounts().length);
            assertTrue(core.leafCounts()[0] <= 4, core.leafCounts()[0] + " entries"); // hole?, run, free tail, hole?
            for (int i = 0; i < pages; i += 997) {
                long start = base + PAGE * i;
                assertEquals(Range.of(start, start + PAGE - 1), core.allocationContaining(start + 17).range());
                assertNull(core.allocationContaining(start + 17).tag());
                assertEquals(Range.of(start, start + PAGE - 1), core.firstAllocationIn(start + 5, start + 3 * PAGE).range());
            }
            assertEquals(Range.of(base, base + PAGE - 1), core.firstAllocationIn(base, base + (1L << 30) - 1).range());
            List<Range> walked = new ArrayList<>();
            core.forEachAllocated(a -> walked.add(a.range()));
            assertEquals(pages, walked.size());
            for (int i = 0; i < pages; i++) {
                assertEquals(Range.of(base + PAGE * i, base + PAGE * i + PAGE - 1), walked.get(i), "allocation " + i);
            }
        }
    }

    /**
     * A free that is not exactly one allocation of a run changes nothing: the whole run, two
     * allocations, a piece of one, a range across two, a range ending past the run.
     */
    @Test
    void aRunRefusesEveryFreeButOfOneAllocation() {
        IntervalCore core = filled(0, 8);
        long end = 8 * PAGE - 1;
        long[][] refused = {
            {0, end}, {0, 2 * PAGE - 1}, {PAGE, PAGE + 99}, {PAGE + 1, 2 * PAGE}, {PAGE / 2, PAGE / 2 + PAGE - 1},
            {7 * PAGE, 8 * PAGE + PAGE - 1}, {3 * PAGE, 5 * PAGE - 1},
        };
        for (long[] r : refused) {
            assertFalse(core.free(r[0], r[1]), "free " + r[0] + ".." + r[1]);
            core.checkInvariants();
        }
        List<Range> walked = new ArrayList<>();
        core.forEachAllocated(a -> walked.add(a.range()));
        assertEquals(8, walked.size());
        assertEquals(1, core.freeSegments());
    }

    /**
     * Freeing the first, the last and a middle allocation of a run carves each out: the rest on
     * either side stays a run while it holds two allocations or more, else it is a plain one; the
     * freed allocation merges with free space around it as any other; first-fit finds the holes;
     * {@code freeContaining} of a value inside a run frees just its allocation.
     */
    @Test
    void freesCarveSingleAllocationsOutOfARun() {
        IntervalCore core = filled(0, 12);
        long[] order = {0, 11, 5, 1, 10, 6, 4, 7};
        TreeMap<Long, Long> live = new TreeMap<>();
        for (long i = 0; i < 12; i++) {
            live.put(i * PAGE, i * PAGE + PAGE - 1);
        }
        for (long page : order) {
            assertTrue(core.free(page * PAGE, page * PAGE + PAGE - 1), "free page " + page);
            live.remove(page * PAGE);
            core.checkInvariants();
            assertEquals(live, allocations(core), "after freeing page " + page);
        }
        Range freed = core.freeContaining(8 * PAGE + 100);
        assertEquals(Range.of(8 * PAGE, 9 * PAGE - 1), freed);
        live.remove(8 * PAGE);
        core.checkInvariants();
        assertEquals(live, allocations(core));
        assertEquals(0, core.allocateFirstFit(ALIGNED_PAGE, 0).start());
        assertEquals(PAGE, core.allocateFirstFit(ALIGNED_PAGE, 0).start());
        assertEquals(4 * PAGE, core.allocateFirstFit(ALIGNED_PAGE, 0).start());
        core.checkInvariants();
    }

    /**
     * A run stops where the fill stops being one: a tagged allocation, one of another size, a gap
     * or a span boundary starts a new entry, and a fill resumes as a new run after it.
     */
    @Test
    void aRunNeverTakesATagAnotherSizeOrTheNextSpan() {
        IntervalCore core = new IntervalCore();
        core.addSpan(0, 16 * PAGE - 1);
        core.addSpan(16 * PAGE, 64 * PAGE - 1); // adjacent: the fill crosses into it
        for (int i = 0; i < 14; i++) {
            core.allocateFirstFit(ALIGNED_PAGE, 0);
        }
        core.allocateFirstFit(ALIGNED_PAGE.tagged("t"), 0); // page 14
        core.allocateFirstFit(ALIGNED_PAGE, 0); // page 15, the first span's last
        core.allocateFirstFit(ALIGNED_PAGE, 0); // page 16, the second span's first
        core.allocateFirstFit(ALIGNED_PAGE, 0);
        core.allocateFirstFit(Request.of(2 * PAGE).aligned(PAGE), 0); // pages 18-19
        core.allocateFirstFit(Request.of(2 * PAGE).aligned(PAGE), 0); // pages 20-21
        core.checkInvariants();
        assertEquals("t", core.allocationContaining(14 * PAGE).tag());
        Map<Long, Long> live = allocations(core);
        assertEquals(20, live.size());
        assertEquals(21 * PAGE + PAGE - 1, live.get(20 * PAGE));
        assertEquals(Range.of(18 * PAGE, 20 * PAGE - 1), core.allocationContaining(19 * PAGE).range());
        assertTrue(core.free(15 * PAGE, 16 * PAGE - 1));
        assertTrue(core.free(16 * PAGE, 17 * PAGE - 1));
        core.checkInvariants();
        assertFalse(core.removeSpan(16 * PAGE, 64 * PAGE - 1)); // still holds pages 17-21
    }

    /**
     * Seeded random operations on a space that fills in address order again and again, so that
     * runs form, grow, and are cut by frees: fills of a random unit from the lowest free value or
     * from a random limit, tagged allocations and reservations in between, frees of random
     * allocations by range or by a value inside, refused frees of whole runs and pieces, and
     * lookups — each against a model of the allocations, every invariant after every operation.
     */
    @Test
    void randomFillsAndFreesMatchTheModel() {
        atBases((seed, base) -> randomRun(seed, base, 30_000), 0, -(1L << 24));
    }

    private static void randomRun(long seed, long base, int operations) {
        SplittableRandom random = new SplittableRandom(seed ^ base);
        long span = 1L << 24;
        IntervalCore core = new IntervalCore();
        core.addSpan(base, base + span - 1);
        TreeMap<Long, long[]> live = new TreeMap<>((x, y) -> Long.compareUnsigned(x, y)); // start -> {end, tagged}
        int operation = 0;
        try {
            for (; operation < operations; operation++) {
                int what = random.nextInt(100);
                if (what < 55) {
                    long unit = PAGE * (1 + random.nextInt(3));
                    long from = random.nextInt(8) == 0 ? base + PAGE * random.nextInt((int) (span / PAGE)) : base;
                    boolean tagged = random.nextInt(25) == 0;
                    Request r = Request.of(unit).aligned(PAGE);
                    int count = 1 + random.nextInt(40);
                    for (int k = 0; k < count; k++) {
                        Range placed = core.allocateFirstFit(tagged ? r.tagged("t" + operation) : r, from);
                        long expected = lowestFit(live, base, span, from, unit);
                        if (placed == null) {
                            assertEquals(-1, expected, "nothing placed from " + Long.toHexString(from));
                            break;
                        }
                        assertEquals(expected, placed.start(), "first-fit of " + unit + " from " + Long.toHexString(from));
                        live.put(placed.start(), new long[] {placed.end(), tagged ? 1 : 0});
                    }
                } else if (what < 85 && !live.isEmpty()) {
                    long start = randomLive(live, random);
                    long end = live.get(start)[0];
                    if (random.nextBoolean()) {
                        assertTrue(core.free(start, end), "free " + Long.toHexString(start));
                    } else {
                        long inside = start + random.nextLong(end - start + 1);
                        assertEquals(Range.of(start, end), core.freeContaining(inside));
                    }
                    live.remove(start);
                } else if (what < 93 && !live.isEmpty()) {
                    // Not one allocation: from one allocation's start to a later one's end, or a piece.
                    long start = randomLive(live, random);
                    Map.Entry<Long, long[]> later = live.higherEntry(start);
                    long end = later != null && random.nextBoolean() ? later.getValue()[0] : start + PAGE / 2;
                    assertFalse(core.free(start, end), "free " + Long.toHexString(start) + ".." + Long.toHexString(end));
                } else if (!live.isEmpty()) {
                    long start = randomLive(live, random);
                    long[] held = live.get(start);
                    long inside = start + random.nextLong(held[0] - start + 1);
                    Allocation a = core.allocationContaining(inside);
                    assertEquals(Range.of(start, held[0]), a.range());
                    assertEquals(held[1] != 0, a.tag() != null);
                    assertEquals(Range.of(start, held[0]), core.firstAllocationIn(inside, held[0]).range());
                }
                core.checkInvariants();
                if (operation % 64 == 0) {
                    Map<Long, Long> expected = new TreeMap<>();
                    live.forEach((s, e) -> expected.put(s, e[0]));
                    assertEquals(expected, allocations(core), "the allocations");
                }
            }
        } catch (AssertionError | RuntimeException e) {
            fail("seed " + seed + " (replay with -Dallot.seed=" + seed + "), base " + Long.toHexString(base) + ", operation "
                    + operation + ": " + e, e);
        }
    }

    /** A random live allocation's start. */
    private static long randomLive(TreeMap<Long, long[]> live, SplittableRandom random) {
        Long pick = live.ceilingKey(live.firstKey() + random.nextLong(live.lastKey() - live.firstKey() + 1));
        return pick != null ? pick : live.firstKey();
    }

    /** The lowest page-aligned start at or above {@code from} of {@code unit} free values in the span, or -1. */
    private static long lowestFit(TreeMap<Long, long[]> live, long base, long span, long from, long unit) {
        long candidate = from;
        while (candidate - base <= span - unit) {
            Map.Entry<Long, long[]> before = live.floorEntry(candidate + unit - 1);
            if (before == null || Long.compareUnsigned(before.getValue()[0], candidate) < 0) {
                return candidate;
            }
            candidate = before.getValue()[0] + 1; // allocations start and end on pages
        }
        return -1;
    }

    /** Every allocation of {@code core}, start to end, as its walk reports them. */
    private static TreeMap<Long, Long> allocations(IntervalCore core) {
        TreeMap<Long, Long> all = new TreeMap<>();
        core.forEachAllocated(a -> all.put(a.range().start(), a.range().end()));
        return all;
    }
}
