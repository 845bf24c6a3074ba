package io.allot.tests.layers;

import io.allot.Allocation;
import io.allot.AllocatorStats;
import io.allot.Allocators;
import io.allot.ExhaustedException;
import io.allot.Range;
import io.allot.Request;
import io.allot.ResourceAllocator;
import io.allot.spi.AllocationPolicy;
import io.allot.tests.Observer;
import io.allot.tests.Owners;
import io.allot.tests.TestThreads;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Quantum caches and arena hierarchies under threads, on every engine: threads that allocate
 * through their own magazines, free each other's allocations (so segments move between stripes),
 * bypass the caches with constraints and named policies, and reallocate, never hold one unit at
 * the same time, while an observer empties the caches, iterates and snapshots. Then two
 * thread-safe children of one thread-safe parent, each used by two threads.
 *
 * <p>Ownership is tracked by {@link Owners}, as in {@code ConcurrencyTest}: one slot per quantum, claimed with a
 * compare-and-set after every successful allocation and released before every free; an allocation
 * handed to another thread to free is marked in transit. Joins time out, so a deadlock fails the
 * test with every thread's stack.
 */
class LayersConcurrencyTest {

    private static final long Q = 0x10;
    private static final int UNITS = 0x4000;
    private static final long BASE = 0x40_0000;
    private static final int IN_TRANSIT = 99;
    private static final long TIMEOUT_SECONDS = 90;

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.allot.tests.Matrix#engines")
    void fourThreadsWithCachesNeverShareAUnit(String engine) throws Exception {
        Range span = Range.ofSize(BASE, UNITS * Q);
        ResourceAllocator allocator = Allocators.builder().engine(engine).policy("best-fit").quantum(Q).span(span)
                .quantumCache(8 * Q).threadSafe().build();
        Owners owners = new Owners(BASE, Q, UNITS);
        long seed = Long.getLong("allot.seed", System.nanoTime());
        String context = engine + ", seed " + seed;
        Queue<Range> handoff = new ConcurrentLinkedQueue<>();
        CountDownLatch start = new CountDownLatch(1);
        AtomicBoolean done = new AtomicBoolean();
        List<CacheWorker> workers = new ArrayList<>();
        for (int t = 1; t <= 4; t++) {
            workers.add(new CacheWorker(t, 25_000, new SplittableRandom(seed + t), allocator, owners, handoff, start));
        }
        Observer observer = new Observer(allocator, List.of(span), owners, start, done, 8,
                restored -> Images.assertConsistent(restored, "restored mid-run snapshot"));
        TestThreads.run(workers, List.of(observer), start, done, TIMEOUT_SECONDS, context);
        owners.assertNone(context);

        // Handed-off allocations nobody freed yet, then everything the threads hold.
        for (Range r = handoff.poll(); r != null; r = handoff.poll()) {
            owners.release(r, IN_TRANSIT, "final drain");
            allocator.free(r);
            workers.get(0).frees++;
        }
        List<Range> held = workers.stream().flatMap(w -> w.held.stream()).sorted().collect(Collectors.toList());
        assertEquals(held, Images.allocations(allocator).stream().map(Allocation::range).collect(Collectors.toList()),
                context + ": the allocator holds exactly the threads' holdings");
        AllocatorStats s = allocator.stats();
        assertEquals(workers.stream().mapToLong(w -> w.allocations).sum(), s.totalAllocations(), context + ": allocations");
        assertEquals(workers.stream().mapToLong(w -> w.frees).sum(), s.totalFrees(), context + ": frees");
        assertEquals(workers.stream().mapToLong(w -> w.failed).sum(), s.failedAllocations(), context + ": failures");
        Images.assertConsistent(allocator, context);
        SnapshotCheck.sameState(allocator, Images.restore(Images.of(allocator)), context);
        long hits = workers.stream().mapToLong(w -> w.cacheable).sum();
        assertTrue(hits > 25_000, context + ": too few cacheable allocations to prove anything: " + hits);
        held.forEach(allocator::free);
        assertEquals(span, allocator.allocate(Request.of(span.size())), context + ": nothing was lost in a cache");
        System.out.printf("[layers concurrency] %s: 4 threads, %d cacheable allocations, %d observer views and %d"
                + " snapshots%n", engine, hits, observer.views(), observer.snapshots());
    }

    @ParameterizedTest(name = "{0} parent, {1} children")
    @MethodSource("io.allot.tests.layers.HierarchyTest#enginePairs")
    void twoChildrenOfOneParentUsedByFourThreads(String parentEngine, String childEngine) throws Exception {
        Range span = Range.ofSize(BASE, UNITS * Q);
        ResourceAllocator parent = Allocators.builder().engine(parentEngine).quantum(Q).span(span).threadSafe().build();
        ResourceAllocator plain = Allocators.builder().engine(childEngine).quantum(Q).source(parent, 0x40 * Q)
                .threadSafe().build();
        ResourceAllocator cached = Allocators.builder().engine(childEngine).quantum(Q).source(parent, 0x20 * Q)
                .quantumCache(4 * Q).threadSafe().build();
        Owners owners = new Owners(BASE, Q, UNITS);
        long seed = Long.getLong("allot.seed", System.nanoTime());
        String context = parentEngine + "/" + childEngine + ", seed " + seed;
        List<Queue<Range>> handoffs = List.of(new ConcurrentLinkedQueue<>(), new ConcurrentLinkedQueue<>());
        CountDownLatch start = new CountDownLatch(1);
        AtomicBoolean done = new AtomicBoolean();
        List<CacheWorker> workers = new ArrayList<>();
        for (int t = 1; t <= 4; t++) { // two threads per child, each pair freeing each other's allocations
            workers.add(new CacheWorker(t, 10_000, new SplittableRandom(seed + t), t <= 2 ? plain : cached, owners,
                    handoffs.get((t - 1) / 2), start));
        }
        Observer observer = new Observer(parent, List.of(span), owners, start, done, 8,
                restored -> Images.assertConsistent(restored, "restored mid-run snapshot"));
        TestThreads.run(workers, List.of(observer), start, done, TIMEOUT_SECONDS, context);
        owners.assertNone(context);
        for (CacheWorker w : workers) {
            w.held.forEach(w.allocator::free);
            for (Range r = w.handoff.poll(); r != null; r = w.handoff.poll()) {
                w.allocator.free(r);
            }
        }
        for (ResourceAllocator child : List.of(plain, cached)) {
            assertEquals(0, child.stats().imported(), context + ": imported after freeing everything");
            assertEquals(List.of(), child.spans(), context);
        }
        assertEquals(0, parent.stats().allocated(), context + ": the parent got everything back");
        assertEquals(List.of(span), Images.free(parent), context);
    }

    // ---------------------------------------------------------------------------------------------

    /** Mostly cacheable allocations and frees, some of them handed to another thread to free. */
    private static final class CacheWorker implements Callable<Void> {
        final int id;
        final int budget;
        final SplittableRandom rng;
        final ResourceAllocator allocator;
        final Owners owners;
        final Queue<Range> handoff;
        final CountDownLatch start;
        final List<Range> held = new ArrayList<>();
        final List<AllocationPolicy> policies = Allocators.policies().stream().map(Allocators::policy)
                .collect(Collectors.toList());
        long allocations;
        long frees;
        long failed;
        long cacheable;

        CacheWorker(int id, int budget, SplittableRandom rng, ResourceAllocator allocator, Owners owners,
                    Queue<Range> handoff, CountDownLatch start) {
            this.id = id;
            this.budget = budget;
            this.rng = rng;
            this.allocator = allocator;
            this.owners = owners;
            this.handoff = handoff;
            this.start = start;
        }

        @Override
        public Void call() throws InterruptedException {
            start.await();
            for (int i = 0; i < budget; i++) {
                step(i);
            }
            return null;
        }

        private void step(int i) {
            int kind = rng.nextInt(100);
            if (held.size() > 120 && kind < 60) {
                kind += 40;
            }
            if (held.isEmpty() && kind >= 60) {
                kind -= 60;
            }
            String what = "t" + id + " op " + i;
            if (kind < 50) {
                Request r = Request.of(1 + rng.nextInt((int) (8 * Q))).tagged(rng.nextInt(4) == 0 ? "t" + id : null);
                cacheable++;
                took(allocator.tryAllocate(r), what + " cacheable");
            } else if (kind < 60) {
                Request r = Request.of(1 + rng.nextInt(0x300)).aligned(1L << rng.nextInt(8));
                AllocationPolicy p = policies.get(rng.nextInt(policies.size()));
                took(allocator.tryAllocate(r, p), what + " " + p.name());
            } else if (kind < 85) {
                Range r = held.remove(rng.nextInt(held.size()));
                if (rng.nextInt(4) != 0) {
                    owners.release(r, id, what + " free");
                    if (rng.nextBoolean()) {
                        allocator.free(r);
                    } else {
                        Range freed = allocator.freeContaining(r.start() + rng.nextLong(r.size()));
                        if (!freed.equals(r)) {
                            owners.report(what + ": freeContaining freed " + freed + ", not " + r);
                        }
                    }
                    frees++;
                } else {
                    owners.move(r, id, IN_TRANSIT, what + " hand off");
                    handoff.add(r);
                }
                Range other = handoff.poll();
                if (other != null) {
                    owners.release(other, IN_TRANSIT, what + " free of a handed-off allocation");
                    allocator.free(other);
                    frees++;
                }
            } else if (kind < 92) {
                int index = rng.nextInt(held.size());
                Range old = held.get(index);
                owners.release(old, id, what + " reallocate");
                try {
                    Range moved = allocator.reallocate(old, Request.of(1 + rng.nextInt((int) (12 * Q))));
                    owners.claim(moved, id, what + " reallocated");
                    held.set(index, moved);
                    allocations++;
                    frees++;
                } catch (ExhaustedException full) {
                    owners.claim(old, id, what + " failed reallocate");
                    failed++;
                }
            } else {
                Range r = held.get(rng.nextInt(held.size()));
                Optional<Allocation> found = allocator.allocationContaining(r.end());
                if (found.isEmpty() || !found.get().range().equals(r)) {
                    owners.report(what + ": allocationContaining(" + Long.toHexString(r.end()) + ") = " + found
                            + ", but " + r + " is held");
                }
            }
        }

        private void took(Optional<Range> got, String what) {
            if (got.isPresent()) {
                owners.claim(got.get(), id, what);
                held.add(got.get());
                allocations++;
            } else {
                failed++;
            }
        }
    }

    /** Same state, by the public API. */
    private static final class SnapshotCheck {
        static void sameState(ResourceAllocator expected, ResourceAllocator actual, String context) {
            assertEquals(expected.stats(), actual.stats(), context + ": stats");
            assertEquals(Images.allocations(expected), Images.allocations(actual), context + ": allocations");
            assertEquals(Images.free(expected), Images.free(actual), context + ": free ranges");
        }
    }
}
