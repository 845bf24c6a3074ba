package io.allot.internal;

import io.allot.OverlapException;
import io.allot.Range;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Spans}: order, the rules every span must pass, and lookups at the edges of the space. */
class SpansTest {

    private static final long MAX = -1L;
    private static final long TWO_63 = Long.MIN_VALUE;

    private static Spans spans(long quantum, Range... ranges) {
        Spans spans = new Spans(quantum);
        for (Range r : ranges) {
            spans.add(r);
        }
        return spans;
    }

    @Test
    void emptySpansHoldNothing() {
        Spans spans = new Spans(1);
        assertEquals(List.of(), spans.list());
        assertEquals(0, spans.count());
        assertEquals(0, spans.capacity());
        assertEquals(0, spans.lowestStart());
        assertFalse(spans.contains(0));
        assertFalse(spans.contains(MAX));
        assertFalse(spans.withinOne(0, 0));
    }

    @Test
    void addKeepsSpansSortedUnsigned() {
        Range top = Range.of(TWO_63, MAX);
        Range high = Range.of(0x3000, 0x3fff);
        Range low = Range.of(0x1000, 0x1fff);
        Range middle = Range.of(0x2000, 0x2fff);
        Spans spans = spans(1, top, high, low, middle);
        assertEquals(List.of(low, middle, high, top), spans.list(), "2^63 sorts above 0x3000");
        assertEquals(4, spans.count());
        assertEquals(TWO_63 + 0x3000, spans.capacity());
    }

    @Test
    void manySpansInAnyOrderComeOutSorted() {
        List<Range> ranges = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            long start = (long) i << 57; // reaches past 2^63
            ranges.add(Range.of(start, start + 0xfff));
        }
        List<Range> shuffled = new ArrayList<>(ranges);
        Collections.shuffle(shuffled, new Random(7));
        Spans spans = new Spans(0x1000);
        long capacity = 0;
        for (Range r : shuffled) {
            spans.add(r);
            capacity += r.size();
            assertEquals(capacity, spans.capacity());
        }
        ranges.sort(null);
        assertEquals(ranges, spans.list());
        assertEquals(100, spans.count());
        assertEquals(0, spans.lowestStart());
    }

    @Test
    void listIsAnUnmodifiableCopy() {
        Spans spans = spans(1, Range.of(1, 2));
        List<Range> list = spans.list();
        assertThrows(UnsupportedOperationException.class, () -> list.add(Range.of(5, 6)));
        spans.add(Range.of(10, 20));
        assertEquals(List.of(Range.of(1, 2)), list);
    }

    @Test
    void adjacentSpansAreAllowed() {
        Spans spans = spans(0x1000, Range.of(0x1000, 0x1fff), Range.of(0x2000, 0x2fff), Range.of(0, 0xfff));
        assertEquals(List.of(Range.of(0, 0xfff), Range.of(0x1000, 0x1fff), Range.of(0x2000, 0x2fff)), spans.list());
        spans.add(Range.of(MAX - 0xfff, MAX));
        spans.add(Range.of(MAX - 0x1fff, MAX - 0x1000));
        assertEquals(5, spans.count());
    }

    @Test
    void overlapNamesBothSpans() {
        Range existing = Range.of(0x2000, 0x2fff);
        for (Range added : List.of(Range.of(0x1000, 0x2000), Range.of(0x2fff, 0x3fff), Range.of(0x2000, 0x2fff),
                Range.of(0x2100, 0x21ff), Range.of(0x1000, 0x3fff))) {
            Spans spans = spans(1, existing);
            OverlapException e = assertThrows(OverlapException.class, () -> spans.add(added), added.toString());
            assertTrue(e.getMessage().contains(added.toString()), e.getMessage());
            assertTrue(e.getMessage().contains(existing.toString()), e.getMessage());
            assertEquals(List.of(existing), spans.list(), "a refused span changes nothing");
            assertEquals(existing.size(), spans.capacity());
        }
    }

    @Test
    void overlapWithEitherNeighbourIsFound() {
        Range low = Range.of(0x1000, 0x1fff);
        Range high = Range.of(0x4000, 0x4fff);
        Spans spans = spans(1, low, high);
        OverlapException below = assertThrows(OverlapException.class, () -> spans.add(Range.of(0x1fff, 0x2000)));
        assertTrue(below.getMessage().contains(low.toString()), below.getMessage());
        OverlapException above = assertThrows(OverlapException.class, () -> spans.add(Range.of(0x3000, 0x4000)));
        assertTrue(above.getMessage().contains(high.toString()), above.getMessage());
        spans.add(Range.of(0x2000, 0x3fff)); // exactly the gap
        assertEquals(3, spans.count());
    }

    @Test
    void overlapAtTheTopOfTheSpaceIsFound() {
        Range top = Range.of(TWO_63, MAX);
        Spans spans = spans(1, top);
        OverlapException e = assertThrows(OverlapException.class, () -> spans.add(Range.of(MAX, MAX)));
        assertTrue(e.getMessage().contains("[0xffffffffffffffff, 0xffffffffffffffff]"), e.getMessage());
        assertTrue(e.getMessage().contains("[0x8000000000000000, 0xffffffffffffffff]"), e.getMessage());
        assertThrows(OverlapException.class, () -> spans.add(Range.of(5, TWO_63)));
        spans.add(Range.of(5, TWO_63 - 1));
    }

    @Test
    void checkAddableChangesNothing() {
        Spans spans = spans(1, Range.of(10, 20));
        spans.checkAddable(Range.of(30, 40));
        assertEquals(List.of(Range.of(10, 20)), spans.list());
        assertThrows(OverlapException.class, () -> spans.checkAddable(Range.of(15, 16)));
        assertEquals(1, spans.count());
    }

    @Test
    void spansOffTheQuantumAreRejected() {
        Spans spans = new Spans(0x1000);
        for (Range bad : List.of(Range.of(0x1001, 0x1fff), Range.of(0x1000, 0x1ffe), Range.of(0x1000, 0x1000),
                Range.of(MAX - 0xffe, MAX))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> spans.add(bad),
                    bad.toString());
            assertTrue(e.getMessage().contains(bad.toString()), e.getMessage());
            assertTrue(e.getMessage().contains("0x1000"), "names the quantum: " + e.getMessage());
        }
        assertEquals(0, spans.count());
        spans.add(Range.of(MAX - 0xfff, MAX)); // end + 1 wraps to 0, a multiple of the quantum
        spans.add(Range.of(0, 0xfff));
        assertEquals(2, spans.count());
    }

    @Test
    void spansHoldingAllTwoToThe64ValuesAreRejected() {
        Spans halves = spans(1, Range.of(0, TWO_63 - 1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> halves.add(Range.of(TWO_63, MAX)));
        assertTrue(e.getMessage().contains("[0x8000000000000000, 0xffffffffffffffff]"), e.getMessage());
        assertTrue(e.getMessage().contains("2^64"), e.getMessage());
        assertEquals(1, halves.count());

        Spans almost = spans(1, Range.of(0, MAX - 1));
        assertThrows(IllegalArgumentException.class, () -> almost.add(Range.of(MAX, MAX)));
        Spans fromOne = spans(1, Range.of(1, MAX));
        assertThrows(IllegalArgumentException.class, () -> fromOne.add(Range.of(0, 0)));

        Spans many = spans(1, Range.of(0, 9), Range.of(20, MAX));
        assertThrows(IllegalArgumentException.class, () -> many.add(Range.of(10, 19)));
        assertEquals(2, many.count());
    }

    @Test
    void spansOneShortOfTheWholeSpaceAreAccepted() {
        Spans spans = spans(1, Range.of(0, TWO_63 - 1), Range.of(TWO_63, MAX - 1));
        assertEquals(MAX, spans.capacity(), "2^64 - 1 values");
        assertEquals(MAX, spans(1, Range.of(1, MAX)).capacity());
        assertEquals(MAX, spans(1, Range.of(0, 9), Range.of(11, MAX)).capacity());
    }

    @Test
    void withinOneAtTheEdges() {
        Spans spans = spans(1, Range.of(0x1000, 0x1fff), Range.of(0x2000, 0x2fff), Range.of(MAX - 0xff, MAX));
        assertTrue(spans.withinOne(0x1000, 0x1fff));
        assertTrue(spans.withinOne(0x1000, 0x1000));
        assertTrue(spans.withinOne(0x1fff, 0x1fff));
        assertTrue(spans.withinOne(0x2000, 0x2fff));
        assertFalse(spans.withinOne(0x1fff, 0x2000), "adjacent spans are still two spans");
        assertFalse(spans.withinOne(0x1000, 0x2fff));
        assertFalse(spans.withinOne(0xfff, 0x1000));
        assertFalse(spans.withinOne(0x2fff, 0x3000));
        assertFalse(spans.withinOne(0x3000, 0x3000));
        assertFalse(spans.withinOne(0, 0));
        assertTrue(spans.withinOne(MAX - 0xff, MAX));
        assertTrue(spans.withinOne(MAX, MAX));
        assertFalse(spans.withinOne(MAX - 0x100, MAX));
        assertFalse(spans.withinOne(MAX - 0x100, MAX - 0x100));
        assertFalse(spans.withinOne(TWO_63, TWO_63 + 1));
    }

    @Test
    void containsAtTheEdges() {
        Spans spans = spans(1, Range.of(0x1000, 0x1fff), Range.of(0x2000, 0x2fff), Range.of(MAX - 0xff, MAX));
        assertFalse(spans.contains(0));
        assertFalse(spans.contains(0xfff));
        assertTrue(spans.contains(0x1000));
        assertTrue(spans.contains(0x1fff));
        assertTrue(spans.contains(0x2000));
        assertTrue(spans.contains(0x2fff));
        assertFalse(spans.contains(0x3000));
        assertFalse(spans.contains(TWO_63));
        assertFalse(spans.contains(MAX - 0x100));
        assertTrue(spans.contains(MAX - 0xff));
        assertTrue(spans.contains(MAX));
    }

    @Test
    void spanAtZeroIsFound() {
        Spans spans = spans(1, Range.of(0, 0), Range.of(2, 3));
        assertTrue(spans.contains(0));
        assertTrue(spans.withinOne(0, 0));
        assertFalse(spans.contains(1));
        assertFalse(spans.withinOne(0, 2));
        assertTrue(spans.withinOne(2, 3));
    }

    @Test
    void lowestStartIsTheLowestUnsigned() {
        Spans spans = new Spans(1);
        assertEquals(0, spans.lowestStart());
        spans.add(Range.of(TWO_63, MAX));
        assertEquals(TWO_63, spans.lowestStart());
        spans.add(Range.of(0x1000, 0x1fff));
        assertEquals(0x1000, spans.lowestStart());
        spans.add(Range.of(5, 9));
        assertEquals(5, spans.lowestStart());
        spans.add(Range.of(0x3000, 0x3fff));
        assertEquals(5, spans.lowestStart());
    }
}
