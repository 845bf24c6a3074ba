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
 * V1: span {@code [0, 2^40 - 1]}, quantum 4 KiB, {@code size} blocks of random sizes 4 KiB–1 MiB
 * packed from 0, a random half freed; measures {@code r = allocate(random 4–64 KiB, policy);
 * free(r)}. {@code size} is the number of blocks created (half of them stay live): instant-fit at
 * 1k–1M ({@link #instantFit}), best-fit at 100k ({@link #bestFit}). {@link #harness} runs the same
 * loop with no allocator ({@link BlocksHarness#allocateFree()}): the floor under every V1 figure.
 * {@link #bareCarve} runs it on {@link BareInstantFit}, instant fit's free-list work with none of
 * the contract's: the floor under instant-fit's figures, in Java on this machine.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class V1 {

    /** Instant-fit, the scaling sizes. */
    @State(Scope.Thread)
    public static class InstantFit {
        @Param(Discover.FROM_RUN)
        public String engine;
        @Param({"1000", "10000", "100000", "1000000"})
        public int size;
        AllotBlocks blocks;
        AllocationPolicy policy;

        @Setup(Level.Trial)
        public void setUp() {
            policy = Allocators.policy("instant-fit");
            blocks = new AllotBlocks(engine, size, 0);
            System.gc();   // the set-up's garbage goes now, not during the measurement
        }
    }

    /** Best-fit, 100k blocks. */
    @State(Scope.Thread)
    public static class BestFit {
        @Param(Discover.FROM_RUN)
        public String engine;
        @Param("100000")
        public int size;
        AllotBlocks blocks;
        AllocationPolicy policy;

        @Setup(Level.Trial)
        public void setUp() {
            policy = Allocators.policy("best-fit");
            blocks = new AllotBlocks(engine, size, 0);
            System.gc();   // the set-up's garbage goes now, not during the measurement
        }
    }

    /** The floor: V1's loop with no allocator ({@link BlocksHarness#allocateFree()}). */
    @State(Scope.Thread)
    public static class Harness {
        @Param("100000")
        public int size;
        BlocksHarness blocks;

        @Setup(Level.Trial)
        public void setUp() {
            blocks = new BlocksHarness(size);
            System.gc();   // the set-up's garbage goes now, not during the measurement
        }
    }

    /** Instant fit's free-list work alone, in Java ({@link BareInstantFit}): the floor under instant-fit's rows. */
    @State(Scope.Thread)
    public static class Bare {
        @Param("100000")
        public int size;
        BareInstantFit bare;

        @Setup(Level.Trial)
        public void setUp() {
            bare = new BareInstantFit(size);
            System.gc();   // the set-up's garbage goes now, not during the measurement
        }
    }

    @Benchmark
    public Range instantFit(InstantFit state) {
        return state.blocks.allocateFree(state.policy);
    }

    @Benchmark
    public Range bestFit(BestFit state) {
        return state.blocks.allocateFree(state.policy);
    }

    @Benchmark
    public Range harness(Harness state) {
        return state.blocks.allocateFree();
    }

    @Benchmark
    public Range bareCarve(Bare state) {
        return state.bare.allocateFree();
    }
}
