package io.allot.tests;

import io.allot.AllocatorStats;
import io.allot.Allocators;
import io.allot.Range;
import io.allot.ResourceAllocator;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * A watcher for the concurrency suites ({@link TestThreads}): until the workers are done, it takes
 * views of an allocator that other threads are changing and reports to an {@link Owners} ledger
 * every view that is not one consistent moment. Each round reads the stats (their identities
 * hold), one {@code forEachFree} (ascending, disjoint, and maximal inside each span), and every
 * {@code snapshotEvery}-th round takes a snapshot, restores it and hands the copy to the suite's
 * own check, whose assertion error or exception becomes a violation.
 */
public final class Observer implements Callable<Void> {

    private final ResourceAllocator allocator;
    private final List<Range> spans;
    private final Owners owners;
    private final CountDownLatch start;
    private final AtomicBoolean done;
    private final int snapshotEvery;
    private final Consumer<ResourceAllocator> restoredCheck;
    private long views;
    private long snapshots;

    /**
     * @param spans         the allocator's spans: free ranges may touch only where two spans meet
     * @param restoredCheck what a restored mid-run snapshot must satisfy; it throws when it does not
     */
    public Observer(ResourceAllocator allocator, List<Range> spans, Owners owners, CountDownLatch start,
                    AtomicBoolean done, int snapshotEvery, Consumer<ResourceAllocator> restoredCheck) {
        this.allocator = allocator;
        this.spans = spans;
        this.owners = owners;
        this.start = start;
        this.done = done;
        this.snapshotEvery = snapshotEvery;
        this.restoredCheck = restoredCheck;
    }

    /** Rounds of stats and free ranges taken so far. */
    public long views() {
        return views;
    }

    /** Snapshots taken and checked so far. */
    public long snapshots() {
        return snapshots;
    }

    @Override
    public Void call() throws InterruptedException {
        start.await();
        while (!done.get()) {
            AllocatorStats s = allocator.stats();
            if (s.allocated() + s.free() != s.capacity() || s.totalAllocations() - s.totalFrees() != s.liveAllocations()
                    || Long.compareUnsigned(s.largestFree(), s.free()) > 0) {
                owners.report("observer: inconsistent stats " + s);
            }
            List<Range> free = new ArrayList<>();
            allocator.forEachFree(free::add); // one call: one consistent view
            for (int i = 1; i < free.size(); i++) {
                Range before = free.get(i - 1);
                Range r = free.get(i);
                if (Long.compareUnsigned(before.end(), r.start()) >= 0) {
                    owners.report("observer: free " + r + " follows " + before);
                } else if (before.end() + 1 == r.start() && spans.stream().anyMatch(span -> span.contains(before)
                        && span.contains(r))) {
                    owners.report("observer: free " + before + " and " + r + " touch inside one span: not maximal");
                }
            }
            views++;
            if (views % snapshotEvery == 0) {
                ByteArrayOutputStream image = new ByteArrayOutputStream();
                allocator.writeSnapshot(image);
                try {
                    restoredCheck.accept(Allocators.restore(new ByteArrayInputStream(image.toByteArray())));
                } catch (RuntimeException | AssertionError e) {
                    owners.report("observer: a snapshot taken mid-run did not restore consistently: " + e);
                }
                snapshots++;
            }
            Thread.onSpinWait();
        }
        return null;
    }
}
