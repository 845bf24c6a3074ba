package io.allot.tests.conformance;

import io.allot.Allocation;
import io.allot.AllocatorStats;
import io.allot.Allocators;
import io.allot.ExhaustedException;
import io.allot.NotAllocatedException;
import io.allot.OverlapException;
import io.allot.Range;
import io.allot.Request;
import io.allot.ResourceAllocator;
import io.allot.spi.AllocationPolicy;
import io.allot.tests.Matrix;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;

import static io.allot.tests.conformance.AllocatorState.freeRangesOf;
import static io.allot.tests.conformance.AllocatorState.rotorOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each standard policy does exactly what DESIGN.md's policy table says, on every engine; and
 * {@code reallocate} follows its contract (may overlap the old range, keeps the old tag unless the
 * request carries one, leaves the old range allocated when nothing fits) with every default policy.
 */
class PolicySemanticsTest {

    private static final long MAX = 0xffff_ffff_ffff_ffffL;

    private static final String ENGINES = "io.allot.tests.Matrix#engines";
    private static final String ENGINES_AND_POLICIES = "io.allot.tests.Matrix#enginesAndPolicies";

    private static final Set<String> STANDARD =
            Set.of("best-fit", "first-match", "instant-fit", "last-match", "next-fit");

    // ---- next-fit ----

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void nextFitRotorStartsAtTheLowestSpanStart(String engine) {
        ResourceAllocator pool = Matrix.build(engine, "next-fit", Range.of(0x5000, 0x5fff), Range.of(0x1000, 0x1fff),
                Range.of(0x3000, 0x3fff));
        assertEquals(0x1000, rotorOf(pool));
        assertEquals(Range.of(0x1000, 0x10ff), pool.allocate(Request.of(0x100)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void nextFitRotorIsNotMovedByALowerSpanAddedLater(String engine) {
        ResourceAllocator pool = Matrix.build(engine, "next-fit", Range.of(0x5000, 0x5fff));
        pool.addSpan(Range.of(0x1000, 0x1fff));
        assertEquals(0x5000, rotorOf(pool));
        assertEquals(Range.of(0x5000, 0x50ff), pool.allocate(Request.of(0x100)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void nextFitRotorMovesToTheEndPlusOneOfEachNextFitAllocation(String engine) {
        ResourceAllocator pool = Matrix.build(engine, "next-fit", Range.of(0x1000, 0x1fff));
        assertEquals(Range.of(0x1000, 0x100f), pool.allocate(Request.of(0x10)));
        assertEquals(0x1010, rotorOf(pool));
        assertEquals(Range.of(0x1100, 0x110f), pool.allocate(Request.of(0x10).aligned(0x100)));
        assertEquals(0x1110, rotorOf(pool));
        assertEquals(Range.of(0x1110, 0x1110), pool.tryAllocate(Request.of(1)).orElseThrow());
        assertEquals(0x1111, rotorOf(pool));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void nextFitGivenExplicitlyMovesTheRotorToo(String engine) {
        ResourceAllocator pool = Matrix.build(engine, "first-match", Range.of(0x1000, 0x1fff));
        AllocationPolicy nextFit = Allocators.policy("next-fit");
        assertEquals(Range.of(0x1000, 0x10ff), pool.allocate(Request.of(0x100), nextFit));
        assertEquals(0x1100, rotorOf(pool));
        pool.free(Range.of(0x1000, 0x10ff));
        assertEquals(Range.of(0x1100, 0x11ff), pool.allocate(Request.of(0x100), nextFit));
        assertEquals(Range.of(0x1000, 0x10ff), pool.allocate(Request.of(0x100)), "first-match ignores the rotor");
        assertEquals(0x1200, rotorOf(pool));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void nextFitStartsAtTheRotorEvenInsideAFreeSegment(String engine) {
        ResourceAllocator pool = Matrix.build(engine, "next-fit", Range.of(0x1000, 0x1fff));
        Range first = pool.allocate(Request.of(0x10));
        pool.free(first);
        assertEquals(List.of(Range.of(0x1000, 0x1fff)), freeRangesOf(pool));
        assertEquals(Range.of(0x1010, 0x101f), pool.allocate(Request.of(0x10)));
        assertEquals(Range.of(0x1100, 0x110f), pool.allocate(Request.of(0x10).aligned(0x100)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void nextFitDoesNotReuseARangeFreedBehindTheRotor(String engine) {
        ResourceAllocator pool = Matrix.build(engine, "next-fit", Range.of(0x1000, 0x1fff));
        Range a = pool.allocate(Request.of(0x100));
        pool.allocate(Request.of(0x100));
        pool.allocate(Request.of(0x100));
        pool.free(a);
        assertEquals(Range.of(0x1300, 0x13ff), pool.allocate(Request.of(0x100)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void nextFitWrapsOnceToTheBottom(String engine) {
        ResourceAllocator pool = Matrix.build(engine, "next-fit", Range.of(0x1000, 0x1fff));
        Range a = pool.allocate(Request.of(0x400));
        assertEquals(Range.of(0x1000, 0x13ff), a);
        assertEquals(Range.of(0x1400, 0x1eff), pool.allocate(Request.of(0xb00)));
        assertEquals(0x1f00, rotorOf(pool));
        pool.free(a);
        // Above the rotor only [0x1f00, 0x1fff] is free, too small: wrap to the bottom.
        assertEquals(Range.of(0x1000, 0x11ff), pool.allocate(Request.of(0x200)));
        assertEquals(0x1200, rotorOf(pool));
        assertEquals(Range.of(0x1200, 0x12ff), pool.allocate(Request.of(0x100)));
        assertEquals(Range.of(0x1300, 0x13ff), pool.allocate(Request.of(0x100)));
        assertEquals(Range.of(0x1f00, 0x1fff), pool.allocate(Request.of(0x100)));
        assertEquals(0x2000, rotorOf(pool));
        assertThrows(ExhaustedException.class, () -> pool.allocate(Request.of(1)));
        assertEquals(0x2000, rotorOf(pool), "a failed allocation does not move the rotor");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void nextFitAfterWrappingMayPlaceAcrossTheRotor(String engine) {
        ResourceAllocator pool = Matrix.build(engine, "next-fit", Range.of(0x1000, 0x1fff));
        pool.free(pool.allocate(Request.of(0x800)));
        assertEquals(0x1800, rotorOf(pool));
        // From 0x1800 only 0x800 is left; wrapped, the lowest placement runs across the rotor.
        assertEquals(Range.of(0x1000, 0x1bff), pool.allocate(Request.of(0xc00)));
        assertEquals(0x1c00, rotorOf(pool));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource(ENGINES_AND_POLICIES)
    void onlyNextFitAllocationsMoveTheRotor(String engine, String policyName) {
        ResourceAllocator pool = Matrix.build(engine, "next-fit", Range.of(0x1000, 0xffff));
        assertEquals(Range.of(0x1000, 0x10ff), pool.allocate(Request.of(0x100)));
        assertEquals(0x1100, rotorOf(pool));

        AllocationPolicy policy = Allocators.policy(policyName);
        if (STANDARD.contains(policyName)) {
            assertEquals(policyName.equals("next-fit"), policy.advancesRotor(), policyName);
        }
        Range placed = pool.allocate(Request.of(0x100).aligned(0x100), policy);
        long expected = policy.advancesRotor() ? placed.end() + 1 : 0x1100;
        assertEquals(expected, rotorOf(pool), policyName);
        pool.tryAllocate(Request.of(0x20000), policy);
        assertEquals(expected, rotorOf(pool), "failed " + policyName + " allocation");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void rotorIsNotMovedByReserveFreeReallocateOrAddSpan(String engine) {
        ResourceAllocator pool = Matrix.build(engine, "next-fit", Range.of(0x1000, 0xffff));
        pool.allocate(Request.of(0x100));
        assertEquals(0x1100, rotorOf(pool));

        pool.reserve(Range.of(0x1100, 0x11ff));
        assertEquals(0x1100, rotorOf(pool), "reserve at the rotor");
        pool.reserve(Range.of(0x8000, 0x8fff), "far");
        assertEquals(0x1100, rotorOf(pool), "reserve above the rotor");
        pool.free(Range.of(0x1000, 0x10ff));
        assertEquals(0x1100, rotorOf(pool), "free");
        assertEquals(Range.of(0x1100, 0x11ff), pool.freeContaining(0x1180));
        assertEquals(0x1100, rotorOf(pool), "freeContaining");
        // Placed with the default policy (next-fit, from the rotor) as if the old range were free.
        assertEquals(Range.of(0x1100, 0x30ff), pool.reallocate(Range.of(0x8000, 0x8fff), Request.of(0x2000)));
        assertEquals(0x1100, rotorOf(pool), "reallocate");
        assertThrows(ExhaustedException.class, () -> pool.reallocate(Range.of(0x1100, 0x30ff), Request.of(0x100000)));
        assertEquals(0x1100, rotorOf(pool), "failed reallocate");
        pool.addSpan(Range.of(0, 0xfff));
        assertEquals(0x1100, rotorOf(pool), "addSpan");
        assertThrows(ExhaustedException.class, () -> pool.allocate(Request.of(0x100000)));
        assertEquals(0x1100, rotorOf(pool), "failed allocate");
        assertEquals(Range.of(0x3100, 0x31ff), pool.allocate(Request.of(0x100)));
        assertEquals(0x3200, rotorOf(pool));
    }

    // ---- best-fit ----

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void bestFitPicksTheSmallestSegmentThatCanHoldTheRequest(String engine) {
        ResourceAllocator pool = withFree(engine, "best-fit", Range.of(0, 0xffff),
                Range.of(0x1000, 0x1fff), Range.of(0x3000, 0x30ff), Range.of(0x5000, 0x507f), Range.of(0x7000, 0x71ff));
        assertEquals(Range.of(0x5000, 0x507f), pool.allocate(Request.of(0x80)));
        assertEquals(Range.of(0x3000, 0x3080), pool.allocate(Request.of(0x81)));
        assertEquals(Range.of(0x7000, 0x70ff), pool.allocate(Request.of(0x100)));
        assertEquals(Range.of(0x3081, 0x30ff), pool.allocate(Request.of(0x7f)));
        assertEquals(Range.of(0x7100, 0x71ff), pool.allocate(Request.of(0x100)));
        assertEquals(Range.of(0x1000, 0x100f), pool.allocate(Request.of(0x10)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void bestFitSkipsSegmentsThatCannotHoldAnAlignedPlacement(String engine) {
        ResourceAllocator pool = withFree(engine, "best-fit", Range.of(0, 0xffff),
                Range.of(0x1010, 0x110f), Range.of(0x3000, 0x31ff), Range.of(0x5000, 0x5fff));
        // [0x1010, 0x110f] holds 0x100 values but no 0x100-aligned start with 0x100 after it.
        assertEquals(Range.of(0x3000, 0x30ff), pool.allocate(Request.of(0x100).aligned(0x100)));
        // It does hold an 0x80-aligned 0x80: lowest fit inside the smallest segment that can.
        assertEquals(Range.of(0x1080, 0x10ff), pool.allocate(Request.of(0x80).aligned(0x80)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void bestFitMeasuresSegmentsByWholeSizeNotClippedToTheWindow(String engine) {
        // Whole sizes: X = 0x1000, Y = 0xc00. Clipped to min 0x1c00, X would be 0x400.
        ResourceAllocator pool = withFree(engine, "best-fit", Range.of(0, 0xffff),
                Range.of(0x1000, 0x1fff), Range.of(0x3000, 0x3bff));
        assertEquals(Range.of(0x3000, 0x30ff), pool.allocate(Request.of(0x100).within(0x1c00, MAX)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void bestFitTiesByWholeSizeGoToTheLowerAddressWhateverTheWindowClips(String engine) {
        // Both 0x1000; clipped to max 0x30ff, Y would be 0x100 and X 0x1000.
        ResourceAllocator pool = withFree(engine, "best-fit", Range.of(0, 0xffff),
                Range.of(0x1000, 0x1fff), Range.of(0x3000, 0x3fff));
        assertEquals(Range.of(0x1000, 0x10ff), pool.allocate(Request.of(0x100).within(0, 0x30ff)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void bestFitBreaksTiesTowardTheLowerAddress(String engine) {
        ResourceAllocator pool = Matrix.build(engine, "best-fit", Range.of(0, 0xffff));
        for (Range gap : List.of(Range.of(0, 0xfff), Range.of(0x1100, 0x2fff), Range.of(0x3100, 0x4fff),
                Range.of(0x5100, 0xffff))) {
            pool.reserve(gap);
        }
        List<Range> holes = List.of(Range.of(0x5000, 0x50ff), Range.of(0x3000, 0x30ff), Range.of(0x1000, 0x10ff));
        holes.forEach(pool::reserve);
        holes.forEach(pool::free);
        // Three equal free segments, created highest first.
        assertEquals(List.of(Range.of(0x1000, 0x10ff), Range.of(0x3000, 0x30ff), Range.of(0x5000, 0x50ff)),
                freeRangesOf(pool));
        assertEquals(Range.of(0x1000, 0x107f), pool.allocate(Request.of(0x80)));
        assertEquals(Range.of(0x3000, 0x30ff), pool.allocate(Request.of(0x100)));
        assertEquals(Range.of(0x1080, 0x10ff), pool.allocate(Request.of(0x80)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void bestFitTakesTheLowestFitWithinTheChosenSegment(String engine) {
        ResourceAllocator pool = withFree(engine, "best-fit", Range.of(0, 0xffff),
                Range.of(0x1010, 0x11ff), Range.of(0x8000, 0xffff));
        assertEquals(Range.of(0x1100, 0x110f), pool.allocate(Request.of(0x10).aligned(0x100)));
        // Now [0x1010, 0x10ff] and [0x1110, 0x11ff], both 0xf0: the lower one.
        assertEquals(Range.of(0x1018, 0x1027), pool.allocate(Request.of(0x10).aligned(0x10).phase(0x8)));
    }

    // ---- instant-fit ----

    /** A = 0xa0 (list 2^7: not every member holds 0x90), B = 0x100 (list 2^8), C = 0x3000. */
    private static ResourceAllocator instantFitSpace(String engine, String policy) {
        return withFree(engine, policy, Range.of(0, 0xffff),
                Range.of(0x1000, 0x109f), Range.of(0x3000, 0x30ff), Range.of(0x5000, 0x7fff));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void instantFitTakesASegmentOfTheLowestPowerOfTwoListThatIsWhollyBigEnough(String engine) {
        Range placed = instantFitSpace(engine, "instant-fit").allocate(Request.of(0x90));
        assertTrue(Range.of(0x3000, 0x30ff).contains(placed), placed + " is not in the 0x100-list's one member");
        assertEquals(0x90, placed.size());
        // Best-fit, by contrast, takes the 0xa0 segment.
        assertEquals(Range.of(0x1000, 0x108f), instantFitSpace(engine, "best-fit").allocate(Request.of(0x90)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void instantFitOfAPowerOfTwoSizeUsesThatSizesList(String engine) {
        Range placed = instantFitSpace(engine, "instant-fit").allocate(Request.of(0x100));
        assertEquals(Range.of(0x3000, 0x30ff), placed);
        Range small = instantFitSpace(engine, "instant-fit").allocate(Request.of(0x80));
        assertTrue(Range.of(0x1000, 0x109f).contains(small), small + " is not in the 0x80-list's one member");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void instantFitFallsBackToBestFitForConstrainedRequests(String engine) {
        Map<String, Request> constrained = Map.of(
                "aligned", Request.of(0x90).aligned(0x10),
                "phase", Request.of(0x90).aligned(2).phase(1),
                "noCross", Request.of(0x90).noCross(0x1000),
                "max", Request.of(0x90).within(0, MAX - 1),
                "min", Request.of(0x90).within(1, MAX));
        constrained.forEach((what, request) -> {
            Range bestFit = instantFitSpace(engine, "best-fit").allocate(request);
            Range instantFit = instantFitSpace(engine, "instant-fit").allocate(request);
            assertEquals(bestFit, instantFit, what);
            assertTrue(Range.of(0x1000, 0x109f).contains(instantFit), what + ": " + instantFit);
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void instantFitFallsBackToBestFitWhenNoSegmentIsInABigEnoughList(String engine) {
        // 0xc0 (low) and 0xa0 (high): both in the 2^7 list, neither list 2^8 or above has a member.
        ResourceAllocator pool = withFree(engine, "instant-fit", Range.of(0, 0xffff),
                Range.of(0x1000, 0x10bf), Range.of(0x5000, 0x509f));
        assertEquals(Range.of(0x5000, 0x508f), pool.allocate(Request.of(0x90)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void instantFitTreatsAlignmentUpToTheQuantumAsUnconstrained(String engine) {
        for (Request request : List.of(Request.of(0x90), Request.of(0x90).aligned(0x10), Request.of(0x81))) {
            ResourceAllocator pool = Allocators.builder().engine(engine).policy("instant-fit").quantum(0x10)
                    .span(Range.of(0, 0xffff)).build();
            carve(pool, Range.of(0, 0xffff), Range.of(0x1000, 0x109f), Range.of(0x3000, 0x30ff),
                    Range.of(0x5000, 0x7fff));
            Range placed = pool.allocate(request);
            assertTrue(Range.of(0x3000, 0x30ff).contains(placed), request + " placed at " + placed);
        }
        ResourceAllocator pool = Allocators.builder().engine(engine).policy("instant-fit").quantum(0x10)
                .span(Range.of(0, 0xffff)).build();
        carve(pool, Range.of(0, 0xffff), Range.of(0x1000, 0x109f), Range.of(0x3000, 0x30ff), Range.of(0x5000, 0x7fff));
        assertEquals(Range.of(0x1000, 0x108f), pool.allocate(Request.of(0x90).aligned(0x20)),
                "alignment above the quantum is a constraint: best-fit");
    }

    // ---- first-match and last-match ----

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void firstMatchStartsAsLowAsTheRequestAllows(String engine) {
        Map<Request, Range> expected = Map.of(
                Request.of(0x10), Range.of(0x1000, 0x100f),
                Request.of(0x10).aligned(0x100).phase(0x80), Range.of(0x1080, 0x108f),
                Request.of(0x10).within(0x1801, MAX), Range.of(0x1801, 0x1810),
                Request.of(0x20).aligned(0x10).phase(0x8).noCross(0x100).within(0x10e0, MAX), Range.of(0x1108, 0x1127),
                Request.of(0x1000), Range.of(0x1000, 0x1fff));
        expected.forEach((request, range) -> assertEquals(range,
                Matrix.build(engine, "first-match", Range.of(0x1000, 0x1fff)).allocate(request), request::toString));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void lastMatchEndsAsHighAsTheRequestAllows(String engine) {
        Map<Request, Range> expected = Map.of(
                Request.of(0x10), Range.of(0x1ff0, 0x1fff),
                Request.of(0x10).aligned(0x100), Range.of(0x1f00, 0x1f0f),
                Request.of(0x10).aligned(0x100).phase(0x80), Range.of(0x1f80, 0x1f8f),
                Request.of(0x10).aligned(0x100).phase(0xf8), Range.of(0x1ef8, 0x1f07),
                Request.of(0x10).within(0, 0x17ff), Range.of(0x17f0, 0x17ff),
                Request.of(0x20).aligned(0x10).phase(0x8).noCross(0x100).within(0, 0x1f10), Range.of(0x1ed8, 0x1ef7),
                Request.of(0x1000), Range.of(0x1000, 0x1fff));
        expected.forEach((request, range) -> assertEquals(range,
                Matrix.build(engine, "last-match", Range.of(0x1000, 0x1fff)).allocate(request), request::toString));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void lastMatchPrefersTheHighestSegmentThatFits(String engine) {
        ResourceAllocator pool = Matrix.build(engine, "last-match", Range.of(0x1000, 0x1fff), Range.of(0x8000, 0x80ff));
        assertEquals(Range.of(0x8080, 0x80ff), pool.allocate(Request.of(0x80)));
        assertEquals(Range.of(0x1f00, 0x1fff), pool.allocate(Request.of(0x100)));
        assertEquals(Range.of(0x8000, 0x807f), pool.allocate(Request.of(0x80)));
        assertEquals(Range.of(0x1e80, 0x1eff), pool.allocate(Request.of(0x80)));
    }

    // ---- reallocate ----

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource(ENGINES_AND_POLICIES)
    void reallocateMayOverlapTheOldRange(String engine, String policy) {
        ResourceAllocator pool = Matrix.build(engine, policy, Range.of(0x1000, 0x1fff));
        Range old = pool.reserve(Range.of(0x1000, 0x17ff), "old");
        pool.reserve(Range.of(0x1900, 0x1fff));
        // With the old range free, [0x1000, 0x18ff] is the only place for 0x900.
        Range moved = pool.reallocate(old, Request.of(0x900));
        assertEquals(Range.of(0x1000, 0x18ff), moved);
        assertEquals(new Allocation(moved, "old"), pool.allocationContaining(0x1800).orElseThrow());
        assertEquals(List.of(new Allocation(moved, "old"), new Allocation(Range.of(0x1900, 0x1fff), null)),
                AllocatorState.allocationsOf(pool));
        assertEquals(0x1000, pool.stats().allocated());
        assertEquals(2, pool.stats().liveAllocations());
        assertEquals(3, pool.stats().totalAllocations(), "two reserves and the reallocate");
        assertEquals(1, pool.stats().totalFrees(), "the reallocate");
        assertEquals(0, pool.stats().failedAllocations());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void reallocatePlacesWithTheDefaultPolicyAsIfTheOldRangeWereFree(String engine) {
        ResourceAllocator low = Matrix.build(engine, "first-match", Range.of(0x1000, 0x1fff));
        Range old = low.allocate(Request.of(0x800));
        assertEquals(Range.of(0x1000, 0x10ff), low.reallocate(old, Request.of(0x100)));

        ResourceAllocator high = Matrix.build(engine, "last-match", Range.of(0x1000, 0x1fff));
        Range top = high.reserve(Range.of(0x1f00, 0x1fff));
        assertEquals(Range.of(0x1e00, 0x1fff), high.reallocate(top, Request.of(0x200)));
        assertEquals(List.of(Range.of(0x1000, 0x1dff)), freeRangesOf(high));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource(ENGINES_AND_POLICIES)
    void reallocateKeepsTheOldTagUnlessTheRequestCarriesOne(String engine, String policy) {
        ResourceAllocator pool = Matrix.build(engine, policy, Range.of(0x1000, 0xffff));
        Range net = pool.reserve(Range.of(0x1000, 0x10ff), "net");
        Range grown = pool.reallocate(net, Request.of(0x200));
        assertEquals("net", pool.allocationContaining(grown.start()).orElseThrow().tag());
        Range renamed = pool.reallocate(grown, Request.of(0x80).tagged("blk"));
        assertEquals("blk", pool.allocationContaining(renamed.start()).orElseThrow().tag());

        Range untagged = pool.allocate(Request.of(0x10));
        Range moved = pool.reallocate(untagged, Request.of(0x20));
        assertEquals(null, pool.allocationContaining(moved.start()).orElseThrow().tag());
        assertEquals(2, pool.stats().liveAllocations());
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource(ENGINES_AND_POLICIES)
    void reallocateLeavesTheOldRangeAllocatedWhenNothingFits(String engine, String policy) {
        ResourceAllocator pool = Matrix.build(engine, policy, Range.of(0x1000, 0x1fff));
        Range old = pool.reserve(Range.of(0x1000, 0x17ff), "old");
        pool.reserve(Range.of(0x1a00, 0x1aff));
        AllocatorState before = AllocatorState.of(pool);
        // With the old range free the largest hole is [0x1000, 0x19ff], 0xa00.
        assertThrows(ExhaustedException.class, () -> pool.reallocate(old, Request.of(0xa01)));
        assertThrows(ExhaustedException.class, () -> pool.reallocate(old, Request.of(0x800).aligned(0x1000).phase(0x800)
                .within(0x1000, 0x19ff)));
        before.assertUnchanged(pool, 2);
        assertEquals(new Allocation(old, "old"), pool.allocationContaining(0x1000).orElseThrow());
        pool.free(old);
    }

    // ---- every rule, against a brute-force model ----

    /**
     * Random allocate, reserve, free and reallocate calls on two small spaces (at the bottom and at
     * the very top of the 64-bit range, each two adjacent spans), checked call by call against a
     * model that tries every start: first-match, last-match, next-fit and best-fit must give exactly
     * the model's placement, instant-fit a placement in the model's size class (or exactly
     * best-fit's when constrained), any other policy a valid placement. Free ranges and statistics
     * are compared after every call. Replay with {@code -Dallot.seed=<seed>}.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource(ENGINES_AND_POLICIES)
    void everyPolicyPlacesExactlyAsItsRuleSaysAgainstABruteForceModel(String engine, String policy) {
        long seed = Long.getLong("allot.seed", (engine + "/" + policy).hashCode() * 0x9e3779b97f4a7c15L);
        for (long base : new long[] {0, MAX - 0xff}) {
            try {
                runModel(engine, policy, base, new SplittableRandom(seed), 1500);
            } catch (AssertionError e) {
                throw new AssertionError("model run on " + engine + " " + policy + " at base 0x"
                        + Long.toHexString(base) + " failed; replay with -Dallot.seed=" + seed + ": " + e.getMessage(),
                        e);
            }
        }
    }

    private static void runModel(String engine, String policyName, long base, SplittableRandom random, int ops) {
        Range low = Range.of(base, base + 0x7f);
        Range high = Range.of(base + 0x80, base + 0xff);
        ResourceAllocator pool = Matrix.build(engine, policyName, high, low);
        Model model = new Model(base, policyName);
        int placedByPolicy = 0;
        int refused = 0;
        for (int op = 0; op < ops; op++) {
            int kind = random.nextInt(100);
            String step = "op " + op;
            if (kind < 55) {
                Request request = model.randomRequest(random);
                step += ": allocate " + request;
                Optional<Range> placed = pool.tryAllocate(request);
                model.checkPlacement(request, placed.orElse(null), step);
                placed.ifPresent(range -> model.allocate(range, request.tag(), policyName.equals("next-fit")));
                if (placed.isPresent()) {
                    placedByPolicy++;
                } else {
                    refused++;
                }
            } else if (kind < 65) {
                int from = random.nextInt(0x100);
                Range range = Range.of(base + from, base + Math.min(0xff, from + random.nextInt(0x20)));
                step += ": reserve " + range;
                assertEquals(model.withinOneSpan(range) && model.isFree(range), pool.isFree(range), step + " isFree");
                if (!model.withinOneSpan(range)) {
                    assertThrows(IllegalArgumentException.class, () -> pool.reserve(range, "r"), step);
                } else if (!model.isFree(range)) {
                    assertThrows(OverlapException.class, () -> pool.reserve(range, "r"), step);
                } else {
                    assertEquals(range, pool.reserve(range, "r"), step);
                    model.allocate(range, "r", false);
                }
            } else if (kind < 90) {
                if (model.live.isEmpty() || random.nextInt(10) == 0) {
                    Range bogus = Range.ofSize(base + random.nextInt(0xf0), 1 + random.nextInt(0x10));
                    step += ": free " + bogus;
                    if (!model.live.containsKey(bogus)) {
                        assertThrows(NotAllocatedException.class, () -> pool.free(bogus), step);
                        continue;
                    }
                }
                Range victim = model.anyLive(random);
                step += ": free " + victim;
                pool.free(victim);
                model.free(victim);
            } else if (!model.live.isEmpty()) {
                Range old = model.anyLive(random);
                Request request = model.randomRequest(random);
                step += ": reallocate " + old + " to " + request;
                String oldTag = model.live.get(old);
                model.free(old);
                Optional<Range> moved;
                try {
                    moved = Optional.of(pool.reallocate(old, request));
                } catch (ExhaustedException e) {
                    moved = Optional.empty();
                }
                model.checkPlacement(request, moved.orElse(null), step);
                if (moved.isPresent()) {
                    model.allocate(moved.get(), request.tag() != null ? request.tag() : oldTag, false);
                } else {
                    model.allocate(old, oldTag, false);
                }
            }
            model.checkAgainst(pool, step);
            long value = base + random.nextInt(0x100);
            assertEquals(model.holding(value), pool.allocationContaining(value), step + ": allocationContaining");
        }
        assertTrue(placedByPolicy > ops / 10 && refused > ops / 100,
                "the run exercised too little: " + placedByPolicy + " placed, " + refused + " refused");
    }

    /** Every unit of a 0x100-value space at {@code base}, in two spans of 0x80, tried one by one. */
    private static final class Model {
        final long base;
        final String policy;
        final boolean[] used = new boolean[0x100];
        final TreeMap<Range, String> live = new TreeMap<>();
        long rotor;

        Model(long base, String policy) {
            this.base = base;
            this.policy = policy;
            this.rotor = base;
        }

        Request randomRequest(SplittableRandom random) {
            long size = random.nextInt(4) == 0 ? 1 + random.nextInt(0x90) : 1 + random.nextInt(0x10);
            Request request = Request.of(size);
            if (random.nextBoolean()) {
                long alignment = 1L << random.nextInt(7);
                request = request.aligned(alignment);
                if (random.nextBoolean()) {
                    request = request.phase(random.nextLong(alignment));
                }
            }
            if (random.nextInt(4) == 0) {
                long boundary = Long.highestOneBit(size) << random.nextInt(3);
                if (boundary < size) {
                    boundary <<= 1;
                }
                request = request.noCross(boundary);
            }
            if (random.nextInt(3) == 0) {
                long min = base + random.nextInt(0x100);
                long max = min + random.nextInt((int) (base + 0xff - min) + 1);
                request = request.within(random.nextInt(4) == 0 ? 0 : min, random.nextInt(4) == 0 ? MAX : max);
            }
            return request.tagged(random.nextBoolean() ? "t" + random.nextInt(3) : null);
        }

        boolean withinOneSpan(Range range) {
            long s = range.start() - base;
            long e = range.end() - base;
            return s >= 0 && e <= 0xff && (s < 0x80) == (e < 0x80);
        }

        boolean isFree(Range range) {
            for (long v = range.start() - base; v <= range.end() - base; v++) {
                if (used[(int) v]) {
                    return false;
                }
            }
            return true;
        }

        /** Whether a placement at offset {@code s} is free, inside one span and satisfies {@code r}. */
        boolean fits(Request r, long s) {
            long start = base + s;
            if (s + r.size() - 1 > 0xff) {
                return false;
            }
            long end = start + r.size() - 1;
            return ((start - r.phase()) & (r.alignment() - 1)) == 0
                    && Long.compareUnsigned(start, r.min()) >= 0
                    && Long.compareUnsigned(end, r.max()) <= 0
                    && (r.noCross() == 0 || (start & -r.noCross()) == (end & -r.noCross()))
                    && withinOneSpan(Range.of(start, end))
                    && isFree(Range.of(start, end));
        }

        List<Range> freeSegments() {
            List<Range> out = new ArrayList<>();
            int v = 0;
            while (v < 0x100) {
                if (used[v]) {
                    v++;
                    continue;
                }
                int from = v;
                int spanEnd = v < 0x80 ? 0x7f : 0xff;
                while (v <= spanEnd && !used[v]) {
                    v++;
                }
                out.add(Range.of(base + from, base + v - 1));
            }
            return out;
        }

        /** Every start that fits, ascending. */
        List<Long> candidates(Request r) {
            List<Long> out = new ArrayList<>();
            for (long s = 0; s < 0x100; s++) {
                if (fits(r, s)) {
                    out.add(base + s);
                }
            }
            return out;
        }

        Long bestFit(Request r) {
            List<Range> segments = freeSegments();
            segments.sort(Comparator.comparing(Range::size, Long::compareUnsigned)
                    .thenComparing(Comparator.naturalOrder()));
            List<Long> candidates = candidates(r);
            for (Range segment : segments) {
                for (long s : candidates) {
                    if (segment.contains(Range.ofSize(s, r.size()))) {
                        return s;
                    }
                }
            }
            return null;
        }

        void checkPlacement(Request r, Range placed, String step) {
            List<Long> candidates = candidates(r);
            if (placed != null) {
                assertEquals(r.size(), placed.size(), step);
                assertTrue(candidates.contains(placed.start()), step + ": " + placed + " is not a valid placement");
            }
            Long expected;
            switch (policy) {
                case "first-match" -> expected = candidates.isEmpty() ? null : candidates.get(0);
                case "last-match" -> expected = candidates.isEmpty() ? null : candidates.get(candidates.size() - 1);
                case "next-fit" -> expected = candidates.stream().filter(s -> Long.compareUnsigned(s, rotor) >= 0)
                        .findFirst().orElse(candidates.isEmpty() ? null : candidates.get(0));
                case "best-fit" -> expected = bestFit(r);
                case "instant-fit" -> {
                    boolean constrained = r.alignment() > 1 || r.phase() != 0 || r.noCross() != 0 || r.min() != 0
                            || r.max() != MAX;
                    long sizeClass = Long.highestOneBit(r.size()) == r.size() ? r.size()
                            : Long.highestOneBit(r.size()) << 1;
                    int lowestClass = freeSegments().stream().filter(f -> f.size() >= sizeClass)
                            .mapToInt(f -> 63 - Long.numberOfLeadingZeros(f.size())).min().orElse(-1);
                    if (constrained || lowestClass < 0) {
                        expected = bestFit(r);
                    } else {
                        assertTrue(placed != null, step + ": nothing placed, but a segment of size >= " + sizeClass
                                + " is free");
                        Range segment = freeSegments().stream().filter(f -> f.contains(placed)).findFirst()
                                .orElseThrow();
                        assertEquals(lowestClass, 63 - Long.numberOfLeadingZeros(segment.size()),
                                step + ": " + placed + " is in " + segment + ", not in the lowest big-enough class");
                        return;
                    }
                }
                default -> {
                    return; // a third-party policy: any valid placement (checked above) will do
                }
            }
            assertEquals(expected == null ? null : Range.ofSize(expected, r.size()), placed, step);
        }

        void allocate(Range range, String tag, boolean advancesRotor) {
            for (long v = range.start() - base; v <= range.end() - base; v++) {
                used[(int) v] = true;
            }
            live.put(range, tag);
            if (advancesRotor) {
                rotor = range.end() + 1;
            }
        }

        void free(Range range) {
            for (long v = range.start() - base; v <= range.end() - base; v++) {
                used[(int) v] = false;
            }
            live.remove(range);
        }

        Optional<Allocation> holding(long value) {
            return live.entrySet().stream().filter(e -> e.getKey().contains(value)).findFirst()
                    .map(e -> new Allocation(e.getKey(), e.getValue()));
        }

        Range anyLive(SplittableRandom random) {
            List<Range> all = new ArrayList<>(live.keySet());
            return all.get(random.nextInt(all.size()));
        }

        void checkAgainst(ResourceAllocator pool, String step) {
            List<Range> free = freeSegments();
            assertEquals(free, freeRangesOf(pool), step);
            List<Allocation> allocations = new ArrayList<>();
            live.forEach((range, tag) -> allocations.add(new Allocation(range, tag)));
            assertEquals(allocations, AllocatorState.allocationsOf(pool), step);
            AllocatorStats stats = pool.stats();
            long freeCount = free.stream().mapToLong(Range::size).sum();
            assertEquals(freeCount, stats.free(), step);
            assertEquals(0x100 - freeCount, stats.allocated(), step);
            assertEquals(free.size(), stats.freeSegments(), step);
            assertEquals(free.stream().mapToLong(Range::size).max().orElse(0), stats.largestFree(), step);
            assertEquals(live.size(), stats.liveAllocations(), step);
        }
    }

    // ---- helpers ----

    /** An allocator over {@code span} whose free ranges are exactly {@code free} (ascending): the rest is reserved. */
    private static ResourceAllocator withFree(String engine, String policy, Range span, Range... free) {
        ResourceAllocator pool = Matrix.build(engine, policy, span);
        carve(pool, span, free);
        return pool;
    }

    private static void carve(ResourceAllocator pool, Range span, Range... free) {
        List<Range> wanted = new ArrayList<>(Arrays.asList(free));
        wanted.sort(null);
        long next = span.start();
        for (Range hole : wanted) {
            if (hole.start() != next) {
                pool.reserve(Range.of(next, hole.start() - 1));
            }
            next = hole.end() + 1;
        }
        if (wanted.get(wanted.size() - 1).end() != span.end()) {
            pool.reserve(Range.of(next, span.end()));
        }
        assertEquals(wanted, freeRangesOf(pool));
    }
}
