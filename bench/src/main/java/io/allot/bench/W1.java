package io.allot.bench;

import io.allot.IdAllocator;
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
 * W1: ids {@code [0, size-1]}, all allocated, a random half freed; measures
 * {@code id = allocate(); free(id)}. {@code size} is the number of ids (1M is W1; 1k–1M the
 * scaling curve). The {@code engine} values come from {@code bench/run} ({@code -p engine=...}).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class W1 {

    /** 1-unit requests straight to an engine's {@code ResourceAllocator}. */
    @State(Scope.Thread)
    public static class OnEngine {
        @Param(Discover.FROM_RUN)
        public String engine;
        @Param({"1000", "10000", "100000", "1000000"})
        public int size;
        AllotIds ids;

        @Setup(Level.Trial)
        public void setUp() {
            ids = new AllotIds(engine, size);
            System.gc();   // the set-up's garbage goes now, not during the measurement
        }
    }

    /** {@code IdAllocator.of(0, size-1, engine)}. */
    @State(Scope.Thread)
    public static class ViaIdAllocator {
        @Param(Discover.FROM_RUN)
        public String engine;
        @Param("1000000")
        public int size;
        IdAllocatorIds ids;

        @Setup(Level.Trial)
        public void setUp() {
            ids = new IdAllocatorIds(IdAllocator.of(0, size - 1, engine), size);
            System.gc();   // the set-up's garbage goes now, not during the measurement
        }
    }

    /** {@code IdAllocator.of(0, size-1)}: whichever engine it picks by default. */
    @State(Scope.Thread)
    public static class ViaDefaultIdAllocator {
        @Param("1000000")
        public int size;
        IdAllocatorIds ids;

        @Setup(Level.Trial)
        public void setUp() {
            ids = new IdAllocatorIds(IdAllocator.of(0, size - 1), size);
            System.gc();   // the set-up's garbage goes now, not during the measurement
        }
    }

    /** Baseline: {@code java.util.BitSet} with {@code nextClearBit(0)}. */
    @State(Scope.Thread)
    public static class Bits {
        @Param({"1000", "10000", "100000", "1000000"})
        public int size;
        BitSetIds ids;

        @Setup(Level.Trial)
        public void setUp() {
            ids = new BitSetIds(size);
            System.gc();   // the set-up's garbage goes now, not during the measurement
        }
    }

    @Benchmark
    public Range allot(OnEngine state) {
        return state.ids.allocateFree();
    }

    @Benchmark
    public long idAllocator(ViaIdAllocator state) {
        return state.ids.allocateFree();
    }

    @Benchmark
    public long idAllocatorDefault(ViaDefaultIdAllocator state) {
        return state.ids.allocateFree();
    }

    @Benchmark
    public int bitSet(Bits state) {
        return state.ids.allocateFree();
    }
}
