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
import io.allot.spi.FreeSpace;
import io.allot.tests.Matrix;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Arena hierarchies ({@code Builder.source}) on every installed engine, the parent and the child
 * each on every engine where it matters: a child imports what it needs and hands it back the
 * moment it is wholly free; {@code stats().imported()} follows; arenas nest; a refused import
 * changes neither arena; a child's {@code reallocate}, {@code reserve}, {@code freeContaining},
 * {@code addSpan} and next-fit rotor keep their contracts; hierarchies snapshot and restore.
 */
class HierarchyTest {

    private static final long PARENT_BASE = 0x10_0000;
    private static final Range PARENT_SPAN = Range.of(PARENT_BASE, 0x1f_ffff);

    private static ResourceAllocator parent(String engine) {
        return Allocators.builder().engine(engine).span(PARENT_SPAN).build();
    }

    private static ResourceAllocator child(String engine, ResourceAllocator parent, long importSize) {
        return Allocators.builder().engine(engine).source(parent, importSize).build();
    }

    // ------------------------------------------------------------------ import and hand back

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.allot.tests.Matrix#engines")
    void aChildImportsWhatItNeedsAndHandsItBackWhenWhollyFree(String engine) {
        ResourceAllocator parent = parent(engine);
        ResourceAllocator child = child(engine, parent, 0x1000);
        assertEquals(List.of(), child.spans());
        assertEquals(0, child.stats().capacity());

        Range a = child.allocate(Request.of(0x10).tagged("a"));
        Range span = Range.ofSize(PARENT_BASE, 0x1000); // the parent's first-match placement
        assertEquals(List.of(span), child.spans());
        assertEquals(Range.ofSize(PARENT_BASE, 0x10), a);
        assertEquals(0x1000, child.stats().imported());
        assertEquals(0x1000, child.stats().capacity());
        assertEquals(Optional.of(new Allocation(span, null)), parent.allocationContaining(PARENT_BASE));
        assertEquals(List.of(new Allocation(span, null)), Images.allocations(parent));
        assertEquals(0, parent.stats().imported());

        Range b = child.allocate(Request.of(0x20)); // fits in the span it has: no second import
        assertEquals(List.of(span), child.spans());
        assertEquals(1, parent.stats().totalAllocations());
        child.free(a);
        assertEquals(List.of(span), child.spans(), "b still holds the span");
        assertEquals(0x1000, child.stats().imported());

        child.free(b);
        assertEquals(List.of(), child.spans(), "wholly free: handed back at once");
        AllocatorStats s = child.stats();
        assertEquals(0, s.imported());
        assertEquals(0, s.capacity());
        assertEquals(2, s.totalAllocations());
        assertEquals(2, s.totalFrees());
        assertEquals(0, s.failedAllocations());
        AllocatorStats p = parent.stats();
        assertEquals(0, p.allocated());
        assertEquals(1, p.totalAllocations());
        assertEquals(1, p.totalFrees());
        assertEquals(List.of(PARENT_SPAN), Images.free(parent));
        Images.assertConsistent(child, engine + " child");
        Images.assertConsistent(parent, engine + " parent");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.allot.tests.Matrix#engines")
    void aLargeRequestImportsEnoughAndImportsAreRoundedToBothQuanta(String engine) {
        ResourceAllocator parent = Allocators.builder().engine(engine).quantum(0x1000).span(PARENT_SPAN).build();
        ResourceAllocator child = Allocators.builder().engine(engine).quantum(0x10).source(parent, 0x10).build();
        Range small = child.allocate(Request.of(1));
        assertEquals(0x10, small.size());
        assertEquals(List.of(Range.ofSize(PARENT_BASE, 0x1000)), child.spans(), "0x10 rounded to the parent's quantum");

        Range big = child.allocate(Request.of(0x2345));
        assertEquals(0x2350, big.size());
        Range second = Range.ofSize(PARENT_BASE + 0x1000, 0x3000);
        assertEquals(List.of(Range.ofSize(PARENT_BASE, 0x1000), second), child.spans());
        assertTrue(second.contains(big));
        assertEquals(0x4000, child.stats().imported());
        child.free(big);
        child.free(small);
        assertEquals(0, child.stats().imported());
        assertEquals(0, parent.stats().allocated());
    }

    @ParameterizedTest(name = "{0} x {1}")
    @MethodSource("io.allot.tests.Matrix#enginesAndPolicies")
    void constrainedRequestsImportASpanThatHoldsThem(String engine, String policy) {
        SplittableRandom rng = new SplittableRandom(0x5eed_0009L);
        ResourceAllocator parent = Allocators.builder().engine(engine).policy(policy).quantum(0x10)
                .span(Range.of(0x1_0000, 0x8_ffff)).build();
        ResourceAllocator child = Allocators.builder().engine(engine).policy(policy).quantum(0x10)
                .source(parent, 0x100).build();
        List<Range> held = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            long size = 1 + rng.nextInt(0x300);
            long alignment = 1L << rng.nextInt(13);
            Request r = Request.of(size).aligned(alignment);
            if (alignment >= 0x20 && rng.nextBoolean()) {
                r = r.phase((rng.nextLong(alignment) & -0x10));
            }
            if (rng.nextInt(3) == 0) {
                long boundary = Long.highestOneBit(Math.max(size + 0x10, 0x10) - 1) << (1 + rng.nextInt(4));
                if (boundary >= alignment || rng.nextBoolean()) {
                    try {
                        r = r.noCross(boundary);
                    } catch (IllegalArgumentException tooSmall) {
                        // boundary below the size: keep the request without it
                    }
                }
            }
            if (rng.nextInt(3) == 0) {
                long min = 0x1_0000 + rng.nextLong(0x7_0000);
                r = r.within(min, Math.min(0x8_ffff, min + size + rng.nextLong(0x4000)));
            }
            Request request = r;
            Optional<Range> got = child.tryAllocate(request);
            if (got.isPresent()) {
                Range placed = got.get();
                assertTrue(request.admits(placed.start()), placed + " does not satisfy " + request);
                assertTrue(child.spans().stream().anyMatch(s -> s.contains(placed)), placed + " outside the child's spans");
                held.add(placed);
            }
            if (!held.isEmpty() && rng.nextInt(3) == 0) {
                child.free(held.remove(rng.nextInt(held.size())));
            }
            assertImportedSpansAreParentAllocationsAndHoldSomething(child, parent, engine + "/" + policy + " #" + i);
        }
        assertTrue(held.size() > 20, "too few placements succeeded to prove anything: " + held.size());
        held.forEach(child::free);
        assertEquals(0, child.stats().imported());
        assertEquals(List.of(), Images.allocations(parent));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.allot.tests.Matrix#engines")
    void aWindowNarrowerThanTheImportIsStillServed(String engine) {
        ResourceAllocator parent = Allocators.builder().engine(engine).span(Range.of(0, 0xfff)).build();
        ResourceAllocator child = child(engine, parent, 0x1000);
        // The only span the parent can give is all of it; the request must sit near its top.
        Range placed = child.allocate(Request.of(0x10).within(0xf00, 0xfff));
        assertEquals(Range.of(0xf00, 0xf0f), placed);
        assertEquals(List.of(Range.of(0, 0xfff)), child.spans());
        child.free(placed);
        assertEquals(List.of(), child.spans());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.allot.tests.Matrix#engines")
    void freeContainingAndReallocateHandBackAndAddedSpansAreNeverHandedBack(String engine) {
        ResourceAllocator parent = parent(engine);
        ResourceAllocator child = child(engine, parent, 0x1000);
        Range own = Range.of(0x1000, 0x1fff); // below the parent's span: the child's own
        child.addSpan(own);
        Range a = child.allocate(Request.of(0x800)); // first-match: in its own span, no import
        assertTrue(own.contains(a));
        Range b = child.allocate(Request.of(0x900)); // does not fit the rest: imports
        assertEquals(2, child.spans().size());
        assertEquals(0x1000, child.stats().imported());

        assertEquals(b, child.freeContaining(b.start() + 5));
        assertEquals(List.of(own), child.spans(), "freeContaining handed the imported span back");
        child.free(a);
        assertEquals(List.of(own), child.spans(), "a span added by hand stays");
        assertEquals(0, child.stats().imported());

        Range c = child.allocate(Request.of(0x1000)); // fills its own span exactly
        assertEquals(own, c);
        Range moved = child.reallocate(c, Request.of(0x1800)); // only an import can hold it
        assertEquals(0x1800, moved.size());
        assertFalse(own.contains(moved));
        assertEquals(0x1800, child.stats().imported(), "more than importSize: just enough");
        assertTrue(child.isFree(own));
        Range back = child.reallocate(moved, Request.of(0x10));
        assertTrue(own.contains(back), "first-match with the old range free: lowest, in the own span");
        assertEquals(List.of(own), child.spans(), "the import went back once reallocate moved out of it");
        assertEquals(0, parent.stats().allocated());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.allot.tests.Matrix#engines")
    void reserveNeverImports(String engine) {
        ResourceAllocator parent = parent(engine);
        ResourceAllocator child = child(engine, parent, 0x1000);
        assertThrows(IllegalArgumentException.class, () -> child.reserve(Range.of(PARENT_BASE, PARENT_BASE + 0xf)));
        assertEquals(List.of(), child.spans());
        assertEquals(0, parent.stats().totalAllocations());
        assertEquals(0, parent.stats().failedAllocations());
        assertEquals(1, child.stats().failedAllocations());
        // Inside an imported span, reserve works like anywhere else, and its free hands the span back.
        Range a = child.allocate(Request.of(1));
        Range r = child.reserve(Range.of(PARENT_BASE + 0x100, PARENT_BASE + 0x1ff), "r");
        child.free(a);
        assertEquals(1, child.spans().size());
        child.free(r);
        assertEquals(List.of(), child.spans());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.allot.tests.Matrix#engines")
    void aNextFitChildsRotorKeepsGoingAcrossImports(String engine) {
        ResourceAllocator parent = parent(engine);
        ResourceAllocator child = Allocators.builder().engine(engine).policy("next-fit").source(parent, 0x100).build();
        Range a = child.allocate(Request.of(0x80));
        Range b = child.allocate(Request.of(0x80)); // the first span is full
        Range c = child.allocate(Request.of(0x80)); // a second import; the rotor follows c
        assertEquals(2, child.spans().size());
        assertTrue(child.spans().get(1).contains(c));
        child.free(a);
        Range d = child.allocate(Request.of(0x80));
        assertEquals(c.end() + 1, d.start(), "next-fit goes on after c rather than reuse a at once");
        Range e = child.allocate(Request.of(0x80)); // past the end of every span: wraps to the bottom
        assertEquals(a, e, "wrapping to the bottom finds a before another import");
        assertEquals(2, child.spans().size());
        for (Range r : List.of(b, c, d, e)) {
            child.free(r);
        }
        assertEquals(0, child.stats().imported());
    }

    // ------------------------------------------------------------------ refusals change nothing

    @ParameterizedTest(name = "{0} parent, {1} child")
    @MethodSource("enginePairs")
    void aRefusedImportChangesNeitherArena(String parentEngine, String childEngine) {
        ResourceAllocator parent = Allocators.builder().engine(parentEngine).span(Range.of(0x1000, 0x4fff)).build();
        Range blocker = parent.reserve(Range.of(0x2000, 0x2fff), "blocker"); // largest free run: 0x2000
        ResourceAllocator child = Allocators.builder().engine(childEngine).source(parent, 0x1000).build();
        Range held = child.allocate(Request.of(0x10).tagged("held"));
        byte[] parentBefore = Images.of(parent);
        byte[] childBefore = Images.of(child);

        // Each asks the parent for a span it cannot give: counted once there, once in the child.
        List<Runnable> refused = List.of(
                () -> assertThrows(ExhaustedException.class, () -> child.allocate(Request.of(0x2001))),
                () -> assertEquals(Optional.empty(), child.tryAllocate(Request.of(0x3000))),
                () -> assertEquals(Optional.empty(), child.tryAllocate(Request.of(0x10).aligned(0x4000))),
                () -> assertEquals(Optional.empty(), child.tryAllocate(Request.of(0x10).within(0x2000, 0x2fff))),
                () -> assertEquals(Optional.empty(), child.tryAllocate(Request.of(0x10).within(0x9000, 0xffff))),
                () -> assertThrows(ExhaustedException.class, () -> child.allocate(Request.of(0x2080),
                        Allocators.policy("best-fit"))),
                () -> assertThrows(ExhaustedException.class, () -> child.reallocate(held, Request.of(0x2100))));
        long n = 0;
        for (Runnable call : refused) {
            call.run();
            n++;
            Images.assertSameButFailures(parentBefore, Images.of(parent), n, "parent after refusal " + n);
            Images.assertSameButFailures(childBefore, Images.of(child), n, "child after refusal " + n);
        }
        // A request no span anywhere could hold is not even put to the parent.
        assertEquals(Optional.empty(), child.tryAllocate(Request.of(0x20).aligned(0x40).phase(0x30).noCross(0x40)));
        assertEquals(Optional.empty(), child.tryAllocate(Request.of(0x20).aligned(0x20).phase(0x10).noCross(0x20)));
        Images.assertSameButFailures(parentBefore, Images.of(parent), n, "parent after impossible requests");
        Images.assertSameButFailures(childBefore, Images.of(child), n + 2, "child after impossible requests");
        assertEquals(Optional.of(new Allocation(blocker, "blocker")), parent.allocationContaining(0x2000));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.allot.tests.Matrix#engines")
    void anImportOverlappingASpanAddedByHandGoesStraightBack(String engine) {
        ResourceAllocator parent = parent(engine);
        ResourceAllocator child = child(engine, parent, 0x1000);
        child.addSpan(Range.ofSize(PARENT_BASE, 0x10)); // a misconfiguration: the parent's values
        child.reserve(Range.ofSize(PARENT_BASE, 0x10));
        assertEquals(Optional.empty(), child.tryAllocate(Request.of(0x100)));
        AllocatorStats p = parent.stats();
        assertEquals(1, p.totalAllocations());
        assertEquals(1, p.totalFrees(), "the overlapping span went straight back");
        assertEquals(0, p.allocated());
        assertEquals(List.of(Range.ofSize(PARENT_BASE, 0x10)), child.spans());
        assertEquals(0, child.stats().imported());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.allot.tests.Matrix#engines")
    void aPolicyThatPlacesNothingGetsTheImportHandedBack(String engine) {
        ResourceAllocator parent = parent(engine);
        ResourceAllocator child = child(engine, parent, 0x1000);
        AllocationPolicy nothing = new AllocationPolicy() {
            @Override
            public String name() {
                return "nothing";
            }

            @Override
            public Optional<Range> place(Request request, FreeSpace free) {
                return Optional.empty();
            }
        };
        assertThrows(ExhaustedException.class, () -> child.allocate(Request.of(1), nothing));
        assertEquals(List.of(), child.spans());
        assertEquals(1, child.stats().failedAllocations());
        AllocatorStats p = parent.stats();
        assertEquals(0, p.allocated());
        assertEquals(1, p.totalAllocations(), "the documented exception: the parent shows the round trip");
        assertEquals(1, p.totalFrees());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.allot.tests.Matrix#engines")
    void aSpanFreedInTheParentBehindTheChildsBackIsReported(String engine) {
        ResourceAllocator parent = parent(engine);
        ResourceAllocator child = child(engine, parent, 0x1000);
        Range a = child.allocate(Request.of(1));
        Range span = child.spans().get(0);
        parent.free(span); // misuse: the child owns it
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> child.free(a));
        assertTrue(e.getMessage().contains(span.toString()), e.getMessage());
        assertEquals(List.of(span), child.spans(), "kept rather than lost");
        assertEquals(Optional.empty(), child.allocationContaining(a.start()), "the free itself happened");
    }

    // ------------------------------------------------------------------ nesting and sharing

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.allot.tests.Matrix#engines")
    void threeLevelsNest(String engine) {
        ResourceAllocator grandparent = Allocators.builder().engine(engine).quantum(0x1000)
                .span(Range.of(0x1000_0000, 0x1fff_ffff)).build();
        ResourceAllocator parent = Allocators.builder().engine(engine).quantum(0x1000).source(grandparent, 0x10_0000)
                .build();
        ResourceAllocator child = Allocators.builder().engine(engine).quantum(0x1000).source(parent, 0x4000).build();
        Range a = child.allocate(Request.of(0x1000).tagged("a"));
        assertEquals(0x4000, child.stats().imported());
        assertEquals(0x10_0000, parent.stats().imported());
        assertEquals(0x4000, parent.stats().allocated());
        assertEquals(0x10_0000, grandparent.stats().allocated());
        Range big = child.allocate(Request.of(0x20_0000)); // more than the parent holds: it imports again
        assertEquals(0x20_4000, child.stats().imported());
        assertEquals(0x30_0000, parent.stats().imported());
        assertEquals(2, grandparent.stats().liveAllocations());
        child.free(a);
        assertEquals(0x20_0000, child.stats().imported());
        assertEquals(0x20_0000, parent.stats().imported(), "the parent's first span went back up too");
        child.free(big);
        for (ResourceAllocator level : List.of(child, parent)) {
            assertEquals(0, level.stats().imported());
            assertEquals(List.of(), level.spans());
        }
        assertEquals(0, grandparent.stats().allocated());
        assertEquals(List.of(Range.of(0x1000_0000, 0x1fff_ffff)), Images.free(grandparent));
    }

    @ParameterizedTest(name = "{0} parent, {1} children")
    @MethodSource("enginePairs")
    void twoChildrenSharingAParentNeverHandOutOneValueTwice(String parentEngine, String childEngine) {
        long seed = Long.getLong("allot.seed", System.nanoTime());
        try {
            shareOneParent(parentEngine, childEngine, seed, 12_000);
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError("seed " + seed + " (replay: -Dallot.seed=" + seed + " -Dtest=HierarchyTest): "
                    + e.getMessage(), e);
        }
    }

    private static void shareOneParent(String parentEngine, String childEngine, long seed, int operations) {
        SplittableRandom rng = new SplittableRandom(seed);
        ResourceAllocator parent = Allocators.builder().engine(parentEngine).quantum(0x10)
                .span(Range.of(0x4_0000, 0x4_ffff)).span(Range.of(0x5_0000, 0x5_7fff)).build();
        List<String> policies = Allocators.policies();
        ResourceAllocator[] children = new ResourceAllocator[2];
        for (int k = 0; k < 2; k++) {
            children[k] = Allocators.builder().engine(childEngine).quantum(k == 0 ? 0x10 : 0x40)
                    .policy(policies.get(rng.nextInt(policies.size()))).source(parent, k == 0 ? 0x100 : 0x800).build();
        }
        // Every value any child or the parent itself holds, with its owner: none may be held twice.
        TreeMap<Long, Range> owned = new TreeMap<>();
        Map<Range, Integer> owner = new java.util.HashMap<>();
        List<List<Range>> held = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>()); // child 0, 1, parent
        int imports = 0;
        for (int i = 0; i < operations; i++) {
            int who = rng.nextInt(10) == 0 ? 2 : rng.nextInt(2);
            ResourceAllocator a = who == 2 ? parent : children[who];
            List<Range> mine = held.get(who);
            int kind = rng.nextInt(100);
            String what = "op " + i + " by " + (who == 2 ? "parent" : "child " + who);
            if (mine.size() > 60 && kind < 55) {
                kind += 45;
            }
            if (kind < 45) {
                Request r = Request.of(1 + rng.nextInt(0x600)).aligned(1L << rng.nextInt(9));
                if (rng.nextInt(6) == 0) {
                    long min = 0x4_0000 + rng.nextLong(0x1_8000);
                    r = r.within(min, Math.min(0x5_7fff, min + 0x800 + rng.nextLong(0x2000)));
                }
                int spansBefore = a.spans().size();
                Optional<Range> got = a.tryAllocate(r);
                if (got.isPresent()) {
                    claim(owned, owner, got.get(), who, what);
                    mine.add(got.get());
                    if (a.spans().size() > spansBefore) {
                        imports++;
                    }
                }
            } else if (kind < 80) {
                if (mine.isEmpty()) {
                    continue;
                }
                Range r = mine.remove(rng.nextInt(mine.size()));
                release(owned, owner, r, who);
                if (rng.nextBoolean()) {
                    a.free(r);
                } else {
                    assertEquals(r, a.freeContaining(r.start() + rng.nextLong(r.size())), what);
                }
            } else if (kind < 92) {
                if (mine.isEmpty()) {
                    continue;
                }
                int index = rng.nextInt(mine.size());
                Range old = mine.get(index);
                release(owned, owner, old, who);
                try {
                    Range moved = a.reallocate(old, Request.of(1 + rng.nextInt(0xa00)));
                    mine.set(index, moved);
                    claim(owned, owner, moved, who, what + " reallocate");
                } catch (ExhaustedException full) {
                    claim(owned, owner, old, who, what + " failed reallocate (old stays)");
                }
            } else {
                List<Range> spans = a.spans();
                if (spans.isEmpty()) {
                    continue;
                }
                Range span = spans.get(rng.nextInt(spans.size()));
                long q = a.quantum();
                long start = span.start() + (rng.nextLong(span.size()) & -q);
                Range r = Range.of(start, Math.min(span.end(), start + q * (1 + rng.nextInt(8)) - 1));
                boolean free = a.isFree(r);
                try {
                    a.reserve(r);
                    assertTrue(free, what + ": reserve of " + r + " succeeded but isFree said no");
                    claim(owned, owner, r, who, what + " reserve");
                    mine.add(r);
                } catch (OverlapException busy) {
                    assertFalse(free, what + ": isFree(" + r + ") but reserve overlapped");
                }
            }
            if (i % 97 == 0 || i == operations - 1) {
                checkHierarchy(parent, children, held, what);
            }
        }
        assertTrue(imports > 50, "too few imports to prove anything: " + imports);
        for (int k = 0; k < 2; k++) {
            held.get(k).forEach(children[k]::free);
            assertEquals(0, children[k].stats().imported(), "child " + k + " imported after freeing everything");
            assertEquals(List.of(), children[k].spans());
        }
        assertEquals(held.get(2).stream().sorted().toList(),
                Images.allocations(parent).stream().map(Allocation::range).toList(),
                "with the children empty, the parent holds only its own allocations");
        held.get(2).forEach(parent::free);
        assertEquals(List.of(), Images.allocations(parent));
    }

    private static void claim(TreeMap<Long, Range> owned, Map<Range, Integer> owner, Range r, int who, String what) {
        Map.Entry<Long, Range> below = owned.floorEntry(r.end());
        if (below != null && Long.compareUnsigned(below.getValue().end(), r.start()) >= 0) {
            fail(what + ": " + r + " overlaps " + below.getValue() + ", held by " + owner.get(below.getValue()));
        }
        owned.put(r.start(), r);
        owner.put(r, who);
    }

    private static void release(TreeMap<Long, Range> owned, Map<Range, Integer> owner, Range r, int who) {
        assertEquals(r, owned.remove(r.start()));
        assertEquals(who, owner.remove(r));
    }

    /** Each child's spans are parent allocations holding something; the parent holds exactly those and its own. */
    private static void checkHierarchy(ResourceAllocator parent, ResourceAllocator[] children, List<List<Range>> held,
                                       String what) {
        List<Range> expectedParent = new ArrayList<>(held.get(2));
        for (int k = 0; k < children.length; k++) {
            ResourceAllocator child = children[k];
            Images.assertConsistent(child, what + ", child " + k);
            long imported = 0;
            for (Range span : child.spans()) {
                imported += span.size();
                expectedParent.add(span);
                assertTrue(held.get(k).stream().anyMatch(span::contains), what + ": child " + k + "'s imported span "
                        + span + " holds nothing; it should have gone back");
            }
            assertEquals(imported, child.stats().imported(), what + ": child " + k + " imported");
            List<Range> live = Images.allocations(child).stream().map(Allocation::range).toList();
            assertEquals(held.get(k).stream().sorted().toList(), live, what + ": child " + k + "'s allocations");
        }
        expectedParent.sort(null);
        assertEquals(expectedParent, Images.allocations(parent).stream().map(Allocation::range).toList(),
                what + ": the parent holds exactly the children's spans and its own allocations");
        Images.assertConsistent(parent, what + ", parent");
    }

    static void assertImportedSpansAreParentAllocationsAndHoldSomething(ResourceAllocator child, ResourceAllocator parent,
                                                                        String what) {
        List<Allocation> live = Images.allocations(child);
        long imported = 0;
        for (Range span : child.spans()) {
            imported += span.size();
            assertEquals(Optional.of(new Allocation(span, null)), parent.allocationContaining(span.start()),
                    what + ": imported span " + span + " is not a parent allocation");
            assertTrue(live.stream().anyMatch(a -> span.contains(a.range())), what + ": imported span " + span
                    + " holds nothing; it should have gone back");
        }
        assertEquals(imported, child.stats().imported(), what + ": imported");
    }

    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> enginePairs() {
        return Matrix.engines().flatMap(p -> Matrix.engines().map(c -> org.junit.jupiter.params.provider.Arguments.of(p, c)));
    }

    // ------------------------------------------------------------------ snapshots

    @ParameterizedTest(name = "{0} x {1}")
    @MethodSource("io.allot.tests.Matrix#enginesAndPolicies")
    void hierarchiesSnapshotAndRestore(String engine, String policy) {
        SplittableRandom rng = new SplittableRandom(0xa11_07L);
        ResourceAllocator grandparent = Allocators.builder().engine(engine).policy(policy)
                .span(Range.of(0x10_0000, 0x1f_ffff)).span(Range.of(0x30_0000, 0x30_ffff)).build();
        ResourceAllocator parent = Allocators.builder().engine(engine).policy(policy).quantum(0x10)
                .source(grandparent, 0x4000).build();
        ResourceAllocator child = Allocators.builder().engine(engine).policy(policy).quantum(0x10)
                .source(parent, 0x400).threadSafe().build();
        ResourceAllocator[] levels = {grandparent, parent, child};
        List<List<Range>> held = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        churn(levels, held, rng, 300);
        assertTrue(child.stats().imported() > 0 && parent.stats().imported() > 0, "nothing imported to snapshot");

        // Children first, then parents; restore in the opposite order.
        byte[][] images = {Images.of(grandparent), Images.of(parent), Images.of(child)};
        long seed = rng.nextLong();
        for (String target : Allocators.engines()) {
            ResourceAllocator[] copies = restoreHierarchy(images, target);
            for (int k = 0; k < 3; k++) {
                assertEquals(levels[k].stats(), copies[k].stats(), target + " level " + k + " stats");
                assertEquals(levels[k].spans(), copies[k].spans(), target + " level " + k + " spans");
                assertEquals(Images.allocations(levels[k]), Images.allocations(copies[k]), target + " level " + k);
                if (target.equals(engine)) {
                    assertArrayEquals(images[k], Images.of(copies[k]), "level " + k + " re-snapshots to the same bytes");
                }
            }
            // The same operations on a copy in this engine and one in the original engine agree, down to
            // the imports (instant-fit's choice of list member is the engine's, so only its own engine).
            List<List<Range>> heldCopy = copyOf(held);
            List<String> results = churn(copies, heldCopy, new SplittableRandom(seed), 200);
            if (target.equals(engine) || !policy.equals("instant-fit")) {
                ResourceAllocator[] twins = restoreHierarchy(images, engine);
                assertEquals(results, churn(twins, copyOf(held), new SplittableRandom(seed), 200),
                        target + ": the restored hierarchy behaves as the original");
                for (int k = 0; k < 3; k++) {
                    assertEquals(twins[k].stats(), copies[k].stats(), target + " level " + k + " after the same operations");
                }
            }
            for (int k = 2; k >= 0; k--) {
                for (Range r : heldCopy.get(k)) {
                    copies[k].free(r);
                }
                assertEquals(0, copies[k].stats().imported(), target + " level " + k + " imported after freeing all");
                assertEquals(0, copies[k].stats().allocated(), target + " level " + k + " allocated after freeing all");
            }
        }
    }

    private static ResourceAllocator[] restoreHierarchy(byte[][] images, String engine) {
        ResourceAllocator g = Allocators.restore(new ByteArrayInputStream(images[0]), engine);
        ResourceAllocator p = Allocators.restore(new ByteArrayInputStream(images[1]), engine, g);
        ResourceAllocator c = Allocators.restore(new ByteArrayInputStream(images[2]), engine, p);
        return new ResourceAllocator[] {g, p, c};
    }

    private static List<List<Range>> copyOf(List<List<Range>> held) {
        return List.of(new ArrayList<>(held.get(0)), new ArrayList<>(held.get(1)), new ArrayList<>(held.get(2)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.allot.tests.Matrix#engines")
    void restoringAChildNeedsItsParent(String engine) {
        ResourceAllocator parent = parent(engine);
        ResourceAllocator child = child(engine, parent, 0x1000);
        child.allocate(Request.of(0x10));
        byte[] childImage = Images.of(child);
        byte[] parentImage = Images.of(parent);
        IllegalArgumentException noSource = assertThrows(IllegalArgumentException.class, () -> Images.restore(childImage));
        assertTrue(noSource.getMessage().contains("restore(in, source)"), noSource.getMessage());
        IllegalArgumentException wrongParent = assertThrows(IllegalArgumentException.class,
                () -> Images.restore(childImage, parent(engine)));
        assertTrue(wrongParent.getMessage().contains(child.spans().get(0).toString()), wrongParent.getMessage());
        IllegalArgumentException notAChild = assertThrows(IllegalArgumentException.class,
                () -> Images.restore(parentImage, parent));
        assertTrue(notAChild.getMessage().contains("without a source"), notAChild.getMessage());
        ResourceAllocator restoredParent = Images.restore(parentImage);
        ResourceAllocator restoredChild = Images.restore(childImage, restoredParent);
        assertEquals(child.spans(), restoredChild.spans());
        Range a = restoredChild.allocationContaining(PARENT_BASE).orElseThrow().range();
        restoredChild.free(a);
        assertEquals(List.of(), restoredChild.spans());
        assertEquals(0, restoredParent.stats().allocated(), "the restored child handed its span to the restored parent");
        assertEquals(1, parent.stats().liveAllocations(), "and not to the original");
        assertThrows(NotAllocatedException.class, () -> restoredChild.free(a));
    }

    /** Random allocations and frees across the levels of a hierarchy; the results, for comparing two runs. */
    private static List<String> churn(ResourceAllocator[] levels, List<List<Range>> held, SplittableRandom rng, int n) {
        List<String> results = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int k = rng.nextInt(levels.length);
            ResourceAllocator a = levels[k];
            List<Range> mine = held.get(k);
            if (mine.isEmpty() || rng.nextInt(5) < 3) {
                Optional<Range> got = a.tryAllocate(Request.of(1 + rng.nextInt(0x800)).aligned(1L << rng.nextInt(8)));
                got.ifPresent(mine::add);
                results.add(k + " " + got + " " + a.spans());
            } else {
                Range r = mine.remove(rng.nextInt(mine.size()));
                a.free(r);
                results.add(k + " free " + r + " " + a.spans());
            }
        }
        return results;
    }
}
