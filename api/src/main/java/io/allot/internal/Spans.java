package io.allot.internal;

import io.allot.OverlapException;
import io.allot.Range;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The sorted, disjoint spans of one allocator, and the checks every new span must pass.
 *
 * <p>Kept apart from the engines because the rules are the same for all of them: spans start and
 * end on quantum boundaries, never overlap, and together hold fewer than 2<sup>64</sup> values
 * (so that {@link io.allot.AllocatorStats#capacity()} can be expressed). Lookups are binary
 * searches, O(log s) for s spans; adding is O(s), spans being few and added rarely.
 * Not thread-safe.
 */
public final class Spans {

    private final long quantum;
    private long[] starts = new long[4];
    private long[] ends = new long[4];
    private int count;
    private long capacity;

    /** @param quantum a power of two, checked by the caller */
    public Spans(long quantum) {
        this.quantum = quantum;
    }

    /**
     * Checks {@code span} against every rule; changes nothing.
     *
     * @throws OverlapException         if it overlaps a span already here
     * @throws IllegalArgumentException if it is off the quantum or would fill the 64-bit space
     */
    public void checkAddable(Range span) {
        checkOnQuantum("span", span);
        int after = firstStartingAbove(span.start());
        if (after > 0 && Unsigned.atLeast(ends[after - 1], span.start())) {
            throw new OverlapException("span " + span + " overlaps span " + Range.of(starts[after - 1], ends[after - 1]));
        }
        if (after < count && Unsigned.atMost(starts[after], span.end())) {
            throw new OverlapException("span " + span + " overlaps span " + Range.of(starts[after], ends[after]));
        }
        // Disjoint spans hold at most 2^64 values, so the sum can only wrap to exactly 0.
        if (capacity + span.size() == 0) {
            throw new IllegalArgumentException("span " + span + " would make the spans hold all 2^64 values");
        }
    }

    /**
     * Adds {@code span} after {@link #checkAddable} passes.
     *
     * @throws OverlapException         as {@link #checkAddable}
     * @throws IllegalArgumentException as {@link #checkAddable}
     */
    public void add(Range span) {
        checkAddable(span);
        if (count == starts.length) {
            starts = Arrays.copyOf(starts, count * 2);
            ends = Arrays.copyOf(ends, count * 2);
        }
        int at = firstStartingAbove(span.start());
        System.arraycopy(starts, at, starts, at + 1, count - at);
        System.arraycopy(ends, at, ends, at + 1, count - at);
        starts[at] = span.start();
        ends[at] = span.end();
        count++;
        capacity += span.size();
    }

    /**
     * Checks that {@code range} starts and ends on quantum boundaries: the rule for spans,
     * reservations and restored allocations alike.
     *
     * @param what how the message names the range ("span", "allocation")
     * @throws IllegalArgumentException naming the range and the quantum if it does not
     */
    public void checkOnQuantum(String what, Range range) {
        long mask = quantum - 1;
        // end + 1 wraps to 0 for a range ending at 2^64 - 1, which is on every boundary.
        if ((range.start() & mask) != 0 || ((range.end() + 1) & mask) != 0) {
            throw new IllegalArgumentException(what + " " + range + " is not on quantum boundaries (quantum "
                    + Unsigned.hex(quantum) + ")");
        }
    }

    /** Whether {@code [start, end]} lies inside one span. */
    public boolean withinOne(long start, long end) {
        int i = firstStartingAbove(start) - 1;
        return i >= 0 && Unsigned.atMost(end, ends[i]) && Unsigned.atMost(start, ends[i]);
    }

    /** Whether some span holds {@code value}. */
    public boolean contains(long value) {
        int i = firstStartingAbove(value) - 1;
        return i >= 0 && Unsigned.atMost(value, ends[i]);
    }

    /** Values in all spans, unsigned. */
    public long capacity() {
        return capacity;
    }

    /** How many spans there are. */
    public int count() {
        return count;
    }

    /** The start of the lowest span, or 0 when there is none. */
    public long lowestStart() {
        return count == 0 ? 0 : starts[0];
    }

    /** The spans, ascending, as an unmodifiable list. */
    public List<Range> list() {
        List<Range> list = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            list.add(Range.of(starts[i], ends[i]));
        }
        return List.copyOf(list);
    }

    /** Index of the first span whose start is above {@code value}, unsigned; {@code count} if none. */
    private int firstStartingAbove(long value) {
        int lo = 0;
        int hi = count;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (Unsigned.atMost(starts[mid], value)) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
