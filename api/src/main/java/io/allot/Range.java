package io.allot;

import io.allot.internal.Unsigned;

/**
 * A closed range {@code [start, end]} of unsigned 64-bit resource values.
 *
 * <p>Both bounds are unsigned: {@code 0xffff_ffff_ffff_ffffL} (printed {@code 0xffffffffffffffff})
 * is the highest value, not &minus;1. A range holds at least one value, and at most
 * 2<sup>64</sup>&minus;1 of them: the one range of all 2<sup>64</sup> values is refused because its
 * size cannot be expressed in a {@code long}. Ranges order by start, then end, both unsigned.
 *
 * @param start the first value, unsigned
 * @param end   the last value, unsigned, not below {@code start}
 */
public record Range(long start, long end) implements Comparable<Range> {

    /**
     * @throws IllegalArgumentException if {@code end} is below {@code start} (unsigned), or the
     *                                  range is {@code [0, 2^64-1]}
     */
    public Range {
        if (Unsigned.lessThan(end, start)) {
            throw new IllegalArgumentException("range start " + Unsigned.hex(start)
                    + " is above its end " + Unsigned.hex(end));
        }
        if (start == 0 && end == Unsigned.MAX) {
            throw new IllegalArgumentException("[0x0, 0xffffffffffffffff] holds 2^64 values;"
                    + " its size cannot be expressed, use [0x0, 0xfffffffffffffffe] or [0x1, 0xffffffffffffffff]");
        }
    }

    /**
     * The range {@code [start, end]}.
     *
     * @throws IllegalArgumentException as the canonical constructor
     */
    public static Range of(long start, long end) {
        return new Range(start, end);
    }

    /**
     * The range of {@code size} values beginning at {@code start}.
     *
     * @param size unsigned, at least 1
     * @throws IllegalArgumentException if {@code size} is 0 or the range would run past
     *                                  2<sup>64</sup>&minus;1
     */
    public static Range ofSize(long start, long size) {
        if (size == 0) {
            throw new IllegalArgumentException("size 0 must be >= 1");
        }
        if (!Unsigned.fitsFrom(start, size)) {
            throw new IllegalArgumentException("range of size " + Unsigned.hex(size) + " from "
                    + Unsigned.hex(start) + " runs past 0xffffffffffffffff");
        }
        return new Range(start, start + size - 1);
    }

    /** The number of values, unsigned; never 0. */
    public long size() {
        return end - start + 1;
    }

    /** Whether {@code value} lies in this range. */
    public boolean contains(long value) {
        return Unsigned.atMost(value - start, end - start);
    }

    /** Whether every value of {@code other} lies in this range. */
    public boolean contains(Range other) {
        return contains(other.start) && contains(other.end);
    }

    /** Whether the two ranges share at least one value. */
    public boolean overlaps(Range other) {
        return Unsigned.atMost(start, other.end) && Unsigned.atMost(other.start, end);
    }

    @Override
    public int compareTo(Range other) {
        int byStart = Long.compareUnsigned(start, other.start);
        return byStart != 0 ? byStart : Long.compareUnsigned(end, other.end);
    }

    /** {@code [0x1000, 0x1fff]}: both bounds in unsigned hex. */
    @Override
    public String toString() {
        return "[" + Unsigned.hex(start) + ", " + Unsigned.hex(end) + "]";
    }
}
