package io.allot.tests.conformance;

import io.allot.tests.Matrix;
import org.junit.jupiter.params.provider.Arguments;

import java.util.stream.Stream;

/**
 * {@link Matrix}'s engine and engine x policy streams, re-exposed from this package for
 * {@code @MethodSource}. JUnit calls a method source reflectively from the unnamed module, and
 * surefire opens only the packages that hold test classes ({@code io.allot.tests.conformance}),
 * not {@code io.allot.tests}, so {@code @MethodSource("io.allot.tests.Matrix#engines")} fails with
 * {@link IllegalAccessException}. The lists still come from {@link Matrix}, so a new engine or
 * policy on the module path gets every test here with no edit.
 */
final class MatrixSource {

    static final String ENGINES = "io.allot.tests.conformance.MatrixSource#engines";
    static final String ENGINES_AND_POLICIES = "io.allot.tests.conformance.MatrixSource#enginesAndPolicies";

    private MatrixSource() {
    }

    static Stream<String> engines() {
        return Matrix.engines();
    }

    static Stream<Arguments> enginesAndPolicies() {
        return Matrix.enginesAndPolicies();
    }
}
