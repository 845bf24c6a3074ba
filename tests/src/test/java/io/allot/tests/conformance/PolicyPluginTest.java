package io.allot.tests.conformance;

import io.allot.Allocation;
import io.allot.Allocators;
import io.allot.ExhaustedException;
import io.allot.PolicyViolationException;
import io.allot.Range;
import io.allot.Request;
import io.allot.ResourceAllocator;
import io.allot.spi.AllocationPolicy;
import io.allot.spi.FreeSpace;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.mockito.ArgumentCaptor;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;

import static io.allot.tests.conformance.AllocatorState.freeRangesOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

/**
 * A policy plug-in only chooses; the engine checks the choice. A mocked {@link AllocationPolicy}
 * sees a normalised request and the engine's {@link FreeSpace}; every unacceptable answer is a
 * {@link PolicyViolationException} that leaves the allocator unchanged; an empty answer is
 * exhaustion.
 */
class PolicyPluginTest {

    private static final String ENGINES = "io.allot.tests.Matrix#engines";

    private static final Range SPAN = Range.of(0x1000, 0x1fff);

    private static AllocationPolicy mockPolicy() {
        AllocationPolicy policy = mock(AllocationPolicy.class);
        when(policy.name()).thenReturn("mocked");
        return policy;
    }

    private static ResourceAllocator pool(String engine, Range... spans) {
        Allocators.Builder builder = Allocators.builder().engine(engine);
        for (Range span : spans.length == 0 ? new Range[] {SPAN} : spans) {
            builder.span(span);
        }
        ResourceAllocator pool = builder.build();
        pool.reserve(Range.of(0x1000, 0x10ff), "taken");
        return pool;
    }

    /** Quantum 0x100, spans [0x1000, 0x1fff] and [0x4000, 0x4fff], [0x1400, 0x14ff] reserved. */
    private static ResourceAllocator twoSpans(String engine) {
        ResourceAllocator pool = Allocators.builder().engine(engine).quantum(0x100).span(Range.of(0x1000, 0x1fff))
                .span(Range.of(0x4000, 0x4fff)).build();
        pool.reserve(Range.of(0x1400, 0x14ff));
        return pool;
    }

    // ---- what the policy is given ----

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void policyIsCalledWithTheNormalisedRequestAndTheEnginesFreeSpace(String engine) {
        ResourceAllocator pool = Allocators.builder().engine(engine).quantum(0x100).span(SPAN).build();
        pool.reserve(Range.of(0x1000, 0x10ff));
        AllocationPolicy policy = mockPolicy();
        when(policy.place(any(), any())).thenAnswer(call -> {
            FreeSpace free = call.getArgument(1);
            return free.firstFit(call.getArgument(0), 0);
        });

        Request asked = Request.of(0x10).aligned(0x10).within(0x1000, 0x1eff).tagged("dev");
        Range placed = pool.allocate(asked, policy);

        ArgumentCaptor<Request> request = ArgumentCaptor.forClass(Request.class);
        ArgumentCaptor<FreeSpace> free = ArgumentCaptor.forClass(FreeSpace.class);
        verify(policy, times(1)).place(request.capture(), free.capture());
        assertEquals(new Request(0x100, 0x100, 0, 0, 0x1000, 0x1eff, "dev"), request.getValue(),
                "size rounded up to the quantum, alignment raised to it, the rest as asked");
        assertEquals(Range.of(0x1100, 0x11ff), placed);
        assertEquals(new Allocation(placed, "dev"), pool.allocationContaining(0x1100).orElseThrow());
        assertNotNull(free.getValue());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void freeSpaceShowsTheEnginesFreeSegmentsRotorAndQuantum(String engine) {
        ResourceAllocator pool = twoSpans(engine);
        AllocationPolicy policy = mockPolicy();
        Request request = Request.of(0x100);
        when(policy.place(any(), any())).thenAnswer(call -> {
            FreeSpace free = call.getArgument(1);
            assertEquals(0x100, free.quantum());
            assertEquals(0x1000, free.rotor());
            assertEquals(List.of(Range.of(0x1000, 0x13ff), Range.of(0x1500, 0x1fff), Range.of(0x4000, 0x4fff)),
                    list(free.ascending(0)));
            assertEquals(List.of(Range.of(0x1500, 0x1fff), Range.of(0x4000, 0x4fff)), list(free.ascending(0x1500)));
            assertEquals(List.of(Range.of(0x1500, 0x1fff), Range.of(0x1000, 0x13ff)), list(free.descending(0x1500)));
            assertEquals(Optional.of(Range.of(0x1000, 0x10ff)), free.firstFit(request, 0));
            assertEquals(Optional.of(Range.of(0x1500, 0x15ff)), free.firstFit(request, 0x1301));
            assertEquals(Optional.of(Range.of(0x4f00, 0x4fff)), free.lastFit(request, -1L));
            assertEquals(Optional.of(Range.of(0x1300, 0x13ff)), free.lastFit(request, 0x14ff));
            assertEquals(Optional.of(Range.of(0x1000, 0x10ff)), free.bestFit(request));
            assertEquals(Optional.empty(), free.firstFit(Request.of(0x1001), 0));
            return Optional.of(Range.of(0x4000, 0x40ff));
        });
        assertEquals(Range.of(0x4000, 0x40ff), pool.allocate(request, policy));
        verify(policy).place(any(), any());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void freeSpaceWalksKeepTheIteratorContract(String engine) {
        ResourceAllocator pool = twoSpans(engine);
        AllocationPolicy policy = mockPolicy();
        when(policy.place(any(), any())).thenAnswer(call -> {
            FreeSpace free = call.getArgument(1);
            Iterator<Range> up = free.ascending(0x1500);
            assertTrue(up.hasNext(), "asked twice, the same answer");
            assertTrue(up.hasNext());
            assertEquals(Range.of(0x1500, 0x1fff), up.next());
            assertEquals(Range.of(0x4000, 0x4fff), up.next(), "next without hasNext");
            assertFalse(up.hasNext());
            assertFalse(up.hasNext());
            assertThrows(NoSuchElementException.class, up::next);
            Iterator<Range> down = free.descending(0x13ff);
            assertEquals(Range.of(0x1000, 0x13ff), down.next());
            assertThrows(NoSuchElementException.class, down::next);
            assertFalse(free.ascending(0x5000).hasNext(), "nothing free at or after the last span");
            assertThrows(NoSuchElementException.class, () -> free.descending(0xfff).next());
            return Optional.of(Range.of(0x4000, 0x40ff));
        });
        assertEquals(Range.of(0x4000, 0x40ff), pool.allocate(Request.of(0x100), policy));
        verify(policy).place(any(), any());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void builderPolicyInstanceIsTheDefaultPolicy(String engine) {
        AllocationPolicy policy = mockPolicy();
        when(policy.place(any(), any())).thenAnswer(call -> {
            FreeSpace free = call.getArgument(1);
            return free.lastFit(call.getArgument(0), -1L);
        });
        ResourceAllocator pool = Allocators.builder().engine(engine).policy(policy).span(SPAN).build();
        assertSame(policy, pool.defaultPolicy());
        assertEquals(Range.of(0x1f00, 0x1fff), pool.allocate(Request.of(0x100)));
        assertEquals(Range.of(0x1e00, 0x1eff), pool.tryAllocate(Request.of(0x100)).orElseThrow());
        Range moved = pool.reallocate(Range.of(0x1e00, 0x1eff), Request.of(0x80));
        assertEquals(Range.of(0x1e80, 0x1eff), moved);
        verify(policy, times(3)).place(any(), any());
    }

    // ---- bad answers ----

    /** What a faulty policy may answer for {@code Request.of(0x100)} in SPAN with [0x1000, 0x10ff] taken. */
    private static List<Optional<Range>> badAnswers() {
        return List.of(
                Optional.of(Range.of(0x1000, 0x10ff)),          // occupied
                Optional.of(Range.of(0x1080, 0x117f)),          // partly occupied
                Optional.of(Range.of(0x5000, 0x50ff)),          // outside every span
                Optional.of(Range.of(0x1f80, 0x207f)),          // runs out of the span
                Optional.of(Range.of(0x1100, 0x11fe)),          // too small
                Optional.of(Range.of(0x1100, 0x1200)),          // too large
                Optional.of(Range.of(0x1100, 0x1100)));         // one value
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void policyChoosingAnOccupiedOutsideOrWrongSizedRangeIsAViolation(String engine) {
        for (Optional<Range> answer : badAnswers()) {
            assertViolation(engine, Request.of(0x100), answer);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void policyChoosingARangeThatDoesNotSatisfyTheRequestIsAViolation(String engine) {
        assertViolation(engine, Request.of(0x100).aligned(0x100), Optional.of(Range.of(0x1180, 0x127f)));
        assertViolation(engine, Request.of(0x100).aligned(0x100).phase(0x10), Optional.of(Range.of(0x1100, 0x11ff)));
        assertViolation(engine, Request.of(0x100).within(0x1800, 0x1fff), Optional.of(Range.of(0x1100, 0x11ff)));
        assertViolation(engine, Request.of(0x100).within(0x1000, 0x17ff), Optional.of(Range.of(0x1780, 0x187f)));
        assertViolation(engine, Request.of(0x100).noCross(0x100), Optional.of(Range.of(0x1180, 0x127f)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void policyChoosingAnUnroundedSizeIsAViolation(String engine) {
        ResourceAllocator pool = Allocators.builder().engine(engine).quantum(0x100).span(SPAN).build();
        AllocationPolicy policy = mockPolicy();
        when(policy.place(any(), any())).thenReturn(Optional.of(Range.of(0x1100, 0x110f)));
        AllocatorState before = AllocatorState.of(pool);
        assertThrows(PolicyViolationException.class, () -> pool.allocate(Request.of(0x10), policy));
        when(policy.place(any(), any())).thenReturn(Optional.of(Range.of(0x1110, 0x120f)));
        assertThrows(PolicyViolationException.class, () -> pool.allocate(Request.of(0x100), policy));
        before.assertUnchanged(pool, 2);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void policyChoosingARangeAcrossTwoAdjacentSpansIsAViolation(String engine) {
        ResourceAllocator pool = Allocators.builder().engine(engine).span(Range.of(0x1000, 0x1fff))
                .span(Range.of(0x2000, 0x2fff)).build();
        AllocationPolicy policy = mockPolicy();
        when(policy.place(any(), any())).thenReturn(Optional.of(Range.of(0x1f80, 0x207f)));
        AllocatorState before = AllocatorState.of(pool);
        assertThrows(PolicyViolationException.class, () -> pool.allocate(Request.of(0x100), policy));
        before.assertUnchanged(pool, 1);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void policyReturningNullIsAViolation(String engine) {
        assertViolation(engine, Request.of(0x100), null);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void defaultPolicyViolationInReallocateKeepsTheOldAllocation(String engine) {
        AllocationPolicy policy = mockPolicy();
        when(policy.place(any(), any())).thenReturn(Optional.of(Range.of(0x1f80, 0x207f)));
        ResourceAllocator pool = Allocators.builder().engine(engine).policy(policy).span(SPAN).build();
        Range old = pool.reserve(Range.of(0x1000, 0x10ff), "old");
        AllocatorState before = AllocatorState.of(pool);
        assertThrows(PolicyViolationException.class, () -> pool.reallocate(old, Request.of(0x100)));
        when(policy.place(any(), any())).thenReturn(null);
        assertThrows(PolicyViolationException.class, () -> pool.reallocate(old, Request.of(0x100)));
        before.assertUnchanged(pool, 2);
        assertEquals(new Allocation(old, "old"), pool.allocationContaining(0x1000).orElseThrow());
    }

    // ---- empty answers ----

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void policyFindingNothingMeansExhausted(String engine) {
        ResourceAllocator pool = pool(engine);
        AllocationPolicy policy = mockPolicy();
        when(policy.place(any(), any())).thenReturn(Optional.empty());
        AllocatorState before = AllocatorState.of(pool);
        ExhaustedException e = assertThrows(ExhaustedException.class, () -> pool.allocate(Request.of(0x100), policy));
        assertTrue(e.getMessage().contains("mocked"), e.getMessage());
        assertEquals(Optional.empty(), pool.tryAllocate(Request.of(0x100), policy));
        before.assertUnchanged(pool, 2);
        verify(policy, times(2)).place(any(), any());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void defaultPolicyFindingNothingMeansExhausted(String engine) {
        AllocationPolicy policy = mockPolicy();
        when(policy.place(any(), any())).thenReturn(Optional.empty());
        ResourceAllocator pool = Allocators.builder().engine(engine).policy(policy).span(SPAN).build();
        Range old = pool.reserve(Range.of(0x1000, 0x10ff));
        AllocatorState before = AllocatorState.of(pool);
        assertThrows(ExhaustedException.class, () -> pool.allocate(Request.of(1)));
        assertTrue(pool.tryAllocate(Request.of(1)).isEmpty());
        assertThrows(ExhaustedException.class, () -> pool.reallocate(old, Request.of(1)));
        before.assertUnchanged(pool, 3);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void policyThatThrowsLeavesTheAllocatorUnchanged(String engine) {
        ResourceAllocator pool = pool(engine);
        AllocationPolicy policy = mockPolicy();
        when(policy.place(any(), any())).thenThrow(new IllegalStateException("plug-in bug"));
        AllocatorState before = AllocatorState.of(pool);
        assertThrows(IllegalStateException.class, () -> pool.allocate(Request.of(0x100), policy));
        before.assertUnchanged(pool, 1);
    }

    // ---- helpers ----

    /** Asserts that allocate and tryAllocate refuse {@code answer} with PolicyViolationException, changing nothing. */
    private static void assertViolation(String engine, Request request, Optional<Range> answer) {
        ResourceAllocator pool = pool(engine);
        AllocationPolicy policy = mockPolicy();
        when(policy.place(any(), any())).thenReturn(answer);
        AllocatorState before = AllocatorState.of(pool);
        String what = request + " answered with " + answer;
        PolicyViolationException e = assertThrows(PolicyViolationException.class, () -> pool.allocate(request, policy),
                what);
        assertTrue(e.getMessage().contains("mocked"), e.getMessage());
        assertThrows(PolicyViolationException.class, () -> pool.tryAllocate(request, policy), what);
        before.assertUnchanged(pool, 2);
        assertEquals(List.of(new Allocation(Range.of(0x1000, 0x10ff), "taken")), AllocatorState.allocationsOf(pool));
        assertEquals(List.of(Range.of(0x1100, 0x1fff)), freeRangesOf(pool));
        assertFalse(pool.isFree(Range.of(0x1000, 0x10ff)));
    }

    private static List<Range> list(Iterator<Range> iterator) {
        List<Range> out = new ArrayList<>();
        iterator.forEachRemaining(out::add);
        return out;
    }
}
