package io.allot.engine.interval;

import io.allot.Allocation;
import io.allot.Allocators;
import io.allot.Range;
import io.allot.Request;
import io.allot.ResourceAllocator;
import io.allot.internal.SingleUnits;
import io.allot.spi.AllocationPolicy;
import io.allot.spi.FreeSpace;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The interval core's {@link SingleUnits}: every claim, release and lookup answers what the general
 * path (first- or last-fit of a one-quantum request, then allocate; free) answers on a twin core,
 * checked by a seeded random run with the invariants verified after every operation; and the
 * edges: the top of the 64-bit space, one-unit spans, quantum 1 with spans touching 0 and
 * 2<sup>64</sup>&minus;1, windows that hold no whole quantum, and a thread-safe allocator over this
 * core taking a lock rather than the lock-free path.
 */
class IntervalSingleUnitsTest {

    private static final long TOP = -1L;

    @Test
    void claimsAtTheTopOfTheSpaceWithAQuantum() {
        long q = 16;
        IntervalCore core = new IntervalCore(q);
        core.addSpan(-4 * q, TOP);
        assertEquals(1, core.none());
        assertEquals(TOP - q + 1, core.claimHighest(0, TOP));
        assertEquals(-4 * q, core.claimLowest(0, TOP));
        assertEquals(-3 * q, core.claimLowest(-4 * q + 1, TOP)); // rounded up to the next quantum
        assertEquals(-2 * q, core.claimHighest(0, TOP - 1)); // the top quantum ends above TOP - 1
        assertEquals(core.none(), core.claimLowest(0, TOP));
        assertEquals(core.none(), core.claimHighest(0, TOP));
        core.checkInvariants();
        assertTrue(core.isAllocated(TOP));
        assertEquals(SingleUnits.RELEASED, core.release(TOP - q + 1));
        assertFalse(core.isAllocated(TOP));
        assertEquals(SingleUnits.NOT_AN_ALLOCATION, core.release(TOP - q + 1));
        assertEquals(SingleUnits.NOT_AN_ALLOCATION, core.release(TOP)); // would end past 2^64 - 1
        assertEquals(SingleUnits.NOT_AN_ALLOCATION, core.release(-3 * q + 1)); // inside an allocation
        assertEquals(TOP - q + 1, core.claimLowest(0, TOP));
        core.checkInvariants();
    }

    @Test
    void windowsHoldingNoWholeQuantumClaimNothing() {
        long q = 16;
        IntervalCore core = new IntervalCore(q);
        core.addSpan(0, 16 * q - 1);
        assertEquals(core.none(), core.claimLowest(1, 2 * q - 2)); // [q, 2q - 1] does not fit below 2q - 2
        assertEquals(core.none(), core.claimHighest(1, 2 * q - 2));
        assertEquals(core.none(), core.claimHighest(0, q - 2)); // no quantum ends at or below q - 2
        assertEquals(core.none(), core.claimLowest(TOP - 3, TOP)); // rounding lo up passes 2^64 - 1
        assertEquals(core.none(), core.claimLowest(16 * q, TOP)); // beyond the span
        assertEquals(q, core.claimLowest(1, 2 * q - 1));
        assertEquals(2 * q, core.claimHighest(1, 4 * q - 2)); // [3q, 4q - 1] ends above 4q - 2
        core.checkInvariants();
    }

    @Test
    void quantumOneNoneIsOutsideEverySpanEvenWhenSpansTouchBothEnds() {
        IntervalCore core = new IntervalCore(1);
        core.addSpan(0, 9);
        assertEquals(10, core.none());
        core.addSpan(11, TOP);
        assertEquals(10, core.none());
        core.checkInvariants();
        for (int i = 0; i < 10; i++) {
            assertEquals(i, core.claimLowest(0, 9));
        }
        assertEquals(core.none(), core.claimLowest(0, 9));
        assertEquals(TOP, core.claimHighest(0, TOP));
        assertEquals(TOP - 1, core.claimHighest(0, TOP));
        assertEquals(11, core.claimLowest(10, TOP));
        core.checkInvariants();

        IntervalCore high = new IntervalCore(1);
        high.addSpan(1, TOP);
        assertEquals(0, high.none());
        IntervalCore low = new IntervalCore(1);
        low.addSpan(0, TOP - 1);
        assertEquals(TOP, low.none());
        assertEquals(TOP - 1, low.claimHighest(0, TOP));
        assertEquals(SingleUnits.NOT_AN_ALLOCATION, low.release(TOP));
        low.checkInvariants();
    }

    @Test
    void noneFollowsTheSpansAsTheyAreAddedAndRemoved() {
        IntervalCore core = new IntervalCore(1);
        assertEquals(0, core.none());
        core.addSpan(0, 0);
        assertEquals(1, core.none());
        core.addSpan(2, 5);
        core.addSpan(1, 1);
        assertEquals(6, core.none());
        assertTrue(core.removeSpan(1, 1));
        assertEquals(1, core.none());
        core.checkInvariants();
        assertTrue(core.removeSpan(0, 0));
        assertEquals(0, core.none());
        core.checkInvariants();
    }

    @Test
    void oneUnitSpans() {
        IntervalCore core = new IntervalCore(1);
        core.addSpan(5, 5);
        core.addSpan(7, 7);
        assertEquals(7, core.claimHighest(0, TOP));
        assertEquals(5, core.claimLowest(0, TOP));
        assertEquals(core.none(), core.claimLowest(0, TOP));
        assertEquals(0, core.none());
        assertEquals(SingleUnits.RELEASED, core.release(5));
        assertEquals(SingleUnits.NOT_AN_ALLOCATION, core.release(6)); // a hole
        assertEquals(5, core.claimLowest(5, 5));
        core.checkInvariants();
    }

    @Test
    void releaseRefusesWhatIsNotExactlyOneQuantum() {
        long q = 4;
        IntervalCore core = new IntervalCore(q);
        core.addSpan(0, 63);
        assertTrue(core.allocate(8, 15, null)); // two quanta
        assertEquals(SingleUnits.NOT_AN_ALLOCATION, core.release(8));
        assertEquals(SingleUnits.NOT_AN_ALLOCATION, core.release(0)); // free
        assertEquals(0, core.claimLowest(0, TOP));
        assertEquals(16, core.claimLowest(5, TOP)); // 5 rounds up to 8, which is allocated
        assertEquals(4, core.claimLowest(4, TOP));
        core.checkInvariants();
    }

    @Test
    void claimsOfTaggedCoresReleaseTheirTags() {
        IntervalCore core = new IntervalCore(1);
        core.addSpan(0, 99);
        assertTrue(core.allocate(3, 3, "t"));
        assertEquals(SingleUnits.RELEASED, core.release(3));
        core.checkInvariants();
        assertEquals(0, core.claimLowest(0, TOP));
        assertEquals(null, core.allocationContaining(0).tag());
    }

    @Test
    void singleUnitsAreNotLockFreeSoThreadSafeAllocatorsTakeALock() {
        assertFalse(new IntervalCore(1).lockFree());
        AllocationPolicy lowest = new AllocationPolicy() { // no policies module here: a plain first fit
            @Override
            public String name() {
                return "lowest";
            }

            @Override
            public Optional<Range> place(Request request, FreeSpace free) {
                return free.firstFit(request, 0);
            }
        };
        ResourceAllocator safe = Allocators.builder().engine(IntervalEngine.NAME).span(Range.of(0, 99)).policy(lowest)
                .threadSafe().build();
        assertEquals("LockedAllocator", safe.getClass().getSimpleName());
        assertEquals(Range.of(0, 0), safe.allocate(Request.of(1)));
    }

    /**
     * A seeded random run on two cores with the same spans: one served through the unit path, the
     * other through the general searches and {@code allocate}/{@code free}. Every answer must
     * agree, and the unit core keeps every invariant after every operation.
     */
    @Test
    void unitPathAnswersAsTheGeneralPath() {
        unitPathAgainstGeneral(1, new long[][] {{0, 499}, {500, 999}, {1100, 1100}, {1200, 2047}});
        unitPathAgainstGeneral(16, new long[][] {{0, 16 * 500 - 1}, {16 * 600, 16 * 601 - 1}, {-16 * 300, TOP}});
        unitPathAgainstGeneral(1, new long[][] {{0, 299}, {-700, -401}, {-400, TOP}});
    }

    private static void unitPathAgainstGeneral(long q, long[][] spans) {
        long seed = Long.getLong("allot.seed", System.nanoTime());
        SplittableRandom random = new SplittableRandom(seed);
        IntervalCore units = new IntervalCore(q);
        IntervalCore general = new IntervalCore(q);
        for (long[] span : spans) {
            units.addSpan(span[0], span[1]);
            general.addSpan(span[0], span[1]);
        }
        List<Long> live = new ArrayList<>();
        Request one = Request.of(q).aligned(q);
        int op = 0;
        try {
            for (; op < 30_000; op++) {
                int what = random.nextInt(10);
                long a = anyValue(random, spans);
                long b = anyValue(random, spans);
                long lo = Long.compareUnsigned(a, b) <= 0 ? a : b;
                long hi = Long.compareUnsigned(a, b) <= 0 ? b : a;
                if (random.nextInt(4) == 0) {
                    lo = 0;
                    hi = TOP;
                }
                if (what < 3 || what < 5 && live.size() < 50) {
                    long got = units.claimLowest(lo, hi);
                    Range want = general.firstFit(one.within(lo, hi), 0);
                    checkClaim(got, want, units, general, live, q);
                } else if (what < 5) {
                    long got = units.claimHighest(lo, hi);
                    Range want = general.lastFit(one.within(lo, hi), TOP);
                    checkClaim(got, want, units, general, live, q);
                } else if (what < 9 && !live.isEmpty()) {
                    long start = live.remove(random.nextInt(live.size()));
                    assertEquals(SingleUnits.RELEASED, units.release(start));
                    assertTrue(general.free(start, start + q - 1));
                } else {
                    long v = random.nextBoolean() ? a : a & -q;
                    Allocation holder = general.allocationContaining(v);
                    boolean exact = holder != null && holder.range().start() == v && holder.range().end() == v + q - 1;
                    assertEquals(holder != null, units.isAllocated(v), "isAllocated " + Long.toHexString(v));
                    assertEquals(exact ? SingleUnits.RELEASED : SingleUnits.NOT_AN_ALLOCATION, units.release(v),
                            "release " + Long.toHexString(v));
                    if (exact) {
                        assertTrue(general.free(v, v + q - 1));
                        live.remove(Long.valueOf(v));
                    }
                }
                units.checkInvariants();
                if (op % 500 == 0) {
                    assertEquals(allocations(general), allocations(units));
                    assertEquals(general.freeSegments(), units.freeSegments());
                }
            }
        } catch (AssertionError | RuntimeException e) {
            fail("seed " + seed + " (replay with -Dallot.seed=" + seed + "), quantum " + q + ", operation " + op + ": " + e, e);
        }
    }

    private static void checkClaim(long got, Range want, IntervalCore units, IntervalCore general, List<Long> live, long q) {
        if (want == null) {
            assertEquals(units.none(), got);
            return;
        }
        assertEquals(want.start(), got);
        assertTrue(general.allocate(want.start(), want.end(), null));
        assertTrue(units.isAllocated(got) && units.isAllocated(got + q - 1));
        live.add(got);
    }

    /** Mostly values inside the spans, now and then anywhere. */
    private static long anyValue(SplittableRandom random, long[][] spans) {
        if (random.nextInt(8) == 0) {
            return random.nextLong();
        }
        long[] span = spans[random.nextInt(spans.length)];
        return span[0] + random.nextLong(span[1] - span[0] + 1);
    }

    private static List<Range> allocations(IntervalCore core) {
        List<Range> all = new ArrayList<>();
        core.forEachAllocated((Allocation a) -> all.add(a.range()));
        return all;
    }
}
