package io.allot.internal;

import io.allot.Range;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RangeWalkTest {

    /** Walks 0..count-1 as one-value ranges, counting its steps. */
    private static final class Counting extends RangeWalk {
        final int count;
        int steps;

        Counting(int count) {
            this.count = count;
        }

        @Override
        protected Range step() {
            assertTrue(steps <= count, "a step after the walk ended");
            int at = steps++;
            return at < count ? Range.of(at, at) : null;
        }
    }

    @Test
    void stepsOnlyWhenAskedAndOnceARange() {
        Counting walk = new Counting(2);
        assertEquals(0, walk.steps, "no step before one is needed");
        assertTrue(walk.hasNext());
        assertTrue(walk.hasNext());
        assertEquals(1, walk.steps, "hasNext asked twice looks ahead once");
        assertEquals(Range.of(0, 0), walk.next());
        assertEquals(Range.of(1, 1), walk.next(), "next without hasNext");
        assertEquals(2, walk.steps);
        assertFalse(walk.hasNext());
        assertFalse(walk.hasNext());
        assertThrows(NoSuchElementException.class, walk::next);
        assertEquals(3, walk.steps, "the end is found once");
    }

    @Test
    void anEmptyWalkEndsAtOnce() {
        Counting walk = new Counting(0);
        assertThrows(NoSuchElementException.class, walk::next);
        assertFalse(walk.hasNext());
        assertEquals(1, walk.steps);
    }

    @Test
    void forEachRemainingSeesEveryRangeInOrder() {
        List<Range> seen = new ArrayList<>();
        new Counting(3).forEachRemaining(seen::add);
        assertEquals(List.of(Range.of(0, 0), Range.of(1, 1), Range.of(2, 2)), seen);
    }
}
