package io.allot.cli.run;

import io.allot.AllocationException;
import io.allot.AllocatorStats;
import io.allot.Range;
import io.allot.ResourceAllocator;
import io.allot.cli.trace.Op;
import io.allot.cli.trace.Trace;
import io.allot.cli.trace.TraceWriter;

import java.lang.ref.Reference;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs a {@link Trace} on one engine &times; policy and measures it.
 *
 * <p>Allocations go through {@code tryAllocate} with the allocator's default policy (the
 * combination's policy), so a failed allocation is counted, not thrown; {@code reserve} and
 * {@code realloc} failures ({@link AllocationException}) are counted the same way. A {@code free}
 * or {@code realloc} of a name whose allocation failed is skipped and counted. Any other exception
 * stops the run: it is an engine or plug-in defect, reported as {@link Outcome.Broken} with its line.
 *
 * <p>Measured: wall-clock time of the operation loop (which also reads {@code stats()} after every
 * operation, O(1) by contract, for the exact peak fragmentation), the statistics and address map at
 * the end, and the heap the allocator retains (see {@link HeapMeter}).
 */
public final class Replayer {

    /** Points in the fragmentation-over-time series, at most. */
    static final int SERIES_POINTS = 400;
    private static final int PROGRESS_EVERY = 4096;

    /** Told about progress and failures as a run goes. */
    public interface Listener {
        /** No-op listener. */
        Listener NONE = new Listener() {
        };

        /** {@code done} operations of the current run have finished. */
        default void progress(long done) {
        }

        /** Whether {@link #failed} wants to be called (building its argument costs a string). */
        default boolean wantsFailures() {
            return false;
        }

        /** An operation allocated nothing. */
        default void failed(FailedOperation failure) {
        }

        /** The run completed; {@code allocator} holds the final state (do not keep it: its heap is measured next). */
        default void finished(ResourceAllocator allocator) {
        }
    }

    private final Catalog catalog;
    private final boolean measureHeap;
    private final int mapBuckets;

    /**
     * @param catalog     where engines and policies come from
     * @param measureHeap whether to measure retained heap at the end of each run (several full GCs)
     * @param mapBuckets  address-map buckets per span
     */
    public Replayer(Catalog catalog, boolean measureHeap, int mapBuckets) {
        this.catalog = catalog;
        this.measureHeap = measureHeap;
        this.mapBuckets = mapBuckets;
    }

    /** Runs all of {@code trace} on {@code combination}. */
    public Outcome run(Trace trace, Combination combination, Listener listener) {
        AtomicReference<ResourceAllocator> holder = new AtomicReference<>();
        try {
            holder.set(catalog.build(combination, trace.spans(), trace.quantum()));
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            return new Outcome.Refused(combination, Plugins.rootMessage(e));
        }
        Range[] live = new Range[trace.names().size()];
        Execution execution = new Execution(trace, live, trace.ops().size(), listener, true);
        try {
            execution.run(holder.get());
        } catch (RuntimeException | StackOverflowError e) {
            return new Outcome.Broken(combination, execution.line(), e.toString());
        }
        AllocatorStats stats = holder.get().stats();
        Occupancy map = Occupancy.of(holder.get(), mapBuckets);
        listener.finished(holder.get());
        long heap = measureHeap ? HeapMeter.retainedAndRelease(holder) : -1;
        Reference.reachabilityFence(live);       // the replay's own ranges stay out of the difference
        return new Outcome.Completed(combination, execution.done, execution.nanos, execution.failed,
                execution.skipped, execution.peak, stats, heap, execution.series(), execution.sampleEvery, map);
    }

    /**
     * Runs all of {@code trace} again on a fresh allocator of {@code combination}, exactly as
     * {@link #run} does (statistics read after every operation included), and returns only the
     * wall-clock nanoseconds of the operation loop, or -1 if the run did not complete.
     */
    public long time(Trace trace, Combination combination, Listener listener) {
        try {
            ResourceAllocator allocator = catalog.build(combination, trace.spans(), trace.quantum());
            Execution execution = new Execution(trace, new Range[trace.names().size()], trace.ops().size(), listener, true);
            execution.run(allocator);
            return execution.nanos;
        } catch (RuntimeException e) {
            return -1;
        }
    }

    /**
     * Runs the first {@code operations} of {@code trace} on a throwaway allocator and forgets the
     * result, so that the JIT has compiled the engine's and the replay's paths before timing starts.
     */
    public void warmUp(Trace trace, Combination combination, int operations) {
        try {
            ResourceAllocator allocator = catalog.build(combination, trace.spans(), trace.quantum());
            Range[] live = new Range[trace.names().size()];
            new Execution(trace, live, Math.min(operations, trace.ops().size()), Listener.NONE, false).run(allocator);
        } catch (RuntimeException e) {
            // The measured run reports it.
        }
    }

    /** One pass over the operations, with its counters. */
    private static final class Execution {
        private final Trace trace;
        private final Op[] ops;
        private final Range[] live;
        private final int count;
        private final Listener listener;
        private final boolean sample;
        private final boolean reportFailures;
        final int sampleEvery;
        private final float[] series;
        private int current;
        long done;
        long nanos;
        long failed;
        long skipped;
        double peak;

        Execution(Trace trace, Range[] live, int count, Listener listener, boolean sample) {
            this.trace = trace;
            List<Op> list = trace.ops();
            this.ops = list.subList(0, count).toArray(Op[]::new);
            this.live = live;
            this.count = count;
            this.listener = listener;
            this.sample = sample;
            this.reportFailures = listener.wantsFailures();
            this.sampleEvery = Math.max(1, (count + SERIES_POINTS - 1) / SERIES_POINTS);
            this.series = new float[(count + sampleEvery - 1) / sampleEvery];
        }

        int line() {
            return current < count ? ops[current].line() : 0;
        }

        float[] series() {
            return series;
        }

        void run(ResourceAllocator allocator) {
            double sum = 0;
            int inBucket = 0;
            long start = System.nanoTime();
            for (current = 0; current < count; current++) {
                step(allocator, ops[current]);
                if (sample) {
                    double fragmentation = allocator.stats().fragmentation();
                    peak = Math.max(peak, fragmentation);
                    sum += fragmentation;
                    if (++inBucket == sampleEvery || current == count - 1) {
                        series[current / sampleEvery] = (float) (sum / inBucket);
                        sum = 0;
                        inBucket = 0;
                    }
                    if ((current + 1) % PROGRESS_EVERY == 0) {
                        listener.progress(current + 1);
                    }
                }
            }
            nanos = System.nanoTime() - start;
            done = count;
        }

        private void step(ResourceAllocator allocator, Op op) {
            if (op instanceof Op.Alloc alloc) {
                Optional<Range> placed;
                try {
                    placed = allocator.tryAllocate(alloc.request());
                } catch (AllocationException e) {
                    fail(op, e.getMessage());
                    return;
                }
                if (placed.isPresent()) {
                    live[alloc.slot()] = placed.get();
                } else {
                    fail(op, "nothing fits");
                }
            } else if (op instanceof Op.Free free) {
                Range range = live[free.slot()];
                if (range == null) {
                    skipped++;
                    return;
                }
                allocator.free(range);
                live[free.slot()] = null;
            } else if (op instanceof Op.Reserve reserve) {
                try {
                    live[reserve.slot()] = allocator.reserve(reserve.range(), reserve.tag());
                } catch (AllocationException e) {
                    fail(op, e.getMessage());
                }
            } else if (op instanceof Op.Realloc realloc) {
                Range old = live[realloc.slot()];
                if (old == null) {
                    skipped++;
                    return;
                }
                try {
                    live[realloc.slot()] = allocator.reallocate(old, realloc.request());
                } catch (AllocationException e) {
                    fail(op, e.getMessage());
                }
            } else {
                allocator.addSpan(((Op.AddSpan) op).span());
            }
        }

        private void fail(Op op, String reason) {
            failed++;
            if (reportFailures) {
                listener.failed(new FailedOperation(op.line(), TraceWriter.line(op, trace), reason));
            }
        }
    }
}
