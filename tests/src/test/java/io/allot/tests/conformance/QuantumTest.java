package io.allot.tests.conformance;

import io.allot.AllocatorStats;
import io.allot.Allocators;
import io.allot.ExhaustedException;
import io.allot.NotAllocatedException;
import io.allot.Range;
import io.allot.Request;
import io.allot.ResourceAllocator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.SplittableRandom;

import static io.allot.tests.conformance.AllocatorState.freeRangesOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The quantum rules: it is the unit of the space; spans sit on its boundaries; sizes round up to
 * it (and the returned range shows the rounded size); alignment is at least the quantum; phases
 * must be multiples of it; statistics count values, not quanta.
 */
class QuantumTest {

    private static final long MAX = 0xffff_ffff_ffff_ffffL;
    private static final long Q = 0x1000;
    private static final Range SPAN = Range.of(0x10000, 0x1ffff);

    private static final String ENGINES = "io.allot.tests.Matrix#engines";
    private static final String ENGINES_AND_POLICIES = "io.allot.tests.Matrix#enginesAndPolicies";

    private static ResourceAllocator paged(String engine, String policy, Range... spans) {
        Allocators.Builder builder = Allocators.builder().engine(engine).policy(policy).quantum(Q);
        for (Range span : spans.length == 0 ? new Range[] {SPAN} : spans) {
            builder.span(span);
        }
        return builder.build();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void quantumIsReportedAndDefaultsToOne(String engine) {
        assertEquals(Q, paged(engine, "first-match").quantum());
        assertEquals(1, Allocators.builder().engine(engine).span(SPAN).build().quantum());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void sizesAreRoundedUpAndTheRangeShowsTheRoundedSize(String engine) {
        ResourceAllocator pool = paged(engine, "first-match");
        assertEquals(Range.of(0x10000, 0x10fff), pool.allocate(Request.of(1)));
        assertEquals(Range.of(0x11000, 0x12fff), pool.allocate(Request.of(0x1001)));
        assertEquals(Range.of(0x13000, 0x13fff), pool.allocate(Request.of(0x1000)));
        assertEquals(Range.of(0x14000, 0x14fff), pool.tryAllocate(Request.of(0xfff)).orElseThrow());
        assertEquals(0x5000, pool.stats().allocated());
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource(ENGINES_AND_POLICIES)
    void everyPolicyPlacesOnQuantumBoundaries(String engine, String policy) {
        ResourceAllocator pool = paged(engine, policy);
        SplittableRandom random = new SplittableRandom(0x5eed);
        long allocated = 0;
        for (int i = 0; i < 8; i++) { // at most 8 x 0x2000 once rounded: always fits
            long size = 1 + random.nextLong(0x1800);
            Range placed = pool.allocate(Request.of(size).aligned(1L << random.nextInt(4)));
            assertEquals(0, placed.start() % Q, placed::toString);
            assertEquals(0, placed.size() % Q, placed::toString);
            assertEquals((size + Q - 1) / Q * Q, placed.size(), placed::toString);
            allocated += placed.size();
        }
        assertEquals(allocated, pool.stats().allocated());
        for (Range free : freeRangesOf(pool)) {
            assertEquals(0, free.start() % Q, free::toString);
            assertEquals(0, free.size() % Q, free::toString);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void effectiveAlignmentIsTheLargerOfAlignmentAndQuantum(String engine) {
        ResourceAllocator pool = paged(engine, "first-match");
        pool.reserve(Range.of(0x10000, 0x10fff));
        assertEquals(Range.of(0x11000, 0x11fff), pool.allocate(Request.of(0x10).aligned(0x10)));
        assertEquals(Range.of(0x14000, 0x14fff), pool.allocate(Request.of(0x10).aligned(0x4000)));
        ResourceAllocator top = paged(engine, "last-match");
        assertEquals(Range.of(0x1f000, 0x1ffff), top.allocate(Request.of(1)));
        assertEquals(Range.of(0x1c000, 0x1cfff), top.allocate(Request.of(1).aligned(0x4000)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void phaseThatIsAMultipleOfTheQuantumIsHonoured(String engine) {
        ResourceAllocator pool = paged(engine, "first-match");
        assertEquals(Range.of(0x11000, 0x11fff), pool.allocate(Request.of(Q).aligned(0x4000).phase(0x1000)));
        assertEquals(Range.of(0x13000, 0x13fff), pool.allocate(Request.of(1).aligned(0x4000).phase(0x3000)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void phaseNotAMultipleOfTheQuantumIsRejected(String engine) {
        ResourceAllocator pool = paged(engine, "first-match");
        AllocatorState before = AllocatorState.of(pool);
        Request offQuantum = Request.of(Q).aligned(0x4000).phase(0x800);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> pool.allocate(offQuantum));
        assertTrue(e.getMessage().contains("0x800"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> pool.tryAllocate(offQuantum));
        assertThrows(IllegalArgumentException.class,
                () -> pool.allocate(offQuantum, Allocators.policy("last-match")));
        assertThrows(IllegalArgumentException.class, () -> pool.allocate(Request.of(1).aligned(2).phase(1)));
        before.assertUnchanged(pool, 4);

        Range held = pool.allocate(Request.of(Q));
        AllocatorState holding = AllocatorState.of(pool);
        assertThrows(IllegalArgumentException.class, () -> pool.reallocate(held, offQuantum));
        holding.assertUnchanged(pool, 1);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void spansOffTheQuantumAreRejected(String engine) {
        for (Range off : List.of(Range.of(0x10800, 0x1ffff), Range.of(0x10000, 0x107ff), Range.of(0x10001, 0x10fff),
                Range.of(0, 0))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> paged(engine, "first-match", off), off::toString);
            assertTrue(e.getMessage().contains(off.toString()), e.getMessage());
        }
        ResourceAllocator pool = paged(engine, "first-match");
        AllocatorState before = AllocatorState.of(pool);
        assertThrows(IllegalArgumentException.class, () -> pool.addSpan(Range.of(0x20000, 0x207ff)));
        assertThrows(IllegalArgumentException.class, () -> pool.addSpan(Range.of(0x20800, 0x20fff)));
        before.assertUnchanged(pool, 0);
        pool.addSpan(Range.of(0x20000, 0x20fff));
        assertEquals(2, pool.spans().size());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void spanEndingAtTheTopIsOnEveryQuantumBoundary(String engine) {
        Range top = Range.of(-Q, MAX);
        ResourceAllocator pool = paged(engine, "first-match", top);
        assertEquals(top, pool.allocate(Request.of(1)));
        ResourceAllocator big = Allocators.builder().engine(engine).quantum(1L << 63).span(Range.of(1L << 63, MAX))
                .build();
        assertEquals(Range.of(1L << 63, MAX), big.allocate(Request.of(1)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void statsCountValuesNotQuanta(String engine) {
        ResourceAllocator pool = paged(engine, "first-match", SPAN, Range.of(0x40000, 0x43fff));
        AllocatorStats empty = pool.stats();
        assertEquals(0x14000, empty.capacity());
        assertEquals(0x14000, empty.free());
        assertEquals(0x10000, empty.largestFree());
        assertEquals(2, empty.freeSegments());
        pool.allocate(Request.of(0x10));
        pool.reserve(Range.of(0x40000, 0x41fff));
        AllocatorStats used = pool.stats();
        assertEquals(0x3000, used.allocated());
        assertEquals(0x11000, used.free());
        assertEquals(0xf000, used.largestFree());
        assertEquals(2, used.liveAllocations());
        assertEquals(List.of(Range.of(0x11000, 0x1ffff), Range.of(0x42000, 0x43fff)), freeRangesOf(pool));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void freeNeedsTheRoundedRange(String engine) {
        ResourceAllocator pool = paged(engine, "first-match");
        Range placed = pool.allocate(Request.of(1));
        assertThrows(NotAllocatedException.class, () -> pool.free(Range.of(0x10000, 0x10000)));
        assertEquals(placed, pool.freeContaining(0x10800));
        assertEquals(List.of(SPAN), freeRangesOf(pool));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void noCrossBelowTheRoundedSizeAdmitsNothing(String engine) {
        ResourceAllocator pool = paged(engine, "first-match");
        AllocatorState before = AllocatorState.of(pool);
        // Valid as a request (noCross 0x800 >= size 0x800) but the size rounds up to 0x1000.
        assertThrows(ExhaustedException.class, () -> pool.allocate(Request.of(0x800).noCross(0x800)));
        assertTrue(pool.tryAllocate(Request.of(0x800).noCross(0x800)).isEmpty());
        before.assertUnchanged(pool, 2);
        assertEquals(Range.of(0x10000, 0x10fff), pool.allocate(Request.of(0x800).noCross(0x1000)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource(ENGINES_AND_POLICIES)
    void roundingPastTheTopIsExhaustedNotWrapped(String engine, String policy) {
        ResourceAllocator pool = paged(engine, policy, SPAN, Range.of(-Q, MAX));
        AllocatorState before = AllocatorState.of(pool);
        for (Request request : List.of(Request.of(MAX), Request.of(-Q + 1), Request.of(MAX).aligned(Q))) {
            assertThrows(ExhaustedException.class, () -> pool.allocate(request), request::toString);
        }
        before.assertUnchanged(pool, 3);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void windowIsTakenInValuesAndMustHoldTheRoundedSize(String engine) {
        ResourceAllocator pool = paged(engine, "first-match");
        assertEquals(Range.of(0x12000, 0x12fff), pool.allocate(Request.of(1).within(0x11001, MAX)));
        assertThrows(ExhaustedException.class, () -> pool.allocate(Request.of(1).within(0x13000, 0x13ffe)));
        assertEquals(Range.of(0x13000, 0x13fff), pool.allocate(Request.of(1).within(0x13000, 0x13fff)));
    }

    /**
     * Requests reused many times, whose rounded sizes fall on the same slot of the allocator's
     * memo of normalised requests (sizes 256 quanta apart) and which differ only in tag, window or
     * alignment: each call gets its own request's placement and tag, never a neighbour's.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void reusedRequestsKeepTheirOwnConstraintsAndTags(String engine) {
        Range span = Range.of(0, (1L << 24) - 1); // 4096 quanta
        ResourceAllocator pool = Allocators.builder().engine(engine).quantum(Q).span(span).build();
        Request[] requests = {
                Request.of(1).tagged("a"),
                Request.of(Q).tagged("b"),
                Request.of(Q + 1 + 256 * Q),                 // 258 quanta: slot 2
                Request.of(2 * Q).within(0x800_000, span.end()),
                Request.of(2 * Q).aligned(16 * Q),
                Request.of(1 + 256 * Q).tagged("c"),         // 257 quanta: slot 1, as "a" and "b"
        };
        SplittableRandom random = new SplittableRandom(0x5EED);
        for (int step = 0; step < 2_000; step++) {
            Request request = requests[random.nextInt(requests.length)];
            Range placed = pool.allocate(request);
            String where = engine + " step " + step + ": " + request + " -> " + placed;
            long rounded = (request.size() + Q - 1) & -Q;
            assertEquals(rounded, placed.size(), where);
            assertTrue(placed.start() % Math.max(Q, request.alignment()) == 0, where);
            assertTrue(placed.start() >= request.min(), where);
            assertEquals(request.tag(), pool.allocationContaining(placed.start()).orElseThrow().tag(), where);
            pool.free(placed);
        }
        assertEquals(0, pool.stats().allocated());
    }
}
