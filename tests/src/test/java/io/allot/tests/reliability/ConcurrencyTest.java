package io.allot.tests.reliability;

import io.allot.Allocation;
import io.allot.AllocatorStats;
import io.allot.Allocators;
import io.allot.ExhaustedException;
import io.allot.OverlapException;
import io.allot.Range;
import io.allot.Request;
import io.allot.ResourceAllocator;
import io.allot.spi.AllocationPolicy;
import io.allot.tests.Matrix;
import io.allot.tests.Owners;
import io.allot.tests.TestThreads;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Allocators built with {@code threadSafe()} stay correct under N = 2, 4 and 8 threads.
 *
 * <p>Workers share 10<sup>5</sup> operations per run (allocate with random sizes, alignments and
 * windows, with the default policy and with every installed one; tryAllocate, reserve, free, freeContaining,
 * reallocate, stats, forEachAllocated, forEachFree, allocationContaining, isFree), each tracking
 * what it holds. A global owner array with one slot per quantum is claimed (CAS 0 → thread) after
 * every successful allocation and released (CAS thread → 0) before every free, so a unit handed to
 * two threads at once is caught the moment it happens. Meanwhile an observer thread iterates and
 * snapshots: every snapshot taken mid-mutation must restore, in every engine, to a consistent
 * allocator. At the end the allocator must hold exactly the union of the threads' holdings and its
 * counters must equal the threads' own tallies. The spans are two adjacent ones meeting at
 * 2<sup>63</sup>, where a signed comparison would go wrong. Joins have timeouts: a deadlock fails
 * the test with every thread's stack instead of hanging the build.
 *
 * <p>Allocators not built thread-safe promise nothing under concurrency, so nothing is tested
 * about them here.
 */
class ConcurrencyTest {

    private static final int TOTAL_OPERATIONS = 100_000;
    /** Quanta in each of the two spans. */
    private static final long HALF_UNITS = 0x2000;
    private static final long TIMEOUT_SECONDS = 60;

    /**
     * Every engine with N = 2, 4 and 8. Every installed policy runs in every such run (workers pick
     * one at random for a quarter of their allocations); the default policy rotates over the
     * installed ones from one N to the next, so that 10<sup>5</sup> operations per N stay cheap as
     * engines and policies are added.
     */
    static Stream<Arguments> enginesThreadsAndDefaultPolicies() {
        List<String> policies = Matrix.policies().collect(Collectors.toList());
        int[] threads = {2, 4, 8};
        List<String> engines = Matrix.engines().collect(Collectors.toList());
        return IntStream.range(0, engines.size()).boxed().flatMap(e -> IntStream.range(0, threads.length)
                .mapToObj(k -> Arguments.of(engines.get(e), policies.get((e * threads.length + k) % policies.size()),
                        threads[k])));
    }


    @ParameterizedTest(name = "{0} engine, default {1}, {2} threads")
    @MethodSource("enginesThreadsAndDefaultPolicies")
    void threadsNeverShareAUnitAndTheFinalStateAddsUp(String engine, String policy, int threads) throws Exception {
        long quantum = threads == 4 ? 0x10 : 1;
        long half = HALF_UNITS * quantum;
        long base = Long.MIN_VALUE - half; // 2^63 - half: the spans meet at 2^63
        List<Range> spans = List.of(Range.ofSize(base, half), Range.ofSize(Long.MIN_VALUE, half));
        ResourceAllocator allocator = Allocators.builder().engine(engine).policy(policy).quantum(quantum)
                .span(spans.get(0)).span(spans.get(1)).threadSafe().build();
        Space space = new Space(base, quantum, spans, (int) (2 * HALF_UNITS));
        long seed = System.nanoTime();
        String context = engine + "/" + policy + ", " + threads + " threads, quantum 0x" + Long.toHexString(quantum)
                + ", seed " + seed;

        CountDownLatch start = new CountDownLatch(1);
        AtomicBoolean workersDone = new AtomicBoolean();
        List<Worker> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            workers.add(new Worker(t + 1, TOTAL_OPERATIONS / threads, new SplittableRandom(seed + t), allocator, space,
                    start));
        }
        Observer observer = new Observer(allocator, space, start, workersDone);
        long began = System.nanoTime();
        TestThreads.run(workers, List.of(observer), start, workersDone, TIMEOUT_SECONDS, context);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);

        space.owners.assertNone(context);

        // The allocator holds exactly what the threads hold.
        List<Allocation> held = workers.stream().flatMap(w -> w.held.stream())
                .sorted(Comparator.comparing(Allocation::range)).collect(Collectors.toList());
        List<Allocation> live = new ArrayList<>();
        allocator.forEachAllocated(live::add);
        assertEquals(held, live, context + ": forEachAllocated is not the union of the threads' holdings");
        for (int unit = 0; unit < space.owners.units(); unit++) {
            long value = space.owners.value(unit);
            Optional<Allocation> holder = allocator.allocationContaining(value);
            int owner = space.owners.holder(unit);
            assertEquals(owner != 0, holder.isPresent(), context + ": value 0x" + Long.toHexString(value) + " owner " + owner);
            if (owner != 0) {
                assertEquals("t" + owner, holder.get().tag(), context + ": tag of 0x" + Long.toHexString(value));
            }
        }

        // Counters: the allocator's and the threads' own tallies agree.
        AllocatorStats stats = allocator.stats();
        long heldValues = held.stream().mapToLong(a -> a.range().size()).sum();
        long allocations = workers.stream().mapToLong(w -> w.allocations).sum();
        long frees = workers.stream().mapToLong(w -> w.frees).sum();
        long failed = workers.stream().mapToLong(w -> w.failed).sum();
        assertEquals(2 * half, stats.capacity(), context + ": capacity");
        assertEquals(heldValues, stats.allocated(), context + ": allocated");
        assertEquals(stats.capacity(), stats.allocated() + stats.free(), context + ": allocated + free");
        assertEquals(held.size(), stats.liveAllocations(), context + ": liveAllocations");
        assertEquals(stats.liveAllocations(), stats.totalAllocations() - stats.totalFrees(), context + ": totals");
        assertEquals(allocations, stats.totalAllocations(), context + ": totalAllocations vs the threads' successes");
        assertEquals(frees, stats.totalFrees(), context + ": totalFrees vs the threads' frees");
        assertEquals(failed, stats.failedAllocations(), context + ": failedAllocations vs the threads' failures");
        List<Range> free = new ArrayList<>();
        allocator.forEachFree(free::add);
        assertTiles(spans, live, free, context);
        assertEquals(free.size(), stats.freeSegments(), context + ": freeSegments");
        assertEquals(free.stream().mapToLong(Range::size).max().orElse(0), stats.largestFree(), context + ": largestFree");

        // The final snapshot restores to the same state.
        ResourceAllocator restored = Allocators.restore(new ByteArrayInputStream(snapshot(allocator)));
        SnapshotRoundTripTest.assertSameState(allocator, restored, context + ": final snapshot");

        long operations = workers.stream().mapToLong(w -> w.operations).sum();
        System.out.printf("[concurrency] %s, default %s, %d threads: %d operations (%d allocations, %d frees, %d failed)"
                        + " + %d observer views and %d mid-run snapshots restored, in %d ms%n", engine, policy, threads,
                operations, allocations, frees, failed, observer.views, observer.snapshots, millis);
        assertEquals(TOTAL_OPERATIONS / threads * threads, operations);
    }

    @ParameterizedTest(name = "{0} engine")
    @MethodSource("io.allot.tests.Matrix#engines")
    void iterationAndSnapshotsDuringMutationSeeConsistentStates(String engine) throws Exception {
        // Single units and small runs (the bitmap engine's lock-free path) churned by two threads
        // while two others iterate and snapshot without pause.
        long base = 0x10_0000;
        List<Range> spans = List.of(Range.ofSize(base, 0x1000), Range.ofSize(base + 0x1000, 0x1000));
        ResourceAllocator allocator = Allocators.builder().engine(engine).span(spans.get(0)).span(spans.get(1))
                .threadSafe().build();
        Space space = new Space(base, 1, spans, 0x2000);
        CountDownLatch start = new CountDownLatch(1);
        AtomicBoolean mutatorsDone = new AtomicBoolean();
        AtomicLong mutations = new AtomicLong();
        AtomicLong seeds = new AtomicLong(System.nanoTime());
        Callable<Void> mutator = () -> {
            SplittableRandom rng = new SplittableRandom(seeds.getAndIncrement());
            List<Range> mine = new ArrayList<>();
            start.await();
            // At least 20 000 mutations each, and on until the iterators have seen 50 snapshots.
            for (int i = 0; i < 20_000 || space.snapshots.get() < 50 && i < 2_000_000; i++) {
                if (mine.size() < 200 && (mine.isEmpty() || rng.nextBoolean())) {
                    Request request = rng.nextInt(3) == 0 ? Request.of(1 + rng.nextInt(8)) : Request.of(1);
                    allocator.tryAllocate(request).ifPresent(mine::add);
                } else {
                    allocator.free(mine.remove(rng.nextInt(mine.size())));
                }
                mutations.incrementAndGet();
            }
            return null;
        };
        Callable<Void> iterator = () -> {
            start.await();
            while (!mutatorsDone.get()) {
                space.checkAllocated(allocator, List.of(), "forEachAllocated during mutation");
                space.checkFree(allocator, List.of(), "forEachFree during mutation");
                space.checkSnapshot(snapshot(allocator), "snapshot during mutation");
            }
            return null;
        };
        TestThreads.run(List.of(mutator, mutator), List.of(iterator, iterator), start, mutatorsDone, TIMEOUT_SECONDS,
                engine);
        space.owners.assertNone(engine + ", inconsistent views");
        System.out.printf("[concurrency] %s: %d mutations with %d consistent views and %d snapshots taken meanwhile%n",
                engine, mutations.get(), space.views.get(), space.snapshots.get());
    }

    // ---------------------------------------------------------------------------------------------
    // Threads
    // ---------------------------------------------------------------------------------------------

    /** The shared space: its spans, one owner slot per quantum, and every violation seen. */
    private static final class Space {
        final long quantum;
        final List<Range> spans;
        final Owners owners;
        final AtomicLong views = new AtomicLong();
        final AtomicLong snapshots = new AtomicLong();

        Space(long base, long quantum, List<Range> spans, int units) {
            this.quantum = quantum;
            this.spans = spans;
            this.owners = new Owners(base, quantum, units);
        }

        boolean inOneSpan(Range range) {
            return spans.stream().anyMatch(s -> s.contains(range));
        }

        /** One forEachAllocated: ascending, disjoint, inside spans, and holding every range in {@code mine}. */
        void checkAllocated(ResourceAllocator allocator, List<Allocation> mine, String what) {
            List<Allocation> seen = new ArrayList<>();
            allocator.forEachAllocated(seen::add);
            views.incrementAndGet();
            for (int i = 0; i < seen.size(); i++) {
                Range r = seen.get(i).range();
                if (!inOneSpan(r)) {
                    owners.report(what + ": " + r + " is not inside one span");
                }
                if (i > 0 && Long.compareUnsigned(seen.get(i - 1).range().end(), r.start()) >= 0) {
                    owners.report(what + ": " + r + " follows " + seen.get(i - 1).range());
                }
            }
            if (!mine.isEmpty()) {
                Map<Range, String> byRange = seen.stream()
                        .collect(Collectors.toMap(Allocation::range, a -> String.valueOf(a.tag()), (x, y) -> x));
                for (Allocation a : mine) {
                    if (!a.tag().equals(byRange.get(a.range()))) {
                        owners.report(what + ": " + a + ", held throughout, was not visited (" + byRange.get(a.range()) + ")");
                    }
                }
            }
        }

        /** One forEachFree: ascending, disjoint, maximal within a span, inside spans, clear of {@code mine}. */
        void checkFree(ResourceAllocator allocator, List<Allocation> mine, String what) {
            List<Range> seen = new ArrayList<>();
            allocator.forEachFree(seen::add);
            views.incrementAndGet();
            for (int i = 0; i < seen.size(); i++) {
                Range r = seen.get(i);
                if (!inOneSpan(r)) {
                    owners.report(what + ": free " + r + " is not inside one span");
                }
                if (i > 0) {
                    Range before = seen.get(i - 1);
                    if (Long.compareUnsigned(before.end(), r.start()) >= 0) {
                        owners.report(what + ": free " + r + " follows " + before);
                    } else if (before.end() + 1 == r.start() && spans.stream().anyMatch(s -> s.contains(before)
                            && s.contains(r))) {
                        owners.report(what + ": free " + before + " and " + r + " are adjacent in one span: not maximal");
                    }
                }
                for (Allocation a : mine) {
                    if (a.range().overlaps(r)) {
                        owners.report(what + ": free " + r + " overlaps " + a + ", held throughout");
                    }
                }
            }
        }

        /** A snapshot taken under mutation restores, in every engine, to a self-consistent allocator. */
        void checkSnapshot(byte[] image, String what) {
            snapshots.incrementAndGet();
            try {
                ResourceAllocator own = Allocators.restore(new ByteArrayInputStream(image));
                checkQuiet(own, what + ", restored");
                for (String engine : Allocators.engines()) {
                    if (!engine.equals(own.engine())) {
                        checkQuiet(Allocators.restore(new ByteArrayInputStream(image), engine),
                                what + ", restored into " + engine);
                    }
                }
            } catch (RuntimeException e) {
                owners.report(what + ": restoring threw " + e);
            }
        }

        /** A single-threaded allocator's allocations and free ranges tile its spans and match its stats. */
        private void checkQuiet(ResourceAllocator allocator, String what) {
            List<Allocation> live = new ArrayList<>();
            allocator.forEachAllocated(live::add);
            List<Range> free = new ArrayList<>();
            allocator.forEachFree(free::add);
            AllocatorStats s = allocator.stats();
            long allocated = live.stream().mapToLong(a -> a.range().size()).sum();
            if (s.liveAllocations() != live.size() || s.allocated() != allocated
                    || s.totalAllocations() - s.totalFrees() != s.liveAllocations()
                    || s.allocated() + s.free() != s.capacity() || !allocator.spans().equals(spans)) {
                owners.report(what + ": " + s + " does not match " + live.size() + " allocations of " + allocated);
            }
            try {
                assertTiles(spans, live, free, what);
            } catch (AssertionError e) {
                owners.report(e.getMessage());
            }
        }
    }

    /** The operations of one thread, which owns what it allocated until it frees it. */
    private static final class Worker implements Callable<Void> {
        final int id;
        final String tag;
        final int budget;
        final SplittableRandom rng;
        final ResourceAllocator allocator;
        final Space space;
        final CountDownLatch start;
        final List<AllocationPolicy> policies = Allocators.policies().stream().map(Allocators::policy)
                .collect(Collectors.toList());
        final List<Allocation> held = new ArrayList<>();
        long operations;
        long allocations;
        long frees;
        long failed;

        Worker(int id, int budget, SplittableRandom rng, ResourceAllocator allocator, Space space, CountDownLatch start) {
            this.id = id;
            this.tag = "t" + id;
            this.budget = budget;
            this.rng = rng;
            this.allocator = allocator;
            this.space = space;
            this.start = start;
        }

        @Override
        public Void call() throws InterruptedException {
            start.await();
            for (; operations < budget; operations++) {
                step();
            }
            return null;
        }

        private void step() {
            int kind = rng.nextInt(100);
            if (held.size() > 48 && kind < 40) {
                kind += 40; // keep holdings bounded: free instead
            }
            if (held.isEmpty() && kind >= 40 && kind < 80) {
                kind -= 40;
            }
            if (kind < 15) {
                allocate(() -> allocator.allocate(request()), "allocate");
            } else if (kind < 25) {
                AllocationPolicy policy = policies.get(rng.nextInt(policies.size()));
                allocate(() -> allocator.allocate(request(), policy), "allocate " + policy.name());
            } else if (kind < 33) {
                Optional<Range> got = rng.nextBoolean() ? allocator.tryAllocate(request())
                        : allocator.tryAllocate(request(), policies.get(rng.nextInt(policies.size())));
                if (got.isPresent()) {
                    took(got.get(), "tryAllocate");
                } else {
                    failed++;
                }
            } else if (kind < 40) {
                Range range = SnapshotRoundTripTest.randomRange(rng, space.quantum, space.spans);
                try {
                    took(allocator.reserve(range, tag), "reserve");
                } catch (OverlapException busy) {
                    failed++;
                }
            } else if (kind < 58) {
                Allocation a = held.remove(rng.nextInt(held.size()));
                space.owners.release(a.range(), id, "free");
                allocator.free(a.range());
                frees++;
            } else if (kind < 64) {
                Allocation a = held.remove(rng.nextInt(held.size()));
                space.owners.release(a.range(), id, "free");
                long value = a.range().start() + rng.nextLong(a.range().size());
                Range freed = allocator.freeContaining(value);
                frees++;
                if (!freed.equals(a.range())) {
                    space.owners.report(tag + ": freeContaining(0x" + Long.toHexString(value) + ") freed " + freed
                            + ", not " + a.range());
                }
            } else if (kind < 72) {
                int index = rng.nextInt(held.size());
                Allocation old = held.get(index);
                space.owners.release(old.range(), id, "free");
                try {
                    Range moved = allocator.reallocate(old.range(), request());
                    held.set(index, new Allocation(moved, tag));
                    space.owners.claim(moved, id, "reallocate of " + old.range());
                    allocations++;
                    frees++;
                } catch (ExhaustedException full) {
                    failed++;
                    space.owners.claim(old.range(), id, "reallocate that failed (old stays)");
                }
            } else if (kind < 80) {
                Allocation a = held.get(rng.nextInt(held.size()));
                long value = a.range().start() + rng.nextLong(a.range().size());
                Optional<Allocation> found = allocator.allocationContaining(value);
                if (!found.equals(Optional.of(a))) {
                    space.owners.report(tag + ": allocationContaining(0x" + Long.toHexString(value) + ") = " + found
                            + ", but " + a + " is held");
                }
                if (allocator.isFree(a.range())) {
                    space.owners.report(tag + ": isFree(" + a.range() + ") although it is held");
                }
            } else if (kind < 86) {
                long value = space.owners.value(rng.nextInt(space.owners.units()));
                allocator.allocationContaining(value).ifPresent(found -> {
                    if (!found.range().contains(value)) {
                        space.owners.report(tag + ": allocationContaining(0x" + Long.toHexString(value) + ") = " + found);
                    }
                });
            } else if (kind < 96) {
                AllocatorStats s = allocator.stats();
                if (s.allocated() + s.free() != s.capacity() || s.totalAllocations() - s.totalFrees() != s.liveAllocations()
                        || Long.compareUnsigned(s.largestFree(), s.free()) > 0) {
                    space.owners.report(tag + ": inconsistent stats " + s);
                }
            } else if (kind < 98) {
                space.checkAllocated(allocator, held, tag + " forEachAllocated");
            } else {
                space.checkFree(allocator, held, tag + " forEachFree");
            }
        }

        private void allocate(Callable<Range> call, String how) {
            try {
                took(call.call(), how);
            } catch (ExhaustedException full) {
                failed++;
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }

        private void took(Range range, String how) {
            space.owners.claim(range, id, how);
            held.add(new Allocation(range, tag));
            allocations++;
        }

        private Request request() {
            if (rng.nextInt(3) == 0) {
                return Request.of(1).tagged(tag);
            }
            Request request = Request.of(1 + rng.nextInt(48 * (int) Math.min(space.quantum, 4)))
                    .aligned(1L << rng.nextInt(7));
            if (rng.nextInt(8) == 0) {
                Range span = space.spans.get(rng.nextInt(space.spans.size()));
                request = request.within(span.start() + span.size() / 2, span.end());
            }
            return request.tagged(tag);
        }
    }

    /** Watches the allocator while the workers run: iterates, reads stats, snapshots and restores. */
    private static final class Observer implements Callable<Void> {
        final ResourceAllocator allocator;
        final Space space;
        final CountDownLatch start;
        final AtomicBoolean done;
        long views;
        long snapshots;

        Observer(ResourceAllocator allocator, Space space, CountDownLatch start, AtomicBoolean done) {
            this.allocator = allocator;
            this.space = space;
            this.start = start;
            this.done = done;
        }

        @Override
        public Void call() throws InterruptedException {
            start.await();
            while (!done.get()) {
                space.checkAllocated(allocator, List.of(), "observer forEachAllocated");
                space.checkFree(allocator, List.of(), "observer forEachFree");
                views += 2;
                if (views % 10 == 0) {
                    space.checkSnapshot(snapshot(allocator), "snapshot taken during mutation");
                    snapshots++;
                }
                LockSupport.parkNanos(200_000);
            }
            return null;
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Helpers
    // ---------------------------------------------------------------------------------------------

    /** Allocations and free ranges, both ascending, together cover every span exactly once. */
    private static void assertTiles(List<Range> spans, List<Allocation> live, List<Range> free, String context) {
        List<Range> pieces = new ArrayList<>();
        live.forEach(a -> pieces.add(a.range()));
        pieces.addAll(free);
        pieces.sort(Comparator.naturalOrder());
        int i = 0;
        for (Range span : spans) {
            long next = span.start();
            while (true) {
                if (i == pieces.size() || pieces.get(i).start() != next) {
                    fail(context + ": allocations and free ranges do not tile " + span + " at 0x" + Long.toHexString(next)
                            + " (next piece " + (i < pieces.size() ? pieces.get(i) : "none") + ")");
                }
                Range piece = pieces.get(i++);
                if (Long.compareUnsigned(piece.end(), span.end()) > 0) {
                    fail(context + ": " + piece + " runs past " + span);
                }
                if (piece.end() == span.end()) {
                    break;
                }
                next = piece.end() + 1;
            }
        }
        assertEquals(pieces.size(), i, context + ": pieces outside the spans");
    }

    private static byte[] snapshot(ResourceAllocator allocator) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        allocator.writeSnapshot(out);
        return out.toByteArray();
    }
}
