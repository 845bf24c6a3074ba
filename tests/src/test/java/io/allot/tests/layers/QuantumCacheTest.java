package io.allot.tests.layers;

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
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Quantum caches ({@code Builder.quantumCache}) on every installed engine and every default policy
 * that may have one: small unconstrained allocations come from magazines filled in batches and
 * freed segments are reused at once; magazines beyond what a thread and the depot keep drain back
 * to the arena; cached segments count as free in every observation and in snapshots; a request
 * the arena cannot place (or a reservation over a cached segment) empties the caches first; the
 * contract's refusals and failure atomicity hold for cached allocations too.
 *
 * <p>What a cache does is observable without any hook: a segment the cache holds is allocated in
 * the arena, so a call that bypasses the cache (naming a policy) is placed around it, while every
 * observer shows it free.
 */
class QuantumCacheTest {

    private static final Range SPAN = Range.of(0x1_0000, 0x1_ffff);
    private static final long Q = 0x10;

    /** Every engine with every installed default policy that does not move the next-fit rotor. */
    static Stream<Arguments> enginesAndCacheablePolicies() {
        return Matrix.enginesAndPolicies().filter(a -> !Allocators.policy((String) a.get()[1]).advancesRotor());
    }

    private static ResourceAllocator cached(String engine, String policy, boolean threadSafe) {
        Allocators.Builder b = Allocators.builder().engine(engine).policy(policy).quantum(Q).span(SPAN)
                .quantumCache(4 * Q);
        return (threadSafe ? b.threadSafe() : b).build();
    }

    private static final AllocationPolicy FIRST = Allocators.policy("first-match");

    @ParameterizedTest(name = "{0}, thread-safe {1}")
    @MethodSource("enginesAndThreadSafety")
    void allocationsComeFromABatchAndAFreedSegmentIsReusedAtOnce(String engine, boolean threadSafe) {
        ResourceAllocator a = cached(engine, "first-match", threadSafe);
        Range first = a.allocate(Request.of(Q));
        Range second = a.allocate(Request.of(1));
        assertEquals(Range.ofSize(SPAN.start(), Q), first, "a fill with first-match hands out its lowest segment first");
        assertEquals(Range.ofSize(SPAN.start() + Q, Q), second);
        // Naming a policy bypasses the cache: the arena places around the segments the batch holds.
        Range bypass = a.allocate(Request.of(Q), FIRST);
        assertTrue(bypass.start() > second.end() + Q, "the fill took a batch, so the arena's lowest free value is"
                + " well above " + second + ", not " + bypass);
        a.free(first);
        assertEquals(first, a.allocate(Request.of(Q)), "the segment freed last comes back first");
        assertEquals(Optional.empty(), a.allocationContaining(second.end() + Q), "cached segments are free");
        // An observation returns the cached segments to the arena, which then places at its lowest.
        AllocatorStats s = a.stats();
        assertEquals(3 * Q, s.allocated());
        assertEquals(3, s.liveAllocations());
        Range lowest = a.allocate(Request.of(Q), FIRST);
        assertEquals(Range.ofSize(second.end() + 1, Q), lowest);
        Images.assertConsistent(a, engine);
    }

    @ParameterizedTest(name = "{0} x {1}")
    @MethodSource("enginesAndCacheablePolicies")
    void cachedSegmentsCountAsFreeEverywhere(String engine, String policy) {
        // Three allocators driven alike: two show that the freed segments are cached (calls that name a
        // policy are placed around them, at either end), the third that every observer counts them free.
        ResourceAllocator low = cached(engine, policy, false);
        ResourceAllocator high = cached(engine, policy, false);
        ResourceAllocator observed = cached(engine, policy, false);
        List<Range> freed = new ArrayList<>();
        for (ResourceAllocator a : List.of(low, high, observed)) {
            List<Range> held = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                held.add(a.allocate(Request.of(1 + i % 4 * Q).tagged("t" + i)));
            }
            held.forEach(a::free);
            freed = held;
        }
        Range bottom = low.allocate(Request.of(Q), FIRST);
        Range top = high.allocate(Request.of(Q), Allocators.policy("last-match"));
        for (Range r : freed) {
            assertFalse(r.overlaps(bottom) || r.overlaps(top), r + " is cached, yet the arena placed " + bottom + " or "
                    + top + " over it");
            assertEquals(Optional.empty(), observed.allocationContaining(r.start()));
        }

        AllocatorStats s = observed.stats();
        assertEquals(SPAN.size(), s.free());
        assertEquals(0, s.allocated());
        assertEquals(0, s.liveAllocations());
        assertEquals(1, s.freeSegments());
        assertEquals(SPAN.size(), s.largestFree());
        assertEquals(0.0, s.fragmentation());
        assertEquals(40, s.totalAllocations());
        assertEquals(40, s.totalFrees());
        assertEquals(List.of(SPAN), Images.free(observed));
        assertEquals(List.of(), Images.allocations(observed));
        assertTrue(observed.isFree(SPAN));
        byte[] image = Images.of(observed);
        assertEquals(Images.of(cached(engine, policy, false)).length, image.length, "the image lists no cached segment");
        ResourceAllocator restored = Images.restore(image);
        assertArrayEquals(image, Images.of(restored));
        assertEquals(observed.stats(), restored.stats());
    }

    @ParameterizedTest(name = "{0} x {1}")
    @MethodSource("enginesAndCacheablePolicies")
    void magazinesBeyondWhatIsKeptDrainBackToTheArena(String engine, String policy) {
        // Two allocators driven alike; in each, 600 segments are freed, a bounded number stay cached
        // and the rest drain back. A call naming a policy then fits a block among the drained ones
        // without emptying the caches: at the end of the region where they were, while a purged (or
        // never cached) region would put it at the region's very bottom or top.
        ResourceAllocator[] pair = {cached(engine, policy, false), cached(engine, policy, false)};
        Range region = null;
        for (ResourceAllocator a : pair) {
            List<Range> held = new ArrayList<>();
            for (int i = 0; i < 600; i++) {
                held.add(a.allocate(Request.of(Q)));
            }
            region = Range.of(held.stream().min(Range::compareTo).orElseThrow().start(),
                    held.stream().max(Range::compareTo).orElseThrow().end());
            assertEquals(600 * Q, region.size(), "the batches tile one region");
            held.forEach(a::free);
        }
        Request block = Request.of(0x400).within(region.start(), region.end());
        Range lowest = pair[0].allocate(block, FIRST);
        Range highest = pair[1].allocate(block, Allocators.policy("last-match"));
        assertTrue(region.contains(lowest) && region.contains(highest), lowest + ", " + highest);
        assertTrue(lowest.start() != region.start() || highest.end() != region.end(), "the drained segments left "
                + "some cached at one end of " + region + ", but the blocks went to " + lowest + " and " + highest);
        for (ResourceAllocator a : pair) {
            Images.assertConsistent(a, engine + "/" + policy);
        }
    }

    @ParameterizedTest(name = "{0} x {1}, thread-safe {2}")
    @MethodSource("enginesCacheablePoliciesAndThreadSafety")
    void theWholeSpanIsAllocatableAfterChurn(String engine, String policy, boolean threadSafe) {
        long seed = Long.getLong("allot.seed", System.nanoTime());
        SplittableRandom rng = new SplittableRandom(seed);
        ResourceAllocator a = cached(engine, policy, threadSafe);
        List<Range> held = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            if (held.isEmpty() || rng.nextInt(5) < 3) {
                Request r = rng.nextInt(8) == 0 ? Request.of(1 + rng.nextInt(0x200)).aligned(1L << rng.nextInt(8))
                        : Request.of(1 + rng.nextInt((int) (5 * Q)));
                a.tryAllocate(r).ifPresent(held::add);
            } else {
                Range r = held.remove(rng.nextInt(held.size()));
                if (rng.nextBoolean()) {
                    a.free(r);
                } else {
                    assertEquals(r, a.freeContaining(r.end()), "seed " + seed);
                }
            }
        }
        held.forEach(a::free);
        assertEquals(SPAN, a.allocate(Request.of(SPAN.size())), "seed " + seed + ": the caches were emptied for it");
        a.free(SPAN);
        assertEquals(SPAN, a.reserve(SPAN), "seed " + seed);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.allot.tests.Matrix#engines")
    void aReservationOverACachedSegmentSucceeds(String engine) {
        ResourceAllocator a = cached(engine, "first-match", false);
        Range r = a.allocate(Request.of(Q));
        Range live = a.allocate(Request.of(Q));
        a.free(r);
        // A reservation that overlaps a live allocation fails without emptying the caches: r stays
        // cached, so the arena still places around it.
        assertThrows(OverlapException.class, () -> a.reserve(Range.ofSize(live.start(), 2 * Q)));
        Range around = a.allocate(Request.of(Q), FIRST);
        assertFalse(around.overlaps(r), around + " was placed over the cached " + r);
        a.free(around);
        a.free(live);
        Range next = Range.ofSize(r.end() + 1, 2 * Q); // cached too (the rest of the batch)
        assertEquals(r, a.reserve(r, "reserved"));
        assertEquals(next, a.reserve(next));
        assertEquals(Optional.of(new Allocation(r, "reserved")), a.allocationContaining(r.start()));
        assertThrows(OverlapException.class, () -> a.reserve(r));
    }

    @ParameterizedTest(name = "{0}, thread-safe {1}")
    @MethodSource("enginesAndThreadSafety")
    void aReusedSegmentCarriesItsNewCallersTag(String engine, boolean threadSafe) {
        ResourceAllocator a = cached(engine, "first-match", threadSafe);
        Range t = a.allocate(Request.of(Q).tagged("first"));
        a.free(t);
        Range u = a.allocate(Request.of(Q));
        assertEquals(t, u, "the segment freed last comes back first");
        assertEquals(Optional.of(new Allocation(u, null)), a.allocationContaining(u.start()), "untagged now");
        a.free(u);
        Range v = a.allocate(Request.of(Q).tagged("third"));
        assertEquals(t, v);
        assertEquals(Optional.of(new Allocation(v, "third")), a.allocationContaining(v.end()));
        a.free(v);
        Range w = a.allocate(Request.of(Q).tagged("third"));
        assertEquals(List.of(new Allocation(w, "third")), Images.allocations(a));
        a.free(w);
        Images.assertConsistent(a, engine);
    }

    /**
     * The segment a cache handed out last is live to every call, whether it is freed at once, after
     * another hit, by {@code freeContaining}, or moved by {@code reallocate} (a single-threaded
     * allocator keeps that one's state in its stripe, not in its table, until the next hit).
     */
    @ParameterizedTest(name = "{0}, thread-safe {1}")
    @MethodSource("enginesAndThreadSafety")
    void theLatestHitIsLiveToEveryCall(String engine, boolean threadSafe) {
        ResourceAllocator a = cached(engine, "first-match", threadSafe);
        Range r = a.allocate(Request.of(Q));
        assertEquals(Optional.of(new Allocation(r, null)), a.allocationContaining(r.start()), "the latest is live");
        Range s = a.allocate(Request.of(Q));
        assertEquals(Optional.of(new Allocation(r, null)), a.allocationContaining(r.end()), "still live after the next hit");
        a.free(r);
        assertThrows(NotAllocatedException.class, () -> a.free(r));
        a.free(s);
        assertThrows(NotAllocatedException.class, () -> a.free(s));
        assertEquals(Optional.empty(), a.allocationContaining(s.start()));

        Range t = a.allocate(Request.of(Q));
        assertEquals(s, t, "the segment freed last comes back first");
        assertEquals(t, a.freeContaining(t.start()));
        assertThrows(NotAllocatedException.class, () -> a.free(t));

        Range u = a.allocate(Request.of(Q));
        Range moved = a.reallocate(u, Request.of(3 * Q));
        assertEquals(Optional.of(new Allocation(moved, null)), a.allocationContaining(moved.start()));
        assertThrows(NotAllocatedException.class, () -> a.free(u));
        for (int i = 0; i < 40; i++) { // the hits after the adoption never hand out the moved values again
            Range w = a.allocate(Request.of(Q));
            assertFalse(w.overlaps(moved), w + " overlaps " + moved);
            a.free(w);
        }
        a.free(moved);

        Range x = a.allocate(Request.of(Q).tagged("x"));
        assertEquals(Optional.of(new Allocation(x, "x")), a.allocationContaining(x.start()));
        a.free(x);
        Range y = a.allocate(Request.of(Q));
        assertEquals(x, y);
        assertEquals(Optional.of(new Allocation(y, null)), a.allocationContaining(y.start()), "untagged again");
        a.free(y);

        AllocatorStats stats = a.stats();
        assertEquals(0, stats.liveAllocations());
        assertEquals(stats.totalAllocations(), stats.totalFrees());
        assertEquals(SPAN.size(), stats.free());
        Images.assertConsistent(a, engine);
    }

    @ParameterizedTest(name = "{0}, thread-safe {1}")
    @MethodSource("enginesAndThreadSafety")
    void cachedAllocationsKeepTheContract(String engine, boolean threadSafe) {
        ResourceAllocator a = cached(engine, "first-match", threadSafe);
        Range t = a.allocate(Request.of(2 * Q).tagged("tagged"));
        Range u = a.allocate(Request.of(Q));
        assertEquals(Optional.of(new Allocation(t, "tagged")), a.allocationContaining(t.end()));
        assertEquals(Optional.of(new Allocation(u, null)), a.allocationContaining(u.start()));
        assertEquals(List.of(new Allocation(t, "tagged"), new Allocation(u, null)), Images.allocations(a));

        NotAllocatedException part = assertThrows(NotAllocatedException.class, () -> a.free(Range.ofSize(t.start(), Q)));
        assertTrue(part.getMessage().contains("inside " + t), part.getMessage());
        a.free(u);
        NotAllocatedException twice = assertThrows(NotAllocatedException.class, () -> a.free(u));
        assertTrue(twice.getMessage().contains("it is free"), twice.getMessage());
        assertThrows(NotAllocatedException.class, () -> a.freeContaining(u.start()));

        // reallocate moves a cached allocation like any other, keeping its tag.
        Range moved = a.reallocate(t, Request.of(0x100));
        assertEquals(Optional.of(new Allocation(moved, "tagged")), a.allocationContaining(moved.start()));
        assertThrows(NotAllocatedException.class, () -> a.free(t));
        a.free(moved);
        Range v = a.allocate(Request.of(3 * Q).tagged("v"));
        assertEquals(v, a.freeContaining(v.start() + 1));
        assertThrows(NotAllocatedException.class, () -> a.freeContaining(v.start() + 1));

        AllocatorStats s = a.stats();
        assertEquals(4, s.totalAllocations(), "t, u, v and the reallocation");
        assertEquals(4, s.totalFrees());
        assertEquals(0, s.liveAllocations());
        assertEquals(0, s.failedAllocations());
        Images.assertConsistent(a, engine);
    }

    @ParameterizedTest(name = "{0}, thread-safe {1}")
    @MethodSource("enginesAndThreadSafety")
    void failingCallsOnACachedAllocatorChangeNothingButTheirCount(String engine, boolean threadSafe) {
        // Two allocators in the same state, caches populated; one's image is the 'before' of the
        // other's failing call (taking an image empties the caches, which no observer can tell).
        record Failing(String name, int counted, Consumer<ResourceAllocator> call) {
        }
        Function<ResourceAllocator, List<Range>> setup = a -> {
            List<Range> held = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                held.add(a.allocate(Request.of(1 + i % 3 * Q).tagged(i % 2 == 0 ? "e" + i : null)));
            }
            for (int i = 0; i < 30; i += 3) {
                a.free(held.get(i));
            }
            held.add(a.allocate(Request.of(0x8000), FIRST));
            return held;
        };
        ResourceAllocator sample = cached(engine, "best-fit", threadSafe);
        List<Range> held = setup.apply(sample);
        Range freed = held.get(0);
        Range live = held.get(1);
        List<Failing> calls = List.of(
                new Failing("allocate too big", 1, x -> assertThrows(ExhaustedException.class,
                        () -> x.allocate(Request.of(SPAN.size())))),
                new Failing("tryAllocate too big", 1, x -> assertEquals(Optional.empty(),
                        x.tryAllocate(Request.of(0xf000)))),
                new Failing("reserve over a live cached allocation", 1, x -> assertThrows(OverlapException.class,
                        () -> x.reserve(Range.ofSize(live.start(), 4 * Q)))),
                new Failing("double free", 0, x -> assertThrows(NotAllocatedException.class, () -> x.free(freed))),
                new Failing("free of part", 0, x -> assertThrows(NotAllocatedException.class,
                        () -> x.free(Range.ofSize(live.start(), 1)))),
                new Failing("freeContaining of a cached value", 0, x -> assertThrows(NotAllocatedException.class,
                        () -> x.freeContaining(freed.start()))),
                new Failing("reallocate of a cached value", 1, x -> assertThrows(NotAllocatedException.class,
                        () -> x.reallocate(freed, Request.of(1)))),
                new Failing("reallocate too big", 1, x -> assertThrows(ExhaustedException.class,
                        () -> x.reallocate(live, Request.of(0xf000)))),
                new Failing("phase off the quantum", 1, x -> assertThrows(IllegalArgumentException.class,
                        () -> x.allocate(Request.of(Q).aligned(4 * Q).phase(1)))));
        for (Failing f : calls) {
            ResourceAllocator before = cached(engine, "best-fit", threadSafe);
            ResourceAllocator after = cached(engine, "best-fit", threadSafe);
            assertEquals(held, setup.apply(before));
            assertEquals(held, setup.apply(after));
            f.call().accept(after);
            Images.assertSameButFailures(Images.of(before), Images.of(after), f.counted(), engine + ": " + f.name());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.allot.tests.Matrix#engines")
    void anExhaustedCacheMissIsCountedOnce(String engine) {
        ResourceAllocator a = Allocators.builder().engine(engine).quantum(Q).span(Range.ofSize(0, 8 * Q))
                .quantumCache(2 * Q).build();
        List<Range> held = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            held.add(a.allocate(Request.of(Q)));
        }
        assertThrows(ExhaustedException.class, () -> a.allocate(Request.of(Q)));
        assertEquals(Optional.empty(), a.tryAllocate(Request.of(2 * Q)));
        AllocatorStats s = a.stats();
        assertEquals(2, s.failedAllocations());
        assertEquals(8, s.liveAllocations());
        a.free(held.get(3));
        a.free(held.get(4));
        assertEquals(Range.ofSize(3 * Q, 2 * Q), a.allocate(Request.of(2 * Q)), "the caches were emptied for it");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.allot.tests.Matrix#engines")
    void cachesThatCannotBeBuiltAreRefused(String engine) {
        Allocators.Builder b = Allocators.builder().engine(engine).quantum(Q).span(SPAN);
        IllegalArgumentException small = assertThrows(IllegalArgumentException.class, () -> b.quantumCache(Q - 1).build());
        assertTrue(small.getMessage().contains("0xf") && small.getMessage().contains("quantum"), small.getMessage());
        IllegalArgumentException large = assertThrows(IllegalArgumentException.class,
                () -> b.quantumCache(65 * Q).build());
        assertTrue(large.getMessage().contains("0x410") && large.getMessage().contains("64"), large.getMessage());
        b.quantumCache(64 * Q).build();
        for (String name : Allocators.policies()) {
            AllocationPolicy policy = Allocators.policy(name);
            if (policy.advancesRotor()) {
                IllegalArgumentException rotor = assertThrows(IllegalArgumentException.class,
                        () -> b.quantumCache(Q).policy(policy).build());
                assertTrue(rotor.getMessage().contains(name), rotor.getMessage());
            }
        }
    }

    @ParameterizedTest(name = "{0} x {1}")
    @MethodSource("enginesAndCacheablePolicies")
    void aRestoredAllocatorStillCaches(String engine, String policy) {
        ResourceAllocator a = cached(engine, policy, true);
        Range kept = a.allocate(Request.of(Q).tagged("kept"));
        byte[] image = Images.of(a);
        for (String target : Allocators.engines()) {
            ResourceAllocator b = Allocators.restore(new java.io.ByteArrayInputStream(image), target);
            assertEquals(a.stats(), b.stats());
            Range x = b.allocate(Request.of(Q));
            Range y = b.allocate(Request.of(Q), FIRST);
            b.free(x);
            assertEquals(x, b.allocate(Request.of(Q)), target + ": the restored allocator reuses a freed segment at once");
            assertFalse(y.overlaps(kept));
            b.free(Range.ofSize(kept.start(), Q));
            if (target.equals(engine)) {
                assertArrayEquals(image, Images.of(Images.restore(image)));
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.allot.tests.Matrix#engines")
    void aCachedChildHandsItsImportsBackOnceItsCachesAreEmptied(String engine) {
        ResourceAllocator parent = Allocators.builder().engine(engine).quantum(Q).span(SPAN).build();
        ResourceAllocator child = Allocators.builder().engine(engine).quantum(Q).source(parent, 0x400)
                .quantumCache(4 * Q).build();
        List<Range> held = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            held.add(child.allocate(Request.of(1 + i % 4 * Q)));
        }
        assertTrue(parent.stats().allocated() >= 100 * Q);
        held.forEach(child::free);
        // The caches still pin some imported spans until an observer (or a failing request) empties them.
        assertEquals(0, child.stats().imported());
        assertEquals(List.of(), child.spans());
        assertEquals(0, parent.stats().allocated());
        // A cached parent serves a child's imports too.
        ResourceAllocator cachedParent = Allocators.builder().engine(engine).quantum(Q).span(SPAN)
                .quantumCache(0x40 * Q).build();
        ResourceAllocator child2 = Allocators.builder().engine(engine).quantum(Q).source(cachedParent, 0x100).build();
        Range r = child2.allocate(Request.of(1));
        child2.free(r);
        assertEquals(0, child2.stats().imported());
        assertEquals(0, cachedParent.stats().allocated());
        assertEquals(1, cachedParent.stats().totalFrees());
    }

    /**
     * The cached fast paths against a model, seeded: a hit hands out the segment's own range, a
     * free recognises it by identity and an equal copy by its end, a free of a live cached start
     * with another end or of a value already freed is refused and changes nothing, and the
     * per-class counts the stripes keep fold into exact statistics.
     */
    @ParameterizedTest(name = "{0}, thread-safe {1}")
    @MethodSource("enginesAndThreadSafety")
    void hitsAndFreesByTheRangeHandedOutOrAnEqualOneMatchAModel(String engine, boolean threadSafe) {
        long seed = System.nanoTime();
        SplittableRandom rnd = new SplittableRandom(seed);
        ResourceAllocator a = cached(engine, "first-match", threadSafe);
        int quanta = (int) (SPAN.size() / Q);
        java.util.BitSet used = new java.util.BitSet(quanta);
        List<Range> live = new ArrayList<>();
        long allocations = 0;
        long frees = 0;
        long failures = 0;
        long allocated = 0;
        for (int op = 0; op < 20_000; op++) {
            String where = "seed " + seed + ", op " + op;
            int pick = rnd.nextInt(100);
            if (pick < 48) {
                long size = 1 + rnd.nextLong(6 * Q); // up to 6 quanta: the caches serve up to 4
                Request r = Request.of(size);
                r = rnd.nextInt(8) == 0 ? r.tagged("t" + op) : r;
                r = rnd.nextInt(8) == 0 ? r.aligned(2 * Q) : r; // above the quantum: the arena's
                Optional<Range> got = a.tryAllocate(r);
                if (got.isEmpty()) {
                    failures++;
                    continue;
                }
                Range placed = got.get();
                long rounded = (size + Q - 1) / Q * Q;
                assertEquals(rounded, placed.size(), where);
                int from = (int) ((placed.start() - SPAN.start()) / Q);
                int to = from + (int) (rounded / Q);
                assertTrue(used.get(from, to).isEmpty(), where + ": " + placed + " overlaps a live allocation");
                used.set(from, to);
                live.add(placed);
                allocations++;
                allocated += rounded;
            } else if (pick < 88 && !live.isEmpty()) {
                int i = rnd.nextInt(live.size());
                Range r = live.get(i);
                live.set(i, live.get(live.size() - 1));
                live.remove(live.size() - 1);
                // The very object handed out, or an equal one the caller built.
                a.free(rnd.nextBoolean() ? r : Range.of(r.start(), r.end()));
                int from = (int) ((r.start() - SPAN.start()) / Q);
                used.clear(from, from + (int) (r.size() / Q));
                frees++;
                allocated -= r.size();
            } else if (pick < 96 && !live.isEmpty()) {
                Range r = live.get(rnd.nextInt(live.size()));
                // Same start, another end: one quantum more (if it stays in the span) or less.
                Range wrong = r.size() > Q && (rnd.nextBoolean() || r.end() + Q > SPAN.end())
                        ? Range.ofSize(r.start(), r.size() - Q) : Range.ofSize(r.start(), r.size() + Q);
                assertThrows(NotAllocatedException.class, () -> a.free(wrong), where + ": " + wrong);
                Range copy = Range.of(r.start(), r.end());
                int from = (int) ((r.start() - SPAN.start()) / Q);
                int free = used.nextClearBit(0);
                if (free < quanta) {
                    Range freeQuantum = Range.ofSize(SPAN.start() + free * Q, Q);
                    assertThrows(NotAllocatedException.class, () -> a.free(freeQuantum), where + ": " + freeQuantum);
                }
                assertTrue(used.get(from), where);
                assertEquals(copy, a.allocationContaining(r.start()).map(Allocation::range).orElse(null), where);
            } else {
                AllocatorStats s = a.stats();
                assertEquals(allocated, s.allocated(), where);
                assertEquals(live.size(), s.liveAllocations(), where);
                assertEquals(allocations, s.totalAllocations(), where);
                assertEquals(frees, s.totalFrees(), where);
                assertEquals(failures, s.failedAllocations(), where);
            }
        }
        for (Range r : live) {
            a.free(r);
        }
        AllocatorStats s = a.stats();
        assertEquals(0, s.allocated(), "seed " + seed);
        assertEquals(SPAN.size(), s.largestFree(), "seed " + seed);
        assertEquals(allocations, s.totalAllocations(), "seed " + seed);
        assertEquals(allocations, s.totalFrees(), "seed " + seed);
        Images.assertConsistent(a, engine + ", seed " + seed);
    }

    /**
     * The free of the range just handed out (which a stripe recognises without the segment table),
     * against a model, seeded: most allocations are freed at once, some twice, some by an equal
     * copy or a wrong end, and between them come observations (which drain the caches, so segment
     * numbers change owners and the stripe's hint goes stale), reservations and requests that only a
     * purge of the caches can place. Every placement must be disjoint from the live ones, every
     * refusal right, and the statistics (which the stripes derive from their stack depths rather
     * than count per free) exact at every look.
     */
    @ParameterizedTest(name = "{0}, thread-safe {1}")
    @MethodSource("enginesAndThreadSafety")
    void freesOfTheLatestHitMatchAModel(String engine, boolean threadSafe) {
        long seed = Long.getLong("allot.seed", System.nanoTime());
        SplittableRandom rnd = new SplittableRandom(seed);
        ResourceAllocator a = cached(engine, "first-match", threadSafe);
        int quanta = (int) (SPAN.size() / Q);
        java.util.BitSet used = new java.util.BitSet(quanta);
        java.util.Map<Long, Allocation> live = new java.util.HashMap<>();
        List<Range> order = new ArrayList<>();
        List<Range> gone = new ArrayList<>();
        long[] totals = new long[3]; // allocations, frees, failures
        for (int op = 0; op < 30_000; op++) {
            String where = "seed " + seed + " (replay: -Dallot.seed=" + seed + "), op " + op;
            int pick = rnd.nextInt(100);
            if (pick < 55) {
                long size = 1 + rnd.nextLong(4 * Q);
                String tag = rnd.nextInt(6) == 0 ? "t" + rnd.nextInt(3) : null;
                Optional<Range> got = a.tryAllocate(Request.of(size).tagged(tag));
                if (got.isEmpty()) {
                    assertTrue(freeRun(used, quanta) < (size + Q - 1) / Q, where + ": refused " + size);
                    totals[2]++;
                    continue;
                }
                Range r = got.get();
                assertEquals((size + Q - 1) / Q * Q, r.size(), where);
                claim(used, r, where);
                live.put(r.start(), new Allocation(r, tag));
                order.add(r);
                totals[0]++;
                int then = rnd.nextInt(10);
                if (then < 6) { // at once: the very object, or an equal copy
                    a.free(then < 4 ? r : Range.of(r.start(), r.end()));
                    release(used, live, order, r);
                    gone.add(r);
                    totals[1]++;
                    if (rnd.nextInt(3) == 0) { // and again: refused, nothing changes
                        assertThrows(NotAllocatedException.class, () -> a.free(r), where + ": second free of " + r);
                    }
                } else if (then < 7 && r.size() > Q) { // the right start, a wrong end
                    Range wrong = Range.ofSize(r.start(), r.size() - Q);
                    assertThrows(NotAllocatedException.class, () -> a.free(wrong), where + ": " + wrong);
                }
            } else if (pick < 70 && !order.isEmpty()) {
                Range r = order.get(rnd.nextInt(order.size()));
                a.free(rnd.nextBoolean() ? r : Range.of(r.start(), r.end()));
                release(used, live, order, r);
                gone.add(r);
                totals[1]++;
            } else if (pick < 78 && !gone.isEmpty()) { // a range freed earlier: by value, as the model says
                Range r = gone.get(rnd.nextInt(gone.size()));
                Allocation now = live.get(r.start());
                if (now != null && now.range().equals(r)) {
                    a.free(r);
                    release(used, live, order, now.range());
                    totals[1]++;
                } else {
                    assertThrows(NotAllocatedException.class, () -> a.free(r), where + ": freed " + r + " again");
                }
            } else if (pick < 84 && !order.isEmpty()) {
                Range r = order.get(rnd.nextInt(order.size()));
                assertEquals(Optional.of(live.get(r.start())), a.allocationContaining(r.end()), where);
            } else if (pick < 88) { // only a purge of the caches may make room for it
                long size = Q * (1 + rnd.nextLong(quanta / 4));
                Optional<Range> got = a.tryAllocate(Request.of(size));
                assertEquals(freeRun(used, quanta) >= size / Q, got.isPresent(), where + ": " + size + " placed");
                if (got.isPresent()) {
                    claim(used, got.get(), where);
                    a.free(got.get());
                    release(used, live, order, got.get());
                    totals[0]++;
                    totals[1]++;
                } else {
                    totals[2]++;
                }
            } else if (pick < 92) {
                Range r = Range.ofSize(SPAN.start() + Q * rnd.nextInt(quanta - 2), Q * (1 + rnd.nextInt(2)));
                int from = (int) ((r.start() - SPAN.start()) / Q);
                if (used.get(from, from + (int) (r.size() / Q)).isEmpty()) {
                    assertEquals(r, a.reserve(r), where);
                    claim(used, r, where);
                    live.put(r.start(), new Allocation(r, null));
                    order.add(r);
                    totals[0]++;
                } else {
                    assertThrows(OverlapException.class, () -> a.reserve(r), where + ": " + r);
                    totals[2]++;
                }
            } else {
                AllocatorStats s = a.stats();
                long allocated = 0;
                for (Range r : order) {
                    allocated += r.size();
                }
                assertEquals(allocated, s.allocated(), where);
                assertEquals(order.size(), s.liveAllocations(), where);
                assertEquals(totals[0], s.totalAllocations(), where);
                assertEquals(totals[1], s.totalFrees(), where);
                assertEquals(totals[2], s.failedAllocations(), where);
            }
        }
        for (Range r : new ArrayList<>(order)) {
            a.free(r);
            release(used, live, order, r);
            totals[1]++;
        }
        AllocatorStats s = a.stats();
        assertEquals(0, s.allocated(), "seed " + seed);
        assertEquals(SPAN.size(), s.largestFree(), "seed " + seed);
        assertEquals(totals[0], s.totalAllocations(), "seed " + seed);
        assertEquals(totals[1], s.totalFrees(), "seed " + seed);
        Images.assertConsistent(a, engine + ", seed " + seed);
    }

    /** Marks {@code r} used in the model, failing if any of it already was. */
    private static void claim(java.util.BitSet used, Range r, String where) {
        int from = (int) ((r.start() - SPAN.start()) / Q);
        int to = from + (int) (r.size() / Q);
        assertTrue(used.get(from, to).isEmpty(), where + ": " + r + " overlaps a live allocation");
        used.set(from, to);
    }

    private static void release(java.util.BitSet used, java.util.Map<Long, Allocation> live, List<Range> order,
                                Range r) {
        int from = (int) ((r.start() - SPAN.start()) / Q);
        used.clear(from, from + (int) (r.size() / Q));
        live.remove(r.start());
        order.remove(r);
    }

    /** The longest run of free quanta in the model. */
    private static long freeRun(java.util.BitSet used, int quanta) {
        long longest = 0;
        for (int i = used.nextClearBit(0); i < quanta; i = used.nextClearBit(i)) {
            int end = Math.min(used.nextSetBit(i) < 0 ? quanta : used.nextSetBit(i), quanta);
            longest = Math.max(longest, end - i);
            i = end;
        }
        return longest;
    }

    static Stream<Arguments> enginesAndThreadSafety() {
        return Matrix.engines().flatMap(e -> Stream.of(Arguments.of(e, false), Arguments.of(e, true)));
    }

    static Stream<Arguments> enginesCacheablePoliciesAndThreadSafety() {
        return enginesAndCacheablePolicies().flatMap(a -> Stream.of(Arguments.of(a.get()[0], a.get()[1], false),
                Arguments.of(a.get()[0], a.get()[1], true)));
    }
}
