package io.allot.internal;

import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The quantum caches' segments by start: how {@code free} recognises, without the arena lock,
 * a range the caches handed out. Open addressing with linear probing over an array of
 * {@link CachedSegment} references, at most half full (tombstones included) so that every probe
 * ends at an empty slot.
 *
 * <p><b>Threads.</b> {@link #insert} and {@link #remove} run under the arena lock only; a grown,
 * shrunk or cleaned table is a new array published through a volatile field. {@link #get} runs
 * anywhere, lock-free, on whichever array it reads: a segment inserted after that array was
 * replaced is not in it (the caller then takes the arena lock and asks again, and under the lock
 * the answer is exact), and a segment removed from it may still be found there (it is then gone,
 * {@link CachedSegment#isLive()} is false, and nothing is done to it). A live segment is never
 * removed, so a correct free always finds it. Lookups allocate nothing.
 */
final class SegmentTable {

    private static final int MIN_CAPACITY = 16;
    private static final CachedSegment TOMBSTONE = new CachedSegment(0, 0);

    private volatile AtomicReferenceArray<CachedSegment> slots = new AtomicReferenceArray<>(MIN_CAPACITY);
    /** Segments in the table; slots used by segments or tombstones. Arena lock. */
    private int size;
    private int used;

    /** The segment starting at {@code start}, or null. */
    CachedSegment get(long start) {
        AtomicReferenceArray<CachedSegment> t = slots;
        int mask = t.length() - 1;
        for (int i = slot(start, mask); ; i = (i + 1) & mask) {
            CachedSegment s = t.get(i);
            if (s == null) {
                return null;
            }
            if (s != TOMBSTONE && s.start == start) {
                return s;
            }
        }
    }

    /** Adds a segment whose start is not in the table. Arena lock. */
    void insert(CachedSegment segment) {
        if (2 * (used + 1) > slots.length()) {
            rebuild(size + 1);
        }
        AtomicReferenceArray<CachedSegment> t = slots;
        int mask = t.length() - 1;
        int i = slot(segment.start, mask);
        while (true) {
            CachedSegment s = t.get(i);
            if (s == null || s == TOMBSTONE) {
                break;
            }
            i = (i + 1) & mask;
        }
        if (t.get(i) == null) {
            used++;
        }
        t.set(i, segment);
        size++;
    }

    /** Removes {@code segment}, which is in the table. Arena lock. */
    void remove(CachedSegment segment) {
        AtomicReferenceArray<CachedSegment> t = slots;
        int mask = t.length() - 1;
        int i = slot(segment.start, mask);
        while (t.get(i) != segment) {
            i = (i + 1) & mask;
        }
        t.set(i, TOMBSTONE);
        size--;
        if (t.length() > MIN_CAPACITY && 8 * size < t.length()) {
            rebuild(size);
        }
    }

    /** A fresh array for {@code expected} segments, at most a quarter full, without tombstones. */
    private void rebuild(int expected) {
        AtomicReferenceArray<CachedSegment> old = slots;
        int capacity = MIN_CAPACITY;
        while (capacity < 4 * expected) {
            capacity <<= 1;
        }
        AtomicReferenceArray<CachedSegment> fresh = new AtomicReferenceArray<>(capacity);
        int mask = capacity - 1;
        for (int j = 0; j < old.length(); j++) {
            CachedSegment s = old.get(j);
            if (s != null && s != TOMBSTONE) {
                int i = slot(s.start, mask);
                while (fresh.get(i) != null) {
                    i = (i + 1) & mask;
                }
                fresh.set(i, s);
            }
        }
        used = size;
        slots = fresh;
    }

    /** Fibonacci hashing: page-aligned starts (low bits all zero) still spread over every slot. */
    private static int slot(long start, int mask) {
        return (int) ((start * 0x9E3779B97F4A7C15L) >>> 32) & mask;
    }
}
