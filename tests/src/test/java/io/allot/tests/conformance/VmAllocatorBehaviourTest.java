package io.allot.tests.conformance;

import io.allot.AddressAllocator;
import io.allot.Allocators;
import io.allot.ExhaustedException;
import io.allot.IdAllocator;
import io.allot.NotAllocatedException;
import io.allot.OverlapException;
import io.allot.Range;
import io.allot.Request;
import io.allot.ResourceAllocator;
import io.allot.spi.AllocationPolicy;
import io.allot.tests.Matrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * rust-vmm {@code vm-allocator}'s own unit tests ({@code IdAllocator}, {@code RangeInclusive},
 * {@code Constraint}, {@code AddressAllocator} with {@code FirstMatch}, {@code LastMatch} and
 * {@code ExactMatch}), translated to Allot's API and run on every installed engine, and on every
 * policy where the expected answer does not depend on the policy.
 *
 * <p>Translation: {@code AddressAllocator::new(base, size)} is a span {@code Range.ofSize(base, size)};
 * {@code allocate(size, align, FirstMatch)} is {@code allocate(Request.of(size).aligned(align), first-match)};
 * {@code ExactMatch(addr)} is {@code reserve(Range.ofSize(addr, size))}; {@code ResourceNotAvailable}
 * is {@link ExhaustedException} (nothing fits), {@link OverlapException} (a reservation hits an
 * allocation) or {@link NotAllocatedException} (a bad free); {@code InvalidRange}, {@code InvalidSize},
 * {@code InvalidAlignment}, {@code Overflow} and {@code Underflow} are {@link IllegalArgumentException}.
 */
class VmAllocatorBehaviourTest {

    private static final long MAX = 0xffff_ffff_ffff_ffffL;

    private static final String ENGINES = "io.allot.tests.Matrix#engines";
    private static final String ENGINES_AND_POLICIES = "io.allot.tests.Matrix#enginesAndPolicies";

    // ---- IdAllocator (id_allocator.rs) ----

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void idAllocatorHandsOutSmallestFreeIdFirstUntilExhausted(String engine) {
        IdAllocator irqs = IdAllocator.of(5, 23, engine);
        assertEquals(5, irqs.allocate());
        for (long id = 6; id <= 23; id++) {
            assertEquals(id, irqs.allocate());
        }
        assertEquals(0, irqs.available());
        assertThrows(ExhaustedException.class, irqs::allocate);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void idAllocatorWithLastBelowFirstIsRejected(String engine) {
        assertThrows(IllegalArgumentException.class, () -> IdAllocator.of(23, 5, engine));
        assertThrows(IllegalArgumentException.class, () -> IdAllocator.cyclic(23, 5, engine));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void idAllocatorReusesFreedIdsSmallestFirst(String engine) {
        IdAllocator irqs = IdAllocator.of(5, 23, engine);
        assertThrows(IllegalArgumentException.class, () -> irqs.free(3));
        for (int i = 0; i < 9; i++) {
            irqs.allocate();                                  // 5 ..= 13
        }
        irqs.free(10);
        assertFalse(irqs.isAllocated(10));
        assertThrows(NotAllocatedException.class, () -> irqs.free(10));
        irqs.free(9);
        assertEquals(23 - 5 + 1 - 7, irqs.available());

        assertEquals(9, irqs.allocate());
        assertTrue(irqs.isAllocated(9));
        assertEquals(10, irqs.allocate());
        assertEquals(14, irqs.allocate());
        assertThrows(NotAllocatedException.class, () -> irqs.free(21));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void idAllocatorKnowsWhichIdsAreInRange(String engine) {
        IdAllocator irqs = IdAllocator.of(5, 23, engine);
        irqs.reserve(6);
        assertFalse(irqs.isAllocated(4));
        assertTrue(irqs.isAllocated(6));
        assertFalse(irqs.isAllocated(25));
        assertThrows(IllegalArgumentException.class, () -> irqs.reserve(4));
        assertThrows(IllegalArgumentException.class, () -> irqs.reserve(25));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void idAllocatorReachesTheTopOfA32BitRangeWithoutOverflow(String engine) {
        IdAllocator ids = IdAllocator.of(0xffff_fffeL, 0xffff_ffffL, engine);
        assertEquals(0xffff_fffeL, ids.allocate());
        assertEquals(0xffff_ffffL, ids.allocate());
        assertThrows(ExhaustedException.class, ids::allocate);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void idAllocatorReachesTheTopOfThe64BitSpaceWithoutOverflow(String engine) {
        IdAllocator ids = IdAllocator.of(MAX - 1, MAX, engine);
        assertEquals(MAX - 1, ids.allocate());
        assertEquals(MAX, ids.allocate());
        assertThrows(ExhaustedException.class, ids::allocate);
        ids.free(MAX);
        assertEquals(MAX, ids.allocate());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void cyclicIdAllocatorDoesNotReuseAFreedIdAtOnce(String engine) {
        IdAllocator pids = IdAllocator.cyclic(1, 100, engine);
        assertEquals(1, pids.allocate());
        pids.free(1);
        assertEquals(2, pids.allocate());
        assertEquals(3, pids.allocate());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void cyclicIdAllocatorHandsOutIdsRoundRobin(String engine) {
        IdAllocator slots = IdAllocator.cyclic(0, 4, engine);
        assertEquals(0, slots.allocate());
        assertEquals(1, slots.allocate());
        assertEquals(2, slots.allocate());
        slots.free(1);
        assertEquals(3, slots.allocate());                   // not 1: the rotor is past it
        assertEquals(4, slots.allocate());
        assertEquals(1, slots.allocate());                   // wrapped to the bottom
        slots.free(0);
        assertEquals(0, slots.allocate());                   // nothing free above the rotor: wraps again
        assertThrows(ExhaustedException.class, slots::allocate);
        slots.free(3);
        assertEquals(3, slots.allocate());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void cyclicIdAllocatorCyclesThroughTheWholeRangeBeforeReusing(String engine) {
        IdAllocator slots = IdAllocator.cyclic(10, 19, engine);
        List<Long> seen = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            long id = slots.allocate();
            seen.add(id);
            slots.free(id);
        }
        for (int i = 0; i < seen.size(); i++) {
            assertEquals(10 + i % 10, seen.get(i), "allocation " + i + " of " + seen);
        }
    }

    // ---- RangeInclusive and Constraint (lib.rs) ----

    @Test
    void rangeWithStartAboveEndIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> Range.of(2, 1));
        assertThrows(IllegalArgumentException.class, () -> Range.of(MAX, 0));
    }

    @Test
    void rangeOfAllTwoToThe64ValuesIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> Range.of(0, MAX));
    }

    @Test
    void singleValueRangeIsValid() {
        // vm-allocator refuses start == end; Allot does not: a one-value range is an IRQ or an id.
        assertEquals(1, Range.of(7, 7).size());
        assertEquals(1, Range.of(MAX, MAX).size());
    }

    @Test
    void rangeOverlapsAndContainsAsClosedIntervals() {
        Range a = Range.of(1, 4);
        Range b = Range.of(4, 6);
        Range c = Range.of(2, 3);
        Range e = Range.of(5, 6);
        assertTrue(a.overlaps(b));
        assertTrue(b.overlaps(a));
        assertTrue(a.overlaps(c));
        assertTrue(c.overlaps(a));
        assertFalse(a.overlaps(e));
        assertFalse(e.overlaps(a));
        assertEquals(4, a.size());

        Range outer = Range.of(2, 6);
        assertTrue(outer.contains(Range.of(2, 3)));
        assertTrue(outer.contains(Range.of(3, 4)));
        assertTrue(outer.contains(Range.of(5, 6)));
        assertFalse(outer.contains(Range.of(1, 2)));
        assertFalse(outer.contains(Range.of(1, 3)));
        assertFalse(outer.contains(Range.of(1, 7)));
        assertFalse(outer.contains(Range.of(6, 7)));
        assertFalse(outer.contains(Range.of(7, 8)));
    }

    @Test
    void rangesOrderByStartThenEndUnsigned() {
        Range a = Range.of(1, 4);
        assertEquals(a, Range.of(1, 4));
        assertTrue(a.compareTo(Range.of(1, 3)) > 0);
        assertTrue(a.compareTo(Range.of(1, 5)) < 0);
        assertTrue(Range.of(MAX, MAX).compareTo(Range.of(1, 2)) > 0, "0xffffffffffffffff is the top, not -1");
        assertEquals("[0x3, 0x5]", Range.of(3, 5).toString());
        assertEquals(3, Range.of(3, 5).start());
        assertEquals(5, Range.of(3, 5).end());
    }

    @Test
    void requestWithSizeZeroOrAlignmentNotAPowerOfTwoIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> Request.of(0));
        assertThrows(IllegalArgumentException.class, () -> Request.of(0x100).aligned(0));
        assertThrows(IllegalArgumentException.class, () -> Request.of(0x100).aligned(200));
        assertThrows(IllegalArgumentException.class, () -> Request.of(4).aligned(3));
        Request fine = Request.of(0x1000).aligned(0x1000);
        assertEquals(0x1000, fine.size());
        assertEquals(0x1000, fine.alignment());
    }

    // ---- AddressAllocator (address_allocator.rs) ----

    @Test
    void addressAllocatorPastTheTopOrOfSizeZeroIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> AddressAllocator.of(MAX, 0x100));
        assertThrows(IllegalArgumentException.class, () -> AddressAllocator.of(0x1000, 0));
    }

    @Test
    void addressAllocatorRejectsBadAlignment() {
        AddressAllocator pool = AddressAllocator.of(0x1000, 0x10000);
        assertThrows(IllegalArgumentException.class, () -> pool.allocate(0x100, 0));
        assertThrows(IllegalArgumentException.class, () -> pool.allocate(0x100, 200));
        assertThrows(IllegalArgumentException.class, () -> pool.allocate(0, 0x100));
        assertEquals(0, pool.allocator().stats().liveAllocations());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void firstMatchWithAlignmentPlacesLowestAlignedStart(String engine) {
        ResourceAllocator pool = Matrix.build(engine, "first-match", Range.of(0x1000, 0x1fff));
        assertEquals(Range.of(0x1000, 0x110f), pool.allocate(Request.of(0x110).aligned(0x100)));
        assertEquals(Range.of(0x1200, 0x12ff), pool.allocate(Request.of(0x100).aligned(0x100)));
        assertEquals(Range.of(0x1300, 0x130f), pool.allocate(Request.of(0x10).aligned(0x100)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void firstMatchGivenExplicitlyPlacesLikeTheDefault(String engine) {
        ResourceAllocator pool = Matrix.build(engine, "last-match", Range.of(0x1000, 0x1fff));
        AllocationPolicy firstMatch = Allocators.policy("first-match");
        assertEquals(Range.of(0x1000, 0x110f), pool.allocate(Request.of(0x110).aligned(0x100), firstMatch));
        assertEquals(Range.of(0x1200, 0x12ff), pool.allocate(Request.of(0x100).aligned(0x100), firstMatch));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void lastMatchWithAlignmentPlacesHighestAlignedStart(String engine) {
        ResourceAllocator pool = Matrix.build(engine, "last-match", Range.of(0x1000, 0x10fff));
        assertEquals(Range.of(0x10e00, 0x10f0f), pool.allocate(Request.of(0x110).aligned(0x100)));
        assertEquals(Range.of(0x10d00, 0x10dff), pool.allocate(Request.of(0x100).aligned(0x100)));
        assertEquals(Range.of(0x10c00, 0x10c0f), pool.allocate(Request.of(0x10).aligned(0x100)));
    }

    @Test
    void addressAllocatorAllocatesFirstMatchAndAcceptsAPolicy() {
        AddressAllocator pool = AddressAllocator.of(0x1000, 0x10000);
        assertEquals(0x1000, pool.base());
        assertEquals(0x10fff, pool.end());
        assertEquals(Range.of(0x1000, 0x110f), pool.allocate(0x110, 0x100));
        assertEquals(Range.of(0x10e00, 0x10f0f), pool.allocate(0x110, 0x100, Allocators.policy("last-match")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void requestLargerThanTheLargestFreeRangeIsExhausted(String engine) {
        ResourceAllocator pool = Matrix.build(engine, "first-match", Range.ofSize(0x1000, 0x1000));
        assertEquals(Range.of(0x1800, 0x1fff),
                pool.allocate(Request.of(0x800).aligned(0x100), Allocators.policy("last-match")));
        assertThrows(ExhaustedException.class, () -> pool.allocate(Request.of(0x900).aligned(0x100)));
        assertEquals(Range.of(0x1000, 0x13ff), pool.allocate(Request.of(0x400).aligned(0x100)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource(ENGINES_AND_POLICIES)
    void requestLargerThanTheLargestFreeRangeIsExhaustedWithEveryPolicy(String engine, String policy) {
        ResourceAllocator pool = Matrix.build(engine, policy, Range.ofSize(0x1000, 0x1000));
        pool.reserve(Range.of(0x1800, 0x1fff));
        assertThrows(ExhaustedException.class, () -> pool.allocate(Request.of(0x900).aligned(0x100)));
        assertTrue(pool.tryAllocate(Request.of(0x801)).isEmpty());
        assertEquals(2, pool.stats().failedAllocations());
        assertEquals(1, pool.stats().liveAllocations());
        Range fits = pool.allocate(Request.of(0x800).aligned(0x100));
        assertEquals(Range.of(0x1000, 0x17ff), fits);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void exactMatchIsReserveAndFailsWhereAnyPartIsAllocated(String engine) {
        ResourceAllocator pool = Matrix.build(engine, "first-match", Range.ofSize(0x1000, 0x1000));
        assertEquals(Range.of(0x1000, 0x17ff), pool.allocate(Request.of(0x800).aligned(0x100)));
        assertEquals(Range.of(0x1a00, 0x1bff), pool.reserve(Range.ofSize(0x1a00, 0x200)));
        // 0x200 free between the two, but 0x800 from 0x1800 runs into [0x1a00, 0x1bff].
        assertThrows(OverlapException.class, () -> pool.reserve(Range.ofSize(0x1800, 0x800)));
        assertEquals(Range.of(0x1800, 0x18ff), pool.reserve(Range.ofSize(0x1800, 0x100)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void exactMatchChecksTheWholeLength(String engine) {
        ResourceAllocator pool = Matrix.build(engine, "first-match", Range.ofSize(0, 0x2000));
        assertEquals(Range.of(0x1000, 0x1fff), pool.reserve(Range.ofSize(0x1000, 0x1000)));
        assertEquals(Range.of(0, 0xfff), pool.reserve(Range.ofSize(0, 0x1000)));
        assertThrows(OverlapException.class, () -> pool.reserve(Range.ofSize(0x800, 0x1000)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource(ENGINES_AND_POLICIES)
    void freedRangeCanBeAllocatedAgain(String engine, String policy) {
        ResourceAllocator pool = Matrix.build(engine, policy, Range.ofSize(0x1000, 0x1000));
        Range first = pool.allocate(Request.of(0x800).aligned(0x100));
        assertEquals(0x800, first.size());
        pool.free(first);
        assertEquals(List.of(Range.of(0x1000, 0x1fff)), AllocatorState.freeRangesOf(pool));
        Range again = pool.allocate(Request.of(0x800).aligned(0x100));
        assertEquals(0x800, again.size());
        assertEquals(0, again.start() & 0xff);
        assertTrue(Range.of(0x1000, 0x1fff).contains(again));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void firstMatchReturnsTheSameRangeAfterFree(String engine) {
        ResourceAllocator pool = Matrix.build(engine, "first-match", Range.ofSize(0x1000, 0x1000));
        assertEquals(Range.of(0x1000, 0x17ff), pool.allocate(Request.of(0x800).aligned(0x100)));
        pool.free(Range.of(0x1000, 0x17ff));
        assertEquals(Range.of(0x1000, 0x17ff), pool.allocate(Request.of(0x800).aligned(0x100)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void failedAllocationAndBadFreeLeaveTheSpaceUsable(String engine) {
        ResourceAllocator pool = Matrix.build(engine, "first-match", Range.ofSize(0, 0x1000));
        assertThrows(ExhaustedException.class, () -> pool.allocate(Request.of(0x2000).aligned(0x100)));
        assertThrows(NotAllocatedException.class, () -> pool.free(Range.of(0x1200, 0x3200)));
        assertEquals(Range.of(0x500, 0x9fd), pool.reserve(Range.ofSize(0x500, 0x4fe)));
        pool.free(Range.of(0x500, 0x9fd));
        assertEquals(List.of(Range.of(0, 0xfff)), AllocatorState.freeRangesOf(pool));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void oneValueLeftBelowAnAlignedAllocationCanStillBeAllocated(String engine) {
        ResourceAllocator pool = Matrix.build(engine, "first-match", Range.ofSize(1, 1000));
        assertEquals(Range.of(2, 11), pool.allocate(Request.of(10).aligned(2)));
        assertEquals(Range.of(1, 1), pool.allocate(Request.of(1)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void deviceManagerFromTheVmAllocatorDocsWorks(String engine) {
        long mmioStart = (1L << 32) - (768L << 20);
        IdAllocator ids = IdAllocator.of(0, 100, engine);
        ResourceAllocator mmio = Matrix.build(engine, "first-match", Range.ofSize(mmioStart, 768L << 20));
        long id = ids.allocate();
        Range slot = mmio.allocate(Request.of(0x1000).aligned(0x1000));
        assertEquals(0, id);
        assertEquals(Range.ofSize(mmioStart, 0x1000), slot);
        ids.free(id);
        mmio.free(slot);
        assertEquals(101, ids.available());
        assertEquals(768L << 20, mmio.stats().free());
    }
}
