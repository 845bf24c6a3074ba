package io.allot.internal;

import io.allot.Request;

/**
 * Where a request fits inside one free segment: the alignment, phase, window and no-cross math
 * every engine shares.
 *
 * <p>Each method looks at one free segment {@code [segStart, segEnd]} and answers with the
 * <em>offset</em> of the chosen start from {@code segStart}, or {@link #NONE}. Offsets make a
 * clean sentinel: a segment never holds 2<sup>64</sup> values, so no real offset is
 * 2<sup>64</sup>&minus;1. Both methods are O(1) and never wrap past 2<sup>64</sup>&minus;1.
 *
 * <p><b>No-cross.</b> With boundary {@code b} and alignment {@code a} (both powers of two), a
 * start's offset inside its {@code b}-block decides whether it crosses. If {@code a >= b} every
 * admissible start has the same offset ({@code phase mod b}), so either all cross or none does.
 * If {@code a < b}, the block's first admissible start is at offset {@code phase}, the smallest
 * possible, so when a candidate crosses, the first start of the next block is the next candidate
 * (lowest search), or the last fitting start of the block before the crossing (highest search),
 * and no later candidate can do better.
 */
public final class Placement {

    /** Returned when the segment holds no placement; never a real offset. */
    public static final long NONE = -1L;

    private Placement() {
    }

    /**
     * Whether only its size limits where {@code r} may go in a space of {@code quantum}: alignment
     * at most the quantum, no phase, no boundary, the whole window. Instant-fit takes the head of
     * a size-class list for such a request and defers any other to best-fit.
     *
     * <p>One test, no branches: alignment and quantum are powers of two, so "alignment at most the
     * quantum" is "no bit of {@code alignment - 1} at or above the quantum's", and the whole window
     * is {@code min == 0} and {@code max + 1 == 0}.
     */
    public static boolean onlySized(Request r, long quantum) {
        return (((r.alignment() - 1) & -quantum) | r.phase() | r.noCross() | r.min() | (r.max() + 1)) == 0;
    }

    /**
     * The lowest placement in {@code [segStart, segEnd]} that satisfies {@code r} and starts at or
     * above {@code from}.
     *
     * @return the start's offset from {@code segStart}, or {@link #NONE}
     */
    public static long lowest(long segStart, long segEnd, Request r, long from) {
        long lo = Unsigned.max(Unsigned.max(segStart, r.min()), from);
        long hi = Unsigned.min(segEnd, r.max());
        long last = r.size() - 1;
        if (Unsigned.greaterThan(lo, hi) || Unsigned.lessThan(hi - lo, last)) {
            return NONE;
        }
        long mask = r.alignment() - 1;
        long skip = (r.phase() - lo) & mask;
        if (Unsigned.greaterThan(skip, hi - lo)) {
            return NONE;
        }
        long s = lo + skip;
        long b = r.noCross();
        if (b != 0 && crosses(s, s + last, b)) {
            if (Unsigned.atLeast(r.alignment(), b) || Unsigned.atLeast(r.phase() + last, b)) {
                return NONE;
            }
            long nextBlock = (s | (b - 1)) + 1;
            if (nextBlock == 0) {
                return NONE;
            }
            s = nextBlock + r.phase();
            if (Unsigned.greaterThan(s, hi)) {
                return NONE;
            }
        }
        return Unsigned.atLeast(hi - s, last) ? s - segStart : NONE;
    }

    /**
     * The highest placement in {@code [segStart, segEnd]} that satisfies {@code r} and ends at or
     * below {@code to}.
     *
     * @return the start's offset from {@code segStart}, or {@link #NONE}
     */
    public static long highest(long segStart, long segEnd, Request r, long to) {
        long lo = Unsigned.max(segStart, r.min());
        long hi = Unsigned.min(Unsigned.min(segEnd, r.max()), to);
        long last = r.size() - 1;
        if (Unsigned.greaterThan(lo, hi) || Unsigned.lessThan(hi - lo, last)) {
            return NONE;
        }
        long mask = r.alignment() - 1;
        long top = hi - last;
        long back = (top - r.phase()) & mask;
        if (Unsigned.greaterThan(back, top - lo)) {
            return NONE;
        }
        long s = top - back;
        long b = r.noCross();
        if (b != 0 && crosses(s, s + last, b)) {
            if (Unsigned.atLeast(r.alignment(), b) || Unsigned.atLeast(r.phase() + last, b)) {
                return NONE;
            }
            // The block holding the end starts at a multiple of b above s, so it is at least b.
            long endBlock = (s + last) & -b;
            long newTop = endBlock - 1 - last;
            s = newTop - ((newTop - r.phase()) & mask);
            if (Unsigned.lessThan(s, lo)) {
                return NONE;
            }
        }
        return s - segStart;
    }

    /** Whether {@code [start, end]} straddles a multiple of {@code boundary} (a power of two). */
    static boolean crosses(long start, long end, long boundary) {
        return (start & -boundary) != (end & -boundary);
    }
}
