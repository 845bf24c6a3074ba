package io.allot.engine.interval;

import java.util.Arrays;

/**
 * The segments that tile every span, stored column-wise: node id {@code n} is
 * {@code [start[n], end[n]]}, free or allocated, with its tag. Ids are recycled through a free
 * list threaded through {@code nextFree}, so steady-state allocate/free creates no garbage.
 *
 * <p>Id 0 is {@link IntrusiveAvl#NIL} and is never handed out. Not thread-safe.
 */
final class Segments {

    private static final byte FREE = 1;
    /** The segment begins a span: it never merges with the segment before it, even if adjacent. */
    private static final byte SPAN_START = 2;

    long[] start;
    long[] end;
    private byte[] flags;
    private String[] tag;
    private int[] nextFree;
    private int recycled = IntrusiveAvl.NIL;
    private int used = 1; // id 0 is NIL

    Segments(int capacity) {
        start = new long[capacity];
        end = new long[capacity];
        flags = new byte[capacity];
        tag = new String[capacity];
        nextFree = new int[capacity];
    }

    /** Whether the next {@link #create} needs a {@link #grow} first. */
    boolean isFull() {
        return recycled == IntrusiveAvl.NIL && used == start.length;
    }

    /** Doubles the capacity and returns it; callers grow their trees to match. */
    int grow() {
        int capacity = start.length * 2;
        if (capacity < 0) {
            throw new IllegalStateException("interval engine is limited to 2^30 segments");
        }
        start = Arrays.copyOf(start, capacity);
        end = Arrays.copyOf(end, capacity);
        flags = Arrays.copyOf(flags, capacity);
        tag = Arrays.copyOf(tag, capacity);
        nextFree = Arrays.copyOf(nextFree, capacity);
        return capacity;
    }

    int capacity() {
        return start.length;
    }

    /** A new free segment; the caller has made room with {@link #grow} if {@link #isFull}. */
    int createFree(long from, long to, boolean spanStart) {
        int n = recycled;
        if (n != IntrusiveAvl.NIL) {
            recycled = nextFree[n];
        } else {
            n = used++;
        }
        start[n] = from;
        end[n] = to;
        flags[n] = (byte) (FREE | (spanStart ? SPAN_START : 0));
        tag[n] = null;
        return n;
    }

    /** Returns id {@code n} for reuse. */
    void release(int n) {
        tag[n] = null;
        nextFree[n] = recycled;
        recycled = n;
    }

    boolean isFree(int n) {
        return (flags[n] & FREE) != 0;
    }

    boolean startsSpan(int n) {
        return (flags[n] & SPAN_START) != 0;
    }

    void markAllocated(int n, String owner) {
        flags[n] &= ~FREE;
        tag[n] = owner;
    }

    void markFree(int n) {
        flags[n] |= FREE;
        tag[n] = null;
    }

    String tag(int n) {
        return tag[n];
    }

    /** Values in segment {@code n}, unsigned; never 0 (a segment is never all 2^64 values). */
    long size(int n) {
        return end[n] - start[n] + 1;
    }
}
