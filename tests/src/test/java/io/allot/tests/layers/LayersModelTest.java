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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Randomised model-based runs of quantum-cached allocators and of importing arenas, judged by the
 * {@link Oracle}.
 *
 * <p><b>Why not the exact model suite.</b> {@code model/ModelTest} predicts every placement from
 * the policy's rule. A cached allocator answers a cacheable request with whatever segment of that
 * size was freed last or filled first, and its policies (even when named) do not see cached
 * segments as free until a request fails; so "the lowest placement" holds only among values not
 * held in a cache, which no model outside the cache can know. The contract's other promises do
 * not weaken, so these runs check them all after every operation: every placement is valid
 * (size, request, one span, free); every refusal is right (no placement existed even counting
 * cached segments as free: nothing is lost to a cache); reserve, free, freeContaining,
 * reallocate's outcome, allocationContaining, isFree and the failure count are exact; and every
 * 40 operations the allocations, free ranges, spans and every stats field equal the oracle's.
 * Every 500 operations the allocator is snapshotted and restored, into a random engine, and the
 * run continues on the copy.
 *
 * <p>For importing arenas (no caches here) the oracle also follows the spans: a span appears only
 * when the request had no placement in the child, and it must then be a parent allocation that
 * holds the placement; an imported span disappears exactly when it becomes wholly free.
 *
 * <p>A failure prints the seed; replay with {@code -Dallot.seed=<seed> -Dtest=LayersModelTest}.
 */
class LayersModelTest {

    private static final long Q = 0x10;
    private static final long TOP = -1L;
    private static final List<Range> SPANS = List.of(Range.of(0x1000, 0x4fff), Range.of(0x5000, 0x5fff),
            Range.of(TOP - 0xfff, TOP));
    private static final int OPERATIONS = Integer.getInteger("allot.layers.ops", 12_000);

    @ParameterizedTest(name = "{0} x {1}")
    @MethodSource("io.allot.tests.layers.QuantumCacheTest#enginesAndCacheablePolicies")
    void quantumCachedAllocatorsKeepEveryPromiseButExactPlacement(String engine, String policy) {
        long seed = Long.getLong("allot.seed", System.nanoTime());
        try {
            Allocators.Builder b = Allocators.builder().engine(engine).policy(policy).quantum(Q).quantumCache(4 * Q);
            SPANS.forEach(b::span);
            Run run = new Run(b.build(), null, new Oracle(Q, SPANS), new SplittableRandom(seed));
            run.go(OPERATIONS);
            System.out.printf("[layers model] %s x %s, cached: %d operations, %d cacheable allocations, %d refusals"
                    + " proved right, %d restores%n", engine, policy, OPERATIONS, run.cacheable, run.refusals, run.restores);
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError(engine + " x " + policy + ", seed " + seed + " (replay: -Dallot.seed=" + seed
                    + " -Dtest=LayersModelTest): " + e.getMessage(), e);
        }
    }

    @ParameterizedTest(name = "{0} x {1}")
    @MethodSource("io.allot.tests.Matrix#enginesAndPolicies")
    void importingArenasKeepEveryPromise(String engine, String policy) {
        long seed = Long.getLong("allot.seed", System.nanoTime());
        try {
            Allocators.Builder p = Allocators.builder().engine(engine).quantum(0x40);
            SPANS.forEach(p::span);
            ResourceAllocator parent = p.build();
            ResourceAllocator child = Allocators.builder().engine(engine).policy(policy).quantum(Q).source(parent, 0x200)
                    .build();
            Run run = new Run(child, parent, new Oracle(Q, List.of()), new SplittableRandom(seed));
            run.go(OPERATIONS);
            assertTrue(run.imports > 20, "too few imports to prove anything: " + run.imports);
            System.out.printf("[layers model] %s x %s, importing: %d operations, %d imports, %d refusals proved right,"
                    + " %d restores%n", engine, policy, OPERATIONS, run.imports, run.refusals, run.restores);
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError(engine + " x " + policy + ", seed " + seed + " (replay: -Dallot.seed=" + seed
                    + " -Dtest=LayersModelTest): " + e.getMessage(), e);
        }
    }

    /** One run: the allocator (and its parent, if it imports), the oracle, the operations. */
    private static final class Run {
        ResourceAllocator a;
        ResourceAllocator parent;
        final Oracle oracle;
        final SplittableRandom rng;
        final List<AllocationPolicy> policies = Allocators.policies().stream().map(Allocators::policy).toList();
        long cacheable;
        long refusals;
        long imports;
        int restores;
        String op = "";
        Range lastFreed;

        Run(ResourceAllocator a, ResourceAllocator parent, Oracle oracle, SplittableRandom rng) {
            this.a = a;
            this.parent = parent;
            this.oracle = oracle;
            this.rng = rng;
        }

        void go(int operations) {
            for (int i = 0; i < operations; i++) {
                step(i);
                if (i % 40 == 39) {
                    full("after op " + i + " (" + op + ")");
                }
                if (i % 500 == 499) {
                    restore();
                }
            }
            full("at the end");
        }

        private void step(int i) {
            int kind = rng.nextInt(100);
            List<Allocation> live = oracle.allocations();
            if (live.size() > 150 && kind < 50) {
                kind += 50;
            }
            if (kind < 35) {
                Request r = Request.of(1 + rng.nextInt((int) (4 * Q))).tagged(rng.nextInt(3) == 0 ? "c" + i : null);
                cacheable++;
                op = "allocate " + r;
                place(r, null, rng.nextBoolean());
            } else if (kind < 50) {
                Request r = constrained();
                AllocationPolicy p = rng.nextBoolean() ? null : policies.get(rng.nextInt(policies.size()));
                op = "allocate " + r + (p == null ? "" : " with " + p.name());
                place(r, p, rng.nextBoolean());
            } else if (kind < 56) {
                reserve();
            } else if (kind < 78) {
                if (live.isEmpty()) {
                    return;
                }
                Allocation victim = live.get(rng.nextInt(live.size()));
                boolean wrong = rng.nextInt(8) == 0;
                Range r = wrong ? wrong(victim.range()) : victim.range();
                op = "free " + r;
                Allocation exact = oracle.exactly(r);
                try {
                    a.free(r);
                    assertTrue(exact != null, op + " succeeded but it is not an allocation");
                    released(r);
                } catch (NotAllocatedException e) {
                    assertTrue(exact == null, op + " refused but it is an allocation: " + e.getMessage());
                }
            } else if (kind < 84) {
                long v = value();
                op = "freeContaining 0x" + Long.toHexString(v);
                Optional<Allocation> holder = oracle.allocationContaining(v);
                try {
                    Range freed = a.freeContaining(v);
                    assertEquals(holder.map(Allocation::range).orElse(null), freed, op);
                    released(freed);
                } catch (NotAllocatedException e) {
                    assertTrue(holder.isEmpty(), op + " refused but " + holder + " holds it");
                }
            } else if (kind < 92) {
                reallocate(live);
            } else {
                long v = value();
                op = "allocationContaining 0x" + Long.toHexString(v);
                assertEquals(oracle.allocationContaining(v), a.allocationContaining(v), op);
            }
        }

        private void place(Request r, AllocationPolicy policy, boolean tryOnly) {
            Request normal = oracle.normalize(r);
            boolean exists = oracle.placementExists(normal);
            List<Range> spansBefore = parent == null ? null : oracle.spans();
            Range placed;
            if (tryOnly) {
                Optional<Range> got = policy == null ? a.tryAllocate(r) : a.tryAllocate(r, policy);
                placed = got.orElse(null);
            } else {
                try {
                    placed = policy == null ? a.allocate(r) : a.allocate(r, policy);
                } catch (ExhaustedException e) {
                    placed = null;
                }
            }
            if (placed == null) {
                oracle.failedAllocations++;
                assertTrue(!exists, op + " refused although a placement exists in " + oracle.freeRanges());
                if (parent != null) {
                    assertTrue(!importPossible(normal), op + " refused although the parent could give a span for it");
                }
                refusals++;
                return;
            }
            if (parent != null && oracle.spanHolding(placed) == null) {
                adoptImport(placed, exists, spansBefore);
            }
            String why = oracle.judge(normal, placed);
            if (why != null) {
                fail(op + ": " + why);
            }
            oracle.take(placed, r.tag());
        }

        /** The placement lies outside the oracle's spans: the child imported a span for it. */
        private void adoptImport(Range placed, boolean existed, List<Range> spansBefore) {
            assertTrue(!existed, op + " imported although a placement existed in " + oracle.freeRanges());
            List<Range> now = a.spans();
            List<Range> added = new ArrayList<>(now);
            added.removeAll(spansBefore);
            assertEquals(1, added.size(), op + ": spans went from " + spansBefore + " to " + now);
            Range span = added.get(0);
            assertTrue(span.contains(placed), op + ": the import " + span + " does not hold " + placed);
            assertEquals(Optional.of(new Allocation(span, null)), parent.allocationContaining(span.start()),
                    op + ": the import " + span + " is not a parent allocation");
            assertTrue(span.size() >= 0x200, op + ": import " + span + " below the import size");
            oracle.addSpan(span, true);
            imports++;
        }

        /**
         * Whether the parent has a free span of the size the documentation gives (import size, or the
         * request and its slack, on both quanta) that holds a placement: found by trying every
         * aligned start in every free range of the parent.
         */
        private boolean importPossible(Request normal) {
            if (normal == null) {
                return false;
            }
            long q = Math.max(Q, parent.quantum());
            long a = normal.alignment();
            long p = normal.phase();
            long s = normal.size();
            long n = normal.noCross();
            long slack = (p & (q - 1)) + (Long.compareUnsigned(a, q) > 0 ? a - q : 0);
            if (n != 0 && Long.compareUnsigned(a, n) < 0) {
                if (p + s > n) {
                    return false;
                }
                slack = Math.max(slack, n - ((n - s - p) & -a) - Q);
            }
            long size = (Math.max(0x200, s + slack) + q - 1) & -q;
            for (Range free : Images.free(parent)) {
                long t = (free.start() + q - 1) & -q;
                if (Long.compareUnsigned(t, free.start()) < 0) {
                    continue;
                }
                while (true) {
                    long end = t + size - 1;
                    if (Long.compareUnsigned(end, t) < 0 || Long.compareUnsigned(end, free.end()) > 0) {
                        break;
                    }
                    if (Oracle.placementIn(Range.of(t, end), normal) != null) {
                        return true;
                    }
                    t += q;
                }
            }
            return false;
        }

        private void reserve() {
            Range r = randomRange();
            String tag = rng.nextBoolean() ? "r" : null;
            op = "reserve " + r;
            boolean inSpan = oracle.spanHolding(r) != null;
            Allocation over = oracle.firstOverlapping(r);
            try {
                a.reserve(r, tag);
                assertTrue(inSpan && over == null, op + " succeeded: in span " + inSpan + ", overlapping " + over);
                oracle.take(r, tag);
            } catch (OverlapException e) {
                oracle.failedAllocations++;
                assertTrue(inSpan && over != null, op + " overlapped: in span " + inSpan + ", overlapping " + over);
            } catch (IllegalArgumentException e) {
                oracle.failedAllocations++;
                assertTrue(!inSpan, op + " refused as outside one span: " + e.getMessage());
            }
        }

        private void reallocate(List<Allocation> live) {
            if (live.isEmpty()) {
                return;
            }
            Allocation old = live.get(rng.nextInt(live.size()));
            Request r = rng.nextBoolean() ? Request.of(1 + rng.nextInt(0x80)) : constrained();
            op = "reallocate " + old + " to " + r;
            Request normal = oracle.normalize(r);
            List<Range> spansBefore = parent == null ? null : oracle.spans();
            // As if old were free: judge against the oracle with it released.
            oracle.release(old.range());
            oracle.totalFrees--;
            boolean exists = oracle.placementExists(normal);
            Range moved;
            try {
                moved = a.reallocate(old.range(), r);
            } catch (ExhaustedException e) {
                oracle.take(old.range(), old.tag());
                oracle.totalAllocations--;
                oracle.failedAllocations++;
                assertTrue(!exists, op + " refused although a placement exists");
                if (parent != null) {
                    assertTrue(!importPossible(normal), op + " refused although the parent could give a span");
                }
                refusals++;
                return;
            }
            if (parent != null && oracle.spanHolding(moved) == null) {
                adoptImport(moved, exists, spansBefore);
            }
            String why = oracle.judge(normal, moved);
            if (why != null) {
                fail(op + ": " + why);
            }
            oracle.take(moved, r.tag() != null ? r.tag() : old.tag());
            oracle.totalFrees++;
            handBack(old.range());
        }

        private void released(Range r) {
            lastFreed = r;
            oracle.release(r);
            handBack(r);
        }

        /** An imported span left wholly free goes back at once. */
        private void handBack(Range freed) {
            if (parent == null) {
                return;
            }
            Range span = oracle.spanHolding(freed);
            if (span != null && oracle.importedSpans().contains(span) && !oracle.holdsAny(span)) {
                oracle.removeSpan(span);
            }
        }

        private void full(String when) {
            String what = op + ", checked " + when;
            assertEquals(oracle.spans(), a.spans(), what + ": spans");
            assertEquals(oracle.allocations(), Images.allocations(a), what + ": allocations");
            assertEquals(oracle.freeRanges(), Images.free(a), what + ": free ranges");
            AllocatorStats want = oracle.stats();
            assertEquals(want, a.stats(), what + ": stats");
            for (Range free : oracle.freeRanges()) {
                assertTrue(a.isFree(free), what + ": isFree(" + free + ")");
            }
            if (parent != null) {
                HierarchyTest.assertImportedSpansAreParentAllocationsAndHoldSomething(a, parent, what);
            }
        }

        private void restore() {
            List<String> engines = Allocators.engines();
            String target = engines.get(rng.nextInt(engines.size()));
            byte[] image = Images.of(a);
            if (parent == null) {
                a = Allocators.restore(new ByteArrayInputStream(image), target);
            } else {
                byte[] parentImage = Images.of(parent);
                parent = Allocators.restore(new ByteArrayInputStream(parentImage), target);
                a = Allocators.restore(new ByteArrayInputStream(image), target, parent);
            }
            restores++;
            full("after restoring into " + target);
        }

        private Request constrained() {
            long size = 1 + rng.nextInt(0x400);
            long alignment = 1L << rng.nextInt(11);
            Request r = Request.of(size).aligned(alignment);
            if (alignment > Q && rng.nextBoolean()) {
                r = r.phase(rng.nextLong(alignment) & -Q);
            }
            if (rng.nextInt(4) == 0) {
                long boundary = Long.highestOneBit(size + Q) << (1 + rng.nextInt(3));
                r = r.noCross(boundary);
            }
            if (rng.nextInt(3) == 0) {
                Range span = SPANS.get(rng.nextInt(SPANS.size()));
                long min = span.start() + (rng.nextLong(span.size()) & -Q);
                long room = span.end() - min;
                r = r.within(min, min + Math.min(room, size + rng.nextLong(0x800)));
            }
            return r.tagged(rng.nextInt(4) == 0 ? "k" : null);
        }

        private Range randomRange() {
            Range span = SPANS.get(rng.nextInt(SPANS.size()));
            long start = span.start() + (rng.nextLong(span.size()) & -Q);
            long size = Q * (1 + rng.nextInt(8));
            long end = start + size - 1;
            return Range.of(start, Long.compareUnsigned(end, start) < 0 || Long.compareUnsigned(end, span.end()) > 0
                    ? span.end() : end);
        }

        private long value() {
            Range span = SPANS.get(rng.nextInt(SPANS.size()));
            return span.start() + rng.nextLong(span.size());
        }

        /** A part or a superset of {@code r}, or the range freed last (a double free unless reused). */
        private Range wrong(Range r) {
            return switch (rng.nextInt(3)) {
                case 0 -> r.size() > Q ? Range.of(r.start(), r.end() - Q)
                        : r.end() != TOP ? Range.of(r.start(), r.end() + Q) : Range.of(r.start() - Q, r.end());
                case 1 -> r.end() != TOP ? Range.of(r.start() + Q, r.end() + Q) : Range.of(r.start() - Q, r.end() - Q);
                default -> lastFreed != null ? lastFreed : r;
            };
        }
    }
}
