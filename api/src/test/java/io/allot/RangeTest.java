package io.allot;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Range}: construction rules, unsigned size and ordering, containment and overlap. */
class RangeTest {

    private static final long MAX = -1L;
    private static final long TWO_63 = Long.MIN_VALUE;

    @Test
    void ofKeepsItsBounds() {
        Range r = Range.of(0x1000, 0x1fff);
        assertEquals(0x1000, r.start());
        assertEquals(0x1fff, r.end());
        assertEquals(new Range(0x1000, 0x1fff), r);
        assertEquals(new Range(0x1000, 0x1fff).hashCode(), r.hashCode());
        assertNotEquals(Range.of(0x1000, 0x2000), r);
    }

    @Test
    void sizeCountsBothBounds() {
        assertEquals(1, Range.of(0, 0).size());
        assertEquals(1, Range.of(MAX, MAX).size());
        assertEquals(0x1000, Range.of(0x1000, 0x1fff).size());
        assertEquals(TWO_63, Range.of(TWO_63, MAX).size());
        assertEquals(TWO_63, Range.of(0, TWO_63 - 1).size());
        assertEquals(TWO_63 + 1, Range.of(Long.MAX_VALUE, MAX).size());
    }

    @Test
    void ofSizeBuildsTheRangeOfThatManyValues() {
        assertEquals(Range.of(0x1000, 0x1fff), Range.ofSize(0x1000, 0x1000));
        assertEquals(Range.of(MAX, MAX), Range.ofSize(MAX, 1));
        assertEquals(Range.of(MAX - 1, MAX), Range.ofSize(MAX - 1, 2));
        assertEquals(Range.of(TWO_63, MAX), Range.ofSize(TWO_63, TWO_63));
        assertEquals(Range.of(0, MAX - 1), Range.ofSize(0, MAX));
        assertEquals(Range.of(1, MAX), Range.ofSize(1, MAX));
        assertEquals(0x1000, Range.ofSize(0x1000, 0x1000).size());
    }

    @Test
    void ofSizeRejectsSizeZero() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Range.ofSize(0x1000, 0));
        assertEquals("size 0 must be >= 1", e.getMessage());
    }

    @Test
    void ofSizeRejectsARangeRunningPastTheTop() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Range.ofSize(MAX, 2));
        assertTrue(e.getMessage().contains("0x2"), e.getMessage());
        assertTrue(e.getMessage().contains("0xffffffffffffffff"), e.getMessage());
        IllegalArgumentException big = assertThrows(IllegalArgumentException.class, () -> Range.ofSize(2, MAX));
        assertTrue(big.getMessage().contains("0x2"), big.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Range.ofSize(TWO_63 + 1, TWO_63));
        assertThrows(IllegalArgumentException.class, () -> Range.ofSize(0x1000, -0x1000 + 1));
    }

    @Test
    void endBelowStartIsRejectedNamingBoth() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Range.of(0x2000, 0x1fff));
        assertTrue(e.getMessage().contains("0x2000"), e.getMessage());
        assertTrue(e.getMessage().contains("0x1fff"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Range(1, 0));
    }

    @Test
    void boundsCompareUnsigned() {
        // 2^63 is a negative long but an unsigned value above 5.
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Range.of(TWO_63, 5));
        assertTrue(e.getMessage().contains("0x8000000000000000"), e.getMessage());
        assertTrue(e.getMessage().contains("0x5"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Range.of(MAX, 0));
        assertEquals(TWO_63 - 4, Range.of(5, TWO_63).size());
        assertEquals(MAX - 4, Range.of(5, MAX).size());
    }

    @Test
    void theWholeSpaceIsRejectedNamingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Range.of(0, MAX));
        assertTrue(e.getMessage().contains("0x0"), e.getMessage());
        assertTrue(e.getMessage().contains("0xffffffffffffffff"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Range(0, MAX));
    }

    @Test
    void allButOneValueIsAccepted() {
        Range low = Range.of(0, MAX - 1);
        Range high = Range.of(1, MAX);
        assertEquals(MAX, low.size(), "size 0xffffffffffffffff");
        assertEquals(MAX, high.size());
        assertEquals("ffffffffffffffff", Long.toHexString(high.size()));
        assertTrue(low.contains(0));
        assertFalse(low.contains(MAX));
        assertTrue(high.contains(MAX));
        assertFalse(high.contains(0));
    }

    @Test
    void containsValueAtTheEdges() {
        Range r = Range.of(0x1000, 0x1fff);
        assertTrue(r.contains(0x1000));
        assertTrue(r.contains(0x1fff));
        assertFalse(r.contains(0xfff));
        assertFalse(r.contains(0x2000));
        assertFalse(r.contains(0));
        assertFalse(r.contains(MAX));
        assertFalse(r.contains(TWO_63));

        Range top = Range.of(TWO_63, MAX);
        assertTrue(top.contains(TWO_63));
        assertTrue(top.contains(MAX));
        assertFalse(top.contains(Long.MAX_VALUE));
        assertFalse(top.contains(0));

        Range across = Range.of(Long.MAX_VALUE, TWO_63);
        assertTrue(across.contains(Long.MAX_VALUE));
        assertTrue(across.contains(TWO_63));
        assertFalse(across.contains(0));
        assertFalse(across.contains(MAX));

        assertTrue(Range.of(0, 0).contains(0));
        assertFalse(Range.of(0, 0).contains(MAX));
        assertTrue(Range.of(MAX, MAX).contains(MAX));
        assertFalse(Range.of(MAX, MAX).contains(0));
    }

    @Test
    void containsRange() {
        Range r = Range.of(0x1000, 0x1fff);
        assertTrue(r.contains(r));
        assertTrue(r.contains(Range.of(0x1000, 0x1000)));
        assertTrue(r.contains(Range.of(0x1fff, 0x1fff)));
        assertTrue(r.contains(Range.of(0x1100, 0x1eff)));
        assertFalse(r.contains(Range.of(0xfff, 0x1fff)));
        assertFalse(r.contains(Range.of(0x1000, 0x2000)));
        assertFalse(r.contains(Range.of(0, MAX - 1)));
        assertFalse(r.contains(Range.of(0x3000, 0x3fff)));
        Range top = Range.of(TWO_63, MAX);
        assertTrue(top.contains(Range.of(MAX, MAX)));
        assertTrue(Range.of(1, MAX).contains(top));
        assertFalse(top.contains(Range.of(Long.MAX_VALUE, MAX)));
    }

    @Test
    void overlapsIsSymmetricAndExcludesAdjacentRanges() {
        Range r = Range.of(0x1000, 0x1fff);
        List<Range> overlapping = List.of(r, Range.of(0xfff, 0x1000), Range.of(0x1fff, 0x2000),
                Range.of(0x1100, 0x1200), Range.of(0, MAX - 1), Range.of(1, MAX));
        List<Range> apart = List.of(Range.of(0, 0xfff), Range.of(0x2000, 0x2fff), Range.of(TWO_63, MAX),
                Range.of(MAX, MAX), Range.of(0, 0));
        for (Range o : overlapping) {
            assertTrue(r.overlaps(o), o.toString());
            assertTrue(o.overlaps(r), o.toString());
        }
        for (Range o : apart) {
            assertFalse(r.overlaps(o), o.toString());
            assertFalse(o.overlaps(r), o.toString());
        }
        assertTrue(Range.of(TWO_63, MAX).overlaps(Range.of(Long.MAX_VALUE, TWO_63)));
        assertFalse(Range.of(TWO_63, MAX).overlaps(Range.of(0, Long.MAX_VALUE)));
        assertTrue(Range.of(MAX, MAX).overlaps(Range.of(1, MAX)));
    }

    @Test
    void compareToOrdersByStartThenEndUnsigned() {
        Range a = Range.of(0, 0);
        Range b = Range.of(0, 5);
        Range c = Range.of(1, 1);
        Range d = Range.of(Long.MAX_VALUE, Long.MAX_VALUE);
        Range e = Range.of(TWO_63, TWO_63);
        Range f = Range.of(TWO_63, MAX);
        Range g = Range.of(MAX, MAX);
        List<Range> expected = List.of(a, b, c, d, e, f, g);
        List<Range> sorted = new ArrayList<>(List.of(g, e, c, f, a, d, b));
        sorted.sort(null);
        assertEquals(expected, sorted);
        assertTrue(g.compareTo(a) > 0, "0xffffffffffffffff is the highest");
        assertTrue(a.compareTo(g) < 0);
        assertTrue(Range.of(5, MAX).compareTo(Range.of(5, 6)) > 0, "same start: the higher end is later");
        assertEquals(0, Range.of(5, 6).compareTo(Range.of(5, 6)));
    }

    @Test
    void toStringIsUnsignedHex() {
        assertEquals("[0x1000, 0x1fff]", Range.of(0x1000, 0x1fff).toString());
        assertEquals("[0x0, 0x0]", Range.of(0, 0).toString());
        assertEquals("[0x8000000000000000, 0xffffffffffffffff]", Range.of(TWO_63, MAX).toString());
    }
}
