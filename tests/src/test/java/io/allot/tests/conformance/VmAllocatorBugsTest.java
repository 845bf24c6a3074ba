package io.allot.tests.conformance;

import io.allot.Allocation;
import io.allot.AllocatorStats;
import io.allot.NotAllocatedException;
import io.allot.OverlapException;
import io.allot.Range;
import io.allot.Request;
import io.allot.ResourceAllocator;
import io.allot.tests.Matrix;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Proofs that Allot has none of rust-vmm {@code vm-allocator} 0.1.4's known bugs. Each test names
 * the bug it rules out in its comment, with what vm-allocator does and what Allot must do instead.
 * Run on every engine, and on every policy wherever the allocation is placed by a policy.
 */
class VmAllocatorBugsTest {

    private static final long MAX = 0xffff_ffff_ffff_ffffL;

    private static final String ENGINES = "io.allot.tests.Matrix#engines";
    private static final String ENGINES_AND_POLICIES = "io.allot.tests.Matrix#enginesAndPolicies";

    /*
     * vm-allocator: ExactMatch looks up the node that contains the wanted range without checking
     * that the node is free, so reserving inside an allocated range succeeds and hands the same
     * addresses out twice. Allot: OverlapException, nothing changes.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource(ENGINES_AND_POLICIES)
    void reserveInsideAnAllocatedRangeIsRejected(String engine, String policy) {
        ResourceAllocator pool = Matrix.build(engine, policy, Range.of(0x1000, 0x1fff));
        Range taken = pool.allocate(Request.of(0x800).aligned(0x800));
        AllocatorState before = AllocatorState.of(pool);

        assertThrows(OverlapException.class, () -> pool.reserve(Range.ofSize(taken.start() + 0x100, 0x100)));
        assertThrows(OverlapException.class, () -> pool.reserve(taken));
        assertThrows(OverlapException.class, () -> pool.reserve(Range.ofSize(taken.end(), 1)));
        assertThrows(OverlapException.class, () -> pool.reserve(Range.of(0x1000, 0x1fff)));

        before.assertUnchanged(pool, 4);
        assertEquals(List.of(new Allocation(taken, null)), AllocatorState.allocationsOf(pool));
    }

    /* vm-allocator: freeing a range that is free succeeds. Allot: NotAllocatedException. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource(ENGINES_AND_POLICIES)
    void freeOfAFreeRangeIsRejected(String engine, String policy) {
        ResourceAllocator pool = Matrix.build(engine, policy, Range.of(0x1000, 0x1fff));
        pool.allocate(Request.of(0x100));
        AllocatorState before = AllocatorState.of(pool);

        Range free = AllocatorState.freeRangesOf(pool).get(0);
        assertThrows(NotAllocatedException.class, () -> pool.free(free));
        assertThrows(NotAllocatedException.class, () -> pool.free(Range.ofSize(free.start(), 1)));
        assertThrows(NotAllocatedException.class, () -> pool.free(Range.of(0x1000, 0x1fff)));

        before.assertUnchanged(pool, 0);
    }

    /* vm-allocator: a second free of the same range succeeds. Allot: NotAllocatedException. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource(ENGINES_AND_POLICIES)
    void freeingTwiceIsRejected(String engine, String policy) {
        ResourceAllocator pool = Matrix.build(engine, policy, Range.of(0x1000, 0x1fff));
        Range a = pool.allocate(Request.of(0x100));
        Range b = pool.allocate(Request.of(0x100));
        pool.free(a);
        AllocatorState before = AllocatorState.of(pool);

        assertThrows(NotAllocatedException.class, () -> pool.free(a));

        before.assertUnchanged(pool, 0);
        assertEquals(1, pool.stats().totalFrees());
        pool.free(b);
        assertThrows(NotAllocatedException.class, () -> pool.free(b));
        assertEquals(List.of(Range.of(0x1000, 0x1fff)), AllocatorState.freeRangesOf(pool));
    }

    /*
     * vm-allocator: free() looks for a left neighbour at [start - 2, start - 1], which underflows for
     * a range starting at 1: the node is deleted and the error returned, so the range is lost for
     * good. Allot: the range is freed and merged, all of it free again.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource(ENGINES_AND_POLICIES)
    void rangeStartingAtOneIsWhollyFreed(String engine, String policy) {
        ResourceAllocator pool = Matrix.build(engine, policy, Range.of(1, 0x100));
        Range whole = pool.allocate(Request.of(0x100));
        assertEquals(Range.of(1, 0x100), whole);
        pool.free(whole);
        assertWhollyFree(pool, Range.of(1, 0x100));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void rangeStartingAtOneMergesWithBothNeighbours(String engine) {
        ResourceAllocator pool = Matrix.build(engine, "first-match", Range.of(0, 0xffff));
        pool.reserve(Range.of(0, 0));
        Range one = pool.allocate(Request.of(0x10));
        assertEquals(Range.of(1, 0x10), one);
        pool.free(Range.of(0, 0));
        pool.free(one);
        assertWhollyFree(pool, Range.of(0, 0xffff));
    }

    /*
     * vm-allocator: free() looks for a right neighbour at [end + 1, end + 2], which overflows for a
     * range ending at 2^64 - 2: that range is lost on free. Allot: freed and merged.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource(ENGINES_AND_POLICIES)
    void rangeEndingAtTwoToThe64MinusTwoIsWhollyFreed(String engine, String policy) {
        Range span = Range.of(MAX - 0x100, MAX - 1);
        ResourceAllocator pool = Matrix.build(engine, policy, span);
        Range whole = pool.allocate(Request.of(0x100));
        assertEquals(span, whole);
        pool.free(whole);
        assertWhollyFree(pool, span);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void rangeEndingAtTwoToThe64MinusTwoMergesWithBothNeighbours(String engine) {
        Range span = Matrix.topSpan(engine); // [1, MAX], or its top for engines that cannot hold it
        ResourceAllocator pool = Matrix.build(engine, "last-match", span);
        pool.reserve(Range.of(MAX, MAX));
        Range high = pool.allocate(Request.of(0x10));
        assertEquals(Range.of(MAX - 0x10, MAX - 1), high);
        pool.free(Range.of(MAX, MAX));
        pool.free(high);
        assertWhollyFree(pool, span);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void rangesAtBothEndsOfTheLargestSpansAreWhollyFreed(String engine) {
        // [0, MAX - 1] and [1, MAX], or their ends for engines that cannot hold them.
        for (Range span : List.of(Matrix.bottomSpan(engine), Matrix.topSpan(engine))) {
            ResourceAllocator pool = Matrix.build(engine, "first-match", span);
            long bottom = span.start() | 1; // 1 in both widest spans
            long top = span.end() | 1; // MAX in both widest spans
            Range low = pool.reserve(Range.ofSize(span.start(), 0x10));
            Range nearLow = pool.reserve(Range.ofSize(bottom + 0x10, 1));
            Range high = pool.reserve(Range.of(span.end() - 0xf, span.end()));
            Range nearHigh = pool.reserve(Range.of(top - 0x20, top - 1 - 0x10));
            for (Range r : List.of(nearLow, low, nearHigh, high)) {
                pool.free(r);
            }
            assertWhollyFree(pool, span);
        }
    }

    /*
     * vm-allocator: the neighbour searches look for a 2-value superset, which a free neighbour of
     * size 1 never is, so it is never merged and the space fragments for good. Allot: merged into
     * one maximal free range.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void freeNeighboursOfSizeOneMerge(String engine) {
        ResourceAllocator pool = Matrix.build(engine, "first-match", Range.of(0x100, 0x1ff));
        Range a = pool.reserve(Range.of(0x100, 0x100));
        Range b = pool.reserve(Range.of(0x101, 0x10f));
        Range c = pool.reserve(Range.of(0x110, 0x110));
        Range d = pool.reserve(Range.of(0x111, 0x1ff));
        pool.free(a);
        pool.free(c);
        assertEquals(List.of(a, c), AllocatorState.freeRangesOf(pool));
        pool.free(b);
        assertEquals(List.of(Range.of(0x100, 0x110)), AllocatorState.freeRangesOf(pool));
        assertEquals(1, pool.stats().freeSegments());
        assertEquals(0x11, pool.stats().largestFree());
        pool.free(d);
        assertWhollyFree(pool, Range.of(0x100, 0x1ff));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource(ENGINES_AND_POLICIES)
    void singleValueAllocationsMergeWhenFreed(String engine, String policy) {
        ResourceAllocator pool = Matrix.build(engine, policy, Range.of(10, 14));
        List<Range> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(pool.allocate(Request.of(1)));
        }
        assertEquals(0, pool.stats().free());
        // Free the odd positions first: three one-value holes, then fill the gaps between them.
        ids.sort(null);
        pool.free(ids.get(0));
        pool.free(ids.get(2));
        pool.free(ids.get(4));
        assertEquals(3, pool.stats().freeSegments());
        assertEquals(1, pool.stats().largestFree());
        pool.free(ids.get(1));
        assertEquals(List.of(Range.of(10, 12), Range.of(14, 14)), AllocatorState.freeRangesOf(pool));
        pool.free(ids.get(3));
        assertWhollyFree(pool, Range.of(10, 14));
    }

    /*
     * vm-allocator: ExactMatch at the last unit of a free node fails (an off-by-one in the length
     * check). Allot: reserve works up to and including the segment's last value.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void reserveAtTheLastUnitOfAFreeSegmentWorks(String engine) {
        ResourceAllocator pool = Matrix.build(engine, "first-match", Range.of(0x1000, 0x1fff));
        assertEquals(Range.of(0x1fff, 0x1fff), pool.reserve(Range.of(0x1fff, 0x1fff)));
        pool.reserve(Range.of(0x1800, 0x18ff));
        // Free segments now [0x1000, 0x17ff] and [0x1900, 0x1ffe].
        assertEquals(Range.of(0x17ff, 0x17ff), pool.reserve(Range.of(0x17ff, 0x17ff)));
        assertEquals(Range.of(0x1ef0, 0x1ffe), pool.reserve(Range.of(0x1ef0, 0x1ffe)));
        // And a segment of one value: [0x17fe, 0x17fe] after taking [0x1000, 0x17fd].
        pool.reserve(Range.of(0x1000, 0x17fd));
        assertEquals(List.of(Range.of(0x17fe, 0x17fe), Range.of(0x1900, 0x1eef)), AllocatorState.freeRangesOf(pool));
        assertEquals(Range.of(0x17fe, 0x17fe), pool.reserve(Range.of(0x17fe, 0x17fe)));
        assertEquals(List.of(Range.of(0x1900, 0x1eef)), AllocatorState.freeRangesOf(pool));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void reserveOfAWholeFreeSegmentWorks(String engine) {
        ResourceAllocator pool = Matrix.build(engine, "first-match", Range.of(0x1000, 0x1fff));
        pool.reserve(Range.of(0x1000, 0x10ff));
        pool.reserve(Range.of(0x1200, 0x1fff));
        assertEquals(Range.of(0x1100, 0x11ff), pool.reserve(Range.of(0x1100, 0x11ff)));
        assertEquals(0, pool.stats().free());
        assertEquals(0, pool.stats().freeSegments());
    }

    /*
     * vm-allocator: aligning up and computing end + 1 overflow at the top, so no allocation can
     * end at 2^64 - 1. Allot: allocate (with every policy) and reserve can end there.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource(ENGINES_AND_POLICIES)
    void allocationCanEndAtTwoToThe64MinusOne(String engine, String policy) {
        Range span = Range.of(MAX - 0xfff, MAX);
        ResourceAllocator pool = Matrix.build(engine, policy, span);
        Range whole = pool.allocate(Request.of(0x1000).aligned(0x1000));
        assertEquals(span, whole);
        assertEquals(0xffff_ffff_ffff_ffffL, whole.end());
        pool.free(whole);
        assertWhollyFree(pool, span);

        pool.reserve(Range.of(MAX - 0xfff, MAX - 1));
        assertEquals(Range.of(MAX, MAX), pool.allocate(Request.of(1)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource(ENGINES_AND_POLICIES)
    void allocationInTheWidestSpanCanEndAtTwoToThe64MinusOne(String engine, String policy) {
        Range span = Matrix.topSpan(engine); // [1, MAX]
        ResourceAllocator pool = Matrix.build(engine, policy, span);
        pool.reserve(Range.of(span.start(), MAX - 0x100));
        Range top = pool.allocate(Request.of(0x100));
        assertEquals(Range.of(MAX - 0xff, MAX), top);
        pool.free(top);
        assertEquals(List.of(Range.of(MAX - 0xff, MAX)), AllocatorState.freeRangesOf(pool));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void reserveCanEndAtTwoToThe64MinusOne(String engine) {
        Range span = Range.of(MAX - 0xfff, MAX);
        ResourceAllocator pool = Matrix.build(engine, "first-match", span);
        assertEquals(Range.of(MAX, MAX), pool.reserve(Range.of(MAX, MAX)));
        pool.free(Range.of(MAX, MAX));
        assertEquals(Range.of(MAX - 0xff, MAX), pool.reserve(Range.of(MAX - 0xff, MAX)));
        assertThrows(OverlapException.class, () -> pool.reserve(Range.of(MAX, MAX)));
        assertEquals(List.of(Range.of(MAX - 0xfff, MAX - 0x100)), AllocatorState.freeRangesOf(pool));
        pool.free(Range.of(MAX - 0xff, MAX));
        assertWhollyFree(pool, span);
    }

    // ---- helpers ----

    private static void assertWhollyFree(ResourceAllocator pool, Range span) {
        assertEquals(List.of(span), AllocatorState.freeRangesOf(pool));
        AllocatorStats stats = pool.stats();
        assertEquals(span.size(), stats.capacity());
        assertEquals(span.size(), stats.free());
        assertEquals(0, stats.allocated());
        assertEquals(0, stats.liveAllocations());
        assertEquals(1, stats.freeSegments());
        assertEquals(span.size(), stats.largestFree());
        assertTrue(pool.isFree(span));
    }
}
