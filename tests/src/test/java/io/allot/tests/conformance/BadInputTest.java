package io.allot.tests.conformance;

import io.allot.AddressAllocator;
import io.allot.Allocation;
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
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every kind of bad input gets the exception the contract names, its message names the offending
 * value (in {@code 0x} hex, as every message in Allot does), and the allocator is left as it was.
 */
class BadInputTest {

    private static final long MAX = 0xffff_ffff_ffff_ffffL;

    private static final String ENGINES = "io.allot.tests.Matrix#engines";
    private static final String ENGINES_AND_POLICIES = "io.allot.tests.Matrix#enginesAndPolicies";

    // ---- Request ----

    @Test
    void requestOfSizeZeroIsRejected() {
        assertMessageContains(IllegalArgumentException.class, () -> Request.of(0), "size", "0");
        assertMessageContains(IllegalArgumentException.class,
                () -> new Request(0, 1, 0, 0, 0, MAX, null), "size", "0");
    }

    @Test
    void alignmentNotAPowerOfTwoIsRejected() {
        assertMessageContains(IllegalArgumentException.class, () -> Request.of(1).aligned(3),
                "alignment 0x3 is not a power of two");
        assertMessageContains(IllegalArgumentException.class, () -> Request.of(1).aligned(0), "alignment", "0x0");
        assertMessageContains(IllegalArgumentException.class, () -> Request.of(1).aligned(0x1001), "alignment",
                "0x1001");
        assertMessageContains(IllegalArgumentException.class, () -> Request.of(1).aligned(MAX), "alignment",
                "0xffffffffffffffff");
        assertEquals(1L << 63, Request.of(1).aligned(1L << 63).alignment(), "2^63 is a power of two, unsigned");
    }

    @Test
    void noCrossNotAPowerOfTwoIsRejected() {
        assertMessageContains(IllegalArgumentException.class, () -> Request.of(1).noCross(3), "noCross", "0x3");
        assertMessageContains(IllegalArgumentException.class, () -> Request.of(1).noCross(0x3000), "noCross",
                "0x3000");
        assertEquals(0, Request.of(1).noCross(0).noCross(), "0 means no boundary");
    }

    @Test
    void noCrossBelowTheSizeIsRejected() {
        assertMessageContains(IllegalArgumentException.class, () -> Request.of(0x20).noCross(0x10), "noCross",
                "0x10", "0x20");
        assertEquals(0x20, Request.of(0x20).noCross(0x20).noCross(), "noCross equal to the size is allowed");
    }

    @Test
    void phaseAtOrAboveTheAlignmentIsRejected() {
        assertMessageContains(IllegalArgumentException.class, () -> Request.of(1).aligned(0x10).phase(0x10),
                "phase", "0x10");
        assertMessageContains(IllegalArgumentException.class, () -> Request.of(1).aligned(0x10).phase(0x11),
                "phase", "0x11");
        assertMessageContains(IllegalArgumentException.class, () -> Request.of(1).phase(1), "phase", "0x1");
        assertMessageContains(IllegalArgumentException.class, () -> Request.of(1).aligned(0x10).phase(MAX),
                "phase", "0xffffffffffffffff");
    }

    @Test
    void windowWithMinAboveMaxIsRejected() {
        assertMessageContains(IllegalArgumentException.class, () -> Request.of(1).within(0x20, 0x10), "min",
                "0x20", "0x10");
        assertMessageContains(IllegalArgumentException.class, () -> Request.of(1).within(MAX, 0), "min",
                "0xffffffffffffffff");
    }

    // ---- Range ----

    @Test
    void rangeWithEndBelowStartIsRejected() {
        assertMessageContains(IllegalArgumentException.class, () -> Range.of(0x2000, 0x1fff), "0x2000", "0x1fff");
        assertMessageContains(IllegalArgumentException.class, () -> Range.of(MAX, 0), "0xffffffffffffffff");
    }

    @Test
    void rangeOfAllTwoToThe64ValuesIsRejected() {
        assertMessageContains(IllegalArgumentException.class, () -> Range.of(0, MAX), "0xffffffffffffffff");
        assertEquals(MAX, Range.of(0, MAX - 1).size());
        assertEquals(MAX, Range.of(1, MAX).size());
    }

    @Test
    void rangeOfSizePastTheTopIsRejected() {
        assertMessageContains(IllegalArgumentException.class, () -> Range.ofSize(MAX, 2), "0xffffffffffffffff");
        assertMessageContains(IllegalArgumentException.class, () -> Range.ofSize(0x1000, MAX), "0x1000");
        assertMessageContains(IllegalArgumentException.class, () -> Range.ofSize(0x1000, 0), "size", "0");
        assertEquals(Range.of(MAX, MAX), Range.ofSize(MAX, 1));
        assertEquals(Range.of(1, MAX), Range.ofSize(1, MAX));
    }

    // ---- reserve ----

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void reserveOutsideEverySpanIsRejected(String engine) {
        ResourceAllocator pool = Matrix.build(engine, "first-match", Range.of(0x1000, 0x1fff));
        AllocatorState before = AllocatorState.of(pool);
        assertMessageContains(IllegalArgumentException.class, () -> pool.reserve(Range.of(0x2000, 0x2fff)),
                "[0x2000, 0x2fff]");
        assertMessageContains(IllegalArgumentException.class, () -> pool.reserve(Range.of(0, 0xfff)), "[0x0, 0xfff]");
        assertMessageContains(IllegalArgumentException.class, () -> pool.reserve(Range.of(MAX, MAX), "tag"),
                "[0xffffffffffffffff, 0xffffffffffffffff]");
        before.assertUnchanged(pool, 3);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void reserveStraddlingASpanEdgeIsRejected(String engine) {
        ResourceAllocator pool = Matrix.build(engine, "first-match", Range.of(0x1000, 0x1fff));
        AllocatorState before = AllocatorState.of(pool);
        assertMessageContains(IllegalArgumentException.class, () -> pool.reserve(Range.of(0x1f00, 0x20ff)),
                "[0x1f00, 0x20ff]");
        assertMessageContains(IllegalArgumentException.class, () -> pool.reserve(Range.of(0xf00, 0x10ff)),
                "[0xf00, 0x10ff]");
        assertMessageContains(IllegalArgumentException.class, () -> pool.reserve(Range.of(0, 0x2fff)),
                "[0x0, 0x2fff]");
        before.assertUnchanged(pool, 3);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void reserveStraddlingTwoAdjacentSpansIsRejected(String engine) {
        ResourceAllocator pool = Matrix.build(engine, "first-match", Range.of(0x1000, 0x1fff),
                Range.of(0x2000, 0x2fff));
        AllocatorState before = AllocatorState.of(pool);
        assertMessageContains(IllegalArgumentException.class, () -> pool.reserve(Range.of(0x1fff, 0x2000)),
                "[0x1fff, 0x2000]");
        assertMessageContains(IllegalArgumentException.class, () -> pool.reserve(Range.of(0x1000, 0x2fff)),
                "[0x1000, 0x2fff]");
        before.assertUnchanged(pool, 2);
        assertEquals(Range.of(0x1000, 0x1fff), pool.reserve(Range.of(0x1000, 0x1fff)));
        assertEquals(Range.of(0x2000, 0x2fff), pool.reserve(Range.of(0x2000, 0x2fff)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void reserveOffTheQuantumIsRejected(String engine) {
        ResourceAllocator pool = Allocators.builder().engine(engine).quantum(0x100).span(Range.of(0x1000, 0x1fff))
                .build();
        AllocatorState before = AllocatorState.of(pool);
        assertMessageContains(IllegalArgumentException.class, () -> pool.reserve(Range.of(0x1010, 0x10ff)),
                "[0x1010, 0x10ff]");
        assertMessageContains(IllegalArgumentException.class, () -> pool.reserve(Range.of(0x1000, 0x1010)),
                "[0x1000, 0x1010]");
        assertMessageContains(IllegalArgumentException.class, () -> pool.reserve(Range.of(0x1080, 0x117f)),
                "[0x1080, 0x117f]");
        before.assertUnchanged(pool, 3);
        assertEquals(Range.of(0x1100, 0x11ff), pool.reserve(Range.of(0x1100, 0x11ff)));
    }

    // ---- free ----

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void freeOfAPartOfAnAllocationIsRejectedNamingTheAllocation(String engine) {
        ResourceAllocator pool = Matrix.build(engine, "first-match", Range.of(0, 0xffff));
        pool.reserve(Range.of(0x1000, 0x2fff));
        AllocatorState before = AllocatorState.of(pool);
        NotAllocatedException e = assertThrows(NotAllocatedException.class,
                () -> pool.free(Range.of(0x1000, 0x1fff)));
        assertEquals("[0x1000, 0x1fff] is not an allocation (it lies inside [0x1000, 0x2fff])", e.getMessage());
        assertMessageContains(NotAllocatedException.class, () -> pool.free(Range.of(0x2000, 0x2fff)),
                "[0x2000, 0x2fff]", "[0x1000, 0x2fff]");
        assertMessageContains(NotAllocatedException.class, () -> pool.free(Range.of(0x1800, 0x18ff)),
                "[0x1800, 0x18ff]", "[0x1000, 0x2fff]");
        before.assertUnchanged(pool, 0);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void freeOfASupersetOfAnAllocationIsRejected(String engine) {
        ResourceAllocator pool = Matrix.build(engine, "first-match", Range.of(0, 0xffff));
        pool.reserve(Range.of(0x1000, 0x2fff));
        AllocatorState before = AllocatorState.of(pool);
        assertMessageContains(NotAllocatedException.class, () -> pool.free(Range.of(0xfff, 0x2fff)),
                "[0xfff, 0x2fff]", "[0x1000, 0x2fff]");
        assertMessageContains(NotAllocatedException.class, () -> pool.free(Range.of(0x1000, 0x3000)),
                "[0x1000, 0x3000]", "[0x1000, 0x2fff]");
        assertMessageContains(NotAllocatedException.class, () -> pool.free(Range.of(0, 0xffff)),
                "[0x0, 0xffff]", "[0x1000, 0x2fff]");
        before.assertUnchanged(pool, 0);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void freeOfTwoAdjacentAllocationsAtOnceIsRejected(String engine) {
        ResourceAllocator pool = Matrix.build(engine, "first-match", Range.of(0, 0xffff));
        pool.reserve(Range.of(0x1000, 0x1fff));
        pool.reserve(Range.of(0x2000, 0x2fff));
        AllocatorState before = AllocatorState.of(pool);
        assertMessageContains(NotAllocatedException.class, () -> pool.free(Range.of(0x1000, 0x2fff)),
                "[0x1000, 0x2fff]");
        before.assertUnchanged(pool, 0);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void freeOfANeverAllocatedRangeIsRejected(String engine) {
        ResourceAllocator pool = Matrix.build(engine, "first-match", Range.of(0, 0xffff));
        pool.reserve(Range.of(0x1000, 0x2fff));
        AllocatorState before = AllocatorState.of(pool);
        assertMessageContains(NotAllocatedException.class, () -> pool.free(Range.of(0x5000, 0x5fff)),
                "[0x5000, 0x5fff]");
        assertMessageContains(NotAllocatedException.class, () -> pool.free(Range.of(0x10000, 0x10fff)),
                "[0x10000, 0x10fff]");
        assertMessageContains(NotAllocatedException.class, () -> pool.free(Range.of(MAX, MAX)),
                "[0xffffffffffffffff, 0xffffffffffffffff]");
        assertMessageContains(NotAllocatedException.class, () -> pool.freeContaining(0x5000), "0x5000");
        assertMessageContains(NotAllocatedException.class, () -> pool.freeContaining(MAX), "0xffffffffffffffff");
        before.assertUnchanged(pool, 0);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource(ENGINES_AND_POLICIES)
    void doubleFreeIsRejected(String engine, String policy) {
        ResourceAllocator pool = Matrix.build(engine, policy, Range.of(0, 0xffff));
        Range a = pool.allocate(Request.of(0x2000));
        pool.free(a);
        AllocatorState before = AllocatorState.of(pool);
        assertMessageContains(NotAllocatedException.class, () -> pool.free(a), a.toString());
        assertMessageContains(NotAllocatedException.class, () -> pool.freeContaining(a.start()),
                "0x" + Long.toHexString(a.start()));
        before.assertUnchanged(pool, 0);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void doubleFreeOfAReservationIsRejected(String engine) {
        ResourceAllocator pool = Matrix.build(engine, "first-match", Range.of(0, 0xffff));
        pool.reserve(Range.of(0x1000, 0x1fff));
        pool.free(Range.of(0x1000, 0x1fff));
        assertMessageContains(NotAllocatedException.class, () -> pool.free(Range.of(0x1000, 0x1fff)),
                "[0x1000, 0x1fff]");
        assertEquals(1, pool.stats().totalFrees());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void reallocateOfANonAllocationIsRejected(String engine) {
        ResourceAllocator pool = Matrix.build(engine, "first-match", Range.of(0, 0xffff));
        pool.reserve(Range.of(0x1000, 0x2fff));
        AllocatorState before = AllocatorState.of(pool);
        assertMessageContains(NotAllocatedException.class,
                () -> pool.reallocate(Range.of(0x1000, 0x1fff), Request.of(0x10)), "[0x1000, 0x1fff]");
        assertMessageContains(NotAllocatedException.class,
                () -> pool.reallocate(Range.of(0x5000, 0x5fff), Request.of(0x10)), "[0x5000, 0x5fff]");
        before.assertUnchanged(pool, 2);
    }

    // ---- nulls ----

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void nullArgumentsAreRejectedWithoutCountingAFailure(String engine) {
        ResourceAllocator pool = Matrix.build(engine, "first-match", Range.of(0, 0xffff));
        pool.reserve(Range.of(0x1000, 0x1fff), "taken");
        Request request = Request.of(0x10);
        AllocationPolicy policy = Allocators.policy("first-match");
        AllocatorState before = AllocatorState.of(pool);

        Map<String, Executable> calls = Map.ofEntries(
                Map.entry("allocate(null)", () -> pool.allocate(null)),
                Map.entry("allocate(null, policy)", () -> pool.allocate(null, policy)),
                Map.entry("allocate(request, null)", () -> pool.allocate(request, null)),
                Map.entry("tryAllocate(null)", () -> pool.tryAllocate(null)),
                Map.entry("tryAllocate(null, policy)", () -> pool.tryAllocate(null, policy)),
                Map.entry("tryAllocate(request, null)", () -> pool.tryAllocate(request, null)),
                Map.entry("reserve(null)", () -> pool.reserve(null)),
                Map.entry("reserve(null, tag)", () -> pool.reserve(null, "tag")),
                Map.entry("free(null)", () -> pool.free(null)),
                Map.entry("reallocate(null, request)", () -> pool.reallocate(null, request)),
                Map.entry("reallocate(range, null)", () -> pool.reallocate(Range.of(0x1000, 0x1fff), null)),
                Map.entry("isFree(null)", () -> pool.isFree(null)),
                Map.entry("addSpan(null)", () -> pool.addSpan(null)),
                Map.entry("forEachAllocated(null)", () -> pool.forEachAllocated(null)),
                Map.entry("forEachFree(null)", () -> pool.forEachFree(null)),
                Map.entry("writeSnapshot(null)", () -> pool.writeSnapshot(null)));
        calls.forEach((call, executable) -> assertThrows(NullPointerException.class, executable, call));

        before.assertUnchanged(pool, 0);
    }

    @Test
    void nullArgumentsToBuildersAndFactoriesAreRejected() {
        Allocators.Builder builder = Allocators.builder();
        assertThrows(NullPointerException.class, () -> builder.engine(null));
        assertThrows(NullPointerException.class, () -> builder.span(null));
        assertThrows(NullPointerException.class, () -> builder.policy((String) null));
        assertThrows(NullPointerException.class, () -> builder.policy((AllocationPolicy) null));
        assertThrows(NullPointerException.class, () -> builder.source(null, 0x1000));
        assertThrows(NullPointerException.class, () -> Allocators.policy(null));
        assertThrows(NullPointerException.class, () -> Allocators.restore(null));
        assertThrows(NullPointerException.class, () -> Allocators.restore(null, "interval"));
        assertThrows(NullPointerException.class, () -> IdAllocator.of(0, 10, null));
        assertThrows(NullPointerException.class, () -> IdAllocator.cyclic(0, 10, null));
        assertThrows(NullPointerException.class, () -> new Allocation(null, "tag"));
        // The builder is still usable after refusing them.
        ResourceAllocator pool = builder.span(Range.of(0, 0xff)).build();
        assertEquals(List.of(Range.of(0, 0xff)), pool.spans());
    }

    @Test
    void nullArgumentsToAddressAllocatorAreRejected() {
        AddressAllocator mmio = AddressAllocator.of(0x1000, 0x1000);
        assertThrows(NullPointerException.class, () -> mmio.allocate(0x10, 0x10, null));
        assertThrows(NullPointerException.class, () -> mmio.reserve(null));
        assertThrows(NullPointerException.class, () -> mmio.free(null));
        assertEquals(0, mmio.allocator().stats().failedAllocations());
    }

    // ---- names ----

    @Test
    void unknownEngineNameIsRejectedListingTheInstalledOnes() {
        List<String> engines = Allocators.engines();
        String[] expected = engines.toArray(String[]::new);
        assertMessageContains(IllegalArgumentException.class, () -> Allocators.builder().engine("no-such-engine"),
                prepend("no-such-engine", expected));
        assertMessageContains(IllegalArgumentException.class, () -> IdAllocator.of(0, 10, "no-such-engine"),
                prepend("no-such-engine", expected));
        assertMessageContains(IllegalArgumentException.class, () -> IdAllocator.cyclic(0, 10, "no-such-engine"),
                prepend("no-such-engine", expected));
        InputStream empty = new ByteArrayInputStream(new byte[0]);
        assertMessageContains(IllegalArgumentException.class, () -> Allocators.restore(empty, "no-such-engine"),
                prepend("no-such-engine", expected));
    }

    @Test
    void unknownPolicyNameIsRejectedListingTheInstalledOnes() {
        String[] expected = Allocators.policies().toArray(String[]::new);
        assertMessageContains(IllegalArgumentException.class, () -> Allocators.policy("worst-fit"),
                prepend("worst-fit", expected));
        assertMessageContains(IllegalArgumentException.class, () -> Allocators.builder().policy("worst-fit"),
                prepend("worst-fit", expected));
        assertMessageContains(IllegalArgumentException.class, () -> Allocators.policy("First-Match"),
                prepend("First-Match", expected));
    }

    // ---- builder ----

    @Test
    void builderQuantumNotAPowerOfTwoIsRejected() {
        assertMessageContains(IllegalArgumentException.class, () -> Allocators.builder().quantum(3), "quantum", "0x3");
        assertMessageContains(IllegalArgumentException.class, () -> Allocators.builder().quantum(0), "quantum", "0x0");
        assertMessageContains(IllegalArgumentException.class, () -> Allocators.builder().quantum(0x1800), "quantum",
                "0x1800");
        assertMessageContains(IllegalArgumentException.class, () -> Allocators.builder().quantum(MAX), "quantum",
                "0xffffffffffffffff");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void overlappingBuilderSpansAreRejected(String engine) {
        assertMessageContains(IllegalArgumentException.class,
                () -> Allocators.builder().engine(engine).span(Range.of(0, 0xfff)).span(Range.of(0x800, 0x17ff))
                        .build(), "[0x800, 0x17ff]");
        assertMessageContains(IllegalArgumentException.class,
                () -> Allocators.builder().engine(engine).span(Range.of(0x1000, 0x1fff)).span(Range.of(0x1000, 0x1fff))
                        .build(), "[0x1000, 0x1fff]");
        assertMessageContains(IllegalArgumentException.class,
                () -> Allocators.builder().engine(engine).span(Range.of(0x1000, 0x1fff)).span(Range.of(0, 0xffff))
                        .build(), "[0x1000, 0x1fff]", "[0x0, 0xffff]");
        assertMessageContains(IllegalArgumentException.class,
                () -> Allocators.builder().engine(engine).span(Range.of(0x1000, 0x1fff)).span(Range.of(0x1fff, 0x1fff))
                        .build(), "[0x1fff, 0x1fff]");
    }

    @Test
    void builderSourceAndCacheSizesOfZeroAreRejected() {
        ResourceAllocator parent = Allocators.builder().span(Range.of(0, 0xffff)).build();
        assertMessageContains(IllegalArgumentException.class, () -> Allocators.builder().source(parent, 0),
                "importSize", "0");
        assertMessageContains(IllegalArgumentException.class, () -> Allocators.builder().quantumCache(0), "0");
    }

    // ---- IdAllocator, AddressAllocator ----

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void idOutsideTheRangeIsRejected(String engine) {
        for (IdAllocator ids : List.of(IdAllocator.of(1, 100, engine), IdAllocator.cyclic(1, 100, engine))) {
            ids.allocate();
            assertMessageContains(IllegalArgumentException.class, () -> ids.reserve(101), "0x65");
            assertMessageContains(IllegalArgumentException.class, () -> ids.reserve(0), "0x0");
            assertMessageContains(IllegalArgumentException.class, () -> ids.free(101), "0x65");
            assertMessageContains(IllegalArgumentException.class, () -> ids.free(0), "0x0");
            assertMessageContains(IllegalArgumentException.class, () -> ids.free(MAX), "0xffffffffffffffff");
            assertFalse(ids.isAllocated(0));
            assertFalse(ids.isAllocated(101));
            assertFalse(ids.isAllocated(MAX));
            assertEquals(99, ids.available());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void freeOfAFreeIdIsRejected(String engine) {
        IdAllocator ids = IdAllocator.of(1, 100, engine);
        long id = ids.allocate();
        assertMessageContains(NotAllocatedException.class, () -> ids.free(50), "0x32");
        ids.free(id);
        assertMessageContains(NotAllocatedException.class, () -> ids.free(id), "0x" + Long.toHexString(id));
        assertEquals(100, ids.available());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void reserveOfAnAllocatedIdIsRejected(String engine) {
        IdAllocator ids = IdAllocator.of(1, 100, engine);
        ids.reserve(42);
        assertMessageContains(OverlapException.class, () -> ids.reserve(42), "0x2a");
        assertTrue(ids.isAllocated(42));
        assertEquals(99, ids.available());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void idRangeBackwardsOrOfAllTwoToThe64ValuesIsRejected(String engine) {
        assertThrows(IllegalArgumentException.class, () -> IdAllocator.of(10, 9, engine));
        assertThrows(IllegalArgumentException.class, () -> IdAllocator.cyclic(10, 9, engine));
        assertThrows(IllegalArgumentException.class, () -> IdAllocator.of(0, MAX, engine));
        assertThrows(IllegalArgumentException.class, () -> IdAllocator.of(10, 9));
        assertThrows(IllegalArgumentException.class, () -> IdAllocator.cyclic(0, MAX));
    }

    @Test
    void addressAllocatorOfSizeZeroOrPastTheTopIsRejected() {
        assertMessageContains(IllegalArgumentException.class, () -> AddressAllocator.of(0x1000, 0), "size", "0");
        assertMessageContains(IllegalArgumentException.class, () -> AddressAllocator.of(MAX, 2),
                "0xffffffffffffffff");
        assertMessageContains(IllegalArgumentException.class, () -> AddressAllocator.of(0x1000, MAX), "0x1000");
        assertMessageContains(IllegalArgumentException.class, () -> AddressAllocator.of(2, MAX), "0x2");
        assertEquals(MAX, AddressAllocator.of(1, MAX).end());
        assertEquals(MAX - 1, AddressAllocator.of(0, MAX).end());
        assertEquals(MAX, AddressAllocator.of(MAX, 1).base());
    }

    @Test
    void addressAllocatorReserveOutsideItsSpaceIsRejected() {
        AddressAllocator mmio = AddressAllocator.of(0x1000, 0x1000);
        assertMessageContains(IllegalArgumentException.class, () -> mmio.reserve(Range.of(0x1800, 0x27ff)),
                "[0x1800, 0x27ff]");
        assertMessageContains(NotAllocatedException.class, () -> mmio.free(Range.of(0x1000, 0x1fff)),
                "[0x1000, 0x1fff]");
    }

    // ---- huge sizes ----

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource(ENGINES_AND_POLICIES)
    void hugeSizesAreExhaustedNotWrappedAround(String engine, String policy) {
        ResourceAllocator pool = Matrix.build(engine, policy, Range.of(0x1000, 0x1fff), Range.of(MAX - 0xfff, MAX));
        AllocatorState before = AllocatorState.of(pool);
        List<Request> huge = List.of(
                Request.of(MAX),
                Request.of(MAX - 1),
                Request.of(1L << 63),
                Request.of(1L << 63).aligned(1L << 63),
                Request.of(0x2000),
                Request.of(MAX).within(0x1000, MAX),
                Request.of(0x1001).aligned(0x1000),
                Request.of(0x10).within(MAX - 4, MAX),
                Request.of(0x100).aligned(1L << 63).phase((1L << 63) - 0x80));
        for (Request request : huge) {
            assertThrows(ExhaustedException.class, () -> pool.allocate(request), request::toString);
            assertTrue(pool.tryAllocate(request).isEmpty(), request::toString);
        }
        before.assertUnchanged(pool, 2L * huge.size());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void hugeSizesAreExhaustedWhenRoundedToTheQuantum(String engine) {
        ResourceAllocator pool = Allocators.builder().engine(engine).quantum(0x1000).span(Range.of(0x1000, 0x1fff))
                .span(Range.of(MAX - 0xfff, MAX)).build();
        AllocatorState before = AllocatorState.of(pool);
        for (Request request : List.of(Request.of(MAX), Request.of(MAX - 0xffe), Request.of(-0x1000L))) {
            assertThrows(ExhaustedException.class, () -> pool.allocate(request), request::toString);
            assertTrue(pool.tryAllocate(request).isEmpty(), request::toString);
        }
        before.assertUnchanged(pool, 6);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void reallocateToAHugeSizeIsExhaustedAndKeepsTheOld(String engine) {
        ResourceAllocator pool = Matrix.build(engine, "first-match", Range.of(0x1000, 0x1fff));
        Range old = pool.reserve(Range.of(0x1000, 0x10ff), "dev");
        AllocatorState before = AllocatorState.of(pool);
        assertThrows(ExhaustedException.class, () -> pool.reallocate(old, Request.of(MAX)));
        before.assertUnchanged(pool, 1);
        assertEquals("dev", pool.allocationContaining(0x1000).orElseThrow().tag());
    }

    // ---- helpers ----

    private static String[] prepend(String first, String... rest) {
        String[] all = new String[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }

    /** Asserts {@code executable} throws {@code type} whose message contains every one of {@code parts}. */
    private static <T extends Throwable> T assertMessageContains(Class<T> type, Executable executable,
                                                                 String... parts) {
        T thrown = assertThrows(type, executable);
        String message = thrown.getMessage();
        assertNotNull(message, type.getSimpleName() + " without a message");
        for (String part : parts) {
            assertTrue(message.contains(part), () -> "message \"" + message + "\" does not name " + part);
        }
        return thrown;
    }
}
