package io.allot.internal;

import io.allot.OverlapException;
import io.allot.Range;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The sorted, disjoint spans of one allocator, and the checks every new span must pass.
 *
 * <p>Kept apart from the engines because the rules are the same for all of them: spans start and
 * end on quantum boundaries, never overlap, and together hold fewer than 2<sup>64</sup> values
 * (so that {@link io.allot.AllocatorStats#capacity()} can be expressed). Lookups are binary
 * searches, O(log s) for s spans; adding and removing are O(s), spans being few and changed rarely.
 *
 * <p>Each span also records whether it was <em>imported</em> from a source allocator (an arena
 * hierarchy, see {@link SpanSource}) rather than given by the user: only imported spans are ever
 * removed, when they go back to the source, and {@link #imported()} sums them for
 * {@link io.allot.AllocatorStats#imported()}. Not thread-safe.
 */
public final class Spans {

    private final long quantum;
    private long[] starts = new long[4];
    private long[] ends = new long[4];
    private boolean[] importedFlags = new boolean[4];
    private int count;
    private long capacity;
    private long imported;

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
        add(span, false);
    }

    /**
     * Adds {@code span} after {@link #checkAddable} passes, recording whether it was imported.
     *
     * @throws OverlapException         as {@link #checkAddable}
     * @throws IllegalArgumentException as {@link #checkAddable}
     */
    public void add(Range span, boolean wasImported) {
        checkAddable(span);
        if (count == starts.length) {
            starts = Arrays.copyOf(starts, count * 2);
            ends = Arrays.copyOf(ends, count * 2);
            importedFlags = Arrays.copyOf(importedFlags, count * 2);
        }
        int at = firstStartingAbove(span.start());
        System.arraycopy(starts, at, starts, at + 1, count - at);
        System.arraycopy(ends, at, ends, at + 1, count - at);
        System.arraycopy(importedFlags, at, importedFlags, at + 1, count - at);
        starts[at] = span.start();
        ends[at] = span.end();
        importedFlags[at] = wasImported;
        count++;
        capacity += span.size();
        if (wasImported) {
            imported += span.size();
        }
    }

    /**
     * Removes the span at {@code index} (as {@link #indexOf} gives it).
     *
     * @throws IndexOutOfBoundsException if there is no such span
     */
    public void remove(int index) {
        Objects.checkIndex(index, count);
        long size = ends[index] - starts[index] + 1;
        capacity -= size;
        if (importedFlags[index]) {
            imported -= size;
        }
        System.arraycopy(starts, index + 1, starts, index, count - index - 1);
        System.arraycopy(ends, index + 1, ends, index, count - index - 1);
        System.arraycopy(importedFlags, index + 1, importedFlags, index, count - index - 1);
        count--;
    }

    /** Index (ascending order) of the span holding {@code value}, or −1 if none does. */
    public int indexOf(long value) {
        int i = firstStartingAbove(value) - 1;
        return i >= 0 && Unsigned.atMost(value, ends[i]) ? i : -1;
    }

    /** The span at {@code index}. */
    public Range get(int index) {
        Objects.checkIndex(index, count);
        return new Range(starts[index], ends[index]);
    }

    /** Whether the span at {@code index} was imported from a source. */
    public boolean isImported(int index) {
        Objects.checkIndex(index, count);
        return importedFlags[index];
    }

    /** Values in imported spans, unsigned. */
    public long imported() {
        return imported;
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
        return indexOf(value) >= 0;
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
