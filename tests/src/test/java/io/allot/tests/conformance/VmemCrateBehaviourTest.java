package io.allot.tests.conformance;

import io.allot.Allocators;
import io.allot.Range;
import io.allot.Request;
import io.allot.ResourceAllocator;
import io.allot.tests.Matrix;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;

import static io.allot.tests.conformance.AllocatorState.freeRangesOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The Rust {@code vmem} crate 1.0.0's own test scenarios, translated to Allot's contract and run on
 * every engine (and every policy where the scenario is not about one policy): instant-fit basics,
 * best-fit taking the tightest segment, next-fit not reusing a just-freed base, aligned
 * allocation under instant- and best-fit, and coalescing that gives the whole span back.
 */
class VmemCrateBehaviourTest {

    private static final String ENGINES = "io.allot.tests.Matrix#engines";
    private static final String ENGINES_AND_POLICIES = "io.allot.tests.Matrix#enginesAndPolicies";
    private static final long PAGE = 0x1000;

    private static ResourceAllocator pages(String engine, String policy, long base, int count) {
        return Allocators.builder().engine(engine).policy(policy).quantum(PAGE)
                .span(Range.ofSize(base, count * PAGE)).build();
    }

    /* Instant-fit hands out quantum-rounded, quantum-aligned pieces of the span until it is used up. */
    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void instantFitBasics(String engine) {
        ResourceAllocator pool = pages(engine, "instant-fit", 0x10_0000, 16);
        Range first = pool.allocate(Request.of(1));
        assertEquals(PAGE, first.size(), "sizes round up to the quantum");
        assertEquals(0, first.start() % PAGE);
        Set<Long> starts = new HashSet<>(List.of(first.start()));
        for (int i = 1; i < 16; i++) {
            Range r = pool.allocate(Request.of(PAGE));
            assertTrue(Range.ofSize(0x10_0000, 16 * PAGE).contains(r), r + " outside the span");
            assertTrue(starts.add(r.start()), r + " handed out twice");
        }
        assertEquals(Optional.empty(), pool.tryAllocate(Request.of(1)));
        Range middle = Range.ofSize(0x10_0000 + 7 * PAGE, PAGE);
        pool.free(middle);
        assertEquals(middle, pool.allocate(Request.of(PAGE)), "the only free page");
        assertEquals(16 * PAGE, pool.stats().allocated());
    }

    /* Best-fit takes the smallest free segment that holds the request, whatever the address order. */
    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void bestFitPicksTheTightestSegment(String engine) {
        ResourceAllocator pool = pages(engine, "best-fit", 0, 16);
        // Free segments of 3, 1 and 2 pages, in that address order, allocations between them.
        Range three = Range.ofSize(PAGE, 3 * PAGE);
        Range one = Range.ofSize(5 * PAGE, PAGE);
        Range two = Range.ofSize(8 * PAGE, 2 * PAGE);
        pool.reserve(Range.ofSize(0, PAGE));
        pool.reserve(Range.ofSize(4 * PAGE, PAGE));
        pool.reserve(Range.ofSize(6 * PAGE, 2 * PAGE));
        pool.reserve(Range.ofSize(10 * PAGE, 6 * PAGE));
        assertEquals(List.of(three, one, two), freeRangesOf(pool));

        assertEquals(two, pool.allocate(Request.of(2 * PAGE)));
        assertEquals(one, pool.allocate(Request.of(PAGE)));
        assertEquals(Range.ofSize(PAGE, PAGE), pool.allocate(Request.of(PAGE)), "then the lowest fit in the 3");
        assertEquals(Range.ofSize(2 * PAGE, 2 * PAGE), pool.allocate(Request.of(2 * PAGE)));
    }

    /* Next-fit moves on: a freed base is not handed out again until the rotor has gone round. */
    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void nextFitDoesNotReuseAJustFreedBase(String engine) {
        ResourceAllocator pool = pages(engine, "next-fit", 0x4000_0000L, 8);
        List<Long> bases = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            Range r = pool.allocate(Request.of(PAGE));
            pool.free(r);
            if (!bases.isEmpty()) {
                assertNotEquals(bases.get(bases.size() - 1), r.start(), "just-freed base reused");
            }
            bases.add(r.start());
        }
        List<Long> expected = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            expected.add(0x4000_0000L + i * PAGE);
        }
        assertEquals(expected, bases, "one page further each time");
        assertEquals(0x4000_0000L, pool.allocate(Request.of(PAGE)).start(), "wraps to the bottom once past the top");
    }

    /* Aligned and phased requests under instant- and best-fit: aligned, inside the span, tightest holder. */
    @ParameterizedTest(name = "{0}")
    @MethodSource(ENGINES)
    void alignedAllocationUnderInstantAndBestFit(String engine) {
        for (String policy : List.of("instant-fit", "best-fit")) {
            ResourceAllocator pool = pages(engine, policy, 0, 64);
            // Free pages: [1, 9) (8 pages, holds a 4-page-aligned 2-page block at 4), [21, 24)
            // (3 pages, smaller, but its only 4-page-aligned start, 24, is past its end), [32, 64).
            pool.reserve(Range.ofSize(0, PAGE));
            pool.reserve(Range.ofSize(9 * PAGE, 12 * PAGE));
            pool.reserve(Range.ofSize(24 * PAGE, 8 * PAGE));
            Range aligned = pool.allocate(Request.of(2 * PAGE).aligned(4 * PAGE));
            assertEquals(Range.ofSize(4 * PAGE, 2 * PAGE), aligned, policy + ": the smallest segment that admits it");
            Range phased = pool.allocate(Request.of(PAGE).aligned(4 * PAGE).phase(PAGE));
            // Now three 3-page segments ([1, 4), [6, 9), [21, 24)) admit page 1 mod 4: the lowest wins the tie.
            assertEquals(Range.ofSize(PAGE, PAGE), phased, policy + ": phase 1 page, lowest of equal segments");
            // 8-page-aligned free pages left: 8 (in [6, 9)), 32, 40, 48 and 56.
            Set<Long> aligned8 = new HashSet<>();
            for (Optional<Range> r; (r = pool.tryAllocate(Request.of(PAGE).aligned(8 * PAGE))).isPresent(); ) {
                aligned8.add(r.get().start() / PAGE);
            }
            assertEquals(Set.of(8L, 32L, 40L, 48L, 56L), aligned8, policy);
        }
    }

    /* Random allocations until nothing fits, frees in random order: the span is one segment again. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource(ENGINES_AND_POLICIES)
    void freeingCoalescesSoTheWholeSpanIsAllocatableAgain(String engine, String policy) {
        long seed = Long.getLong("allot.seed", System.nanoTime());
        SplittableRandom random = new SplittableRandom(seed);
        Range span = Range.ofSize(0x7_0000_0000L, 256 * PAGE);
        ResourceAllocator pool = pages(engine, policy, span.start(), 256);
        try {
            for (int round = 0; round < 20; round++) {
                List<Range> live = new ArrayList<>();
                for (int misses = 0; misses < 8; ) {
                    Request r = Request.of(PAGE * (1 + random.nextInt(12)));
                    if (random.nextInt(4) == 0) {
                        r = r.aligned(PAGE << random.nextInt(4));
                    }
                    Optional<Range> placed = pool.tryAllocate(r);
                    if (placed.isPresent()) {
                        live.add(placed.get());
                    } else {
                        misses++;
                    }
                }
                Collections.shuffle(live, new java.util.Random(random.nextLong()));
                for (Range r : live) {
                    pool.free(r);
                }
                assertEquals(List.of(span), freeRangesOf(pool));
                assertEquals(1, pool.stats().freeSegments());
                Range whole = pool.allocate(Request.of(span.size()));
                assertEquals(span, whole);
                pool.free(whole);
            }
        } catch (AssertionError e) {
            fail("seed " + seed + " (rerun with -Dallot.seed=" + seed + "): " + e.getMessage(), e);
        }
    }
}
