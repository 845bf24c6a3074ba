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
 * W2: W1's state (ids {@code [0, size-1]}, all allocated, a random half freed); measures
 * {@code free(a random live id); allocate()}, the new id taking the freed one's slot of the live
 * list. {@code size} is the number of ids. The {@code engine} values come from {@code bench/run}
 * ({@code -p engine=...}). The {@code IdAllocator} states are W1's, whose size is 1M too.
 * {@link #harness} runs the same loop with no allocator ({@link IdsHarness}): the floor under
 * every W2 figure; {@link #wordRead} adds the one read every bitmap must make, of the freed id's
 * word ({@link IdsWordRead}): the floor under a bitmap's W2 figure, measured in the same run.
 *
 * <p>W2 is not stationary from the first call: first-match refills the lowest hole while the freed
 * id is anywhere, so the live set drifts towards a dense prefix {@code [0, size/2)} with a free
 * tail, after which the freed id is the one handed back. The drift takes a few times
 * {@code size/2} calls, well inside JMH's warm-up.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class W2 {

    /** 1-unit requests straight to an engine's {@code ResourceAllocator}. */
    @State(Scope.Thread)
    public static class OnEngine {
        @Param(Discover.FROM_RUN)
        public String engine;
        @Param("1000000")
        public int size;
        AllotIds ids;

        @Setup(Level.Trial)
        public void setUp() {
            ids = new AllotIds(engine, size);
            System.gc();   // the set-up's garbage goes now, not during the measurement
        }
    }

    /** Baseline: {@code java.util.BitSet} with {@code nextClearBit(0)}. */
    @State(Scope.Thread)
    public static class Bits {
        @Param("1000000")
        public int size;
        BitSetIds ids;

        @Setup(Level.Trial)
        public void setUp() {
            ids = new BitSetIds(size);
            System.gc();   // the set-up's garbage goes now, not during the measurement
        }
    }

    /** The floor: W2's harness with no allocator ({@link IdsHarness}). */
    @State(Scope.Thread)
    public static class Harness {
        @Param("1000000")
        public int size;
        IdsHarness ids;

        @Setup(Level.Trial)
        public void setUp() {
            ids = new IdsHarness(size);
            System.gc();   // the set-up's garbage goes now, not during the measurement
        }
    }

    /** The floor with the word read: W2's harness plus a read and test of the freed id's word ({@link IdsWordRead}). */
    @State(Scope.Thread)
    public static class WordRead {
        @Param("1000000")
        public int size;
        IdsWordRead ids;

        @Setup(Level.Trial)
        public void setUp() {
            ids = new IdsWordRead(size);
            System.gc();   // the set-up's garbage goes now, not during the measurement
        }
    }

    @Benchmark
    public Range allot(OnEngine state) {
        return state.ids.freeAllocate();
    }

    @Benchmark
    public long idAllocator(W1.ViaIdAllocator state) {
        return state.ids.freeAllocate();
    }

    @Benchmark
    public long idAllocatorDefault(W1.ViaDefaultIdAllocator state) {
        return state.ids.freeAllocate();
    }

    @Benchmark
    public int bitSet(Bits state) {
        return state.ids.freeAllocate();
    }

    @Benchmark
    public long harness(Harness state) {
        return state.ids.freeAllocate();
    }

    @Benchmark
    public long wordRead(WordRead state) {
        return state.ids.freeAllocate();
    }
}
