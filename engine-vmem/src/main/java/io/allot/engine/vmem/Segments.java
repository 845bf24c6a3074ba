package io.allot.engine.vmem;

import java.util.Arrays;

/**
 * The segment records of one arena — vmem's {@code vmem_seg_t}s — packed eight {@code long}s to a
 * record in one array, so that creating one allocates nothing once the array has grown, and so
 * that everything a free, a coalesce or a free-list update reads or writes of a record is one
 * 64-byte cache line:
 *
 * <pre>
 *   data[b + 0]   START   first value, unsigned                          (b = 8p + BASE)
 *   data[b + 1]   END     last value, unsigned (closed ranges: END may be 2^64 - 1)
 *   data[b + 2]   META    type (bits 0-1) | PENDING_ADDRESS | PENDING_SIZE | PENDING_ALLOCATED (set
 *                         while an index has yet to see the record's latest state)
 *   data[b + 3]   PREV    address list
 *   data[b + 4]   NEXT
 *   data[b + 5]   KPREV   next-of-kin list: the power-of-two free list for a free segment, the
 *   data[b + 6]   KNEXT   chain of span markers for a marker, the stack of dead slots for a dead one
 *   data[b + 7]   (unused: pads the record to a cache line)
 * </pre>
 *
 * <p>Why one line: at 500k live allocations (V3) nearly every record a free touches is cold, and
 * the misses, not the instructions, are the cost — the allocation, its two neighbours and their
 * free-list neighbours, each once. With the fields split over two arrays (as before: 24 bytes of
 * words, 16 of links) each of those records cost two misses. {@link #BASE} = 6 puts record 0 at
 * byte 16 + 48 = 64 of the array: a large array (G1 allocates any array of half a region or more
 * as a humongous object at a region boundary, and never moves it) then has every record on a line
 * of its own; a small one is in cache anyway. Links are whole words, so updating one is a plain
 * store, never a read-modify-write of a packed pair (which, chained through store forwarding, cost
 * 13 ns per split and merge). Tags, rarely set, live in a separate array made on first use.
 *
 * <p>Record 0 is the sentinel: it heads the circular address-ordered list of every segment and
 * span marker, and the circular chain of span markers. It has type {@link #SPAN}, so it stops
 * coalescing like a marker does; and since it is never a free or allocated segment, 0 doubles as
 * {@link #NIL}, "no record", in the free lists and the hash. Dead records are kept on a stack and
 * reused first, so a steady alloc/free loop touches the same few slots. The pending bits survive
 * death and reuse: an index must still learn that the slot's old segment is gone.
 *
 * <p>Up to about 2.7 × 10<sup>8</sup> records (the array limit divided by 8 words). Not thread-safe.
 */
final class Segments {

    /** "No record"; also the sentinel's id. */
    static final int NIL = 0;
    /** The sentinel record heading the address list and the marker chain. */
    static final int SENTINEL = 0;

    /** A slot on the dead stack, holding no segment. */
    static final int DEAD = 0;
    /** A free segment, on the free list of its size class. */
    static final int FREE = 1;
    /** An allocated segment, in the allocation hash. */
    static final int ALLOCATED = 2;
    /** A span marker (or the sentinel): a barrier that coalescing never crosses. */
    static final int SPAN = 3;

    /** Meta bit: the address index has not seen this record's latest state. */
    static final long PENDING_ADDRESS = 1L << 8;
    /** Meta bit: the size index has not seen this record's latest state. */
    static final long PENDING_SIZE = 1L << 9;
    /** Meta bit: the allocated-segment index has not seen this record's latest state. */
    static final long PENDING_ALLOCATED = 1L << 10;

    private static final int STRIDE = 8;
    /** Words before record 0: with the 16-byte array header, record 0 starts 64 bytes in. */
    private static final int BASE = 6;
    private static final int START = 0;
    private static final int END = 1;
    private static final int META = 2;
    private static final int PREV = 3;
    private static final int NEXT = 4;
    private static final int KPREV = 5;
    private static final int KNEXT = 6;
    private static final long TYPE_MASK = 3;
    private static final long PENDING = PENDING_ADDRESS | PENDING_SIZE | PENDING_ALLOCATED;
    private static final int MAX_RECORDS = (Integer.MAX_VALUE - 16 - BASE) / STRIDE;

    private long[] data;
    /** Record tags, by id; null until the first tagged record, as most arenas never tag. */
    private String[] tags;
    /** Slots ever used: records are in [0, top). */
    private int top;
    /** Head of the stack of dead slots, linked through knext. */
    private int dead = NIL;
    private int deadCount;
    /** Records neither dead nor the sentinel. */
    private int live;

    /** @param capacity initial number of record slots, at least 1 */
    Segments(int capacity) {
        data = new long[BASE + capacity * STRIDE];
        top = 1;
        setType(SENTINEL, SPAN);
        setKin(SENTINEL, SENTINEL, SENTINEL); // the address links are already 0: the empty circle
    }

    /**
     * A record for {@code [start, end]} of {@code type}, its links unset. Reuses the most recently
     * freed slot, keeping its pending bits.
     *
     * @throws IllegalStateException if the arena would need more records than an array can hold
     */
    int create(long start, long end, int type) {
        int p;
        if (dead != NIL) {
            p = dead;
            dead = knext(p);
            deadCount--;
        } else {
            if (top == capacity()) {
                grow();
            }
            p = top++;
        }
        int b = at(p);
        data[b + START] = start;
        data[b + END] = end;
        data[b + META] = (data[b + META] & PENDING) | type;
        live++;
        return p;
    }

    /** Puts {@code p}, already out of every list, on the dead stack. */
    void destroy(int p) {
        int b = at(p);
        data[b + META] &= PENDING; // type DEAD
        if (tags != null) {
            tags[p] = null;
        }
        data[b + KNEXT] = dead;
        dead = p;
        deadCount++;
        live--;
    }

    /**
     * Makes room for {@code n} more records, so that an operation can check capacity before it
     * changes anything and then create its records without failing halfway.
     *
     * @throws IllegalStateException if the arena would need more records than an array can hold
     */
    void ensureSpare(int n) {
        while (capacity() - top + deadCount < n) {
            grow();
        }
    }

    private void grow() {
        int capacity = capacity();
        if (capacity == MAX_RECORDS) {
            throw new IllegalStateException("the vmem arena cannot hold more than " + MAX_RECORDS + " segments");
        }
        int grown = (int) Math.min(MAX_RECORDS, 2L * capacity);
        data = Arrays.copyOf(data, BASE + grown * STRIDE);
        if (tags != null) {
            tags = Arrays.copyOf(tags, grown);
        }
    }

    /** Number of record slots; record ids are below it. */
    int capacity() {
        return (data.length - BASE) / STRIDE;
    }

    /** Slots ever used; every record id is below it. */
    int top() {
        return top;
    }

    /** Records that hold a segment or a span marker. */
    int live() {
        return live;
    }

    // ---------------------------------------------------------------- fields

    /** The word where record {@code p} begins. */
    private static int at(int p) {
        return BASE + p * STRIDE;
    }

    long start(int p) {
        return data[at(p) + START];
    }

    long end(int p) {
        return data[at(p) + END];
    }

    /** end - start + 1; never 0, since no record holds all 2^64 values. */
    long size(int p) {
        int b = at(p);
        return data[b + END] - data[b + START] + 1;
    }

    void setStart(int p, long start) {
        data[at(p) + START] = start;
    }

    void setEnd(int p, long end) {
        data[at(p) + END] = end;
    }

    int type(int p) {
        return (int) (data[at(p) + META] & TYPE_MASK);
    }

    void setType(int p, int type) {
        int i = at(p) + META;
        data[i] = (data[i] & ~TYPE_MASK) | type;
    }

    String tag(int p) {
        return tags == null ? null : tags[p];
    }

    void setTag(int p, String tag) {
        if (tags != null) {
            tags[p] = tag;
        } else if (tag != null) {
            tags = new String[capacity()];
            tags[p] = tag;
        }
    }

    /**
     * Sets {@code flag} (one of the PENDING bits) on {@code p}.
     *
     * @return true if it was clear, so the caller must queue {@code p}
     */
    boolean markPending(int p, long flag) {
        int i = at(p) + META;
        long meta = data[i];
        if ((meta & flag) != 0) {
            return false;
        }
        data[i] = meta | flag;
        return true;
    }

    /** Whether every index has {@code p} queued, so a change to it needs no further note. */
    boolean pendingEverywhere(int p) {
        return (data[at(p) + META] & PENDING) == PENDING;
    }

    void clearPending(int p, long flag) {
        data[at(p) + META] &= ~flag;
    }

    boolean isPending(int p, long flag) {
        return (data[at(p) + META] & flag) != 0;
    }

    // ---------------------------------------------------------------- address list

    int prev(int p) {
        return (int) data[at(p) + PREV];
    }

    int next(int p) {
        return (int) data[at(p) + NEXT];
    }

    /** Links {@code p} into the address list right after {@code at}. */
    void insertAfter(int at, int p) {
        long[] d = data;
        int a = at(at);
        int b = at(p);
        int after = (int) d[a + NEXT];
        d[b + PREV] = at;
        d[b + NEXT] = after;
        d[a + NEXT] = p;
        d[at(after) + PREV] = p;
    }

    /** Links {@code p} into the address list right before {@code at}. */
    void insertBefore(int at, int p) {
        insertAfter(prev(at), p);
    }

    /** Unlinks {@code p} from the address list. */
    void unlink(int p) {
        long[] d = data;
        int b = at(p);
        int before = (int) d[b + PREV];
        int after = (int) d[b + NEXT];
        d[at(before) + NEXT] = after;
        d[at(after) + PREV] = before;
    }

    // ---------------------------------------------------------------- next-of-kin list

    int kprev(int p) {
        return (int) data[at(p) + KPREV];
    }

    int knext(int p) {
        return (int) data[at(p) + KNEXT];
    }

    void setKin(int p, int kprev, int knext) {
        int b = at(p);
        data[b + KPREV] = kprev;
        data[b + KNEXT] = knext;
    }

    void setKprev(int p, int kprev) {
        data[at(p) + KPREV] = kprev;
    }

    void setKnext(int p, int knext) {
        data[at(p) + KNEXT] = knext;
    }

    /** Links marker {@code p} into the circular marker chain right before marker (or sentinel) {@code at}. */
    void kinInsertBefore(int at, int p) {
        int before = kprev(at);
        setKin(p, before, at);
        setKnext(before, p);
        setKprev(at, p);
    }

    /** Unlinks marker {@code p} from the circular marker chain. */
    void kinUnlink(int p) {
        int before = kprev(p);
        int after = knext(p);
        setKnext(before, after);
        setKprev(after, before);
    }
}
