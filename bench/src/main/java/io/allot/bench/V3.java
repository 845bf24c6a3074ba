package io.allot.bench;

import io.allot.Range;
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
 * V3: V1's state at {@code size} = 1M blocks (500k live); measures {@code free(a random live
 * block); allocate a replacement of random size 4 KiB–1 MiB, instant-fit} into the same slot of
 * the live list. {@link #harness} runs the same loop with no allocator ({@link BlocksHarness}): the
 * floor under every V3 figure. {@link #dependentLoad} is the memory's floor: one dependent load
 * into a block of V3's size ({@link DependentLoads}), less than any allocator can do per free of a
 * random old block.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class V3 {

    /**
     * The size of {@link #dependentLoad}'s block: 64 MiB, about what V3's state takes on
     * {@code vmem} (32 MB of records, a 16 MB hash, 12 MB of {@code Range}s, a 2 MB live list).
     */
    public static final long WORKING_SET = 64L << 20;

    /** Each engine. */
    @State(Scope.Thread)
    public static class OnEngine {
        @Param(Discover.FROM_RUN)
        public String engine;
        @Param("1000000")
        public int size;
        AllotBlocks blocks;

        @Setup(Level.Trial)
        public void setUp() {
            blocks = new AllotBlocks(engine, size, 0);
            System.gc();   // the set-up's garbage goes now, not during the measurement
        }
    }

    /** The floor: V3's harness with no allocator ({@link BlocksHarness}). */
    @State(Scope.Thread)
    public static class Harness {
        @Param("1000000")
        public int size;
        BlocksHarness blocks;

        @Setup(Level.Trial)
        public void setUp() {
            blocks = new BlocksHarness(size);
            System.gc();   // the set-up's garbage goes now, not during the measurement
        }
    }

    /**
     * The memory's floor: a chain of dependent loads through {@link #WORKING_SET} bytes
     * ({@link DependentLoads}). {@code size} only files the row beside V3's others in the report.
     */
    @State(Scope.Thread)
    public static class Loads {
        @Param("1000000")
        public int size;
        DependentLoads loads;

        @Setup(Level.Trial)
        public void setUp() {
            loads = new DependentLoads(WORKING_SET, new XorShift64Star(Plan.PAGE_SEED));
            System.gc();   // the set-up's garbage goes now, not during the measurement
        }
    }

    @Benchmark
    public Range freeReplace(OnEngine state) {
        return state.blocks.freeReplace();
    }

    @Benchmark
    public Range harness(Harness state) {
        return state.blocks.freeReplace();
    }

    @Benchmark
    public int dependentLoad(Loads state) {
        return state.loads.next();
    }
}
