package io.allot.internal;

/**
 * Unsigned 64-bit arithmetic on {@code long}, the representation of every resource value.
 *
 * <p>Java has no unsigned long, so every comparison of two values goes through
 * {@link Long#compareUnsigned}; the names here say which relation is meant so that call sites
 * read like the math ({@code Unsigned.lessThan(end, start)}) rather than like sign tricks.
 * Nothing here ever wraps silently: where a sum could pass 2<sup>64</sup>&minus;1 the method
 * says what it does instead.
 */
public final class Unsigned {

    /** The largest unsigned 64-bit value, 2<sup>64</sup>&minus;1. */
    public static final long MAX = -1L;

    private Unsigned() {
    }

    /** {@code a < b}, unsigned. */
    public static boolean lessThan(long a, long b) {
        return Long.compareUnsigned(a, b) < 0;
    }

    /** {@code a <= b}, unsigned. */
    public static boolean atMost(long a, long b) {
        return Long.compareUnsigned(a, b) <= 0;
    }

    /** {@code a > b}, unsigned. */
    public static boolean greaterThan(long a, long b) {
        return Long.compareUnsigned(a, b) > 0;
    }

    /** {@code a >= b}, unsigned. */
    public static boolean atLeast(long a, long b) {
        return Long.compareUnsigned(a, b) >= 0;
    }

    /** The larger of two values, unsigned. */
    public static long max(long a, long b) {
        return Long.compareUnsigned(a, b) >= 0 ? a : b;
    }

    /** The smaller of two values, unsigned. */
    public static long min(long a, long b) {
        return Long.compareUnsigned(a, b) <= 0 ? a : b;
    }

    /** {@code a + b}, or {@link #MAX} when the true sum would not fit in 64 bits. */
    public static long saturatingAdd(long a, long b) {
        long sum = a + b;
        return Long.compareUnsigned(sum, a) < 0 ? MAX : sum;
    }

    /**
     * Whether {@code [start, start + size - 1]} stays inside the 64-bit space.
     *
     * @param size at least 1
     */
    public static boolean fitsFrom(long start, long size) {
        // start + size - 1 <= 2^64 - 1  <=>  start <= 2^64 - size, and 2^64 - size is -size.
        return Long.compareUnsigned(start, -size) <= 0;
    }

    /** The value as a non-negative double, correctly rounded (to nearest) above 2^53. */
    public static double toDouble(long value) {
        if (value >= 0) {
            return (double) value;
        }
        // Halve, keeping the lost bit as a sticky bit so the one rounding is still to nearest-even.
        return (double) ((value >>> 1) | (value & 1)) * 2.0;
    }

    /** {@code 0x}-prefixed lower-case hex, the one format every message and toString uses. */
    public static String hex(long value) {
        return "0x" + Long.toHexString(value);
    }

    /**
     * The smallest power of two at least {@code size} (unsigned, {@code size >= 1}), or 0 when that
     * is past 2<sup>63</sup>: instant-fit's size class, which engines without vmem's free lists
     * search by.
     */
    public static long powerOfTwoAtLeast(long size) {
        long high = Long.highestOneBit(size);
        return high == size ? size : high << 1;
    }

    /** Whether {@code value} is a power of two, read as unsigned (2<sup>63</sup> is one). */
    public static boolean isPowerOfTwo(long value) {
        return value != 0 && (value & (value - 1)) == 0;
    }
}
