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
 * floor under every V3 figure.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class V3 {

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

    @Benchmark
    public Range freeReplace(OnEngine state) {
        return state.blocks.freeReplace();
    }

    @Benchmark
    public Range harness(Harness state) {
        return state.blocks.freeReplace();
    }
}
