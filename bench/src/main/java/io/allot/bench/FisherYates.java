package io.allot.bench;

/**
 * "Free a random k of n": a partial Fisher–Yates shuffle that picks {@code k} items uniformly
 * without replacement, in a fixed, replayable order.
 *
 * <pre>
 * for i in 0 .. k-1:  j = i + rng.index(n - i);  swap(items[i], items[j])
 * </pre>
 *
 * Afterwards {@code items[0..k)} are the chosen items, in the order they are to be freed, and
 * {@code items[k..n)} the rest, in the order the workloads index them as the "live list".
 */
public final class FisherYates {

    private FisherYates() {
    }

    /**
     * Moves a uniformly random {@code k} of {@code items} to the front, in place.
     *
     * @throws IllegalArgumentException if {@code k} is negative or larger than {@code items.length}
     */
    public static void chooseFront(long[] items, int k, XorShift64Star rng) {
        if (k < 0 || k > items.length) {
            throw new IllegalArgumentException("cannot choose " + k + " of " + items.length + " items");
        }
        for (int i = 0; i < k; i++) {
            int j = i + rng.index(items.length - i);
            long chosen = items[j];
            items[j] = items[i];
            items[i] = chosen;
        }
    }
}
