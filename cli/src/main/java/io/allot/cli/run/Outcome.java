package io.allot.cli.run;

import io.allot.AllocatorStats;

/**
 * What running one trace on one {@link Combination} came to: it ran to the end, the engine refused
 * the trace's space before anything ran, or something broke part-way (an engine or plug-in bug: an
 * exception the contract does not allow).
 */
public sealed interface Outcome permits Outcome.Completed, Outcome.Refused, Outcome.Broken {

    /** The engine and policy that ran. */
    Combination combination();

    /**
     * The trace ran to its end.
     *
     * @param operations        operations run (alloc, reserve, free, realloc, and spans added)
     * @param nanos             wall-clock time of the operation loop (the median when the trace was
     *                          timed more than once)
     * @param failed            allocations (alloc, reserve, realloc) that allocated nothing
     * @param skipped           frees and reallocs of names whose allocation had failed
     * @param peakFragmentation the largest {@link AllocatorStats#fragmentation()} after any operation
     * @param stats             the allocator's statistics at the end
     * @param heapBytes         heap the allocator retained at the end (see {@link HeapMeter}), or -1
     *                          when not measured
     * @param fragmentation     fragmentation over time: the mean over each consecutive run of
     *                          {@code sampleEvery} operations
     * @param sampleEvery       operations per point of {@code fragmentation}
     * @param map               the address map at the end
     */
    record Completed(Combination combination, long operations, long nanos, long failed, long skipped,
                     double peakFragmentation, AllocatorStats stats, long heapBytes, float[] fragmentation,
                     int sampleEvery, Occupancy map) implements Outcome {

        /** This outcome with {@code nanos} in place of its time. */
        public Completed withNanos(long nanos) {
            return new Completed(combination, operations, nanos, failed, skipped, peakFragmentation, stats, heapBytes,
                    fragmentation, sampleEvery, map);
        }

        /** Operations per second of wall-clock time. */
        public double opsPerSecond() {
            return nanos == 0 ? 0 : operations * 1e9 / nanos;
        }
    }

    /**
     * The engine would not build the trace's space (for example more units than it can index).
     *
     * @param reason the engine's message
     */
    record Refused(Combination combination, String reason) implements Outcome {
    }

    /**
     * An operation threw what the contract does not allow; the run stopped there.
     *
     * @param line   the trace line of that operation
     * @param reason the exception, one line
     */
    record Broken(Combination combination, int line, String reason) implements Outcome {
    }
}
