package io.allot.bench;

import io.allot.Allocators;
import io.allot.Range;
import io.allot.bench.baseline.RangeSetFirstFit;
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

import java.util.concurrent.TimeUnit;

/**
 * W3: span {@code [0, 2^40 - 1]}, {@code 2 * size} pages reserved, a random {@code size} of them
 * freed; measures {@code r = allocate(4 KiB, align 4 KiB, policy); free(r)}. {@code size} is the
 * number of live pages (= free holes below the tail). Every policy at 100k ({@link #allot}); the
 * scaling curve for first-match at the other sizes ({@link #scaling}). The {@code engine} and
 * {@code policy} values come from {@code bench/run}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class W3 {

    /** Each engine x each policy, 100k live. */
    @State(Scope.Thread)
    public static class EveryPolicy {
        @Param(Discover.FROM_RUN)
        public String engine;
        @Param(Discover.FROM_RUN)
        public String policy;
        @Param("100000")
        public int size;
        AllotPages pages;
        AllocationPolicy chosen;

        @Setup(Level.Trial)
        public void setUp() {
            chosen = Allocators.policy(policy);
            pages = new AllotPages(engine, size);
            System.gc();   // the set-up's garbage goes now, not during the measurement
        }
    }

    /** First-match at the scaling sizes other than 100k, which {@link EveryPolicy} measures. */
    @State(Scope.Thread)
    public static class FirstMatchScaling {
        @Param(Discover.FROM_RUN)
        public String engine;
        @Param({"1000", "10000", "1000000"})
        public int size;
        AllotPages pages;
        AllocationPolicy firstMatch;

        @Setup(Level.Trial)
        public void setUp() {
            firstMatch = Allocators.policy("first-match");
            pages = new AllotPages(engine, size);
            System.gc();   // the set-up's garbage goes now, not during the measurement
        }
    }

    /** Baseline: a {@code TreeMap} of free ranges, first-fit. */
    @State(Scope.Thread)
    public static class TreeMapBaseline {
        @Param({"1000", "10000", "100000", "1000000"})
        public int size;
        BaselinePages pages;

        @Setup(Level.Trial)
        public void setUp() {
            pages = new BaselinePages(new TreeMapFirstFit(0, Plan.SPAN_LAST), size);
            System.gc();   // the set-up's garbage goes now, not during the measurement
        }
    }

    /** Baseline: Guava's {@code TreeRangeSet} as the free set, first-fit. */
    @State(Scope.Thread)
    public static class RangeSetBaseline {
        @Param({"1000", "10000", "100000", "1000000"})
        public int size;
        BaselinePages pages;

        @Setup(Level.Trial)
        public void setUp() {
            pages = new BaselinePages(new RangeSetFirstFit(0, Plan.SPAN_LAST), size);
            System.gc();   // the set-up's garbage goes now, not during the measurement
        }
    }

    @Benchmark
    public Range allot(EveryPolicy state) {
        return state.pages.allocateFree(AllotPages.PAGE, state.chosen);
    }

    @Benchmark
    public Range scaling(FirstMatchScaling state) {
        return state.pages.allocateFree(AllotPages.PAGE, state.firstMatch);
    }

    @Benchmark
    public long treeMap(TreeMapBaseline state) {
        return state.pages.allocateFree(Plan.PAGE);
    }

    @Benchmark
    public long rangeSet(RangeSetBaseline state) {
        return state.pages.allocateFree(Plan.PAGE);
    }
}
