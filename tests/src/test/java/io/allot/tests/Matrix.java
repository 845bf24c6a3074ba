package io.allot.tests;

import io.allot.Allocators;
import io.allot.Range;
import io.allot.ResourceAllocator;
import org.junit.jupiter.params.provider.Arguments;

import java.util.stream.Stream;

/**
 * The engine x policy matrix every conformance test runs over, read from {@link Allocators} at run
 * time: an engine or policy added to the module path gets the whole suite with no edit here.
 * Use as {@code @MethodSource("io.allot.tests.Matrix#enginesAndPolicies")} (the tests pom opens this
 * package to JUnit, since surefire opens only packages that hold test classes).
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
        Allocators.Builder builder = Allocators.builder().engine(engine).policy(policy);
        for (Range span : spans) {
            builder.span(span);
        }
        return builder.build();
    }
}
