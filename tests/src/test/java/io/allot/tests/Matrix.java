package io.allot.tests;

import io.allot.Allocators;
import io.allot.Range;
import io.allot.ResourceAllocator;
import io.allot.spi.EngineProvider;
import org.junit.jupiter.params.provider.Arguments;

import java.util.List;
import java.util.ServiceLoader;
import java.util.stream.Stream;

/**
 * The engine x policy matrix every conformance test runs over, read from {@link Allocators} at run
 * time: an engine or policy added to the module path gets the whole suite with no edit here.
 * Use as {@code @MethodSource("io.allot.tests.Matrix#enginesAndPolicies")} (the tests pom opens this
 * package to JUnit, since surefire opens only packages that hold test classes).
 *
 * <p><b>Capacity.</b> Some engines hold a limited number of quanta ({@link EngineProvider#maxUnits()};
 * the bitmap engine 2<sup>32</sup>). A test about the widest spans or the top of the 64-bit space
 * asks here for its space instead of naming {@code [1, 2^64 - 1]}: an engine without a limit gets
 * exactly the space the test was written for, a limited one the nearest it can hold — the same
 * ends of the space with fewer values ({@link #topSpan}, {@link #bottomSpan}), or the same widest
 * spans with a coarser quantum ({@link #widestSpans}) — and the test states its expectations in
 * terms of that space, so every assertion runs on every engine.
 */
public final class Matrix {

    private Matrix() {
    }

    /** Every installed engine name. */
    public static Stream<String> engines() {
        return Allocators.engines().stream();
    }

    /** Every installed policy name. */
    public static Stream<String> policies() {
        return Allocators.policies().stream();
    }

    /** Every (engine, policy) pair. */
    public static Stream<Arguments> enginesAndPolicies() {
        return engines().flatMap(engine -> policies().map(policy -> Arguments.of(engine, policy)));
    }

    /** A fresh allocator on {@code engine} with default policy {@code policy} over {@code spans}. */
    public static ResourceAllocator build(String engine, String policy, Range... spans) {
        return build(engine, policy, 1, spans);
    }

    /** As {@link #build(String, String, Range...)}, with a quantum. */
    public static ResourceAllocator build(String engine, String policy, long quantum, Range... spans) {
        Allocators.Builder builder = Allocators.builder().engine(engine).policy(policy).quantum(quantum);
        for (Range span : spans) {
            builder.span(span);
        }
        return builder.build();
    }

    // ---------------------------------------------------------------- spaces for limited engines

    private static final long MAX = -1L;
    /**
     * Quanta a capacity-limited engine is given where a test wants "as wide as possible": enough to
     * be far from small, little enough (a 128 KiB bitmap) to build in every test.
     */
    static final long WIDE_UNITS = 1L << 20;

    /** The most quanta {@code engine} holds in all spans together, unsigned (-1: no limit). */
    public static long maxUnits(String engine) {
        for (EngineProvider provider : ServiceLoader.load(EngineProvider.class, Matrix.class.getClassLoader())) {
            if (provider.name().equals(engine)) {
                return provider.maxUnits();
            }
        }
        throw new IllegalArgumentException("no engine " + engine);
    }

    /** Whether {@code engine} holds a span of 2<sup>64</sup>&minus;1 quanta. */
    public static boolean holdsTheWidestSpans(String engine) {
        return maxUnits(engine) == MAX;
    }

    /** Quanta of quantum 1 a limited engine gets for a span meant to reach across the space. */
    private static long wideUnits(String engine) {
        return Long.compareUnsigned(maxUnits(engine), WIDE_UNITS) < 0 ? maxUnits(engine) : WIDE_UNITS;
    }

    /**
     * The span of quantum 1 ending at 2<sup>64</sup>&minus;1 for tests about the top of the space:
     * {@code [1, 2^64-1]}, or, for an engine that cannot hold it, {@code [2^64 - w, 2^64-1]} with w
     * the quanta {@link #WIDE_UNITS} (or the engine's limit, if lower).
     */
    public static Range topSpan(String engine) {
        return holdsTheWidestSpans(engine) ? Range.of(1, MAX) : Range.of(-wideUnits(engine), MAX);
    }

    /** As {@link #topSpan}, starting at 0: {@code [0, 2^64-2]}, or {@code [0, w-1]}. */
    public static Range bottomSpan(String engine) {
        return holdsTheWidestSpans(engine) ? Range.of(0, MAX - 1) : Range.of(0, wideUnits(engine) - 1);
    }

    /**
     * The quantum q for {@link #widestSpans}: 1 for an engine that holds 2<sup>64</sup>&minus;1
     * quanta, else the smallest power of two with which a span of 2<sup>64</sup>&minus;q values fits
     * in the quanta {@link #topSpan} allows.
     */
    public static long widestQuantum(String engine) {
        if (holdsTheWidestSpans(engine)) {
            return 1;
        }
        long units = wideUnits(engine);
        int shift = 1;
        while (Long.compareUnsigned((MAX >>> shift), units) > 0) {
            shift++; // 2^64 / 2^shift - 1 quanta
        }
        return 1L << shift;
    }

    /**
     * The widest spans with quantum {@link #widestQuantum}: {@code [0, 2^64-1-q]} and
     * {@code [q, 2^64-1]} — with q = 1, the two spans of 2<sup>64</sup>&minus;1 values.
     */
    public static List<Range> widestSpans(String engine) {
        long q = widestQuantum(engine);
        return List.of(Range.of(0, MAX - q), Range.of(q, MAX));
    }
}
