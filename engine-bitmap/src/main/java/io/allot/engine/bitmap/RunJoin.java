package io.allot.engine.bitmap;

/**
 * Joins the free-run figures of consecutive pieces of a bitmap, left to right, into the figures
 * of their concatenation: the free run at its start ({@link #prefix}), the one open at its end
 * ({@link #suffix}), its longest ({@link #max}) and its number of maximal free runs
 * ({@link #runs}). A piece's figures count its own units only; the join adds what crosses the
 * seams: a suffix meeting the next piece's prefix is one run, not two, and may be the longest. A
 * wholly free piece (its prefix its whole size) carries the open run on.
 *
 * <p>One mutable accumulator, reset and reused by {@link RunStats} for every node and group it
 * recomputes, so a recomputation allocates nothing. Not thread-safe.
 */
final class RunJoin {

    long prefix;
    long suffix;
    long max;
    long runs;
    /**
     * With {@link #addClassed}: the {@link RunStats#sizeClass size classes} of the inner runs of
     * the concatenation, those touching neither of its ends.
     */
    long classes;
    /** Units joined so far. */
    private long size;
    /** Every piece so far was wholly free: the run open now began at the start. */
    private boolean atStart;

    /** Starts an empty join. */
    RunJoin reset() {
        prefix = 0;
        suffix = 0;
        max = 0;
        runs = 0;
        size = 0;
        classes = 0;
        atStart = true;
        return this;
    }

    /**
     * As {@link #add}, for a piece whose inner runs are of classes {@code inner}: they are inner
     * runs of the concatenation too, and so is a run that ends in this piece, crossing the seam,
     * unless it began at the start.
     */
    void addClassed(long p, long s, long m, long r, long units, long inner) {
        classes |= inner;
        if (p != units) {
            long joined = suffix + p;
            if (joined > 0 && !atStart) {
                classes |= 1L << RunStats.sizeClass(joined);
            }
            atStart = false;
        }
        add(p, s, m, r, units);
    }

    /**
     * Appends a piece of {@code units} units whose own figures are {@code p}, {@code s}, {@code m}
     * and {@code r} (prefix, suffix, longest, runs).
     */
    void add(long p, long s, long m, long r, long units) {
        runs += r - (suffix > 0 && p > 0 ? 1 : 0);
        max = Math.max(Math.max(max, suffix + p), m);
        if (prefix == size) {
            prefix += p;
        }
        suffix = s == units ? suffix + units : s;
        size += units;
    }

    /**
     * Ends a node whose last children are missing (the nodes over the end of the tree): nothing
     * joins its suffix, so it counts as none, as the parent's join expects of a partial child; the
     * run it was is an inner run, unless it began at the start.
     */
    void closeEnd() {
        if (suffix > 0 && !atStart) {
            classes |= 1L << RunStats.sizeClass(suffix);
        }
        suffix = 0;
    }
}
