package io.allot.bench;

/**
 * A chain of dependent loads through a block of memory: one {@code int} per 64-byte line, each
 * naming the next line to read, in one random cycle through every line (Sattolo's shuffle). Each
 * {@link #next()} waits for the load before it, and once the block outgrows the caches each is a
 * miss to memory: what one random, unpredictable access into a structure of that size costs on
 * this machine at this moment.
 *
 * <p>Why V3 has it ({@link V3#dependentLoad}): freeing a random one of 500k live blocks reads that
 * block's record at a random place, and V3's state on {@code vmem} is about 64 MB (32 MB of
 * records, a 16 MB allocation hash, 12 MB of {@code Range} objects, a 2 MB live list). No
 * allocator can free a random block with fewer than one such load, so a V3 target below this row
 * cannot be met on the machine that measured it. The cycle is a single one, so the chain never
 * settles into a short loop that the caches could hold.
 */
public final class DependentLoads {

    /** Bytes per cache line: the stride between the chain's links. */
    static final int LINE = 64;

    private static final int INTS_PER_LINE = LINE / Integer.BYTES;

    /** {@code next[i]} is the index of the link after the one at {@code i}; only line starts are links. */
    private final int[] next;
    private int at;

    /**
     * A chain through {@code bytes} of memory (whole lines), shuffled by {@code rng}.
     *
     * @throws IllegalArgumentException if {@code bytes} is under two lines, not a whole number of
     *                                  lines, or more than an {@code int[]} holds
     */
    public DependentLoads(long bytes, XorShift64Star rng) {
        if (bytes < 2L * LINE || bytes % LINE != 0 || bytes / Integer.BYTES > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("a chain of " + bytes + " bytes must be a whole number of "
                    + LINE + "-byte lines, at least two, and fit one int[]");
        }
        int lines = (int) (bytes / LINE);
        // Sattolo: swapping each position with one strictly below it makes a single cycle.
        int[] successor = new int[lines];
        for (int i = 0; i < lines; i++) {
            successor[i] = i;
        }
        for (int i = lines - 1; i > 0; i--) {
            int j = rng.index(i);
            int swapped = successor[i];
            successor[i] = successor[j];
            successor[j] = swapped;
        }
        next = new int[lines * INTS_PER_LINE];
        for (int line = 0; line < lines; line++) {
            next[line * INTS_PER_LINE] = successor[line] * INTS_PER_LINE;
        }
    }

    /** Follows one link: a load whose address is the previous load's value. Returns where it went. */
    public int next() {
        at = next[at];
        return at;
    }

    /** The number of links (lines) in the cycle. */
    public int links() {
        return next.length / INTS_PER_LINE;
    }
}
