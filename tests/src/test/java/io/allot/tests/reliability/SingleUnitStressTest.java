package io.allot.tests.reliability;

import io.allot.AllocatorStats;
import io.allot.Allocators;
import io.allot.ExhaustedException;
import io.allot.Range;
import io.allot.Request;
import io.allot.ResourceAllocator;
import io.allot.tests.Matrix;
import io.allot.tests.Observer;
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
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Single-quantum allocate/free pairs from 2, 4 and 8 threads on a {@code threadSafe()} allocator —
 * the bitmap engine's lock-free path — prove that no quantum is handed out twice and none is lost.
 *
 * <p>Each thread allocates untagged single quanta (first-match, last-match or next-fit, as the
 * default or named per call, so every lock-free search runs) and frees them again, holding at most
 * a few dozen; the space is small enough that threads run it dry and see failures. An owner slot
 * per quantum is claimed by CAS after each allocation and released before each free, so a quantum
 * handed to two threads at once is caught when it happens. At the end: the allocator holds exactly
 * the union of the holdings, every counter equals the threads' tallies, a snapshot restores to the
 * same state, and, once every thread has freed what it held, every quantum can be allocated again
 * exactly once. The mixed run adds a thread making multi-quantum and tagged allocations (the
 * exclusive path) and an observer checking stats, iteration and snapshots mid-run.
 */
class SingleUnitStressTest {

    private static final int PAIRS_PER_THREAD = 200_000;
    private static final long TIMEOUT_SECONDS = 120;
    private static final String[] SEARCHES = {"first-match", "last-match", "next-fit"};

    static Stream<Arguments> enginesAndThreads() {
        return Matrix.engines().flatMap(engine -> IntStream.of(2, 4, 8).mapToObj(t -> Arguments.of(engine, t)));
    }

    @ParameterizedTest(name = "{0} engine, {1} threads")
    @MethodSource("enginesAndThreads")
    void singleQuantumPairsNeverShareAQuantumAndLoseNone(String engine, int threads) throws Exception {
        run(engine, threads, false);
    }

    @ParameterizedTest(name = "{0} engine, {1} threads with a multi-quantum thread and an observer")
    @MethodSource("enginesAndThreads")
    void singleQuantumPairsStayExactBesideTheExclusivePath(String engine, int threads) throws Exception {
        run(engine, threads, true);
    }

    private void run(String engine, int threads, boolean mixed) throws Exception {
        long quantum = threads == 4 ? 0x10 : 1;
        // Two adjacent spans meeting at 2^63, together about what the threads hold on average (each
        // holds 0 to 48, 24 on average), so the space runs dry often and failed searches retry on
        // the exclusive path; partial words, padding and the span boundary are all in play.
        long half = (12L * threads + 5) * quantum;
        List<Range> spans = List.of(Range.ofSize(Long.MIN_VALUE - half, half), Range.ofSize(Long.MIN_VALUE, half));
        String policy = SEARCHES[threads % SEARCHES.length];
        ResourceAllocator allocator = Allocators.builder().engine(engine).policy(policy).quantum(quantum)
                .span(spans.get(0)).span(spans.get(1)).threadSafe().build();
        long seed = System.nanoTime();
        String context = engine + ", " + threads + " threads, default " + policy + ", quantum 0x"
                + Long.toHexString(quantum) + (mixed ? ", mixed" : "") + ", seed " + seed;
        Owners owners = new Owners(spans.get(0).start(), quantum, (int) (2 * half / quantum));

        CountDownLatch start = new CountDownLatch(1);
        List<Pairs> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            workers.add(new Pairs(t + 1, new SplittableRandom(seed + t), allocator, owners, start));
        }
        AtomicBoolean done = new AtomicBoolean();
        List<Pairs> pairs = List.copyOf(workers);
        List<java.util.concurrent.Callable<Void>> watchers = new ArrayList<>();
        Observer observer = null;
        if (mixed) { // a thread on the exclusive path and an observer, both until the pairs are done
            Multi multi = new Multi(threads + 1, new SplittableRandom(~seed), allocator, owners, start, done);
            workers.add(multi);
            watchers.add(multi);
            observer = new Observer(allocator, spans, owners, start, done, 1, copy -> tilesBothSpans(copy, spans));
            watchers.add(observer);
        }
        long began = System.nanoTime();
        TestThreads.run(pairs, watchers, start, done, TIMEOUT_SECONDS, context);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
        owners.assertNone(context);

        // The allocator holds exactly what the threads hold, and its counters are their tallies.
        List<Range> held = workers.stream().flatMap(w -> w.held.stream()).sorted().collect(Collectors.toList());
        List<Range> live = new ArrayList<>();
        allocator.forEachAllocated(a -> live.add(a.range()));
        assertEquals(held, live, context + ": allocations");
        AllocatorStats stats = allocator.stats();
        long allocations = workers.stream().mapToLong(w -> w.allocations).sum();
        long frees = workers.stream().mapToLong(w -> w.frees).sum();
        long failed = workers.stream().mapToLong(w -> w.failed).sum();
        assertEquals(allocations, stats.totalAllocations(), context + ": totalAllocations");
        assertEquals(frees, stats.totalFrees(), context + ": totalFrees");
        assertEquals(failed, stats.failedAllocations(), context + ": failedAllocations");
        assertEquals(held.size(), stats.liveAllocations(), context + ": liveAllocations");
        assertEquals(held.stream().mapToLong(Range::size).sum(), stats.allocated(), context + ": allocated");
        List<Range> free = new ArrayList<>();
        allocator.forEachFree(free::add);
        assertEquals(free.size(), stats.freeSegments(), context + ": freeSegments");
        assertEquals(free.stream().mapToLong(Range::size).max().orElse(0), stats.largestFree(), context + ": largestFree");
        ByteArrayOutputStream image = new ByteArrayOutputStream();
        allocator.writeSnapshot(image);
        ResourceAllocator restored = Allocators.restore(new ByteArrayInputStream(image.toByteArray()));
        SnapshotRoundTripTest.assertSameState(allocator, restored, context + ": snapshot");

        // Nothing lost: free everything, and every quantum comes back exactly once.
        for (Pairs w : workers) {
            for (Range r : w.held) {
                owners.release(r, w.id, "free");
                allocator.free(r);
            }
        }
        assertEquals(List.of(spans.get(0), spans.get(1)), freeRanges(allocator), context + ": all free again");
        int capacity = owners.units();
        for (int i = 0; i < capacity; i++) {
            Range r = allocator.allocate(Request.of(1));
            owners.claim(r, 1, "final sweep");
        }
        assertThrows(ExhaustedException.class, () -> allocator.allocate(Request.of(1)), context);
        owners.assertNone(context + ", after the final sweep (a quantum handed out twice)");
        System.out.printf("[stress] %s: %d allocations, %d frees, %d failed in %d ms%s%n", context, allocations, frees,
                failed, millis, observer == null ? "" : ", observer " + observer.views() + " views and "
                        + observer.snapshots() + " snapshots");
    }

    private static List<Range> freeRanges(ResourceAllocator allocator) {
        List<Range> free = new ArrayList<>();
        allocator.forEachFree(free::add);
        return free;
    }

    /** A thread of single-quantum allocate/free pairs. */
    private static class Pairs implements java.util.concurrent.Callable<Void> {
        final int id;
        final SplittableRandom rnd;
        final ResourceAllocator allocator;
        final Owners owners;
        final CountDownLatch start;
        final List<Range> held = new ArrayList<>();
        final List<io.allot.spi.AllocationPolicy> searches = Stream.of(SEARCHES).map(Allocators::policy)
                .collect(Collectors.toList());
        long allocations;
        long frees;
        long failed;

        Pairs(int id, SplittableRandom rnd, ResourceAllocator allocator, Owners owners, CountDownLatch start) {
            this.id = id;
            this.rnd = rnd;
            this.allocator = allocator;
            this.owners = owners;
            this.start = start;
        }

        @Override
        public Void call() throws InterruptedException {
            start.await();
            for (int i = 0; i < PAIRS_PER_THREAD; i++) {
                if (held.size() < 48 && (held.isEmpty() || rnd.nextInt(2) == 0)) {
                    allocateOne();
                } else {
                    Range r = held.remove(rnd.nextInt(held.size()));
                    owners.release(r, id, "free");
                    allocator.free(r);
                    frees++;
                }
            }
            return null;
        }

        void allocateOne() {
            Request one = Request.of(1);
            int how = rnd.nextInt(4);
            try {
                Range r;
                if (how == 0) {
                    Optional<Range> got = allocator.tryAllocate(one);
                    if (got.isEmpty()) {
                        failed++;
                        return;
                    }
                    r = got.get();
                } else if (how == 1) {
                    r = allocator.allocate(one, searches.get(rnd.nextInt(searches.size())));
                } else {
                    r = allocator.allocate(one);
                }
                owners.claim(r, id, "allocate");
                held.add(r);
                allocations++;
            } catch (ExhaustedException full) {
                failed++;
            }
        }
    }

    /** A thread on the exclusive path: multi-quantum, tagged, best-fit, reallocate and freeContaining. */
    private static final class Multi extends Pairs {
        final AtomicBoolean done;

        Multi(int id, SplittableRandom rnd, ResourceAllocator allocator, Owners owners, CountDownLatch start,
              AtomicBoolean done) {
            super(id, rnd, allocator, owners, start);
            this.done = done;
        }

        @Override
        public Void call() throws InterruptedException {
            start.await();
            while (!done.get()) {
                int kind = rnd.nextInt(4);
                if (held.size() < 8 && kind < 2) {
                    Request r = Request.of(1 + rnd.nextInt(5) * allocator.quantum()).tagged("m" + id);
                    try {
                        Range got = kind == 0 ? allocator.allocate(r) : allocator.allocate(r, Allocators.policy("best-fit"));
                        owners.claim(got, id, "multi allocate");
                        held.add(got);
                        allocations++;
                    } catch (ExhaustedException full) {
                        failed++;
                    }
                } else if (!held.isEmpty() && kind == 2) {
                    int i = rnd.nextInt(held.size());
                    Range old = held.get(i);
                    owners.release(old, id, "free");
                    try {
                        Range moved = allocator.reallocate(old, Request.of(1 + rnd.nextInt(3) * allocator.quantum()));
                        owners.claim(moved, id, "reallocate");
                        held.set(i, moved);
                        allocations++;
                        frees++;
                    } catch (ExhaustedException full) {
                        owners.claim(old, id, "failed reallocate");
                        failed++;
                    }
                } else if (!held.isEmpty()) {
                    Range r = held.remove(rnd.nextInt(held.size()));
                    owners.release(r, id, "free");
                    assertEquals(r, allocator.freeContaining(r.end()));
                    frees++;
                }
            }
            return null;
        }
    }

    /**
     * What a snapshot taken mid-run must restore to: one consistent moment, whose allocations and
     * free ranges tile both spans without overlapping.
     */
    private static void tilesBothSpans(ResourceAllocator copy, List<Range> spans) {
        AllocatorStats c = copy.stats();
        List<Range> pieces = freeRanges(copy);
        copy.forEachAllocated(a -> pieces.add(a.range()));
        pieces.sort(Comparator.naturalOrder());
        long covered = pieces.stream().mapToLong(Range::size).sum();
        if (c.totalAllocations() - c.totalFrees() != c.liveAllocations() || covered != 2 * spans.get(0).size()
                || c.allocated() + c.free() != c.capacity()) {
            throw new AssertionError("restored to " + c + ", its pieces cover 0x" + Long.toHexString(covered));
        }
        for (int i = 1; i < pieces.size(); i++) {
            if (Long.compareUnsigned(pieces.get(i - 1).end(), pieces.get(i).start()) >= 0) {
                throw new AssertionError("it holds overlapping pieces " + pieces.get(i - 1) + ", " + pieces.get(i));
            }
        }
    }
}
