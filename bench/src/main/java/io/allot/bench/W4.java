package io.allot.bench;

import io.allot.Range;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;

import java.util.concurrent.TimeUnit;

/**
 * W4: W3's state; measures {@code r = allocate(256 KiB, align 4 KiB, first-match); free(r)}. Like
 * W5's, the request fits only the free tail (a hole of 64 free pages in W3's random half has
 * probability 2<sup>-64</sup> at each page), so a first-fit scan passes all {@code size} holes;
 * unlike W5's 1 GiB, 64 pages is a request an engine cannot serve by jumping between wholly free
 * blocks of 4096 quanta (the bitmap engine's way for 8191 quanta or more): it measures how an
 * engine passes many free runs too short for a mid-sized request. {@code size} is the number of
 * live pages, as in W3; the states are W5's ({@link W5.OnEngine}) and W3's baselines.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class W4 {

    @Benchmark
    public Range allot(W5.OnEngine state) {
        return state.pages.allocateFree(AllotPages.PAGES_64, state.firstMatch);
    }

    @Benchmark
    public long treeMap(W3.TreeMapBaseline state) {
        return state.pages.allocateFree(AllotPages.PAGES_64.size());
    }

    @Benchmark
    public long rangeSet(W3.RangeSetBaseline state) {
        return state.pages.allocateFree(AllotPages.PAGES_64.size());
    }
}
