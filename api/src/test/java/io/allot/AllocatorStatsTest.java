package io.allot;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** {@link AllocatorStats#fragmentation()}: 1 - largestFree / free, read unsigned, 0 when nothing is free. */
class AllocatorStatsTest {

    private static final long MAX = -1L;
    private static final long TWO_63 = Long.MIN_VALUE;

    /** Stats whose only meaningful fields are {@code free} and {@code largestFree}. */
    private static AllocatorStats stats(long free, long largestFree) {
        return new AllocatorStats(MAX, 0, free, 0, 1, largestFree, 0, 0, 0, 0);
    }

    /** The exact value, rounded once. */
    private static double exact(long free, long largestFree) {
        BigDecimal f = new BigDecimal(Long.toUnsignedString(free));
        BigDecimal l = new BigDecimal(Long.toUnsignedString(largestFree));
        return BigDecimal.ONE.subtract(l.divide(f, MathContext.DECIMAL128)).doubleValue();
    }

    @Test
    void nothingFreeIsNotFragmented() {
        assertEquals(0.0, stats(0, 0).fragmentation());
        assertEquals(0.0, new AllocatorStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0).fragmentation());
        assertEquals(0.0, new AllocatorStats(MAX, MAX, 0, 7, 0, 0, 9, 2, 3, 0).fragmentation(), "a full space");
    }

    @Test
    void oneFreeRangeIsNotFragmented() {
        assertEquals(0.0, stats(0x1000, 0x1000).fragmentation());
        assertEquals(0.0, stats(1, 1).fragmentation());
        assertEquals(0.0, stats(TWO_63, TWO_63).fragmentation());
        assertEquals(0.0, stats(MAX, MAX).fragmentation(), "2^64 - 1 free values in one range");
    }

    @Test
    void fragmentationIsOneMinusLargestOverFree() {
        assertEquals(0.75, stats(100, 25).fragmentation());
        assertEquals(0.5, stats(0x2000, 0x1000).fragmentation());
        assertEquals(1.0 - 1.0 / 3, stats(3, 1).fragmentation(), 1e-15);
    }

    @Test
    void valuesAboveTwoToThe63AreReadUnsigned() {
        // Read signed, these would give negative ratios or ratios above 1.
        assertEquals(0.5, stats(MAX, TWO_63).fragmentation(), 1e-15);
        assertEquals(0.5, stats(TWO_63, 1L << 62).fragmentation());
        assertEquals(1.0 / 3, stats(0xc000_0000_0000_0000L, 1L << 63).fragmentation(), 1e-15);
        assertEquals(2.0 / 3, stats(0xc000_0000_0000_0000L, 1L << 62).fragmentation(), 1e-15);
        assertEquals(0.75, stats(MAX, 1L << 62).fragmentation(), 1e-15);
        double nearlyAll = stats(MAX, 1).fragmentation();
        assertTrue(nearlyAll > 0.999 && nearlyAll <= 1.0, Double.toString(nearlyAll));
    }

    @Test
    void fragmentationStaysBetweenZeroAndOneAndMatchesExactArithmetic() {
        long seed = Long.getLong("allot.seed", new SplittableRandom().nextLong());
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int n = 0; n < 10_000; n++) {
            long free = rnd.nextBoolean() ? rnd.nextLong() | TWO_63 : 1 + rnd.nextLong(Long.MAX_VALUE);
            long largest = Long.compareUnsigned(free, 1) == 0 ? 1 : Long.remainderUnsigned(rnd.nextLong(), free) + 1;
            double f = stats(free, largest).fragmentation();
            double expected = exact(free, largest);
            if (!(f >= 0.0 && f <= 1.0) || Math.abs(f - expected) > 1e-12) {
                fail("fragmentation of free " + Long.toUnsignedString(free) + ", largest "
                        + Long.toUnsignedString(largest) + " = " + f + ", expected " + expected + " (seed " + seed + ")");
            }
        }
    }

    @Test
    void unitCountsAreCarriedUnchanged() {
        AllocatorStats s = new AllocatorStats(MAX, TWO_63, Long.MAX_VALUE, 3, 4, 5, 6, 7, 8, 9);
        assertEquals(MAX, s.capacity(), "a space of 2^64 - 1 values reports -1L");
        assertEquals(TWO_63, s.allocated());
        assertEquals(Long.MAX_VALUE, s.free());
        assertEquals(3, s.liveAllocations());
        assertEquals(4, s.freeSegments());
        assertEquals(5, s.largestFree());
        assertEquals(6, s.totalAllocations());
        assertEquals(7, s.totalFrees());
        assertEquals(8, s.failedAllocations());
        assertEquals(9, s.imported());
    }
}
