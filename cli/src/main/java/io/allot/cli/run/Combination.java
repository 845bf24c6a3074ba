package io.allot.cli.run;

/**
 * One engine with one default policy: a row of the comparison.
 *
 * @param engine an engine name from a {@link Catalog}
 * @param policy a policy name from the same catalog
 */
public record Combination(String engine, String policy) {

    /** {@code engine / policy}. */
    public String label() {
        return engine + " / " + policy;
    }
}
