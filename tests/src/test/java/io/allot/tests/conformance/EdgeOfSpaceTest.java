package io.allot.tests.conformance;

import io.allot.AllocatorStats;
import io.allot.Allocators;
import io.allot.ExhaustedException;
import io.allot.OverlapException;
import io.allot.Range;
import io.allot.Request;
import io.allot.ResourceAllocator;
import io.allot.tests.Matrix;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;

import static io.allot.tests.conformance.AllocatorState.freeRangesOf;
import static io.allot.tests.conformance.AllocatorState.rotorOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The edges of the space: the top of the unsigned 64-bit range, the two largest spans, one-value
 * spans, adjacent spans that must stay apart, and spans added later.
 *
 * <p>Engines that hold fewer than 2<sup>64</sup>&minus;1 quanta get their spaces from {@link Matrix}:
 * the same widest spans with a coarser quantum, or the same top or bottom of the space with fewer
 * values (see {@link Matrix#topSpan}); expectations are stated in terms of the space, and are the
 * original numbers on an engine without a limit.
 */
class EdgeOfSpaceTest {

    private static final long MAX = 0xffff_ffff_ffff_ffffL;
    private static final long TOP_HALF = 1L << 63;

    private static final String ENGINES = "io.allot.tests.Matrix#engines";
    private static final String ENGINES_AND_POLICIES = "io.allot.tests.Matrix#enginesAndPolicies";

    // ---- the widest spans ----

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void widestSpansReportTwoToThe64MinusOneValues(String engine) {
        long quantum = Matrix.widestQuantum(engine);
        for (Range span : Matrix.widestSpans(engine)) {
            ResourceAllocator pool = Matrix.build(engine, "first-match", quantum, span);
            AllocatorStats stats = pool.stats();
            assertEquals(MAX - (quantum - 1), span.size(), span::toString); // MAX with quantum 1
            assertEquals(span.size(), stats.capacity(), span::toString);
            assertEquals(span.size(), stats.free(), span::toString);
            assertEquals(span.size(), stats.largestFree(), span::toString);
            assertEquals(1, stats.freeSegments(), span::toString);
            assertEquals(0, stats.allocated(), span::toString);
            assertEquals(0.0, stats.fragmentation(), span::toString);
            assertEquals(List.of(span), freeRangesOf(pool));
            assertEquals(List.of(span), pool.spans());
            assertTrue(pool.isFree(span));
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource(ENGINES_AND_POLICIES)
    void wholeWidestSpanCanBeAllocatedAndFreed(String engine, String policy) {
        long quantum = Matrix.widestQuantum(engine);
        for (Range span : Matrix.widestSpans(engine)) {
            ResourceAllocator pool = Matrix.build(engine, policy, quantum, span);
            Range all = pool.allocate(Request.of(span.size())); // MAX with quantum 1
            assertEquals(span, all);
            assertEquals(span.size(), pool.stats().allocated());
            assertEquals(0, pool.stats().free());
            assertEquals(0, pool.stats().freeSegments());
            assertEquals(0, pool.stats().largestFree());
            assertEquals(List.of(), freeRangesOf(pool));
            assertThrows(ExhaustedException.class, () -> pool.allocate(Request.of(1)));
            pool.free(all);
            assertEquals(List.of(span), freeRangesOf(pool));
            assertEquals(span.size(), pool.stats().free());
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource(ENGINES_AND_POLICIES)
    void topHalfAlignedToTwoToThe63EndsAtTheTop(String engine, String policy) {
        Range span = Matrix.widestSpans(engine).get(1); // [1, MAX] with quantum 1
        ResourceAllocator pool = Matrix.build(engine, policy, Matrix.widestQuantum(engine), span);
        assertEquals(Range.of(TOP_HALF, MAX), pool.allocate(Request.of(TOP_HALF).aligned(TOP_HALF)));
        assertEquals(List.of(Range.of(span.start(), TOP_HALF - 1)), freeRangesOf(pool));
        assertThrows(ExhaustedException.class, () -> pool.allocate(Request.of(TOP_HALF)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void lastMatchAllocationsEndAtTheTop(String engine) {
        Range span = Matrix.topSpan(engine); // [1, MAX]
        ResourceAllocator pool = Matrix.build(engine, "last-match", span);
        assertEquals(Range.of(MAX - 0xf, MAX), pool.allocate(Request.of(0x10)));
        assertEquals(Range.of(MAX - 0x1f, MAX - 0x10), pool.allocate(Request.of(0x10)));
        assertEquals(Range.of(MAX - 0x1fff, MAX - 0x1000), pool.allocate(Request.of(0x1000).aligned(0x1000)));
        assertEquals(Range.of(MAX - 0xfff, MAX - 0x20), pool.allocate(Request.of(0xfe0)));
        assertEquals(List.of(Range.of(span.start(), MAX - 0x2000)), freeRangesOf(pool));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void windowEndingAtTheTopIsHonoured(String engine) {
        long bottom = Matrix.topSpan(engine).start(); // 1
        ResourceAllocator pool = Matrix.build(engine, "first-match", Range.of(bottom, MAX - 1), Range.of(MAX, MAX));
        assertEquals(Range.of(MAX, MAX), pool.allocate(Request.of(1).within(MAX, MAX)));
        assertEquals(Range.of(MAX - 0x10, MAX - 1), pool.allocate(Request.of(0x10).within(MAX - 0x10, MAX)));
        assertThrows(ExhaustedException.class, () -> pool.allocate(Request.of(2).within(MAX - 1, MAX)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void freeAndMergeAtTheTopLoseNothing(String engine) {
        Range span = Matrix.topSpan(engine); // [1, MAX]
        long low = span.start();
        ResourceAllocator pool = Matrix.build(engine, "first-match", span);
        Range a = pool.reserve(Range.of(MAX - 0xff, MAX - 0x80));
        Range b = pool.reserve(Range.of(MAX - 0x7f, MAX - 1));
        Range c = pool.reserve(Range.of(MAX, MAX));
        Range d = pool.reserve(Range.of(low, low));
        assertEquals(List.of(Range.of(low + 1, MAX - 0x100)), freeRangesOf(pool));
        pool.free(c);
        assertEquals(List.of(Range.of(low + 1, MAX - 0x100), Range.of(MAX, MAX)), freeRangesOf(pool));
        pool.free(a);
        assertEquals(List.of(Range.of(low + 1, MAX - 0x80), Range.of(MAX, MAX)), freeRangesOf(pool));
        assertEquals(2, pool.stats().freeSegments());
        pool.free(b);
        assertEquals(List.of(Range.of(low + 1, MAX)), freeRangesOf(pool));
        pool.free(d);
        assertEquals(List.of(span), freeRangesOf(pool));
        assertEquals(span.size(), pool.stats().free()); // MAX
        assertEquals(span.size(), pool.stats().largestFree());
        assertEquals(1, pool.stats().freeSegments());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void freeAtTheBottomOfTheLowWidestSpanLosesNothing(String engine) {
        Range span = Matrix.bottomSpan(engine); // [0, MAX - 1]
        ResourceAllocator pool = Matrix.build(engine, "first-match", span);
        Range zero = pool.allocate(Request.of(1));
        Range next = pool.allocate(Request.of(1));
        Range top = pool.reserve(Range.of(span.end(), span.end()));
        assertEquals(Range.of(0, 0), zero);
        assertEquals(Range.of(1, 1), next);
        pool.free(next);
        pool.free(top);
        pool.free(zero);
        assertEquals(List.of(span), freeRangesOf(pool));
        assertEquals(span.size(), pool.stats().free()); // MAX
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void freeContainingTheTopValueFreesItsAllocation(String engine) {
        ResourceAllocator pool = Matrix.build(engine, "last-match", Matrix.topSpan(engine));
        Range top = pool.allocate(Request.of(0x100));
        assertEquals(top, pool.allocationContaining(MAX).orElseThrow().range());
        assertEquals(top, pool.freeContaining(MAX));
        assertTrue(pool.allocationContaining(MAX).isEmpty());
        assertTrue(pool.isFree(Range.of(MAX, MAX)));
    }

    // ---- next-fit rotor at the top ----

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void nextFitRotorWrapsToZeroAfterAnAllocationEndingAtTheTop(String engine) {
        ResourceAllocator pool = Matrix.build(engine, "next-fit", Range.of(MAX - 0xff, MAX));
        Range low = pool.allocate(Request.of(0x80));
        assertEquals(Range.of(MAX - 0xff, MAX - 0x80), low);
        assertEquals(Range.of(MAX - 0x7f, MAX), pool.allocate(Request.of(0x80)));
        assertEquals(0, rotorOf(pool));
        pool.free(low);
        assertEquals(Range.of(MAX - 0xff, MAX - 0xf0), pool.allocate(Request.of(0x10)));
        assertEquals(MAX - 0xef, rotorOf(pool));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void nextFitRotorAtZeroContinuesFromTheBottomSpan(String engine) {
        ResourceAllocator pool = Matrix.build(engine, "next-fit", Range.of(0, 0xff), Range.of(MAX - 0xff, MAX));
        pool.reserve(Range.of(0, 0xff));
        assertEquals(Range.of(MAX - 0xff, MAX), pool.allocate(Request.of(0x100)));
        assertEquals(0, rotorOf(pool));
        pool.free(Range.of(0, 0xff));
        assertEquals(Range.of(0, 0xf), pool.allocate(Request.of(0x10)));
        assertEquals(0x10, rotorOf(pool));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void nextFitAllocatesTheTopValueItself(String engine) {
        ResourceAllocator pool = Matrix.build(engine, "next-fit", Range.of(MAX - 2, MAX));
        assertEquals(Range.of(MAX - 2, MAX - 2), pool.allocate(Request.of(1)));
        assertEquals(Range.of(MAX - 1, MAX - 1), pool.allocate(Request.of(1)));
        assertEquals(Range.of(MAX, MAX), pool.allocate(Request.of(1)));
        assertEquals(0, rotorOf(pool));
        pool.free(Range.of(MAX - 1, MAX - 1));
        assertEquals(Range.of(MAX - 1, MAX - 1), pool.allocate(Request.of(1)));
        assertThrows(ExhaustedException.class, () -> pool.allocate(Request.of(1)));
    }

    // ---- one-value spans ----

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource(ENGINES_AND_POLICIES)
    void oneValueSpansAllocateTheirOneValue(String engine, String policy) {
        for (long value : new long[] {0, 1, 0x10, TOP_HALF, MAX - 1, MAX}) {
            Range span = Range.of(value, value);
            ResourceAllocator pool = Matrix.build(engine, policy, span);
            assertEquals(1, pool.stats().capacity());
            assertThrows(ExhaustedException.class, () -> pool.allocate(Request.of(2)));
            assertEquals(span, pool.allocate(Request.of(1)));
            assertThrows(ExhaustedException.class, () -> pool.allocate(Request.of(1)));
            assertFalse(pool.isFree(span));
            pool.free(span);
            assertEquals(List.of(span), freeRangesOf(pool));
            assertEquals(span, pool.reserve(span, "only"));
            assertEquals("only", pool.allocationContaining(value).orElseThrow().tag());
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource(ENGINES_AND_POLICIES)
    void manyOneValueSpansAreAllUsedAndNeverJoined(String engine, String policy) {
        Allocators.Builder builder = Allocators.builder().engine(engine).policy(policy);
        for (long v = 0; v < 8; v++) {
            builder.span(Range.of(v, v));
        }
        ResourceAllocator pool = builder.build();
        assertEquals(8, pool.stats().freeSegments());
        assertEquals(1, pool.stats().largestFree());
        assertThrows(ExhaustedException.class, () -> pool.allocate(Request.of(2)));
        for (int i = 0; i < 8; i++) {
            assertEquals(1, pool.allocate(Request.of(1)).size());
        }
        assertThrows(ExhaustedException.class, () -> pool.allocate(Request.of(1)));
        for (long v = 0; v < 8; v++) {
            pool.free(Range.of(v, v));
        }
        assertEquals(8, pool.stats().freeSegments());
        assertEquals(8, freeRangesOf(pool).size());
    }

    // ---- adjacent spans ----

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void adjacentSpansAreNeverMerged(String engine) {
        ResourceAllocator pool = Matrix.build(engine, "first-match", Range.of(0x2000, 0x2fff),
                Range.of(0x1000, 0x1fff));
        assertEquals(List.of(Range.of(0x1000, 0x1fff), Range.of(0x2000, 0x2fff)), pool.spans());
        assertEquals(List.of(Range.of(0x1000, 0x1fff), Range.of(0x2000, 0x2fff)), freeRangesOf(pool));
        AllocatorStats stats = pool.stats();
        assertEquals(2, stats.freeSegments());
        assertEquals(0x1000, stats.largestFree());
        assertEquals(0x2000, stats.free());
        assertEquals(0.5, stats.fragmentation());

        assertTrue(pool.isFree(Range.of(0x1000, 0x1fff)));
        assertTrue(pool.isFree(Range.of(0x2000, 0x2fff)));
        assertFalse(pool.isFree(Range.of(0x1fff, 0x2000)));
        assertFalse(pool.isFree(Range.of(0x1000, 0x2fff)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void adjacentSpansStayApartAfterFreesAtTheirBoundary(String engine) {
        ResourceAllocator pool = Matrix.build(engine, "first-match", Range.of(0x1000, 0x1fff),
                Range.of(0x2000, 0x2fff));
        Range low = pool.reserve(Range.of(0x1f00, 0x1fff));
        Range high = pool.reserve(Range.of(0x2000, 0x20ff));
        Range lower = pool.reserve(Range.of(0x1000, 0x1eff));
        pool.free(low);
        pool.free(high);
        assertEquals(List.of(Range.of(0x1f00, 0x1fff), Range.of(0x2000, 0x2fff)), freeRangesOf(pool));
        pool.free(lower);
        assertEquals(List.of(Range.of(0x1000, 0x1fff), Range.of(0x2000, 0x2fff)), freeRangesOf(pool));
        assertEquals(2, pool.stats().freeSegments());
        assertEquals(0x1000, pool.stats().largestFree());
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource(ENGINES_AND_POLICIES)
    void placementNeverCrossesFromOneSpanIntoTheNext(String engine, String policy) {
        ResourceAllocator pool = Matrix.build(engine, policy, Range.of(0x1000, 0x1fff), Range.of(0x2000, 0x2fff));
        assertThrows(ExhaustedException.class, () -> pool.allocate(Request.of(0x1001)));
        pool.reserve(Range.of(0x1000, 0x1f7f));
        pool.reserve(Range.of(0x2080, 0x2fff));
        // 0x100 free values, [0x1f80, 0x207f], but only across the span boundary.
        AllocatorState before = AllocatorState.of(pool);
        assertThrows(ExhaustedException.class, () -> pool.allocate(Request.of(0x100)));
        assertTrue(pool.tryAllocate(Request.of(0x81)).isEmpty());
        before.assertUnchanged(pool, 2);
        Range a = pool.allocate(Request.of(0x80));
        Range b = pool.allocate(Request.of(0x80));
        assertEquals(List.of(Range.of(0x1f80, 0x1fff), Range.of(0x2000, 0x207f)),
                a.compareTo(b) < 0 ? List.of(a, b) : List.of(b, a));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void adjacentSpansAtTheTopStayApart(String engine) {
        Range lower = Range.of(Matrix.topSpan(engine).start(), MAX - 1); // [1, MAX - 1]
        ResourceAllocator pool = Matrix.build(engine, "last-match", lower, Range.of(MAX, MAX));
        assertEquals(2, pool.stats().freeSegments());
        assertEquals(lower.size(), pool.stats().largestFree()); // MAX - 1
        assertEquals(lower.size() + 1, pool.stats().capacity()); // MAX
        assertEquals(Range.of(MAX, MAX), pool.allocate(Request.of(1)));
        assertEquals(Range.of(MAX - 2, MAX - 1), pool.allocate(Request.of(2)));
        assertFalse(pool.isFree(Range.of(MAX - 1, MAX)));
        pool.free(Range.of(MAX, MAX));
        pool.free(Range.of(MAX - 2, MAX - 1));
        assertEquals(List.of(lower, Range.of(MAX, MAX)), freeRangesOf(pool));
        assertFalse(pool.isFree(Range.of(MAX - 1, MAX)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void isFreeIsFalseOutsideEverySpan(String engine) {
        ResourceAllocator pool = Matrix.build(engine, "first-match", Range.of(0x1000, 0x1fff),
                Range.of(0x3000, 0x3fff));
        assertFalse(pool.isFree(Range.of(0x2000, 0x2fff)));
        assertFalse(pool.isFree(Range.of(0x1800, 0x37ff)));
        assertFalse(pool.isFree(Range.of(0xfff, 0x1000)));
        assertFalse(pool.isFree(Range.of(0, 0)));
        assertFalse(pool.isFree(Range.of(MAX, MAX)));
        assertTrue(pool.isFree(Range.of(0x3fff, 0x3fff)));
    }

    // ---- addSpan ----

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource(ENGINES_AND_POLICIES)
    void addSpanGrowsTheSpace(String engine, String policy) {
        ResourceAllocator pool = Matrix.build(engine, policy, Range.of(0x1000, 0x1fff));
        pool.allocate(Request.of(0x1000));
        assertThrows(ExhaustedException.class, () -> pool.allocate(Request.of(0x10)));
        pool.addSpan(Range.of(0x4000, 0x4fff));
        assertEquals(List.of(Range.of(0x1000, 0x1fff), Range.of(0x4000, 0x4fff)), pool.spans());
        assertEquals(0x2000, pool.stats().capacity());
        assertEquals(0x1000, pool.stats().free());
        Range grown = pool.allocate(Request.of(0x10));
        assertTrue(Range.of(0x4000, 0x4fff).contains(grown), grown.toString());
        pool.addSpan(Range.of(0, 0xfff));
        assertEquals(List.of(Range.of(0, 0xfff), Range.of(0x1000, 0x1fff), Range.of(0x4000, 0x4fff)), pool.spans());
        assertEquals(0x3000, pool.stats().capacity());
        assertEquals(Range.of(0, 0xfff), freeRangesOf(pool).get(0), "the new span is not merged with the next");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void addSpanToAnAllocatorBuiltWithoutSpans(String engine) {
        ResourceAllocator pool = Allocators.builder().engine(engine).build();
        assertEquals(List.of(), pool.spans());
        assertEquals(0, pool.stats().capacity());
        assertThrows(ExhaustedException.class, () -> pool.allocate(Request.of(1)));
        pool.addSpan(Range.of(0x100, 0x1ff));
        assertEquals(Range.of(0x100, 0x10f), pool.allocate(Request.of(0x10)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void addSpanOverlappingASpanIsRejected(String engine) {
        ResourceAllocator pool = Matrix.build(engine, "first-match", Range.of(0x1000, 0x1fff),
                Range.of(0x4000, 0x4fff));
        pool.reserve(Range.of(0x1000, 0x10ff));
        AllocatorState before = AllocatorState.of(pool);
        for (Range overlapping : List.of(Range.of(0x1000, 0x1fff), Range.of(0x1800, 0x27ff), Range.of(0x800, 0x1000),
                Range.of(0x1fff, 0x3fff), Range.of(0, MAX - 1), Range.of(0x1100, 0x11ff), Range.of(0x4fff, 0x4fff))) {
            OverlapException e = assertThrows(OverlapException.class, () -> pool.addSpan(overlapping),
                    overlapping::toString);
            assertTrue(e.getMessage().contains(overlapping.toString()), e.getMessage());
        }
        before.assertUnchanged(pool, 0);
        pool.addSpan(Range.of(0x2000, 0x3fff));
        assertEquals(3, pool.spans().size());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void spansTogetherHoldingTwoToThe64ValuesAreRejected(String engine) {
        long q = Matrix.widestQuantum(engine); // 1: the spans below are [0, MAX - 1], [MAX, MAX], ...
        ResourceAllocator low = Matrix.build(engine, "first-match", q, Range.of(0, MAX - q));
        assertThrows(IllegalArgumentException.class, () -> low.addSpan(Range.of(-q, MAX)));
        assertEquals(List.of(Range.of(0, MAX - q)), low.spans());

        ResourceAllocator high = Matrix.build(engine, "first-match", q, Range.of(q, MAX));
        assertThrows(IllegalArgumentException.class, () -> high.addSpan(Range.of(0, q - 1)));
        assertEquals(-q, high.stats().capacity()); // 2^64 - q: MAX

        ResourceAllocator halves = Matrix.build(engine, "first-match", q, Range.of(0, TOP_HALF - 1));
        assertThrows(IllegalArgumentException.class, () -> halves.addSpan(Range.of(TOP_HALF, MAX)));
        halves.addSpan(Range.of(TOP_HALF, MAX - q));
        assertEquals(-q, halves.stats().capacity());

        assertThrows(IllegalArgumentException.class, () -> Allocators.builder().engine(engine).quantum(q)
                .span(Range.of(0, TOP_HALF - 1)).span(Range.of(TOP_HALF, MAX)).build());
        assertThrows(IllegalArgumentException.class, () -> Allocators.builder().engine(engine).quantum(q)
                .span(Range.of(q, MAX)).span(Range.of(0, q - 1)).build());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void spansListIsAnUnmodifiableCopy(String engine) {
        ResourceAllocator pool = Matrix.build(engine, "first-match", Range.of(0x1000, 0x1fff));
        List<Range> spans = pool.spans();
        assertThrows(UnsupportedOperationException.class, () -> spans.add(Range.of(0x4000, 0x4fff)));
        pool.addSpan(Range.of(0x4000, 0x4fff));
        assertEquals(List.of(Range.of(0x1000, 0x1fff)), spans);
    }
}
