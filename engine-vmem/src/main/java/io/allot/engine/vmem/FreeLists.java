package io.allot.engine.vmem;

import static io.allot.engine.vmem.Segments.NIL;

/**
 * vmem's power-of-two free lists: list {@code k} holds the free segments whose size lies in
 * [2<sup>k</sup>, 2<sup>k+1</sup>), doubly linked through the records' next-of-kin words, newest
 * first; bit {@code k} of {@link #map} is set exactly when list {@code k} is non-empty.
 *
 * <p>Every operation is O(1). Sizes are unsigned: a segment of 2<sup>63</sup> or more is in list 63.
 * Not thread-safe.
 */
final class FreeLists {

    /** Number of lists: one per bit of a 64-bit size. */
    static final int LISTS = 64;

    private final Segments segs;
    private final int[] heads = new int[LISTS];
    /** Bit k set iff list k is non-empty. */
    long map;

    FreeLists(Segments segs) {
        this.segs = segs;
    }

    /** The list holding segments of {@code size} (unsigned, at least 1): floor(log2(size)). */
    static int listOf(long size) {
        return 63 - Long.numberOfLeadingZeros(size);
    }

    /**
     * The lowest list every member of which is at least {@code size}: ceil(log2(size)), or 64
     * (no list) when {@code size} exceeds 2<sup>63</sup>.
     */
    static int wholeFitList(long size) {
        return 64 - Long.numberOfLeadingZeros(size - 1);
    }

    /** The first member of list {@code k}, or {@link Segments#NIL}. */
    int head(int k) {
        return heads[k];
    }

    /** Pushes free segment {@code p} of {@code size} onto the head of its list. */
    void insert(int p, long size) {
        int k = listOf(size);
        int head = heads[k];
        segs.setKin(p, NIL, head);
        if (head != NIL) {
            segs.setKprev(head, p);
        }
        heads[k] = p;
        map |= 1L << k;
    }

    /** Takes {@code p} off its list; {@code size} must be the size it was inserted with. */
    void remove(int p, long size) {
        int k = listOf(size);
        int before = segs.kprev(p);
        int after = segs.knext(p);
        if (before == NIL) {
            heads[k] = after;
            if (after == NIL) {
                map &= ~(1L << k);
            }
        } else {
            segs.setKnext(before, after);
        }
        if (after != NIL) {
            segs.setKprev(after, before);
        }
    }

    /**
     * Moves {@code p} to the list for {@code newSize} if that differs from the one for
     * {@code oldSize}; a segment that stays in its list keeps its place (vmem's shortcut when a
     * split leaves the remainder in the same list).
     */
    void resize(int p, long oldSize, long newSize) {
        int from = listOf(oldSize);
        int to = listOf(newSize);
        if (from != to) {
            move(p, from, to);
        }
    }

    /** Takes {@code p} off list {@code from} and pushes it onto list {@code to}, with one update of the map. */
    private void move(int p, int from, int to) {
        int before = segs.kprev(p);
        int after = segs.knext(p);
        long m = map;
        if (before == NIL) {
            heads[from] = after;
            if (after == NIL) {
                m &= ~(1L << from);
            }
        } else {
            segs.setKnext(before, after);
        }
        if (after != NIL) {
            segs.setKprev(after, before);
        }
        int head = heads[to];
        segs.setKin(p, NIL, head);
        if (head != NIL) {
            segs.setKprev(head, p);
        }
        heads[to] = p;
        map = m | 1L << to;
    }
}
