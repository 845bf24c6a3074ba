package io.allot.tests.conformance;

import io.allot.Allocation;
import io.allot.Allocators;
import io.allot.NotAllocatedException;
import io.allot.OverlapException;
import io.allot.Range;
import io.allot.Request;
import io.allot.ResourceAllocator;
import io.allot.tests.Matrix;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

import static io.allot.tests.conformance.AllocatorState.allocationsOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A fill of equal allocations — what a VMM does laying out pages, slots or devices one after
 * another, and what an engine may store compactly (the interval engine keeps an address-order run
 * of them as one entry) — is allocation by allocation to every observer, on every engine × policy:
 * the walk, {@code allocationContaining}, the allocation an overlapping reservation is refused for, a snapshot restored into every
 * engine; a free of two neighbours as one range, of the whole fill or of a piece of one allocation
 * is refused with nothing changed; frees, {@code freeContaining} and {@code reallocate} of single
 * allocations out of the fill, and a refill of the holes, match a model of the live allocations.
 */
class FillTest {

    private static final long BASE = 0x1000;
    private static final long UNIT = 0x100;
    private static final int COUNT = 1_000;

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("io.allot.tests.Matrix#enginesAndPolicies")
    void aFillOfEqualAllocationsIsAllocationByAllocation(String engine, String policy) throws IOException {
        ResourceAllocator pool = Matrix.build(engine, policy, Range.ofSize(BASE, 0x100000));
        TreeMap<Long, Range> live = new TreeMap<>(Long::compareUnsigned);
        for (int i = 0; i < COUNT; i++) {
            Range placed = pool.allocate(Request.of(UNIT));
            live.put(placed.start(), placed);
        }
        assertLive(pool, live);
        List<Range> fill = new ArrayList<>(live.values());
        for (int i = 0; i < COUNT; i += 37) {
            Range r = fill.get(i);
            assertEquals(r, pool.allocationContaining(r.start() + UNIT / 2).orElseThrow().range());
            // The engine's first allocation in a range, which the refusal names.
            Range across = Range.of(r.start() + 1, r.end());
            OverlapException e = assertThrows(OverlapException.class, () -> pool.reserve(across));
            assertTrue(e.getMessage().contains("overlaps allocation " + r), e.getMessage());
        }

        // Nothing but exactly one allocation is freed, and a refused free changes nothing.
        AllocatorState before = AllocatorState.of(pool);
        Range first = fill.get(0);
        Range second = fill.get(1);
        Range last = fill.get(COUNT - 1);
        // Several allocations as one range: the first two, and from each of the first few (where
        // a fill's run may begin) or the middle one to the last; a piece of one; a range across two.
        List<Range> wrongs = new ArrayList<>(List.of(Range.of(first.start(), second.end()),
                Range.of(fill.get(COUNT / 2).start(), last.end()),
                Range.of(second.start(), second.start() + UNIT / 2), Range.of(second.start() + 1, second.end() + 1)));
        for (int k = 0; k < 5; k++) {
            wrongs.add(Range.of(fill.get(k).start(), last.end()));
        }
        for (Range wrong : wrongs) {
            if (!wrong.equals(live.get(wrong.start()))) {
                assertThrows(NotAllocatedException.class, () -> pool.free(wrong), wrong::toString);
                before.assertUnchanged(pool, 0);
            }
        }

        // A snapshot of the fill is the same allocations in every engine.
        ByteArrayOutputStream image = new ByteArrayOutputStream();
        pool.writeSnapshot(image);
        for (String other : Allocators.engines()) {
            ResourceAllocator restored = Allocators.restore(new ByteArrayInputStream(image.toByteArray()), other);
            assertEquals(allocationsOf(pool), allocationsOf(restored), "restored into " + other);
        }

        // Single allocations out of the fill: frees, freeContaining, reallocate, then a refill.
        for (int i = 0; i < COUNT; i += 3) {
            Range r = fill.get(i);
            pool.free(r);
            live.remove(r.start());
        }
        for (int i = 1; i < COUNT; i += 16) { // 1, 17, 33, ...: none a multiple of 3 freed above
            if (i % 3 == 0) {
                continue;
            }
            Range r = fill.get(i);
            assertEquals(r, pool.freeContaining(r.end()));
            live.remove(r.start());
        }
        Range moved = live.ceilingEntry(fill.get(COUNT / 2).start()).getValue(); // one still live, mid-fill
        Range grown = pool.reallocate(moved, Request.of(2 * UNIT));
        live.remove(moved.start());
        live.put(grown.start(), grown);
        assertLive(pool, live);
        for (int i = 0; i < COUNT / 3; i++) {
            Range placed = pool.allocate(Request.of(UNIT));
            live.put(placed.start(), placed);
        }
        assertLive(pool, live);

        for (Range r : List.copyOf(live.values())) {
            pool.free(r);
        }
        assertEquals(0, pool.stats().liveAllocations());
        assertEquals(1, pool.stats().freeSegments());
        assertEquals(pool.stats().capacity(), pool.stats().free());
    }

    /** The allocator's live allocations are exactly {@code live}'s ranges, untagged. */
    private static void assertLive(ResourceAllocator pool, TreeMap<Long, Range> live) {
        List<Range> walked = new ArrayList<>();
        for (Allocation a : allocationsOf(pool)) {
            assertEquals(null, a.tag(), a::toString);
            walked.add(a.range());
        }
        assertEquals(List.copyOf(live.values()), walked);
        assertEquals(live.size(), pool.stats().liveAllocations());
    }
}
