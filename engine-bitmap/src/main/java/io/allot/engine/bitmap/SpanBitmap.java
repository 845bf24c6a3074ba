package io.allot.engine.bitmap;

/**
 * One span as units (quanta) {@code 0 .. units-1}: the allocated bits and their summaries
 * ({@link BitTree}), allocation boundaries ({@link Boundaries}) and run statistics
 * ({@link RunStats}), kept in step. Unit {@code u} is the values
 * {@code [start + u·quantum, start + (u+1)·quantum - 1]}.
 *
 * <p>Each span has its own structures, so a free run can never cross into the next span, even an
 * adjacent one, and a span is added or removed without touching the others. Methods take units
 * and trust the caller ({@link BitmapCore}) to pass units of this span in the stated states.
 */
final class SpanBitmap {

    /** First value of the span. */
    final long start;
    /** Last value of the span. */
    final long end;
    final long units;
    private final int shift;
    final BitTree bits;
    private final RunStats stats;
    private final Boundaries bounds;
    /** Best- and instant-fit's search over {@link #stats}; null while the tree has no summary level. */
    final FitSearch fits;
    /** First-, last- and next-fit's way past runs too short, over {@link #stats}; null as {@link #fits} is. */
    final RunSkip skip;
    /**
     * Live allocations of more than one unit. While there are none, no unit continues another, so
     * a one-unit free need not read {@link #bounds} (an id allocator never has any).
     */
    private long multiUnit;

    SpanBitmap(long start, long end, int shift, boolean concurrent) {
        this.start = start;
        this.end = end;
        this.shift = shift;
        this.units = ((end - start) >>> shift) + 1;
        this.bits = new BitTree(units, concurrent);
        this.stats = new RunStats(bits);
        this.bounds = new Boundaries(units);
        this.fits = bits.levels >= 1 ? new FitSearch(this, stats, bits) : null;
        this.skip = bits.levels >= 1 ? new RunSkip(bits, stats) : null;
    }

    // ---------------------------------------------------------------- values and units

    /** Whether {@code value} lies in this span. */
    boolean contains(long value) {
        return Long.compareUnsigned(value - start, end - start) <= 0;
    }

    /** The unit holding {@code value}, which lies in this span. */
    long unit(long value) {
        return (value - start) >>> shift;
    }

    /** The first value of unit {@code u}. */
    long first(long u) {
        return start + (u << shift);
    }

    /** The last value of unit {@code u}. */
    long last(long u) {
        return start + (u << shift) + ((1L << shift) - 1);
    }

    /** The lowest unit whose first value is at least {@code value}; {@code units} if none. */
    long unitAtOrAbove(long value) {
        if (Long.compareUnsigned(value, start) <= 0) {
            return 0;
        }
        if (Long.compareUnsigned(value, end) > 0) {
            return units;
        }
        long offset = value - start;
        long u = offset >>> shift;
        return (offset & ((1L << shift) - 1)) == 0 ? u : u + 1;
    }

    /** The highest unit whose last value is at most {@code value}; -1 if none. */
    long unitAtOrBelow(long value) {
        if (Long.compareUnsigned(value, end) >= 0) {
            return units - 1;
        }
        if (Long.compareUnsigned(value, start) < 0) {
            return -1;
        }
        // value + 1 does not wrap: value < end.
        return ((value + 1 - start) >>> shift) - 1;
    }

    // ---------------------------------------------------------------- runs

    /** The last unit of the free run holding free unit {@code a}. */
    long runEnd(long a) {
        long next = bits.nextAllocated(a);
        return next < 0 ? units - 1 : next - 1;
    }

    /** The first unit of the free run holding free unit {@code b}. */
    long runStart(long b) {
        long prev = bits.prevAllocated(b);
        return prev + 1;
    }

    /** Whether units {@code [a, b]} are all free. */
    boolean isFree(long a, long b) {
        long next = bits.nextAllocated(a);
        return next < 0 || next > b;
    }

    long freeRuns() {
        return stats.runs();
    }

    long longestRun() {
        return stats.longest();
    }

    boolean isEmpty() {
        return bits.nextAllocated(0) < 0;
    }

    // ---------------------------------------------------------------- allocations

    /** Allocates units {@code [a, b]}, all free, as one allocation. */
    void allocate(long a, long b) {
        if (a == b) {
            bits.set(a);
            return;
        }
        bits.setRange(a, b);
        bounds.mark(a + 1, b);
        multiUnit++;
    }

    /** Whether units {@code [a, b]} are exactly one live allocation. */
    boolean isAllocation(long a, long b) {
        if (a == b) {
            return bits.isSet(a) && isSingle(a);
        }
        long free = bits.nextFree(a);
        return (free < 0 || free > b) && !bounds.continues(a) && bounds.allContinue(a + 1, b)
                && (b + 1 == units || !bounds.continues(b + 1));
    }

    /** Frees units {@code [a, b]}, exactly one live allocation. */
    void free(long a, long b) {
        if (a == b) {
            bits.clear(a);
            return;
        }
        bounds.unmark(a + 1, b);
        bits.clearRange(a, b);
        multiUnit--;
    }

    /** Whether some live allocation is longer than one unit. */
    boolean hasMultiUnit() {
        return multiUnit != 0;
    }

    /** Whether unit {@code u}, if allocated, is an allocation of its own. */
    boolean isSingle(long u) {
        return multiUnit == 0 || bounds.isSingle(u);
    }

    /** The first unit of the allocation holding allocated unit {@code u}. */
    long allocationStart(long u) {
        return bounds.startOf(u);
    }

    /** The last unit of the allocation starting at unit {@code s}. */
    long allocationEnd(long s) {
        return bounds.endOf(s);
    }

    // ---------------------------------------------------------------- single units

    /** Allocates the lowest free unit of {@code [p, last]}; -1 if none. Single-threaded. */
    long claimFirst(long p, long last) {
        long u = bits.nextFree(p);
        if (u < 0 || u > last) {
            return -1;
        }
        bits.set(u);
        return u;
    }

    /** Allocates the highest free unit of {@code [first, p]}; -1 if none. Single-threaded. */
    long claimLast(long first, long p) {
        long u = bits.prevFree(p);
        if (u < first) {
            return -1;
        }
        bits.set(u);
        return u;
    }

    /** As {@link #claimFirst}, lock-free. */
    long claimFirstConcurrently(long p, long last) {
        return bits.claimNext(p, last);
    }

    /** As {@link #claimLast}, lock-free. */
    long claimLastConcurrently(long first, long p) {
        return bits.claimPrev(first, p);
    }

    /** Frees unit {@code u} if it is a one-unit allocation; false, changing nothing, if not. */
    boolean releaseSingle(long u) {
        // A free unit has no continuation bits, so isSingle is true for it and clearIfSet says no.
        return isSingle(u) && bits.clearIfSet(u);
    }

    /** As {@link #releaseSingle}, lock-free. */
    boolean releaseSingleConcurrently(long u) {
        // Boundaries change only on the exclusive path, so a unit that is not single now stays so.
        return isSingle(u) && bits.release(u);
    }

    // ---------------------------------------------------------------- for tests and figures

    void checkInvariants() {
        bits.checkInvariants();
        checkIndex();
        for (long u = 0; u < units; u++) {
            if (bounds.continues(u) && (u == 0 || !bits.isSet(u) || !bits.isSet(u - 1))) {
                throw new IllegalStateException("unit " + u + " continues an allocation but is free or has no allocated predecessor");
            }
        }
    }

    /** For tests: best-fit's index of wide runs, if a search has built it, holds exactly the bits' wide runs. */
    void checkIndex() {
        RunIndex index = fits == null ? null : fits.index();
        if (index != null) {
            stats.cleanAll(); // a query's refold: it reports the changed blocks to the index
            index.checkInvariants();
        }
    }

    /** Bytes of arrays this span holds (leaf, summaries, statistics, boundary chunks). */
    long bytes() {
        RunIndex index = fits == null ? null : fits.index();
        return bits.bytes() + stats.bytes() + bounds.bytes() + (index == null ? 0 : index.bytes());
    }
}
