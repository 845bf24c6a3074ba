package io.allot.engine.vmem;

import java.util.Arrays;

/**
 * The segment records of one arena — vmem's {@code vmem_seg_t}s — in two packed arrays, so that
 * creating one allocates nothing once the arrays have grown: a {@code long[]} with three words per
 * record and an {@code int[]} with four links per record, 40 bytes in all.
 *
 * <pre>
 *   data[3p + 0]   START   first value, unsigned
 *   data[3p + 1]   END     last value, unsigned (closed ranges: END may be 2^64 - 1)
 *   data[3p + 2]   META    type (bits 0-1) | PENDING_ADDRESS | PENDING_SIZE | PENDING_ALLOCATED (set
 *                          while an index has yet to see the record's latest state)
 *   links[4p + 0]  prev    address list
 *   links[4p + 1]  next
 *   links[4p + 2]  kprev   next-of-kin list: the power-of-two free list for a free segment, the
 *   links[4p + 3]  knext   chain of span markers for a marker, the stack of dead slots for a dead one
 * </pre>
 *
 * <p>Links are plain {@code int} stores: packing two into a {@code long} made every link update a
 * read-modify-write, and the chains of those through store forwarding cost more (a split and merge
 * of a record, 13 ns packed) than the extra cache line a record now spans when it is cold.
 *
 * <p>Record 0 is the sentinel: it heads the circular address-ordered list of every segment and
 * span marker, and the circular chain of span markers. It has type {@link #SPAN}, so it stops
 * coalescing like a marker does; and since it is never a free or allocated segment, 0 doubles as
 * {@link #NIL}, "no record", in the free lists and the hash. Dead records are kept on a stack and
 * reused first, so a steady alloc/free loop touches the same few slots. The pending bits survive
 * death and reuse: an index must still learn that the slot's old segment is gone.
 *
 * <p>Up to about 5 × 10<sup>8</sup> records (the array limit divided by 4 links). Not
 * thread-safe.
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

    private static final int STRIDE = 3;
    private static final int START = 0;
    private static final int END = 1;
    private static final int META = 2;
    private static final int PREV = 0;
    private static final int NEXT = 1;
    private static final int KPREV = 2;
    private static final int KNEXT = 3;
    private static final long TYPE_MASK = 3;
    private static final long PENDING = PENDING_ADDRESS | PENDING_SIZE | PENDING_ALLOCATED;
    private static final int MAX_RECORDS = (Integer.MAX_VALUE - 16) / 4; // links: 4 ints per record

    private long[] data;
    private int[] links;
    /** Record tags, by id; null until the first tagged record, as most arenas never tag. */
    private String[] tags;
    /** Slots ever used: records are in [0, top). */
    private int top;
    /** Head of the stack of dead slots, linked through knext. */
    private int dead = NIL;
    private int deadCount;
    /** Records neither dead nor the sentinel. */
    private int live;
    /**
     * How many of the arena's {@link SegmentIndex}es are awake (not dormant), kept by the indexes:
     * while it is 0, a change to a record needs no note at all, one field test on the O(1) paths.
     */
    int awakeIndexes;

    /** @param capacity initial number of record slots, at least 1 */
    Segments(int capacity) {
        data = new long[capacity * STRIDE];
        links = new int[capacity * 4];
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
        links[4 * p + KNEXT] = dead;
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
        data = Arrays.copyOf(data, grown * STRIDE);
        links = Arrays.copyOf(links, grown * 4);
        if (tags != null) {
            tags = Arrays.copyOf(tags, grown);
        }
    }

    /** Number of record slots; record ids are below it. */
    int capacity() {
        return links.length >>> 2;
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
        return p * STRIDE;
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
        return links[4 * p + PREV];
    }

    int next(int p) {
        return links[4 * p + NEXT];
    }

    /** Links {@code p} into the address list right after {@code at}. */
    void insertAfter(int at, int p) {
        int after = links[4 * at + NEXT];
        links[4 * p + PREV] = at;
        links[4 * p + NEXT] = after;
        links[4 * at + NEXT] = p;
        links[4 * after + PREV] = p;
    }

    /** Links {@code p} into the address list right before {@code at}. */
    void insertBefore(int at, int p) {
        insertAfter(links[4 * at + PREV], p);
    }

    /** Unlinks {@code p} from the address list. */
    void unlink(int p) {
        int before = links[4 * p + PREV];
        int after = links[4 * p + NEXT];
        links[4 * before + NEXT] = after;
        links[4 * after + PREV] = before;
    }

    // ---------------------------------------------------------------- next-of-kin list

    int kprev(int p) {
        return links[4 * p + KPREV];
    }

    int knext(int p) {
        return links[4 * p + KNEXT];
    }

    void setKin(int p, int kprev, int knext) {
        links[4 * p + KPREV] = kprev;
        links[4 * p + KNEXT] = knext;
    }

    void setKprev(int p, int kprev) {
        links[4 * p + KPREV] = kprev;
    }

    void setKnext(int p, int knext) {
        links[4 * p + KNEXT] = knext;
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
