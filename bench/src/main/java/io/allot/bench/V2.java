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
 * V2: V1 instant-fit at 100k blocks on an allocator built with {@code quantumCache(16 * 4 KiB)} and
 * instant-fit as its default policy, allocating through {@code allocate(Request)}: a call naming a
 * policy bypasses the quantum caches by contract, so only the default-policy call measures them.
 * Its parameter is {@code cachingEngine}, not {@code engine}: {@code bench/run} passes only the
 * engines that accept quantum caches ({@link Discover#CACHE_MAX}), and skips V2 when none does; the
 * report names the engines that refused.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class V2 {

    /** An engine with quantum caches. */
    @State(Scope.Thread)
    public static class Cached {
        @Param(Discover.FROM_RUN)
        public String cachingEngine;
        @Param("100000")
        public int size;
        AllotBlocks blocks;

        @Setup(Level.Trial)
        public void setUp() {
            blocks = new AllotBlocks(cachingEngine, size, Discover.CACHE_MAX);
            System.gc();   // the set-up's garbage goes now, not during the measurement
        }
    }

    @Benchmark
    public Range instantFit(Cached state) {
        return state.blocks.allocateFree();
    }
}
