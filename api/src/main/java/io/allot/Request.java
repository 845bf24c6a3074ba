package io.allot;

import io.allot.internal.Tags;
import io.allot.internal.Unsigned;

/**
 * What an allocation must satisfy: a size and the constraints on where it may be placed.
 *
 * <p>A placement {@code [s, s + size - 1]} satisfies a request when
 * <ul>
 *   <li>{@code (s - phase) mod alignment == 0},</li>
 *   <li>{@code min <= s} and {@code s + size - 1 <= max}, and</li>
 *   <li>if {@code noCross != 0}, no multiple of {@code noCross} lies in {@code (s, s + size - 1]}.</li>
 * </ul>
 * All fields are unsigned. Build one with {@link #of(long)} and the withers, which return new
 * requests; each wither checks the whole request again, so set {@link #aligned(long) alignment}
 * before {@link #phase(long) phase} and {@link #noCross(long) noCross} after a size it must hold.
 *
 * @param size      values to allocate, at least 1
 * @param alignment a power of two (default 1)
 * @param phase     offset from alignment, below {@code alignment} (default 0)
 * @param noCross   a power of two that no placement may straddle, or 0 for none (default 0);
 *                  when not 0 it must be at least {@code size}
 * @param min       lowest allowed start (default 0)
 * @param max       highest allowed end (default 2<sup>64</sup>&minus;1), not below {@code min}
 * @param tag       an owner label kept with the allocation, or {@code null}; well-formed Unicode
 *                  (no unpaired surrogates), so that snapshots keep it exactly
 */
public record Request(long size, long alignment, long phase, long noCross, long min, long max, String tag) {

    /**
     * @throws IllegalArgumentException naming the field and its value when any rule above is broken
     */
    public Request {
        if (size == 0) {
            throw new IllegalArgumentException("size 0 must be >= 1");
        }
        if (!Unsigned.isPowerOfTwo(alignment)) {
            throw new IllegalArgumentException("alignment " + Unsigned.hex(alignment) + " is not a power of two");
        }
        if (!Unsigned.lessThan(phase, alignment)) {
            throw new IllegalArgumentException("phase " + Unsigned.hex(phase) + " must be < alignment "
                    + Unsigned.hex(alignment));
        }
        if (noCross != 0 && !Unsigned.isPowerOfTwo(noCross)) {
            throw new IllegalArgumentException("noCross " + Unsigned.hex(noCross)
                    + " is not a power of two (or 0 for no boundary)");
        }
        if (noCross != 0 && Unsigned.lessThan(noCross, size)) {
            throw new IllegalArgumentException("noCross " + Unsigned.hex(noCross) + " must be >= size "
                    + Unsigned.hex(size));
        }
        if (Unsigned.greaterThan(min, max)) {
            throw new IllegalArgumentException("min " + Unsigned.hex(min) + " must be <= max " + Unsigned.hex(max));
        }
        Tags.checked(tag);
    }

    /**
     * A request for {@code size} values with no constraints.
     *
     * @throws IllegalArgumentException if {@code size} is 0
     */
    public static Request of(long size) {
        return new Request(size, 1, 0, 0, 0, Unsigned.MAX, null);
    }

    /** This request with {@code alignment} (a power of two). */
    public Request aligned(long alignment) {
        return new Request(size, alignment, phase, noCross, min, max, tag);
    }

    /** This request with starts at {@code phase} past a multiple of the alignment. */
    public Request phase(long phase) {
        return new Request(size, alignment, phase, noCross, min, max, tag);
    }

    /** This request forbidden to straddle a multiple of {@code boundary} (a power of two, or 0). */
    public Request noCross(long boundary) {
        return new Request(size, alignment, phase, boundary, min, max, tag);
    }

    /** This request confined to start at or above {@code min} and end at or below {@code max}. */
    public Request within(long min, long max) {
        return new Request(size, alignment, phase, noCross, min, max, tag);
    }

    /** This request carrying {@code tag} (may be {@code null}). */
    public Request tagged(String tag) {
        return new Request(size, alignment, phase, noCross, min, max, tag);
    }

    /** Whether a placement starting at {@code start} satisfies this request (see the class comment). */
    public boolean admits(long start) {
        if (!Unsigned.fitsFrom(start, size)) {
            return false;
        }
        long end = start + size - 1;
        return ((start - phase) & (alignment - 1)) == 0
                && Unsigned.atLeast(start, min)
                && Unsigned.atMost(end, max)
                && (noCross == 0 || (start & -noCross) == (end & -noCross));
    }

    @Override
    public String toString() {
        return "Request[size=" + Unsigned.hex(size) + ", alignment=" + Unsigned.hex(alignment)
                + ", phase=" + Unsigned.hex(phase) + ", noCross=" + Unsigned.hex(noCross)
                + ", min=" + Unsigned.hex(min) + ", max=" + Unsigned.hex(max)
                + (tag == null ? "" : ", tag=" + tag) + "]";
    }
}
