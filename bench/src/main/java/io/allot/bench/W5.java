package io.allot.bench;

import io.allot.Allocators;
import io.allot.Range;
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
 * W5: W3's state; measures {@code r = allocate(1 GiB, align 4 KiB, first-match); free(r)}, which
 * must pass all {@code size} free 4 KiB holes to reach the free tail. {@code size} is the number of
 * live pages, as in W3, whose baseline states it shares.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class W5 {

    /** Each engine, first-match; W4's state too, whose request alone differs. */
    @State(Scope.Thread)
    public static class OnEngine {
        @Param(Discover.FROM_RUN)
        public String engine;
        @Param({"1000", "10000", "100000", "1000000"})
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

    @Benchmark
    public Range allot(OnEngine state) {
        return state.pages.allocateFree(AllotPages.GIB, state.firstMatch);
    }

    @Benchmark
    public long treeMap(W3.TreeMapBaseline state) {
        return state.pages.allocateFree(AllotPages.GIB.size());
    }

    @Benchmark
    public long rangeSet(W3.RangeSetBaseline state) {
        return state.pages.allocateFree(AllotPages.GIB.size());
    }
}
