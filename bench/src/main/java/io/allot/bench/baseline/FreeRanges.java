package io.allot.bench.baseline;

/**
 * The baselines for W3 to W6: a free set of non-negative {@code long} addresses with
 * first-fit placement, written the way a Java developer would write one without Allot. Addresses
 * are signed and below 2<sup>62</sup> (the workloads stay below 2<sup>40</sup>), so no unsigned care
 * is taken — that is part of what makes them the quick alternative.
 */
public sealed interface FreeRanges permits TreeMapFirstFit, RangeSetFirstFit {

    /**
     * Takes the lowest {@code [s, s + size)} with {@code s} a multiple of {@code alignment} that is
     * wholly free, and returns {@code s}.
     *
     * @throws IllegalStateException if nothing fits
     */
    long allocate(long size, long alignment);

    /**
     * Takes exactly {@code [start, start + size)}.
     *
     * @throws IllegalStateException if any of it is not free
     */
    void reserve(long start, long size);

    /**
     * Gives {@code [start, start + size)} back, merging it with free neighbours.
     *
     * @throws IllegalStateException if any of it is already free
     */
    void free(long start, long size);

    /** How many maximal free ranges there are. */
    int freeRanges();
}
