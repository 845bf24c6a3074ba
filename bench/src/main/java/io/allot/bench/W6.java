package io.allot.bench;

import io.allot.Allocators;
import io.allot.ResourceAllocator;
import io.allot.bench.baseline.TreeMapFirstFit;
import io.allot.spi.AllocationPolicy;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.concurrent.TimeUnit;

/**
 * W6: whole-run time to allocate {@code size} pages of 4 KiB, page-aligned, first-match, into an
 * empty {@code [0, 2^40 - 1]}; single-shot, a fresh allocator for every iteration (built outside
 * the measurement). {@code size} is the number of pages allocated.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class W6 {

    /** Each engine. */
    @State(Scope.Thread)
    public static class OnEngine {
        @Param(Discover.FROM_RUN)
        public String engine;
        @Param("1000000")
        public int size;
        AllocationPolicy firstMatch;
        ResourceAllocator empty;

        @Setup(Level.Trial)
        public void policy() {
            firstMatch = Allocators.policy("first-match");
            System.gc();   // the set-up's garbage goes now, not during the measurement
        }

        @Setup(Level.Iteration)
        public void fresh() {
            System.gc();   // the previous iteration's filled state goes now, not during this one
            empty = PageSpace.build(engine);
        }

        @TearDown(Level.Iteration)
        public void drop() {
            empty = null;
        }
    }

    /** Baseline: a {@code TreeMap} of free ranges, first-fit. */
    @State(Scope.Thread)
    public static class TreeMapBaseline {
        @Param("1000000")
        public int size;
        TreeMapFirstFit empty;

        @Setup(Level.Iteration)
        public void fresh() {
            System.gc();   // the previous iteration's filled state goes now, not during this one
            empty = new TreeMapFirstFit(0, Plan.SPAN_LAST);
        }

        @TearDown(Level.Iteration)
        public void drop() {
            empty = null;
        }
    }

    @Benchmark
    public long allot(OnEngine state) {
        return Fill.fill(state.empty, state.firstMatch, state.size);
    }

    @Benchmark
    public long treeMap(TreeMapBaseline state) {
        return Fill.fill(state.empty, state.size);
    }
}
