package io.allot.tests.conformance;

import io.allot.Allocators;
import io.allot.Range;
import io.allot.Request;
import io.allot.ResourceAllocator;
import io.allot.tests.Matrix;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Set;

import static io.allot.tests.conformance.AllocatorState.allocationsOf;
import static io.allot.tests.conformance.AllocatorState.freeRangesOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Proofs that Allot has neither of the Rust {@code vmem} crate 1.0.0's two bugs. Each test names
 * what the crate does and what Allot must do instead; both are contract behaviour, so they run on
 * every engine and every policy.
 */
class VmemCrateBugsTest {

    private static final String ENGINES_AND_POLICIES = "io.allot.tests.Matrix#enginesAndPolicies";
    private static final long PAGE = 0x1000;
    private static final Set<String> STANDARD =
            Set.of("best-fit", "first-match", "instant-fit", "last-match", "next-fit");

    /*
     * The crate: freeing a segment whose neighbours are both free merges it with one of them only,
     * leaving two adjacent free segments, so a request for the whole span fails. Allot: one free
     * segment of three pages that a three-page request gets, with every policy.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource(ENGINES_AND_POLICIES)
    void freeBetweenTwoFreeNeighboursMergesWithBoth(String engine, String policy) {
        ResourceAllocator pool = Allocators.builder().engine(engine).policy(policy).quantum(PAGE)
                .span(Range.of(0, 3 * PAGE - 1)).build();
        Range[] pages = new Range[3];
        for (int i = 0; i < 3; i++) {
            pages[i] = pool.reserve(Range.ofSize(i * PAGE, PAGE));
        }
        pool.free(pages[0]);
        pool.free(pages[2]);
        assertEquals(List.of(pages[0], pages[2]), freeRangesOf(pool));
        pool.free(pages[1]);

        assertEquals(List.of(Range.of(0, 3 * PAGE - 1)), freeRangesOf(pool));
        assertEquals(1, pool.stats().freeSegments());
        assertEquals(3 * PAGE, pool.stats().largestFree());
        assertEquals(Range.of(0, 3 * PAGE - 1), pool.allocate(Request.of(3 * PAGE)));
        assertEquals(List.of(), freeRangesOf(pool));
    }

    /*
     * The crate: an aligned xalloc whose first aligned start is the segment's own start still
     * splits off a "left remainder" of size 0 and puts it on a free list, corrupting the lists.
     * Allot: no empty segment anywhere; the free ranges are exactly the remainders, each of which
     * a request of its full size gets, and freeing everything leaves the span whole.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource(ENGINES_AND_POLICIES)
    void alignedPlacementNeedingNoOffsetLeavesNoEmptySegment(String engine, String policy) {
        Range span = Range.of(0x1_0000, 0x1_ffff);
        ResourceAllocator pool = Matrix.build(engine, policy, span);
        Range placed = pool.allocate(Request.of(PAGE).aligned(0x4000));
        assertEquals(0, placed.start() % 0x4000, placed + " is not aligned");
        if (STANDARD.contains(policy)) { // a third-party policy may place it anywhere aligned
            boolean top = policy.equals("last-match");
            assertEquals(top ? Range.of(0x1_c000, 0x1_cfff) : Range.of(0x1_0000, 0x1_0fff), placed);
            assertEquals(top ? List.of(Range.of(0x1_0000, 0x1_bfff), Range.of(0x1_d000, 0x1_ffff))
                    : List.of(Range.of(0x1_1000, 0x1_ffff)), freeRangesOf(pool));
        }
        List<Range> free = freeRangesOf(pool);
        assertEquals(free.size(), pool.stats().freeSegments());
        for (Range rest : free) {
            assertTrue(rest.size() > 0);
            assertEquals(rest, pool.reserve(rest), "the remainder " + rest + " is whole");
        }
        assertEquals(List.of(), freeRangesOf(pool));
        allocationsOf(pool).forEach(a -> pool.free(a.range()));
        assertEquals(List.of(span), freeRangesOf(pool));
        assertEquals(span, pool.allocate(Request.of(span.size()).aligned(0x1_0000)));
    }
}
