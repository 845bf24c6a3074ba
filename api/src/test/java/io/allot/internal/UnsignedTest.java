package io.allot.internal;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** {@link Unsigned} against {@link BigInteger} arithmetic, at the edges of the 64-bit space. */
class UnsignedTest {

    private static final long MAX = -1L;
    private static final long TWO_63 = Long.MIN_VALUE;
    private static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);

    /** Values where signed and unsigned readings disagree, or where sums wrap. */
    private static final long[] EDGES = {0, 1, 2, 0x7fff_ffff_ffff_fffeL, Long.MAX_VALUE, TWO_63, TWO_63 + 1,
            0xc000_0000_0000_0000L, MAX - 1, MAX};

    private static BigInteger big(long v) {
        return new BigInteger(Long.toUnsignedString(v));
    }

    private static long seed() {
        Long fixed = Long.getLong("allot.seed");
        return fixed != null ? fixed : new SplittableRandom().nextLong();
    }

    @Test
    void maxIsTwoToThe64MinusOne() {
        assertEquals(TWO_64.subtract(BigInteger.ONE), big(Unsigned.MAX));
    }

    @Test
    void comparisonsReadBothOperandsUnsigned() {
        for (long a : EDGES) {
            for (long b : EDGES) {
                int c = big(a).compareTo(big(b));
                String pair = " for " + Unsigned.hex(a) + ", " + Unsigned.hex(b);
                assertEquals(c < 0, Unsigned.lessThan(a, b), "lessThan" + pair);
                assertEquals(c <= 0, Unsigned.atMost(a, b), "atMost" + pair);
                assertEquals(c > 0, Unsigned.greaterThan(a, b), "greaterThan" + pair);
                assertEquals(c >= 0, Unsigned.atLeast(a, b), "atLeast" + pair);
                assertEquals(c >= 0 ? a : b, Unsigned.max(a, b), "max" + pair);
                assertEquals(c <= 0 ? a : b, Unsigned.min(a, b), "min" + pair);
            }
        }
    }

    @Test
    void topOfTheSpaceIsTheHighestValue() {
        assertTrue(Unsigned.lessThan(0x7fff_ffff_ffff_ffffL, TWO_63));
        assertTrue(Unsigned.greaterThan(MAX, Long.MAX_VALUE));
        assertEquals(MAX, Unsigned.max(MAX, 0));
        assertEquals(0, Unsigned.min(MAX, 0));
    }

    @Test
    void saturatingAddAddsBelowTheTop() {
        assertEquals(0, Unsigned.saturatingAdd(0, 0));
        assertEquals(12, Unsigned.saturatingAdd(5, 7));
        assertEquals(TWO_63, Unsigned.saturatingAdd(Long.MAX_VALUE, 1), "crossing 2^63 is not overflow");
        assertEquals(MAX, Unsigned.saturatingAdd(MAX - 1, 1), "exactly 2^64 - 1 is not saturation");
        assertEquals(MAX, Unsigned.saturatingAdd(TWO_63, Long.MAX_VALUE));
    }

    @Test
    void saturatingAddStopsAtTheTop() {
        assertEquals(MAX, Unsigned.saturatingAdd(MAX, 1));
        assertEquals(MAX, Unsigned.saturatingAdd(1, MAX));
        assertEquals(MAX, Unsigned.saturatingAdd(MAX, MAX));
        assertEquals(MAX, Unsigned.saturatingAdd(TWO_63, TWO_63), "2^64 saturates");
        assertEquals(MAX, Unsigned.saturatingAdd(MAX - 1, 2));
    }

    @Test
    void saturatingAddMatchesBigIntegerOnEdgesAndRandomValues() {
        long seed = seed();
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int n = 0; n < 20_000; n++) {
            long a = n < EDGES.length * EDGES.length ? EDGES[n / EDGES.length] : rnd.nextLong();
            long b = n < EDGES.length * EDGES.length ? EDGES[n % EDGES.length] : rnd.nextLong();
            BigInteger sum = big(a).add(big(b));
            long expected = sum.compareTo(TWO_64) >= 0 ? MAX : sum.longValue();
            if (Unsigned.saturatingAdd(a, b) != expected) {
                fail("saturatingAdd(" + Unsigned.hex(a) + ", " + Unsigned.hex(b) + ") should be "
                        + Unsigned.hex(expected) + " (seed " + seed + ")");
            }
        }
    }

    @Test
    void fitsFromAllowsARangeEndingAtTheTop() {
        assertTrue(Unsigned.fitsFrom(0, 1));
        assertTrue(Unsigned.fitsFrom(MAX, 1), "[2^64-1, 2^64-1]");
        assertFalse(Unsigned.fitsFrom(MAX, 2));
        assertTrue(Unsigned.fitsFrom(MAX - 1, 2));
        assertTrue(Unsigned.fitsFrom(0, MAX), "[0, 2^64-2]");
        assertTrue(Unsigned.fitsFrom(1, MAX), "[1, 2^64-1]");
        assertFalse(Unsigned.fitsFrom(2, MAX));
        assertTrue(Unsigned.fitsFrom(TWO_63, TWO_63), "[2^63, 2^64-1]");
        assertFalse(Unsigned.fitsFrom(TWO_63 + 1, TWO_63));
        assertTrue(Unsigned.fitsFrom(Long.MAX_VALUE, TWO_63 + 1));
    }

    @Test
    void fitsFromMatchesBigInteger() {
        long seed = seed();
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int n = 0; n < 20_000; n++) {
            long start = n < EDGES.length * EDGES.length ? EDGES[n / EDGES.length] : rnd.nextLong();
            long size = n < EDGES.length * EDGES.length ? EDGES[n % EDGES.length] : rnd.nextLong();
            if (n % 3 == 0) {
                size = -start + rnd.nextInt(5) - 2; // close to the boundary 2^64 - start
            }
            if (size == 0) {
                continue;
            }
            boolean expected = big(start).add(big(size)).subtract(BigInteger.ONE).compareTo(TWO_64) < 0;
            if (Unsigned.fitsFrom(start, size) != expected) {
                fail("fitsFrom(" + Unsigned.hex(start) + ", " + Unsigned.hex(size) + ") should be " + expected
                        + " (seed " + seed + ")");
            }
        }
    }

    @Test
    void toDoubleIsExactBelowTwoToThe53AndNonNegativeAbove() {
        assertEquals(0.0, Unsigned.toDouble(0));
        assertEquals(1.0, Unsigned.toDouble(1));
        assertEquals(0x1p53, Unsigned.toDouble(1L << 53));
        assertEquals(0x1p63 - 1024, Unsigned.toDouble(TWO_63 - 1024), "exactly representable below 2^63");
        assertEquals(0x1p63, Unsigned.toDouble(TWO_63));
        assertEquals(0x1p63 + 2048, Unsigned.toDouble(TWO_63 + 2048), "exactly representable");
        assertEquals(0x1.8p63, Unsigned.toDouble(0xc000_0000_0000_0000L));
        assertEquals(0x1p64, Unsigned.toDouble(MAX), "2^64 - 1 rounds to 2^64");
        for (long v : EDGES) {
            assertTrue(Unsigned.toDouble(v) >= 0, Unsigned.hex(v));
        }
    }

    @Test
    void toDoubleIsMonotoneAcrossTwoToThe63() {
        double previous = -1;
        for (long v = TWO_63 - 5000; v != TWO_63 + 5000; v++) {
            double d = Unsigned.toDouble(v);
            assertTrue(d >= previous, Unsigned.hex(v));
            previous = d;
        }
        assertTrue(Unsigned.toDouble(TWO_63) > Unsigned.toDouble(Long.MAX_VALUE - 4096));
        assertTrue(Unsigned.toDouble(MAX) > Unsigned.toDouble(TWO_63));
    }

    /**
     * Rounding means round-to-nearest, as for {@code (double) long}: the double nearest the
     * unsigned value, not a double-rounded neighbour.
     */
    @Test
    void toDoubleRoundsValuesAboveTwoToThe63ToTheNearestDouble() {
        // 2^63 + 1025 is 1023 from 2^63 + 2048 and 1025 from 2^63.
        long v = 0x8000_0000_0000_0401L;
        assertEquals(new BigDecimal(Long.toUnsignedString(v)).doubleValue(), Unsigned.toDouble(v),
                "toDouble(" + Unsigned.hex(v) + ")");

        long seed = seed();
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int n = 0; n < 20_000; n++) {
            long x = rnd.nextLong() | TWO_63;
            double expected = new BigDecimal(Long.toUnsignedString(x)).doubleValue();
            if (Unsigned.toDouble(x) != expected) {
                fail("toDouble(" + Unsigned.hex(x) + ") = " + Unsigned.toDouble(x) + ", nearest double is "
                        + expected + " (seed " + seed + ")");
            }
        }
    }

    @Test
    void hexIsLowerCaseUnsignedWithPrefix() {
        assertEquals("0x0", Unsigned.hex(0));
        assertEquals("0x1000", Unsigned.hex(0x1000));
        assertEquals("0xabcdef", Unsigned.hex(0xABCDEF));
        assertEquals("0x7fffffffffffffff", Unsigned.hex(Long.MAX_VALUE));
        assertEquals("0x8000000000000000", Unsigned.hex(TWO_63));
        assertEquals("0xffffffffffffffff", Unsigned.hex(MAX));
    }

    @Test
    void isPowerOfTwoIncludesTwoToThe63() {
        for (int k = 0; k < 64; k++) {
            assertTrue(Unsigned.isPowerOfTwo(1L << k), "2^" + k);
        }
        assertTrue(Unsigned.isPowerOfTwo(TWO_63));
    }

    @Test
    void isPowerOfTwoExcludesZeroAndEverythingElse() {
        assertFalse(Unsigned.isPowerOfTwo(0));
        for (long v : new long[] {3, 5, 6, 7, 12, 0x1001, Long.MAX_VALUE, TWO_63 + 1, 0xc000_0000_0000_0000L, MAX - 1,
                MAX}) {
            assertFalse(Unsigned.isPowerOfTwo(v), Unsigned.hex(v));
        }
        for (int k = 1; k < 64; k++) {
            assertFalse(Unsigned.isPowerOfTwo((1L << k) + 1), "2^" + k + " + 1");
            assertFalse(Unsigned.isPowerOfTwo((1L << k) | 1L << (k - 1)), "2^" + k + " + 2^" + (k - 1));
        }
    }
}
